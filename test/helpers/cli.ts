/**
 * Test helper: runs a child process to completion, collecting its output, and kills it in teardown
 * if a test ends first.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ChildResult, finished } from './child.js';

/** The repository root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));
/** The `snapstart` CLI's source, run through tsx. */
export const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** The lifecycle fixture entry. */
export const lifecycleEntry = fileURLToPath(new URL('../fixtures/v8/lifecycle-entry.ts', import.meta.url));

export type { ChildResult };

/** A place to register cleanup, like tap's `t.teardown`. */
export interface Teardown {
  teardown(fn: () => void): void;
}

/** Runs `node ...args` with extra environment variables; gives up (SIGKILL) after `timeoutMs`. */
export function runNode(
  t: Teardown,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<ChildResult> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return finished(child, timeoutMs);
}

/** The built `snapstart` CLI (`npm run build` first): plain node runs it without tsx's start-up cost. */
export const builtCliMain = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Runs the built `snapstart` CLI with plain node. */
export function runBuiltCli(t: Teardown, args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return runNode(t, [builtCliMain, ...args], env);
}

/** Runs the `snapstart` CLI from source. */
export function runCli(t: Teardown, args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return runNode(t, ['--import', 'tsx', cliMain, ...args], env);
}

/** One JSON line the lifecycle fixture logs. */
export interface Step {
  step: string;
  pid: number;
  [key: string]: unknown;
}

/** The JSON lines of the fixture's stdout, ignoring any other line. */
export function steps(stdout: string): Step[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Step);
}

/** What an in-process run of the CLI did. */
export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI's `main(argv)` from source in this process (no child process, no start-up cost; its
 * simulations spawn the built runtime), capturing what it writes. Runs must not overlap: they share
 * `process.stdout` and `process.stderr`.
 */
export async function runMain(argv: string[]): Promise<CapturedRun> {
  const { main } = await import('../../src/cli/commands.js');
  const out: string[] = [];
  const err: string[] = [];
  const { stdout, stderr } = process;
  const writeOut = stdout.write;
  const writeErr = stderr.write;
  const collect = (into: string[]) =>
    ((chunk: string | Uint8Array) =>
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')) > 0) as typeof stdout.write;
  stdout.write = collect(out);
  stderr.write = collect(err);
  try {
    return { code: await main(argv), stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
}
