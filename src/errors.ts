/**
 * Errors raised by the lifecycle bus.
 *
 * @module
 */
import type { HookOutcome, PhaseReport } from './types.js';
import { boundText } from './util/text.js';
import { describeThrown, renderValue } from './util/thrown.js';

/** The longest a hook or event name is shown in a message (the report keeps it whole). */
export const NAME_LENGTH = 100;

/**
 * The reason a hook's `ctx.signal` aborts with, and the `error` of its `timedOut` outcome, when the
 * hook ran out of time: either its own `timeout` or the phase `deadline`.
 */
export class HookTimeoutError extends Error {
  /** The name of the hook that ran out of time. */
  readonly hookName: string;
  /** The budget that expired, in ms: the hook's timeout, or the phase deadline. */
  readonly timeout: number;
  /** `true` when the phase deadline expired rather than the hook's own timeout. */
  readonly phaseDeadline: boolean;

  /**
   * @param hookName - the hook that ran out of time.
   * @param timeout - the budget in ms that expired.
   * @param phaseDeadline - whether that budget was the phase deadline.
   */
  constructor(hookName: string, timeout: number, phaseDeadline = false) {
    super(
      phaseDeadline
        ? `Hook "${describeName(hookName)}" was still running at the phase deadline of ${timeout} ms`
        : `Hook "${describeName(hookName)}" timed out after ${timeout} ms`,
    );
    this.name = 'HookTimeoutError';
    this.hookName = hookName;
    this.timeout = timeout;
    this.phaseDeadline = phaseDeadline;
  }
}

/**
 * Rejection of `emit` when at least one hook failed or timed out, or the phase was aborted.
 * `errors` holds the failures in schedule order and `report` the whole {@link PhaseReport}.
 *
 * @example
 * ```ts
 * try { await bus.emit('afterRestore'); }
 * catch (error) {
 *   if (error instanceof LifecycleError) console.error(error.message, error.report.hooks);
 * }
 * ```
 */
export class LifecycleError<Event extends string = string> extends AggregateError {
  /** The full report of the failed phase. */
  readonly report: PhaseReport<Event>;

  /**
   * @param report - the phase report; its failed outcomes become `errors`.
   * @param phase - why the phase as a whole failed, beyond its hooks: the emit signal aborted it
   *   (its reason becomes `cause`), or its deadline (in ms) was reached.
   */
  constructor(report: PhaseReport<Event>, phase: PhaseFailure = {}) {
    const failed = report.hooks.filter(isFailure);
    super(
      failed.map((outcome) => outcome.error),
      describeFailure(report, failed, phase),
      phase.aborted ? { cause: phase.abortReason } : undefined,
    );
    this.name = 'LifecycleError';
    this.report = report;
  }
}

/** Why a phase failed as a whole, beyond its hooks' own failures. */
export interface PhaseFailure {
  /** The emit signal aborted the phase. */
  aborted?: boolean;
  /** The signal's reason, when aborted. */
  abortReason?: unknown;
  /** The phase deadline in ms, when it was reached. */
  deadline?: number | undefined;
}

/** `true` for outcomes that count as failures: `rejected` and `timedOut`. */
export function isFailure(outcome: HookOutcome): boolean {
  return outcome.status === 'rejected' || outcome.status === 'timedOut';
}

/**
 * A hook or event name as messages show it: control characters escaped, cut at {@link NAME_LENGTH}
 * (never inside a surrogate pair); any value that is not a string rendered as text first.
 */
export function describeName(name: unknown): string {
  return boundText(typeof name === 'string' ? name : renderValue(name), NAME_LENGTH);
}

/** A short, one-line reason for a thrown value, as shown in error messages. Never throws. */
export function describeReason(error: unknown): string {
  try {
    if (error instanceof HookTimeoutError) {
      return error.phaseDeadline
        ? `still running at the phase deadline of ${error.timeout} ms`
        : `timed out after ${error.timeout} ms`;
    }
  } catch {
    // a Proxy whose traps throw: described like any other value
  }
  return describeThrown(error);
}

function describeFailure(report: PhaseReport, failed: HookOutcome[], phase: PhaseFailure): string {
  const total = report.hooks.length;
  const parts: string[] = [];
  if (phase.aborted) parts.push(`aborted (${describeReason(phase.abortReason)})`);
  if (phase.deadline !== undefined) parts.push(`phase deadline of ${phase.deadline} ms reached`);
  if (failed.length > 0) {
    const list = failed.map((o) => `${describeName(o.name)} (${describeReason(o.error)})`).join(', ');
    parts.push(`${failed.length} of ${total} ${total === 1 ? 'hook' : 'hooks'} failed: ${list}`);
  }
  const skipped = report.hooks.filter((o) => o.status === 'skipped').length;
  if (skipped > 0) parts.push(`${skipped} skipped`);
  return `${describeName(report.event)}: ${parts.join('; ')}`;
}
