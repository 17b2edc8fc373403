/**
 * The runtime's steps: load → SnapStart phases → serve, with the console patched and process-level
 * failures watched throughout. Loaded by `startRuntime` when the runtime starts.
 *
 * @module
 */
import { refreshRandomCaches } from '../fresh-randomness.js';
import { describeThrown } from '../util/thrown.js';
import { RuntimeApiClient } from './client.js';
import { toErrorBody } from './errors.js';
import { LambdaExitCode } from './exit-codes.js';
import { type InitConfig, type InitContext, importHandler, readConfig, reportInitError } from './init.js';
import { type LambdaConsole, patchConsole } from './logging/console.js';
import { checkHandlerForConcurrency, runInvocationLoop } from './loop.js';
import { applyAwsNodePath } from './node-path.js';
import { runSnapStartPhases, type SnapStartApi, SnapStartPhaseError } from './phases.js';
import { createFailureGate, type FailureGate, type FailureStage, watchProcessFailures } from './process-failures.js';
import type { RuntimeOptions } from './runtime.js';
import { createReportWriter, toReportedPhase } from './timeline.js';
import { warmUpRestorePath } from './warm-up.js';

/** What every step of the runtime shares. */
interface Runtime extends InitContext {
  readonly client: RuntimeApiClient;
  readonly options: RuntimeOptions;
  /** How many invocations are served at once (`AWS_LAMBDA_MAX_CONCURRENCY`, Lambda Managed Instances). */
  readonly concurrency: number;
  /** The patched console, or `undefined` when `patchConsole: false`. */
  readonly console: LambdaConsole | undefined;
  stage: FailureStage;
  /** The successful restore's phase record, written once the first poll is on its way (see `lifecycle`). */
  restoreRecord?: () => void;
}

/** Runs the runtime with already checked options; see `startRuntime`. */
export async function runRuntime(options: RuntimeOptions): Promise<number> {
  const env = options.env ?? process.env;
  const lambdaConsole = options.patchConsole === false ? undefined : patchConsole({ env });
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
    const { maxConcurrencyFromEnv } = await import('./concurrency.js');
    const concurrency = maxConcurrencyFromEnv(env, log);
    let client: RuntimeApiClient;
    try {
      client = new RuntimeApiClient(endpoint, { concurrency });
    } catch (error) {
      log(`snapstart-runtime: AWS_LAMBDA_RUNTIME_API is malformed: ${describeThrown(error, 1_000)}`);
      return LambdaExitCode.runtimeApiUnavailable;
    }
    applyAwsNodePath(env);
    const gate = createFailureGate();
    const report = createReportWriter(env);
    const runtime: Runtime = {
      client,
      env,
      gate,
      log,
      logError,
      report,
      options,
      concurrency,
      console: lambdaConsole,
      stage: 'init',
    };
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

/** load → SnapStart phases → serve; resolves the exit code. */
async function lifecycle(runtime: Runtime): Promise<number> {
  const config = await readConfig(runtime);
  if (typeof config === 'number') return config;
  const handler = await importHandler(runtime);
  if (typeof handler === 'number') return handler;
  try {
    // Lambda Managed Instances serve no callback handlers: refused at init, as AWS's runtime does.
    checkHandlerForConcurrency(handler, runtime.concurrency);
  } catch (error) {
    return reportInitError(runtime, error);
  }
  if (config.snapStart) {
    const failed = await snapStartPhases(runtime, config);
    if (failed !== undefined) return failed;
  }
  const serving = serve(runtime, handler);
  // By now the first invocation/next is queued on its socket (the write is the first tick queued): the
  // restore's record goes right after it, off the first request's path, and before anything can end the process.
  if (runtime.restoreRecord !== undefined) process.nextTick(runtime.restoreRecord);
  return serving;
}

/** Runs the SnapStart phases; resolves the exit code after a failure, `undefined` after success. */
async function snapStartPhases(runtime: Runtime, config: InitConfig): Promise<number | undefined> {
  // Loaded here, under SnapStart only: on-demand functions never read the telemetry code.
  const { createPhaseTelemetry } = await import('./telemetry/index.js');
  const telemetry = createPhaseTelemetry({ env: runtime.env, console: runtime.console, log: runtime.log });
  if (config.warmUp) await warmUp(runtime);
  try {
    await runSnapStartPhases({
      client: gated(runtime.client, runtime.gate),
      bus: runtime.options.bus,
      beforeSnapshotDeadline: config.deadlines?.beforeSnapshot,
      afterRestoreDeadline: config.deadlines?.afterRestore,
      onPhase: (phase) => {
        const record = (): void => {
          runtime.report?.({ type: 'phase', report: toReportedPhase(phase) });
          telemetry?.(phase);
        };
        // After a successful restore, the record waits for the first invocation/next (see lifecycle).
        if (phase.ok && phase.event === 'afterRestore') runtime.restoreRecord = record;
        else record();
      },
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

/**
 * Runs the restore path once before the snapshot (see warm-up.ts), before the before-snapshot hooks
 * so that they see the process as it will be snapshotted. A failure only costs the speed-up: logged,
 * never fatal.
 */
async function warmUp(runtime: Runtime): Promise<void> {
  try {
    await warmUpRestorePath();
  } catch (error) {
    runtime.log(`snapstart-runtime: warning: the restore warm-up failed, skipped: ${describeThrown(error, 1_000)}`);
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
      concurrency: runtime.concurrency,
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
