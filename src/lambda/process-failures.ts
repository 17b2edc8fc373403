/**
 * What the runtime does when the function's code fails outside the handler's own promise: an
 * unhandled rejection or an uncaught exception (a throw in a timer, a rejected promise nobody awaits).
 *
 * @module
 */
import type { RuntimeApiClient } from './client.js';

/** The exit code after an unhandled promise rejection, as AWS's Node.js runtime uses. */
export const UNHANDLED_REJECTION_EXIT_CODE = 128;

/** The exit code after an uncaught exception, as AWS's Node.js runtime uses. */
export const UNCAUGHT_EXCEPTION_EXIT_CODE = 129;

/** A watch installed by {@link watchProcessFailures}. */
export interface ProcessFailureWatch {
  /** Resolves the exit code once a failure was reported; never settles otherwise. */
  readonly exitCode: Promise<number>;
  /** Removes the process listeners. */
  dispose(): void;
}

/**
 * Listens for `unhandledRejection` and `uncaughtException` on `process`. The first one is logged and,
 * when an invocation is in flight (`inFlight()` returns its request id), posted as that invocation's
 * error (`Runtime.UnhandledPromiseRejection` or `Runtime.UncaughtException`) so the caller sees the real
 * cause; then `exitCode` resolves 128 or 129: the process state can no longer be trusted. Later
 * failures, while the first is being reported, are only logged.
 *
 * @example
 * ```ts
 * const watch = watchProcessFailures(client, () => current, console.error);
 * process.exit(await Promise.race([serve(), watch.exitCode]));
 * ```
 */
export function watchProcessFailures(
  client: RuntimeApiClient,
  inFlight: () => string | undefined,
  log: (message: string) => void,
): ProcessFailureWatch {
  let resolveExit: (code: number) => void = () => {};
  const exitCode = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  let failed = false;
  const onFailure = (errorType: string, code: number) => async (reason: unknown) => {
    log(`snapstart-runtime: ${errorType}: ${String(reason instanceof Error ? reason.stack : reason)}`);
    if (failed) return;
    failed = true;
    const requestId = inFlight();
    if (requestId !== undefined) {
      try {
        await client.postInvocationError(requestId, reason, errorType);
      } catch (postError) {
        log(`snapstart-runtime: could not report it: ${(postError as Error).message}`);
      }
    }
    resolveExit(code);
  };
  const onRejection = onFailure('Runtime.UnhandledPromiseRejection', UNHANDLED_REJECTION_EXIT_CODE);
  const onException = onFailure('Runtime.UncaughtException', UNCAUGHT_EXCEPTION_EXIT_CODE);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    exitCode,
    dispose: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
