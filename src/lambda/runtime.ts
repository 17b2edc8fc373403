/**
 * The custom runtime as a whole: environment → handler import → SnapStart phases → invocation loop.
 *
 * @module
 */
import type { LifecycleBus } from '../bus.js';
import { INITIALIZATION_TYPES } from '../runtime-api.js';
import type { SnapStartEvents } from '../snapstart.js';
import { RuntimeApiClient } from './client.js';
import type { HandlerLoadError } from './errors.js';
import { loadHandler } from './handler.js';
import { currentInvocation } from './invocation-scope.js';
import { checkHandlerForConcurrency, runInvocationLoop } from './loop.js';
import { afterRestoreDeadlineFromEnv, runSnapStartPhases, SnapStartPhaseError } from './phases.js';
import { watchProcessFailures } from './process-failures.js';
import { createReportWriter, toReportedPhase } from './timeline.js';

export { INITIALIZATION_TYPES };

/** Options of {@link startRuntime}. */
export interface RuntimeOptions {
  /** The environment to read. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The SnapStart bus. Default: `snapStartBus`. */
  bus?: LifecycleBus<SnapStartEvents>;
  /** Stop after this many invocations. Default: serve forever. */
  maxInvocations?: number;
  /** Where runtime diagnostics go. Default: `console.error`. */
  log?: (message: string) => void;
}

/**
 * Runs a Lambda custom runtime in this process, as the `snapstart-runtime` bin does:
 *
 * 1. reads `AWS_LAMBDA_RUNTIME_API`, `LAMBDA_TASK_ROOT` (default: the working directory) and `_HANDLER`;
 * 2. imports the handler (its top level registers hooks); a failure is posted to `/runtime/init/error`
 *    (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, `Runtime.MalformedHandlerName`) → exit code 1;
 * 3. when `AWS_LAMBDA_INITIALIZATION_TYPE` is `snap-start`, runs {@link runSnapStartPhases} → exit code
 *    64 or 65 on failure, after the error post (an unknown value is served as `on-demand`, with a warning);
 * 4. serves invocations ({@link runInvocationLoop}) until the Runtime API goes away (exit code 1).
 *
 * While it runs, an unhandled rejection or uncaught exception of the function's code is posted as the
 * error of the invocation in flight, then the runtime stops with 128 or 129 (see `watchProcessFailures`).
 *
 * @returns the exit code: it resolves only when the runtime must stop.
 *
 * @example
 * ```ts
 * process.exit(await startRuntime());
 * ```
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => console.error(message));
  const endpoint = env.AWS_LAMBDA_RUNTIME_API;
  if (!endpoint) {
    log('snapstart-runtime: AWS_LAMBDA_RUNTIME_API is not set; run me as a Lambda custom runtime bootstrap');
    return 1;
  }
  // Loaded when the runtime starts, not when the package is imported.
  const { maxConcurrencyFromEnv } = await import('./concurrency.js');
  const concurrency = maxConcurrencyFromEnv(env, log);
  let client: RuntimeApiClient;
  try {
    client = new RuntimeApiClient(endpoint, { concurrency });
  } catch (error) {
    log(`snapstart-runtime: AWS_LAMBDA_RUNTIME_API is malformed: ${(error as Error).message}`);
    return 1;
  }
  const failures = watchProcessFailures(client, () => currentInvocation()?.requestId, log);
  try {
    return await Promise.race([run(client, env, log, options, concurrency), failures.exitCode]);
  } finally {
    failures.dispose();
    client.close();
  }
}

async function run(
  client: RuntimeApiClient,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
  options: RuntimeOptions,
  concurrency: number,
): Promise<number> {
  const report = createReportWriter(env);
  const snapStart = isSnapStart(env.AWS_LAMBDA_INITIALIZATION_TYPE, log);
  const initError = async (error: unknown, errorType: string): Promise<number> => {
    // Both callers pass Errors: the RangeError of the deadline check, or loadHandler's HandlerLoadError.
    log(`snapstart-runtime: ${errorType}: ${(error as Error).message}`);
    try {
      await client.postInitError(error, errorType);
    } catch (postError) {
      log(`snapstart-runtime: could not report the init error: ${(postError as Error).message}`);
    }
    return 1;
  };

  let afterRestoreDeadlineMs: number | undefined;
  if (snapStart) {
    try {
      afterRestoreDeadlineMs = afterRestoreDeadlineFromEnv(env);
    } catch (error) {
      return initError(error, 'Runtime.InvalidConfiguration');
    }
  }

  const handlerName = env._HANDLER ?? '';
  // The handler's top level may use `awslambda.streamifyResponse`: define it first, as AWS does.
  (await import('./streaming/awslambda.js')).installAwsLambdaGlobal(env);
  const startedAt = Date.now();
  const importStart = performance.now();
  let handler: Awaited<ReturnType<typeof loadHandler>>;
  try {
    handler = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), handlerName);
  } catch (error) {
    const errorType = (error as HandlerLoadError).errorType; // loadHandler throws nothing else
    report?.({
      type: 'init',
      handler: handlerName,
      startedAt,
      durationMs: performance.now() - importStart,
      ok: false,
      errorType,
    });
    return initError(error, errorType);
  }
  report?.({ type: 'init', handler: handlerName, startedAt, durationMs: performance.now() - importStart, ok: true });
  try {
    checkHandlerForConcurrency(handler, concurrency);
  } catch (error) {
    return initError(error, (error as Error).name);
  }

  if (snapStart) {
    try {
      await runSnapStartPhases({
        client,
        bus: options.bus,
        afterRestoreDeadlineMs,
        onPhase: (phase) => report?.({ type: 'phase', report: toReportedPhase(phase) }),
      });
    } catch (error) {
      if (!(error instanceof SnapStartPhaseError)) throw error;
      log(`snapstart-runtime: ${error.errorType}: ${error.message}`);
      if (error.postError !== undefined)
        log(`snapstart-runtime: could not report it: ${(error.postError as Error).message}`);
      return error.exitCode;
    }
  }

  try {
    await runInvocationLoop({
      client,
      handler,
      env,
      concurrency,
      maxInvocations: options.maxInvocations,
      log,
    });
    return 0;
  } catch (error) {
    log(`snapstart-runtime: stopping, the Runtime API is gone: ${(error as Error).message}`);
    return 1;
  }
}

/**
 * Whether to run the SnapStart phases. Only `snap-start` does. An unknown value is served as
 * `on-demand` (no hooks, no `restore/next`) with a warning naming it: Lambda has added init types
 * before, and a runtime that refused a new one would fail every cold start of the function.
 */
function isSnapStart(value: string | undefined, log: (message: string) => void): boolean {
  if (value !== undefined && value !== '' && !(INITIALIZATION_TYPES as readonly string[]).includes(value)) {
    log(
      `snapstart-runtime: warning: unknown AWS_LAMBDA_INITIALIZATION_TYPE ${JSON.stringify(value)} (expected ${INITIALIZATION_TYPES.join(', ')}); serving it as on-demand: no SnapStart hooks run`,
    );
  }
  return value === 'snap-start';
}
