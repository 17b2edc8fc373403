/**
 * Test harness: an emulator plus the real `snapstart-runtime` (the built dist/lambda/bin.js, plain node) as a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmulatorOptions, RuntimeApiEmulator } from '../../src/emulator/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url));
export const RUNTIME_BIN = fileURLToPath(new URL('../../dist/lambda/bin.js', import.meta.url));

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface RuntimeUnderTest {
  emulator: RuntimeApiEmulator;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the runtime exits. */
  exited: Promise<number | string>;
  /** Everything the runtime wrote to stderr so far. */
  stderr(): string;
  /** Everything the runtime wrote to stdout so far. */
  stdout(): string;
}

export interface SpawnOptions extends EmulatorOptions {
  handler: string;
  taskRoot?: string;
  env?: Record<string, string>;
  /** Extra arguments for node before the runtime script, e.g. `['--expose-gc']`. */
  nodeArgs?: string[];
}

/** Starts an emulator and spawns the runtime against it; both are stopped at teardown. */
export async function spawnRuntime(t: Teardown, options: SpawnOptions): Promise<RuntimeUnderTest> {
  const { handler, taskRoot = FIXTURES, env = {}, nodeArgs = [], ...emulatorOptions } = options;
  const emulator = await RuntimeApiEmulator.start(emulatorOptions);
  const child = spawn(process.execPath, [...nodeArgs, RUNTIME_BIN], {
    cwd: path.dirname(RUNTIME_BIN),
    env: { ...process.env, ...emulator.runtimeEnv(), LAMBDA_TASK_ROOT: taskRoot, _HANDLER: handler, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  t.teardown(async () => {
    // Closing the API makes a serving runtime exit by itself (so its coverage is written); kill only as a last resort.
    await emulator.close();
    if (child.exitCode === null && child.signalCode === null) {
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
  });
  return { emulator, child, exited, stderr: () => stderr, stdout: () => stdout };
}

/** `METHOD endpoint` of every recorded request, for asserting exact sequences. */
export function sequence(emulator: RuntimeApiEmulator): string[] {
  return emulator.requests.map((request) => `${request.method} ${request.endpoint ?? request.path}`);
}

/** Rejects if `promise` does not settle within `ms` (a generous bound, to keep a broken test from hanging). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
