/**
 * The structured log record the runtime writes after each SnapStart phase: the phase, its outcome and
 * its per-hook waterfall, bounded so that no hook list or hook name can make it too large for one
 * CloudWatch log event.
 *
 * @module
 */
import { describeReason } from '../../errors.js';
import type { HookOutcome, HookStatus, PhaseReport } from '../../types.js';
import { formatMs } from '../../util/format.js';
import { boundText, truncate } from '../../util/text.js';

/** The `type` of every phase record, to find them among the function's own logs. */
export const PHASE_RECORD_TYPE = 'snapstart.phase';

/** At most this many hooks are listed in one record (the failed ones and the slowest are kept). */
export const MAX_LISTED_HOOKS = 200;

/** Hook names are cut at this many characters in records. */
export const MAX_HOOK_NAME_LENGTH = 100;

/** One hook in a phase record. */
export interface PhaseRecordHook {
  /** Its place in the phase's schedule (0 first). */
  readonly index: number;
  readonly name: string;
  readonly priority: number;
  readonly status: HookStatus;
  /** Start, in ms since the phase started (`-1` when skipped), to the µs. */
  readonly startMs: number;
  /** Duration in ms (`0` when skipped), to the µs. */
  readonly durationMs: number;
  /** The one-line reason of a failed hook (`rejected` or `timedOut`). */
  readonly error?: string;
}

/** The record of one phase, as the JSON message (JSON format) or the JSON after the summary (text). */
export interface PhaseRecord {
  readonly type: typeof PHASE_RECORD_TYPE;
  /** `beforeSnapshot` or `afterRestore`. */
  readonly phase: string;
  /** Whether every hook succeeded. */
  readonly ok: boolean;
  /** When the phase started, ISO 8601. */
  readonly startedAt: string;
  /** How long the whole phase took, in ms, to the µs. */
  readonly durationMs: number;
  /** How many hooks the phase ran (or skipped). */
  readonly hookCount: number;
  /** How many failed: rejected or timed out. */
  readonly failed: number;
  /** How many never started (`failFast`, the phase deadline, an aborted phase). */
  readonly skipped: number;
  /** The names of the failed hooks, in schedule order. */
  readonly failedHooks: readonly string[];
  /** The hooks, in schedule order. */
  readonly hooks: readonly PhaseRecordHook[];
  /** How many hooks the list leaves out (more than {@link MAX_LISTED_HOOKS}); absent when none. */
  readonly omittedHooks?: number;
}

/** Whether a hook failed. */
export function hookFailed(outcome: HookOutcome): boolean {
  return outcome.status === 'rejected' || outcome.status === 'timedOut';
}

/** A duration or offset in ms, rounded to the µs: what a reader can use, without float noise. */
export function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** A hook name as records show it: cut at {@link MAX_HOOK_NAME_LENGTH} (JSON escapes the rest). */
export function recordName(name: string): string {
  return truncate(name, MAX_HOOK_NAME_LENGTH);
}

/**
 * The indexes of the hooks to list when a phase has more than `limit`: the failed ones first, then the
 * slowest, returned in schedule order. All of them when there are at most `limit`.
 */
export function listedHooks(hooks: readonly HookOutcome[], limit: number): number[] {
  const indexes = hooks.map((_, index) => index);
  if (hooks.length <= limit) return indexes;
  const rank = (index: number): [number, number] => {
    const outcome = hooks[index] as HookOutcome;
    return [hookFailed(outcome) ? 0 : 1, -outcome.durationMs];
  };
  return indexes
    .sort((a, b) => {
      const [failedA, slowA] = rank(a);
      const [failedB, slowB] = rank(b);
      return failedA - failedB || slowA - slowB || a - b;
    })
    .slice(0, limit)
    .sort((a, b) => a - b);
}

/** Builds the record of a phase report. Never throws: a hostile error is described by `describeReason`. */
export function phaseRecord(report: PhaseReport): PhaseRecord {
  const listed = listedHooks(report.hooks, MAX_LISTED_HOOKS);
  const failedOutcomes = report.hooks.filter(hookFailed);
  const hooks = listed.map((index): PhaseRecordHook => {
    const outcome = report.hooks[index] as HookOutcome;
    const hook: PhaseRecordHook = {
      index,
      name: recordName(outcome.name),
      priority: outcome.priority,
      status: outcome.status,
      startMs: outcome.startMs < 0 ? -1 : roundMs(outcome.startMs),
      durationMs: roundMs(outcome.durationMs),
    };
    return hookFailed(outcome) ? { ...hook, error: describeReason(outcome.error) } : hook;
  });
  const omitted = report.hooks.length - listed.length;
  return {
    type: PHASE_RECORD_TYPE,
    phase: report.event,
    ok: report.ok,
    startedAt: new Date(report.startedAt).toISOString(),
    durationMs: roundMs(report.durationMs),
    hookCount: report.hooks.length,
    failed: failedOutcomes.length,
    skipped: report.hooks.filter((outcome) => outcome.status === 'skipped').length,
    failedHooks: failedOutcomes.slice(0, MAX_LISTED_HOOKS).map((outcome) => recordName(outcome.name)),
    hooks,
    ...(omitted > 0 ? { omittedHooks: omitted } : {}),
  };
}

/**
 * The record as one line of the text log format: a summary a person reads, a tab, then the record as
 * JSON (the shape AWS's runtime gives its own error lines), e.g.
 * `SnapStart afterRestore: ok, 2 hooks in 12.4 ms	{"type":"snapstart.phase",...}`.
 */
export function phaseRecordText(record: PhaseRecord): string {
  const hooks = `${record.hookCount} ${record.hookCount === 1 ? 'hook' : 'hooks'}`;
  const names = record.failedHooks.slice(0, 5).map((name) => boundText(name, 40));
  const more = record.failed > names.length ? `, +${record.failed - names.length} more` : '';
  let outcome = `ok, ${hooks}`;
  if (!record.ok) {
    outcome =
      record.failed > 0
        ? `failed, ${record.failed} of ${hooks} failed (${names.join(', ')}${more})`
        : `failed, ${hooks}`;
  }
  return `SnapStart ${boundText(record.phase, 100)}: ${outcome} in ${formatMs(record.durationMs)}\t${JSON.stringify(record)}`;
}
