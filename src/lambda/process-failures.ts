/**
 * What the runtime does when the function's code fails outside any promise the runtime awaits: an
 * unhandled rejection or an uncaught exception (a throw in a timer, a rejected promise nobody awaits),
 * at init, in a SnapStart hook or during an invocation.
 *
 * @module
 */
import { deferred } from '../util/promise.js';
import { describeThrown } from '../util/thrown.js';
import type { RuntimeApiClient } from './client.js';
import { RuntimeError, toErrorBody, valueText } from './errors.js';
import { LambdaExitCode } from './exit-codes.js';
import { openInvocations } from './invocation-scope.js';

/** Which Runtime API endpoint a failure belongs to at the moment it happens. */
export type FailureStage = 'init' | 'afterRestore' | 'invoke';

/** The one claim on reporting a fatal failure: whoever claims first posts, later failures are only logged. */
export interface FailureGate {
  /** `true` for the first caller only. */
  claim(): boolean;
}

/** Creates a {@link FailureGate}. */
export function createFailureGate(): FailureGate {
  let claimed = false;
  return {
    claim: () => {
      if (claimed) return false;
      claimed = true;
      return true;
    },
  };
}

/** Options of {@link watchProcessFailures}. */
export interface ProcessFailureWatchOptions {
  /** Where failures are posted. Use a client of its own: the runtime's may be blocked in a long poll. */
  client: Pick<RuntimeApiClient, 'postInitError' | 'postRestoreError' | 'postInvocationError'>;
  /** The stage the runtime is in. */
  stage: () => FailureStage;
  /** Shared with the runtime's own error reports, so one failure is posted once. */
  gate: FailureGate;
  /** Logs a failure as AWS's runtime does (`Uncaught Exception`, `Unhandled Promise Rejection`). */
  logError: (label: string, error: unknown) => void;
  /** Where other diagnostics go. */
  log: (message: string) => void;
}

/** A watch installed by {@link watchProcessFailures}. */
export interface ProcessFailureWatch {
  /** Resolves the exit code once a failure was reported (128 or 129); never settles otherwise. */
  readonly exitCode: Promise<number>;
  /** Removes the process listeners. */
  dispose(): void;
}

/**
 * Listens for `unhandledRejection` and `uncaughtException` on `process`, as AWS's Node.js runtime does:
 * the failure is logged, then posted where it belongs (`/runtime/init/error` during init and the
 * before-snapshot phase, `/runtime/restore/error` during the after-restore phase, the error of every
 * invocation in flight while serving), and `exitCode` resolves: 128 after a rejection, 129 after an
 * exception, whether or not the post went through. A rejection is posted as
 * `Runtime.UnhandledPromiseRejection` whose message is the reason as text; an exception as itself.
 * An init or restore post carries the body's `errorType` as its error-type header, as AWS's does.
 *
 * @example
 * ```ts no-run
 * const watch = watchProcessFailures({ client, stage: () => 'init', gate, logError, log });
 * process.exit(await Promise.race([serve(), watch.exitCode]));
 * ```
 */
export function watchProcessFailures(options: ProcessFailureWatchOptions): ProcessFailureWatch {
  const { client, stage, gate, logError, log } = options;
  const exitCode = deferred<number>();
  const report = async (label: string, error: unknown, code: number): Promise<void> => {
    logError(label, error);
    if (!gate.claim()) return;
    try {
      await post(client, stage(), error);
    } catch (postError) {
      log(`snapstart-runtime: could not report it: ${describeThrown(postError, 1_000)}`);
    }
    exitCode.resolve(code);
  };
  const onRejection = (reason: unknown, promise: Promise<unknown>): void =>
    void report('Unhandled Promise Rejection', unhandledRejection(reason, promise), LambdaExitCode.unhandledRejection);
  const onException = (error: unknown): void =>
    void report('Uncaught Exception', error, LambdaExitCode.uncaughtException);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    exitCode: exitCode.promise,
    dispose: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

async function post(client: ProcessFailureWatchOptions['client'], stage: FailureStage, error: unknown): Promise<void> {
  if (stage === 'invoke') {
    await Promise.all(openInvocations().map((scope) => client.postInvocationError(scope.requestId, error)));
    return;
  }
  const { errorType } = toErrorBody(error);
  if (stage === 'afterRestore') await client.postRestoreError(error, errorType);
  else await client.postInitError(error, errorType);
}

/**
 * The error AWS's runtime reports for an unhandled rejection: `Runtime.UnhandledPromiseRejection`,
 * its message the reason as text (`Error: boom` for an Error), the reason and the rejected promise
 * kept as its own `reason` and `promise` fields (so its log record shows them, as AWS's does).
 */
export function unhandledRejection(
  reason: unknown,
  promise?: Promise<unknown>,
): RuntimeError & { reason: unknown; promise: Promise<unknown> | undefined } {
  const message = reason === undefined ? '' : valueText(reason);
  return Object.assign(new RuntimeError('Runtime.UnhandledPromiseRejection', message), { reason, promise });
}
