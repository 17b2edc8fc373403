/**
 * Test harness: an emulator plus the real `snapstart-runtime` (the built dist/lambda/bin.js, plain node) as a child process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmulatorOptions, RuntimeApiEmulator } from '../../src/emulator/index.js';
import { stopChild, type WatchedChild, watchChild } from './child.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url));
export const RUNTIME_BIN = fileURLToPath(new URL('../../dist/lambda/bin.js', import.meta.url));

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface RuntimeUnderTest extends WatchedChild {
  emulator: RuntimeApiEmulator;
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
    // Without NODE_OPTIONS: the test runner's loaders (tsx, process tracking) would double each child's
    // start-up; c8's coverage still reaches the child through NODE_V8_COVERAGE.
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      ...emulator.runtimeEnv(),
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: handler,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watchChild(child);
  t.teardown(() => stopChild(watched, () => emulator.close()));
  return { emulator, ...watched };
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
