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
import type { RuntimeApiClient } from './client.js';

/** Lambda fails a restore whose after-restore work takes longer than this (ms). */
export const LAMBDA_AFTER_RESTORE_LIMIT_MS = 10_000;

/** The default deadline of the after-restore phase (ms): under Lambda's 10 s, so a slow hook is named. */
export const DEFAULT_AFTER_RESTORE_DEADLINE_MS = 9_000;

/** The environment variable that sets the after-restore deadline in ms (`Infinity` for none). */
export const AFTER_RESTORE_DEADLINE_ENV = 'SNAPSTART_AFTER_RESTORE_DEADLINE_MS';

/** The exit code a runtime uses after a before-snapshot failure, as AWS's runtimes do. */
export const BEFORE_SNAPSHOT_EXIT_CODE = 64;

/** The exit code a runtime uses after an after-restore failure, as AWS's runtimes do. */
export const AFTER_RESTORE_EXIT_CODE = 65;

/** Options of {@link runSnapStartPhases}. */
export interface SnapStartPhasesOptions {
  /** The Runtime API client. */
  client: RuntimeApiClient;
  /** The bus whose `beforeSnapshot` and `afterRestore` hooks run. Default: `snapStartBus`. */
  bus?: LifecycleBus<SnapStartEvents>;
  /**
   * Deadline of the after-restore phase in ms (> 0, `Infinity` for none). Default: the
   * `SNAPSTART_AFTER_RESTORE_DEADLINE_MS` environment variable, else 9000.
   */
  afterRestoreDeadlineMs?: number;
  /** Deadline of the before-snapshot phase in ms. Default: none (Lambda's init limit applies). */
  beforeSnapshotDeadlineMs?: number;
  /** Where `SNAPSTART_AFTER_RESTORE_DEADLINE_MS` is read. Default: `process.env`. */
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
  /** Why the error post failed, or `undefined` when it was accepted. */
  readonly postError: unknown;

  /**
   * @param step - the failed step.
   * @param cause - the failure (a `LifecycleError` or the `restore/next` error).
   * @param postError - the error of the error post, if it failed.
   */
  constructor(step: SnapStartStep, cause: unknown, postError?: unknown) {
    const before = step !== 'afterRestore';
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SnapStartPhaseError';
    this.step = step;
    this.errorType = before ? 'Runtime.BeforeSnapshotError' : 'Runtime.AfterRestoreError';
    this.exitCode = before ? BEFORE_SNAPSHOT_EXIT_CODE : AFTER_RESTORE_EXIT_CODE;
    this.report = cause instanceof LifecycleError ? cause.report : undefined;
    this.postError = postError;
  }
}

/**
 * Reads the after-restore deadline from `SNAPSTART_AFTER_RESTORE_DEADLINE_MS`: unset or empty gives
 * 9000, `Infinity` gives no deadline, anything else must be a number > 0.
 *
 * @throws RangeError naming the variable and its bad value.
 *
 * @example
 * ```ts
 * afterRestoreDeadlineFromEnv({ SNAPSTART_AFTER_RESTORE_DEADLINE_MS: '5000' }); // 5000
 * ```
 */
export function afterRestoreDeadlineFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[AFTER_RESTORE_DEADLINE_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_AFTER_RESTORE_DEADLINE_MS;
  const value = Number(raw);
  if (!(value > 0)) {
    throw new RangeError(
      `${AFTER_RESTORE_DEADLINE_ENV} must be a number of ms > 0 or Infinity, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/**
 * Runs the SnapStart lifecycle against the Runtime API, as AWS's runtimes do:
 * before-snapshot hooks (newest first) → `GET /runtime/restore/next` (blocks across the snapshot) →
 * after-restore hooks (oldest first) within a deadline under Lambda's 10 s limit.
 *
 * A failed hook, a hook still running at a deadline, or a failed `restore/next` is posted to
 * `/runtime/init/error` (`Runtime.BeforeSnapshotError`) or `/runtime/restore/error`
 * (`Runtime.AfterRestoreError`) with the body `{ errorMessage, errorType, stackTrace }`; for a
 * `LifecycleError` the message names every failed hook and why. Then the promise rejects with a
 * {@link SnapStartPhaseError} whose `exitCode` (64 or 65) the runtime should exit with.
 *
 * @example
 * ```ts
 * const client = new RuntimeApiClient(process.env.AWS_LAMBDA_RUNTIME_API!);
 * try {
 *   await runSnapStartPhases({ client });
 * } catch (error) {
 *   if (error instanceof SnapStartPhaseError) process.exit(error.exitCode);
 *   throw error;
 * }
 * ```
 */
export async function runSnapStartPhases(options: SnapStartPhasesOptions): Promise<SnapStartPhasesResult> {
  if (typeof options !== 'object' || options === null || typeof options.client?.restoreNext !== 'function') {
    throw new TypeError('runSnapStartPhases(options): options.client must be a RuntimeApiClient');
  }
  const { client, bus = snapStartBus, onPhase } = options;
  const afterRestoreDeadline = options.afterRestoreDeadlineMs ?? afterRestoreDeadlineFromEnv(options.env);
  const beforeSnapshotDeadline = options.beforeSnapshotDeadlineMs;
  checkDeadline('options.afterRestoreDeadlineMs', afterRestoreDeadline);
  if (beforeSnapshotDeadline !== undefined) checkDeadline('options.beforeSnapshotDeadlineMs', beforeSnapshotDeadline);

  const fail = async (step: SnapStartStep, cause: unknown): Promise<never> => {
    if (cause instanceof LifecycleError) onPhase?.(cause.report);
    const error = new SnapStartPhaseError(step, cause);
    let postError: unknown;
    try {
      if (step === 'afterRestore') await client.postRestoreError(cause, error.errorType);
      else await client.postInitError(cause, error.errorType);
    } catch (failure) {
      postError = failure;
    }
    throw postError === undefined ? error : new SnapStartPhaseError(step, cause, postError);
  };

  let beforeSnapshot: PhaseReport<'beforeSnapshot'>;
  try {
    beforeSnapshot = await bus.emit('beforeSnapshot', undefined, deadlineOption(beforeSnapshotDeadline));
  } catch (cause) {
    return fail('beforeSnapshot', cause);
  }
  onPhase?.(beforeSnapshot);

  const waitStart = performance.now();
  try {
    await client.restoreNext();
  } catch (cause) {
    return fail('restoreNext', cause);
  }
  const restoreWaitMs = performance.now() - waitStart;
  (options.onRestored ?? refreshRandomCaches)();

  let afterRestore: PhaseReport<'afterRestore'>;
  try {
    afterRestore = await bus.emit('afterRestore', undefined, deadlineOption(afterRestoreDeadline));
  } catch (cause) {
    return fail('afterRestore', cause);
  }
  onPhase?.(afterRestore);
  return { beforeSnapshot, afterRestore, restoreWaitMs };
}

function deadlineOption(deadline: number | undefined): { deadline?: number } {
  return deadline === undefined || deadline === Number.POSITIVE_INFINITY ? {} : { deadline };
}

function checkDeadline(name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new RangeError(`${name} must be a number of ms > 0 or Infinity, got ${String(value)}`);
  }
}
