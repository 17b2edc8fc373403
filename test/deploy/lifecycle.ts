/**
 * Test helper: starts a process exactly as Lambda would start a runtime (argv, working directory, a
 * clean environment plus the Runtime API's variables) against the emulator, and takes it through init →
 * snapshot → restore → invocations.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { execPath } from 'node:process';
import { fileURLToPath } from 'node:url';
import { type InitializationType, type InvocationResult, RuntimeApiEmulator } from '../../src/emulator/index.js';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** What Lambda sets besides the Runtime API's variables (paths are the container's). */
export const LAMBDA_ENV = { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', TZ: ':UTC' };

/** What a runtime went through. */
export interface Lifecycle {
  /** `METHOD endpoint` of every Runtime API request, in order. */
  sequence: string[];
  /** The invocation results, in order. */
  results: InvocationResult[];
  /** The runtime's exit code (or signal) once the API closed. */
  exit: number | string;
  stdout: string;
  stderr: string;
}

/** Options of {@link runLifecycle}. */
export interface LifecycleOptions {
  /** The command: `argv[0]` is the executable, as Lambda starts an image's `ENTRYPOINT` + `CMD`. */
  argv: string[];
  cwd: string;
  /** The whole environment apart from the Runtime API's: nothing is inherited from this process. */
  env: Record<string, string>;
  /** Events to invoke, one after another. */
  events: unknown[];
  initType?: InitializationType;
}

/** Rejects if `promise` does not settle within `ms`; a generous bound that only keeps a broken test from hanging. */
export function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what()}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs the runtime through the whole lifecycle and stops it by closing the Runtime API (a runtime then
 * exits by itself). Rejects, with the runtime's stderr, if it exits early or stalls.
 */
export async function runLifecycle(options: LifecycleOptions): Promise<Lifecycle> {
  const initType = options.initType ?? 'snap-start';
  const emulator = await RuntimeApiEmulator.start({ initType });
  const [command, ...args] = options.argv as [string, ...string[]];
  // Coverage of the child goes where this process's goes; nothing else is inherited.
  const coverage = process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {};
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...options.env, ...emulator.runtimeEnv(), ...coverage },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const early = exited.then((exit) => {
    throw new Error(`the runtime exited (${exit}) before the lifecycle ended; stderr:\n${stderr}`);
  });
  const step = <T>(promise: Promise<T>, what: string) =>
    within(Promise.race([promise, early]), 30_000, () => `${what}; stderr so far:\n${stderr}`);
  try {
    if (initType === 'snap-start') {
      await step(emulator.snapshotReached(), 'snapshot point');
      emulator.restore();
    }
    const results: InvocationResult[] = [];
    for (const event of options.events) results.push(await step(emulator.invoke(event), 'invocation'));
    const sequence = emulator.requests.map((request) => `${request.method} ${request.endpoint ?? request.path}`);
    await emulator.close();
    const exit = await within(exited, 10_000, () => 'runtime exit after the API closed');
    return { sequence, results, exit, stdout, stderr };
  } finally {
    early.catch(() => {});
    await emulator.close();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** This Node.js binary: what the tests put where an image or a layer has its `node`. */
export const nodeBinary = execPath;

/**
 * Packs the repository as `npm pack` would publish it (from the built `dist/`; `--ignore-scripts` so no
 * rebuild runs under the other tests) into `destination`, and returns the tarball's path.
 */
export function packPackage(destination: string, npmCli: string): string {
  const run = spawnSync(
    nodeBinary,
    [npmCli, 'pack', '--ignore-scripts', '--no-audit', '--pack-destination', destination, repoRoot],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  if (run.status !== 0) throw new Error(`npm pack failed (${run.status}):\n${run.stderr}`);
  const name = run.stdout.trim().split('\n').pop() as string;
  return join(destination, name);
}
