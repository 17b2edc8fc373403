/**
 * Test harness: the AWS-docs Runtime API oracle plus the real `snapstart-runtime` (the built
 * dist/lambda/bin.js, plain node) as a child process; both are stopped at teardown.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { AwsRuntimeApi, type AwsRuntimeApiOptions } from './aws-runtime-api.js';
import { FIXTURES, RUNTIME_BIN } from './lambda-harness.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface OracleRun {
  api: AwsRuntimeApi;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the runtime exits. */
  exited: Promise<number | string>;
  stderr(): string;
  stdout(): string;
  /** Resolves once the runtime printed a line matching `pattern` on stdout; rejects after `timeoutMs`. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<void>;
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
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  t.teardown(async () => {
    // Closing the API makes a serving runtime exit by itself (its coverage is written); kill only as a last resort.
    await api.close();
    if (child.exitCode === null && child.signalCode === null) {
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
  });
  const printed = (pattern: RegExp, timeoutMs = 30_000): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(stdout)) return;
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve();
      };
      const timer = setTimeout(() => {
        child.stdout?.off('data', check);
        reject(new Error(`the runtime printed nothing matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      child.stdout?.on('data', check);
      check();
    });
  return { api, child, exited, stderr: () => stderr, stdout: () => stdout, printed };
}
