/**
 * The exit codes of `snapstart-runtime`, in one place.
 *
 * @module
 */

/**
 * Every code `snapstart-runtime` (and `startRuntime()`) ends with. The values are AWS's: its
 * Node.js runtime exits 129 after an init error or an uncaught exception and 128 after an unhandled
 * rejection; its SnapStart runtimes exit 64 after a before-snapshot failure and 65 after an
 * after-restore failure.
 *
 * @example
 * ```ts
 * import { LambdaExitCode, startRuntime } from 'snapstart-hooks/lambda';
 *
 * const code = await startRuntime();
 * if (code === LambdaExitCode.afterRestoreFailed) console.error('restore failed');
 * ```
 */
export const LambdaExitCode = Object.freeze({
  /** `maxInvocations` invocations were served. */
  done: 0,
  /** `AWS_LAMBDA_RUNTIME_API` is missing or malformed, or the Runtime API went away while serving. */
  runtimeApiUnavailable: 1,
  /**
   * Init failed and was posted to `/runtime/init/error`: the handler could not be loaded, its module
   * threw, its top-level `await` can never settle, or the runtime's configuration is invalid.
   */
  initFailed: 129,
  /** A before-snapshot hook failed, timed out or can never settle, or `restore/next` failed. */
  beforeSnapshotFailed: 64,
  /** An after-restore hook failed, timed out or can never settle. */
  afterRestoreFailed: 65,
  /** The function's code left a promise rejection unhandled (reported first, then the process ends). */
  unhandledRejection: 128,
  /** The function's code threw outside any promise, e.g. in a timer (reported first, then the process ends). */
  uncaughtException: 129,
});

/** One of the {@link LambdaExitCode} values. */
export type LambdaExitCodeValue = (typeof LambdaExitCode)[keyof typeof LambdaExitCode];
