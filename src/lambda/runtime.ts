/**
 * The custom runtime as a whole: load → SnapStart phases → serve.
 *
 * @module
 */
import type { LifecycleBus } from '../bus.js';
import { refreshRandomCaches } from '../fresh-randomness.js';
import type { SnapStartEvents } from '../snapstart.js';
import { describeThrown } from '../util/thrown.js';
import { checkBoolean, checkConcurrency, checkFunction, checkOptionsObject, show } from '../validate.js';
import { RuntimeApiClient } from './client.js';
import { toErrorBody } from './errors.js';
import { LambdaExitCode } from './exit-codes.js';
import { type InitConfig, type InitContext, importHandler, readConfig } from './init.js';
import { runInvocationLoop } from './loop.js';
import { applyAwsNodePath } from './node-path.js';
import { runSnapStartPhases, type SnapStartApi, SnapStartPhaseError } from './phases.js';
import { createFailureGate, type FailureGate, type FailureStage, watchProcessFailures } from './process-failures.js';
import { createReportWriter, toReportedPhase } from './timeline.js';

/** Options of {@link startRuntime}. */
export interface RuntimeOptions {
  /** The environment to read. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The SnapStart bus. Default: `snapStartBus`. */
  bus?: LifecycleBus<SnapStartEvents>;
  /** Stop after this many invocations (an integer >= 1, or `Infinity`). Default: serve forever. */
  maxInvocations?: number;
  /** Where the runtime's own diagnostics go. Default: `console.error` (the patched console). */
  log?: (message: string) => void;
  /**
   * Whether to patch `console` as AWS's Node.js runtime does (records with timestamp, request id and
   * level; `AWS_LAMBDA_LOG_FORMAT`, `AWS_LAMBDA_LOG_LEVEL`, `_LAMBDA_TELEMETRY_LOG_FD`). The original
   * methods are put back when `startRuntime` resolves. Default: `true`.
   */
  patchConsole?: boolean;
}

/** What every step of the runtime shares. */
interface Runtime extends InitContext {
  readonly client: RuntimeApiClient;
  readonly options: RuntimeOptions;
  stage: FailureStage;
}

/**
 * Runs a Lambda custom runtime in this process, as the `snapstart-runtime` bin does, behaving as AWS's
 * managed Node.js runtime does wherever a function can observe it:
 *
 * 1. patches `console` (see {@link RuntimeOptions.patchConsole}); reads `AWS_LAMBDA_RUNTIME_API`;
 *    sets AWS's default `NODE_PATH` (layers under `/opt/nodejs`) when none is set;
 * 2. **load**: imports `_HANDLER` from `LAMBDA_TASK_ROOT`; a failure is posted to `/runtime/init/error`
 *    → exit 129 (`LambdaExitCode.initFailed`);
 * 3. **SnapStart phases**, when `AWS_LAMBDA_INITIALIZATION_TYPE` is `snap-start`: before-snapshot
 *    hooks, `restore/next`, after-restore hooks → exit 64 or 65 on failure, after the error post;
 * 4. **serve**: invocations until the Runtime API goes away (exit 1).
 *
 * Throughout, an unhandled rejection or uncaught exception of the function's code is posted where it
 * belongs (init, restore, or each invocation in flight), then the runtime stops: 128 or 129.
 *
 * @returns the exit code ({@link LambdaExitCode}); it resolves only when the runtime must stop.
 *
 * @example
 * ```ts no-run
 * import { startRuntime } from 'snapstart-hooks/lambda';
 *
 * process.exit(await startRuntime());
 * ```
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<number> {
  checkOptions(options);
  const env = options.env ?? process.env;
  // Loaded here, not at import: `import 'snapstart-hooks/lambda'` must stay cheap.
  const lambdaConsole =
    options.patchConsole === false ? undefined : (await import('./logging/console.js')).patchConsole({ env });
  try {
    const log = options.log ?? ((message: string) => console.error(message));
    const logError =
      lambdaConsole?.logError ??
      ((label: string, error: unknown) => log(`${label}\t${JSON.stringify(toErrorBody(error))}`));
    const endpoint = env.AWS_LAMBDA_RUNTIME_API;
    if (!endpoint) {
      log('snapstart-runtime: AWS_LAMBDA_RUNTIME_API is not set; run me as a Lambda custom runtime bootstrap');
      return LambdaExitCode.runtimeApiUnavailable;
    }
    let client: RuntimeApiClient;
    try {
      client = new RuntimeApiClient(endpoint);
    } catch (error) {
      log(`snapstart-runtime: AWS_LAMBDA_RUNTIME_API is malformed: ${describeThrown(error, 1_000)}`);
      return LambdaExitCode.runtimeApiUnavailable;
    }
    applyAwsNodePath(env);
    const gate = createFailureGate();
    const report = createReportWriter(env);
    const runtime: Runtime = { client, env, gate, log, logError, report, options, stage: 'init' };
    // Failures are posted on a connection of their own: the runtime's may be blocked in a long poll.
    const reporter = new RuntimeApiClient(endpoint);
    const failures = watchProcessFailures({ client: reporter, stage: () => runtime.stage, gate, logError, log });
    try {
      return await Promise.race([lifecycle(runtime), failures.exitCode]);
    } finally {
      failures.dispose();
      client.close();
      reporter.close();
    }
  } finally {
    lambdaConsole?.restore();
  }
}

function checkOptions(options: RuntimeOptions): void {
  checkOptionsObject('startRuntime(options)', options);
  checkOptionsObject('options.env', options.env);
  if (options.log !== undefined) checkFunction('options.log', options.log);
  checkConcurrency('options.maxInvocations', options.maxInvocations);
  checkBoolean('options.patchConsole', options.patchConsole);
  if (options.bus !== undefined && typeof options.bus?.emit !== 'function') {
    throw new TypeError(`options.bus must be a LifecycleBus, got ${show(options.bus)}`);
  }
}

/** load → SnapStart phases → serve; resolves the exit code. */
async function lifecycle(runtime: Runtime): Promise<number> {
  const config = await readConfig(runtime);
  if (typeof config === 'number') return config;
  const handler = await importHandler(runtime);
  if (typeof handler === 'number') return handler;
  if (config.snapStart) {
    const failed = await snapStartPhases(runtime, config);
    if (failed !== undefined) return failed;
  }
  return serve(runtime, handler);
}

/** Runs the SnapStart phases; resolves the exit code after a failure, `undefined` after success. */
async function snapStartPhases(runtime: Runtime, config: InitConfig): Promise<number | undefined> {
  try {
    await runSnapStartPhases({
      client: gated(runtime.client, runtime.gate),
      bus: runtime.options.bus,
      beforeSnapshotDeadline: config.deadlines?.beforeSnapshot,
      afterRestoreDeadline: config.deadlines?.afterRestore,
      onPhase: (phase) => runtime.report?.({ type: 'phase', report: toReportedPhase(phase) }),
      onRestored: () => {
        runtime.stage = 'afterRestore';
        refreshRandomCaches();
      },
    });
    return undefined;
  } catch (error) {
    if (!(error instanceof SnapStartPhaseError)) throw error;
    runtime.log(`snapstart-runtime: ${error.errorType}: ${error.message}`);
    if (error.postError !== undefined)
      runtime.log(`snapstart-runtime: could not report it: ${describeThrown(error.postError, 1_000)}`);
    return error.exitCode;
  }
}

/** The client as the phases see it: an error post is made only if no other failure was reported first. */
function gated(client: RuntimeApiClient, gate: FailureGate): SnapStartApi {
  return {
    restoreNext: () => client.restoreNext(),
    postInitError: async (error, errorType) => {
      if (gate.claim()) await client.postInitError(error, errorType);
    },
    postRestoreError: async (error, errorType) => {
      if (gate.claim()) await client.postRestoreError(error, errorType);
    },
  };
}

/** Serves invocations until `maxInvocations` (exit 0) or until the Runtime API goes away (exit 1). */
async function serve(runtime: Runtime, handler: Parameters<typeof runInvocationLoop>[0]['handler']): Promise<number> {
  try {
    await runInvocationLoop({
      client: runtime.client,
      handler,
      env: runtime.env,
      maxInvocations: runtime.options.maxInvocations,
      log: runtime.log,
      logError: runtime.logError,
      // Until the first event arrives, a failure still belongs to init (or the restore), as in AWS's runtime.
      onEvent: () => {
        runtime.stage = 'invoke';
      },
    });
    return LambdaExitCode.done;
  } catch (error) {
    runtime.log(`snapstart-runtime: stopping, the Runtime API is gone: ${describeThrown(error, 1_000)}`);
    return LambdaExitCode.runtimeApiUnavailable;
  }
}
