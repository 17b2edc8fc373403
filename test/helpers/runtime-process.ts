/**
 * Test harness: the built `snapstart-runtime` (dist/lambda/bin.js, plain node) as a child process, pointed at
 * any Runtime API server by its environment: the AWS oracle (test/helpers/aws-runtime-api.ts) or the emulator.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type WatchedChild, watchChild } from './child.js';

const BIN = fileURLToPath(new URL('../../dist/lambda/bin.js', import.meta.url));

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A running runtime child. */
export interface RuntimeProcess extends WatchedChild {
  /** The stdout lines so far (where AWS's runtime writes its log records), without the empty last one. */
  lines(): string[];
}

/**
 * Spawns the built runtime with `env` added to this process's environment (minus the variables that would
 * change the runtime's behaviour or slow it down). Killed at teardown if still running.
 */
export function spawnBuiltRuntime(
  t: Teardown,
  env: Record<string, string>,
  options: { stdio?: 'pipe' | ['ignore', 'pipe', 'pipe', 'pipe'] } = {},
): RuntimeProcess {
  const base = { ...process.env };
  // NODE_OPTIONS: the test runner's loaders (tsx, process tracking) would double each child's start-up; c8's
  // coverage still reaches the child through NODE_V8_COVERAGE.
  for (const name of [
    'NODE_OPTIONS',
    'AWS_LAMBDA_LOG_FORMAT',
    'AWS_LAMBDA_LOG_LEVEL',
    '_LAMBDA_TELEMETRY_LOG_FD',
    'NODE_PATH',
  ]) {
    delete base[name];
  }
  const child = spawn(process.execPath, [BIN], {
    env: { ...base, ...env },
    stdio: options.stdio === undefined ? ['ignore', 'pipe', 'pipe'] : options.stdio,
  });
  const watched = watchChild(child);
  const { exited } = watched;
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(killer);
  });
  return {
    ...watched,
    lines: () =>
      watched
        .stdout()
        .split('\n')
        .filter((line) => line !== ''),
  };
}

export { within } from './lambda-harness.js';
