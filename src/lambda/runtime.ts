/**
 * The custom runtime as a whole: load → SnapStart phases → serve (see `lifecycle.ts`).
 *
 * @module
 */
import type { LifecycleBus } from '../bus.js';
import { INITIALIZATION_TYPES } from '../runtime-api.js';
import type { SnapStartEvents } from '../snapstart.js';
import { checkBoolean, checkConcurrency, checkFunction, checkOptionsObject, readOptions, show } from '../validate.js';

export { INITIALIZATION_TYPES };

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
 * @returns the exit code (`LambdaExitCode`); it resolves only when the runtime must stop.
 *
 * @example
 * ```ts no-run
 * import { startRuntime } from 'snapstart-hooks/lambda';
 *
 * process.exit(await startRuntime());
 * ```
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<number> {
  const given = checkOptions(options);
  // The runtime itself loads here, not at import: `import 'snapstart-hooks/lambda'` must stay cheap.
  const { runRuntime } = await import('./lifecycle.js');
  return runRuntime(given);
}

/** Own properties only, each read once: what is checked is what the runtime uses. */
function checkOptions(options: RuntimeOptions): RuntimeOptions {
  const given = readOptions('startRuntime(options)', options, [
    'env',
    'bus',
    'maxInvocations',
    'log',
    'patchConsole',
  ]) as RuntimeOptions;
  checkOptionsObject('options.env', given.env);
  if (given.log !== undefined) checkFunction('options.log', given.log);
  checkConcurrency('options.maxInvocations', given.maxInvocations);
  checkBoolean('options.patchConsole', given.patchConsole);
  if (given.bus !== undefined && typeof given.bus?.emit !== 'function') {
    throw new TypeError(`options.bus must be a LifecycleBus, got ${show(given.bus)}`);
  }
  return given;
}
