/**
 * Lambda's init phase in `snapstart-runtime`: read the configuration, import the handler (whose top
 * level registers the hooks), and report a failure to `/runtime/init/error` as AWS's Node.js runtime does.
 *
 * @module
 */
import type { Handler } from 'aws-lambda';
import { INITIALIZATION_TYPES, isInitializationType } from '../runtime-api.js';
import { describeThrown, inspectThrown } from '../util/thrown.js';
import type { RuntimeApiClient } from './client.js';
import { RuntimeError, toErrorBody } from './errors.js';
import { LambdaExitCode } from './exit-codes.js';
import { loadHandler } from './handler.js';
import { moduleSearchPaths } from './node-path.js';
import { deadlinesFromEnv } from './phases.js';
import type { FailureGate } from './process-failures.js';
import { watchForStall } from './stall.js';
import type { RuntimeReportEntry } from './timeline.js';
import { restoreWarmUpFromEnv } from './warm-up.js';

/** What the init step needs of the runtime. */
export interface InitContext {
  /** Where errors are posted. */
  readonly client: Pick<RuntimeApiClient, 'postInitError'>;
  /** The runtime's environment. */
  readonly env: NodeJS.ProcessEnv;
  /** The one claim on reporting a fatal failure. */
  readonly gate: FailureGate;
  /** Diagnostics. */
  readonly log: (message: string) => void;
  /** Logs a failure as AWS's runtime does. */
  readonly logError: (label: string, error: unknown) => void;
  /** The timeline writer of `snapstart simulate`, when one is attached. */
  readonly report: ((entry: RuntimeReportEntry) => void) | undefined;
}

/** The configuration init reads from the environment. */
export interface InitConfig {
  /** Whether the SnapStart phases run (`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`). */
  readonly snapStart: boolean;
  /** The phase deadlines in ms (`Infinity` for none); only read under SnapStart. */
  readonly deadlines: { readonly beforeSnapshot: number; readonly afterRestore: number } | undefined;
  /** Whether the restore warm-up runs (`SNAPSTART_RESTORE_WARM_UP`); only `true` under SnapStart. */
  readonly warmUp: boolean;
}

/**
 * Reads the initialization type and, under SnapStart, the phase deadlines. An unknown initialization
 * type is served as `on-demand` with a warning naming it: Lambda has added types before, and a runtime
 * that refused a new one would fail every cold start. A bad deadline is an init error
 * (`Runtime.InvalidConfiguration`), posted like any other.
 */
export async function readConfig(context: InitContext): Promise<InitConfig | number> {
  const type = context.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  if (type !== undefined && type !== '' && !isInitializationType(type)) {
    context.log(
      `snapstart-runtime: warning: unknown AWS_LAMBDA_INITIALIZATION_TYPE ${JSON.stringify(type)} (expected ${INITIALIZATION_TYPES.join(', ')}); serving it as on-demand: no SnapStart hooks run`,
    );
  }
  const snapStart = type === 'snap-start';
  if (!snapStart) return { snapStart, deadlines: undefined, warmUp: false };
  try {
    return { snapStart, deadlines: deadlinesFromEnv(context.env), warmUp: restoreWarmUpFromEnv(context.env) };
  } catch (error) {
    return reportInitError(context, new RuntimeError('Runtime.InvalidConfiguration', inspectThrown(error).message));
  }
}

/**
 * Imports the handler named by `_HANDLER` from `LAMBDA_TASK_ROOT` (default: the working directory),
 * searching `NODE_PATH` (layers) as AWS does. Resolves the handler, or the exit code after a failure
 * was posted: `Runtime.ImportModuleError`, `Runtime.UserCodeSyntaxError`, `Runtime.HandlerNotFound`,
 * `Runtime.MalformedHandlerName`, whatever the module threw, or `Runtime.NodeJsExit` when its
 * top-level `await` can never settle.
 */
export async function importHandler(context: InitContext): Promise<Handler | number> {
  const { env } = context;
  const handlerName = env._HANDLER ?? '';
  const startedAt = Date.now();
  const started = performance.now();
  // The handler's top level may use `awslambda.streamifyResponse`: the global exists first, as in AWS's runtime.
  (await import('./streaming/awslambda.js')).installAwsLambdaGlobal(env);
  const watch = watchForStall();
  const stalled = watch.stalled.then(() => {
    throw new RuntimeError(
      'Runtime.NodeJsExit',
      `The handler module of ${JSON.stringify(handlerName)} never finished loading: its top-level await is pending and the event loop emptied, with no timer, socket or request left that could settle it`,
    );
  });
  try {
    const handler = await Promise.race([
      loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), handlerName, {
        searchPaths: moduleSearchPaths(env.NODE_PATH),
      }),
      stalled,
    ]);
    context.report?.({
      type: 'init',
      handler: handlerName,
      startedAt,
      durationMs: performance.now() - started,
      ok: true,
    });
    return handler;
  } catch (error) {
    const { errorType } = toErrorBody(error);
    context.report?.({
      type: 'init',
      handler: handlerName,
      startedAt,
      durationMs: performance.now() - started,
      ok: false,
      errorType,
    });
    return reportInitError(context, error);
  } finally {
    watch.dispose();
  }
}

/**
 * Logs an init failure (`Uncaught Exception`, as AWS's runtime logs it) and posts it to
 * `/runtime/init/error` with the body's `errorType` as the error-type header, as AWS does. Resolves
 * `LambdaExitCode.initFailed`.
 */
export async function reportInitError(context: InitContext, error: unknown): Promise<number> {
  context.logError('Uncaught Exception', error);
  if (!context.gate.claim()) return LambdaExitCode.initFailed;
  try {
    await context.client.postInitError(error, toErrorBody(error).errorType);
  } catch (postError) {
    context.log(`snapstart-runtime: could not report the init error: ${describeThrown(postError, 1_000)}`);
  }
  return LambdaExitCode.initFailed;
}
