/**
 * The SnapStart phases of a Lambda runtime: before-snapshot hooks, `restore/next`, after-restore hooks.
 *
 * @module
 */
import type { LifecycleBus } from '../bus.js';
import { LifecycleError } from '../errors.js';
import { refreshRandomCaches } from '../fresh-randomness.js';
import { type SnapStartEvents, snapStartBus } from '../snapstart.js';
import type { PhaseReport } from '../types.js';
import { boundText } from '../util/text.js';
import { describeThrown, isError } from '../util/thrown.js';
import { checkDuration, checkFunction, checkOptionsObject, readOptions, show } from '../validate.js';
import type { RuntimeApiClient } from './client.js';
import { RuntimeError } from './errors.js';
import { LambdaExitCode } from './exit-codes.js';
import { watchForStall } from './stall.js';

/** The default deadline of the after-restore phase, in ms: under Lambda's 10 s, so a slow hook is named. */
export const DEFAULT_AFTER_RESTORE_DEADLINE = 9_000;

/**
 * The default deadline of the before-snapshot phase, in ms. SnapStart gives init (import plus
 * before-snapshot hooks) the longer of 130 s and the function timeout; 100 s leaves the import 30 s of
 * the shortest budget, so a hook stuck on a live socket is named instead of Lambda's anonymous timeout.
 */
export const DEFAULT_BEFORE_SNAPSHOT_DEADLINE = 100_000;

/** The environment variable that sets the after-restore deadline in ms (`Infinity` for none). */
export const AFTER_RESTORE_DEADLINE_ENV = 'SNAPSTART_AFTER_RESTORE_DEADLINE_MS';

/** The environment variable that sets the before-snapshot deadline in ms (`Infinity` for none). */
export const BEFORE_SNAPSHOT_DEADLINE_ENV = 'SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS';

/** What the phases need of the Runtime API ({@link RuntimeApiClient} has it). */
export type SnapStartApi = Pick<RuntimeApiClient, 'restoreNext' | 'postInitError' | 'postRestoreError'>;

/** Options of {@link runSnapStartPhases}. */
export interface SnapStartPhasesOptions {
  /** The Runtime API client. */
  client: SnapStartApi;
  /** The bus whose `beforeSnapshot` and `afterRestore` hooks run. Default: `snapStartBus`. */
  bus?: LifecycleBus<SnapStartEvents>;
  /**
   * Deadline of the before-snapshot phase in ms (> 0, `Infinity` for none). Default:
   * `SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS`, else 100 000.
   */
  beforeSnapshotDeadline?: number;
  /**
   * Deadline of the after-restore phase in ms (> 0, `Infinity` for none). Default:
   * `SNAPSTART_AFTER_RESTORE_DEADLINE_MS`, else 9000.
   */
  afterRestoreDeadline?: number;
  /** Where the deadline variables are read. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Called with the report of each phase that ran, whether it succeeded or failed. */
  onPhase?: (report: PhaseReport) => void;
  /**
   * Runs right after the restore, before the after-restore hooks. Default: `refreshRandomCaches`,
   * which refreshes Node's cached random bytes so `crypto.randomUUID()` and `crypto.randomInt()`
   * differ between environments restored from one snapshot (about 2 ms in a cold process). Pass
   * `() => {}` to skip it.
   */
  onRestored?: () => void;
}

/** What {@link runSnapStartPhases} resolves: both phase reports and the time spent in `restore/next`. */
export interface SnapStartPhasesResult {
  /** The before-snapshot phase. */
  beforeSnapshot: PhaseReport<'beforeSnapshot'>;
  /** The after-restore phase. */
  afterRestore: PhaseReport<'afterRestore'>;
  /** How long `restore/next` blocked (snapshot and restore), in ms. */
  restoreWaitMs: number;
}

/** Which step of the SnapStart phases failed. */
export type SnapStartStep = 'beforeSnapshot' | 'restoreNext' | 'afterRestore';

/**
 * Rejection of {@link runSnapStartPhases} after the failure was posted to the Runtime API (or the
 * post itself failed). The runtime should exit with `exitCode`.
 */
export class SnapStartPhaseError extends Error {
  /** The step that failed. */
  readonly step: SnapStartStep;
  /** The `Runtime.*` error type that was posted. */
  readonly errorType: 'Runtime.BeforeSnapshotError' | 'Runtime.AfterRestoreError';
  /** 64 for before-snapshot (and `restore/next`) failures, 65 for after-restore failures. */
  readonly exitCode: number;
  /** The report of the failed phase (`undefined` when `restore/next` failed). */
  readonly report: PhaseReport | undefined;
  /**
   * The error posted: the first failed hook's own error, a `Runtime.*` error naming the hooks that can
   * never settle, or the `restore/next` failure.
   */
  readonly posted: unknown;
  /** Why the error post failed, or `undefined` when it was accepted. */
  readonly postError: unknown;

  /**
   * @param step - the failed step.
   * @param cause - the failure (a `LifecycleError` or the `restore/next` error).
   * @param posted - the error that was posted for it.
   * @param postError - the error of the error post, if it failed.
   */
  constructor(step: SnapStartStep, cause: unknown, posted: unknown = cause, postError?: unknown) {
    const before = step !== 'afterRestore';
    const failed = lifecycleErrorOf(cause);
    super(`${step} failed: ${failed !== undefined ? failed.message : describeThrown(cause)}`, { cause });
    this.name = 'SnapStartPhaseError';
    this.step = step;
    this.errorType = before ? 'Runtime.BeforeSnapshotError' : 'Runtime.AfterRestoreError';
    this.exitCode = before ? LambdaExitCode.beforeSnapshotFailed : LambdaExitCode.afterRestoreFailed;
    this.report = failed?.report;
    this.posted = posted;
    this.postError = postError;
  }
}

/** `value` when it is a LifecycleError; `instanceof` would throw for a revoked Proxy. */
function lifecycleErrorOf(value: unknown): LifecycleError | undefined {
  return isError(value) && value instanceof LifecycleError ? value : undefined;
}

/**
 * Reads the phase deadlines from `SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS` and
 * `SNAPSTART_AFTER_RESTORE_DEADLINE_MS`: unset or empty gives the default, `Infinity` no deadline,
 * anything else must be a number > 0.
 *
 * @throws RangeError naming the variable and its bad value.
 */
export function deadlinesFromEnv(env: NodeJS.ProcessEnv = process.env): {
  beforeSnapshot: number;
  afterRestore: number;
} {
  return {
    beforeSnapshot: deadlineFromEnv(env, BEFORE_SNAPSHOT_DEADLINE_ENV, DEFAULT_BEFORE_SNAPSHOT_DEADLINE),
    afterRestore: deadlineFromEnv(env, AFTER_RESTORE_DEADLINE_ENV, DEFAULT_AFTER_RESTORE_DEADLINE),
  };
}

function deadlineFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new RangeError(`${name} must be a number of ms > 0 or Infinity, got ${show(raw)}`);
  return value;
}

const PHASES_OPTIONS = [
  'client',
  'bus',
  'beforeSnapshotDeadline',
  'afterRestoreDeadline',
  'env',
  'onPhase',
  'onRestored',
] as const;

/**
 * Runs the SnapStart lifecycle against the Runtime API, as AWS's runtimes do:
 * before-snapshot hooks (newest first) → `GET /runtime/restore/next` (blocks across the snapshot) →
 * after-restore hooks (oldest first), each phase within its deadline.
 *
 * A failed hook, a hook still running at the deadline, a hook that can never settle (the event loop
 * has nothing left that could settle it), or a failed `restore/next` is posted to `/runtime/init/error`
 * with the header `Runtime.BeforeSnapshotError`, or to `/runtime/restore/error` with
 * `Runtime.AfterRestoreError`. The body is the failing hook's own error (`errorType` its class,
 * `trace` its stack); for hooks that can never settle, a `Runtime.*` error naming them. Then the promise
 * rejects with a {@link SnapStartPhaseError} whose `exitCode` (64 or 65) the runtime should exit with.
 *
 * @throws TypeError or RangeError (synchronously, as a rejection) for bad options.
 *
 * @example
 * ```ts no-run
 * import { RuntimeApiClient, runSnapStartPhases, SnapStartPhaseError } from 'snapstart-hooks/lambda';
 *
 * const client = new RuntimeApiClient(process.env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001');
 * try {
 *   await runSnapStartPhases({ client });
 * } catch (error) {
 *   if (error instanceof SnapStartPhaseError) process.exit(error.exitCode);
 *   throw error;
 * }
 * ```
 */
export async function runSnapStartPhases(options: SnapStartPhasesOptions): Promise<SnapStartPhasesResult> {
  // Own properties only, each read once: what is checked is what is used.
  const given = readOptions('runSnapStartPhases(options)', options, PHASES_OPTIONS) as Partial<SnapStartPhasesOptions>;
  const client = given.client;
  if (typeof client?.restoreNext !== 'function' || typeof client.postInitError !== 'function') {
    throw new TypeError(`runSnapStartPhases(options): options.client must be a RuntimeApiClient, got ${show(client)}`);
  }
  const { bus = snapStartBus, onPhase, onRestored = refreshRandomCaches, env } = given;
  if (typeof bus?.emit !== 'function') throw new TypeError(`options.bus must be a LifecycleBus, got ${show(bus)}`);
  if (onPhase !== undefined) checkFunction('options.onPhase', onPhase);
  checkFunction('options.onRestored', onRestored);
  checkOptionsObject('options.env', env);
  const { beforeSnapshotDeadline: beforeGiven, afterRestoreDeadline: afterGiven } = given;
  checkDuration('options.beforeSnapshotDeadline', beforeGiven);
  checkDuration('options.afterRestoreDeadline', afterGiven);
  const fromEnv = beforeGiven === undefined || afterGiven === undefined ? deadlinesFromEnv(env) : undefined;
  const beforeSnapshotDeadline = beforeGiven ?? (fromEnv?.beforeSnapshot as number);
  const afterRestoreDeadline = afterGiven ?? (fromEnv?.afterRestore as number);

  const fail = async (step: SnapStartStep, cause: unknown, posted: unknown): Promise<never> => {
    const failed = lifecycleErrorOf(cause);
    if (failed !== undefined) onPhase?.(failed.report);
    const errorType = step === 'afterRestore' ? 'Runtime.AfterRestoreError' : 'Runtime.BeforeSnapshotError';
    let postError: unknown;
    try {
      if (step === 'afterRestore') await client.postRestoreError(posted, errorType);
      else await client.postInitError(posted, errorType);
    } catch (failure) {
      postError = failure;
    }
    throw new SnapStartPhaseError(step, cause, posted, postError);
  };

  let beforeSnapshot: PhaseReport<'beforeSnapshot'>;
  try {
    beforeSnapshot = await emitWatched(bus, 'beforeSnapshot', beforeSnapshotDeadline);
  } catch (cause) {
    return fail('beforeSnapshot', cause, postedError('beforeSnapshot', cause));
  }
  onPhase?.(beforeSnapshot);

  const waitStart = performance.now();
  try {
    await client.restoreNext();
  } catch (cause) {
    return fail('restoreNext', cause, cause);
  }
  const restoreWaitMs = performance.now() - waitStart;
  try {
    onRestored();
  } catch (cause) {
    return fail('afterRestore', cause, cause); // part of the restore: it fails as an after-restore hook would
  }

  let afterRestore: PhaseReport<'afterRestore'>;
  try {
    afterRestore = await emitWatched(bus, 'afterRestore', afterRestoreDeadline);
  } catch (cause) {
    return fail('afterRestore', cause, postedError('afterRestore', cause));
  }
  onPhase?.(afterRestore);
  return { beforeSnapshot, afterRestore, restoreWaitMs };
}

/** The reason a phase is aborted with when it can never settle; replaced by a message naming its hooks. */
class Stalled extends Error {}

/**
 * Emits `event` within `deadline`, and aborts it when it stalls: its running hooks can never settle
 * (see `watchForStall`). The aborted hooks are then `rejected` with a `Stalled` reason.
 */
async function emitWatched<E extends keyof SnapStartEvents & string>(
  bus: LifecycleBus<SnapStartEvents>,
  event: E,
  deadline: number,
): Promise<PhaseReport<E>> {
  const finite = deadline !== Number.POSITIVE_INFINITY;
  const controller = new AbortController();
  const watch = watchForStall({ deadlineTimer: finite });
  void watch.stalled.then(() =>
    controller.abort(
      new Stalled('the event loop emptied while this hook was pending: nothing is left that could settle it'),
    ),
  );
  try {
    return (await bus.emit(event, undefined, {
      ...(finite ? { deadline } : {}),
      signal: controller.signal,
    })) as PhaseReport<E>;
  } finally {
    watch.dispose();
  }
}

/**
 * The error posted for a failed phase: the first failed hook's own error (so the body carries its
 * class and stack); for a stalled phase, a `Runtime.*` error naming the hooks that can never settle.
 */
function postedError(event: 'beforeSnapshot' | 'afterRestore', cause: unknown): unknown {
  const failed = lifecycleErrorOf(cause);
  if (failed === undefined) return cause;
  const stalled = failed.report.hooks
    .filter((outcome) => isError(outcome.error) && outcome.error instanceof Stalled)
    .map((outcome) => outcome.name);
  if (stalled.length > 0) return neverSettledError(event, stalled);
  return failed.errors.length > 0 ? failed.errors[0] : failed;
}

/** The error posted for hooks that can never settle: the phase's `Runtime.*` type, naming them. */
export function neverSettledError(event: 'beforeSnapshot' | 'afterRestore', hooks: readonly string[]): RuntimeError {
  const type = event === 'afterRestore' ? 'Runtime.AfterRestoreError' : 'Runtime.BeforeSnapshotError';
  const names = hooks.map((name) => `"${boundText(name, 100)}"`).join(', ');
  const [noun, subject, object] = hooks.length === 1 ? ['hook', 'it was', 'it'] : ['hooks', 'they were', 'them'];
  return new RuntimeError(
    type,
    `${event} ${noun} ${names} can never settle: the event loop emptied while ${subject} pending, with no timer, socket or request left that could settle ${object}`,
  );
}
