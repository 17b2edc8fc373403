/**
 * Test harness: the AWS-docs Runtime API oracle plus the real `snapstart-runtime` (the built
 * dist/lambda/bin.js, plain node) as a child process; both are stopped at teardown.
 */
import { spawn } from 'node:child_process';
import { AwsRuntimeApi, type AwsRuntimeApiOptions } from './aws-runtime-api.js';
import { stopChild, type WatchedChild, watchChild } from './child.js';
import { FIXTURES, RUNTIME_BIN } from './lambda-harness.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface OracleRun extends WatchedChild {
  api: AwsRuntimeApi;
}

export interface OracleSpawnOptions extends AwsRuntimeApiOptions {
  /** `_HANDLER`. */
  handler: string;
  /** `LAMBDA_TASK_ROOT`. Default: test/fixtures/lambda. */
  taskRoot?: string;
  /** Extra environment, applied over the oracle's. */
  env?: Record<string, string>;
}

/** Starts the oracle and spawns the built runtime against it. */
export async function spawnOnOracle(t: Teardown, options: OracleSpawnOptions): Promise<OracleRun> {
  const { handler, taskRoot = FIXTURES, env = {}, ...apiOptions } = options;
  const api = await AwsRuntimeApi.start({ waitTimeoutMs: 30_000, ...apiOptions });
  const child = spawn(process.execPath, [RUNTIME_BIN], {
    env: { ...process.env, ...api.env(), LAMBDA_TASK_ROOT: taskRoot, _HANDLER: handler, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watchChild(child);
  t.teardown(() => stopChild(watched, () => api.close()));
  return { api, ...watched };
}
