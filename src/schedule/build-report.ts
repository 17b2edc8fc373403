/**
 * The report of a finished phase, built from its final state by pure functions.
 *
 * @module
 */
import type { PhaseFailure } from '../errors.js';
import type { HookOutcome, PhaseReport } from '../types.js';
import type { ScheduledHook } from './phase.js';

/** Everything {@link buildReport} needs: the final state of a phase ({@link Phase} is one). */
export interface PhaseRecord {
  readonly event: string;
  readonly registrations: readonly ScheduledHook[];
  /** Outcomes by schedule index; hooks never reached have none. */
  readonly outcomes: readonly (HookOutcome | undefined)[];
  readonly startedAt: number;
  readonly aborted: boolean;
  readonly abortReason: unknown;
  /** Whether the phase deadline stopped hooks from starting or abandoned running ones. */
  readonly deadlineReached: boolean;
  readonly settings: { readonly deadline: number | undefined };
}

/**
 * The report of a finished phase that lasted `durationMs`. Pure: hooks never reached are `skipped`;
 * hooks unsubscribed before their turn are skipped without failing the phase, hooks left out by an
 * abort, the deadline or failFast are skipped as part of a failed phase. When every hook was reached,
 * the outcomes list itself becomes the report's (the phase is over: nothing changes it any more).
 */
export function buildReport<E extends string>(record: PhaseRecord, durationMs: number): PhaseReport<E> {
  const { outcomes, registrations } = record;
  let ok = !record.aborted && !record.deadlineReached;
  let hooks = outcomes as HookOutcome[];
  for (let index = 0; index < outcomes.length; index++) {
    const outcome = outcomes[index];
    if (outcome === undefined) {
      if (hooks === outcomes) hooks = outcomes.slice() as HookOutcome[];
      hooks[index] = skipped(registrations[index] as ScheduledHook);
    } else if (outcome.status === 'rejected' || outcome.status === 'timedOut') {
      ok = false;
    }
  }
  return { event: record.event as E, ok, startedAt: record.startedAt, durationMs, hooks };
}

/** Why a failed phase failed as a whole, beyond its hooks: aborted, or its deadline reached. */
export function phaseFailure(record: PhaseRecord): PhaseFailure {
  return {
    aborted: record.aborted,
    abortReason: record.abortReason,
    deadline: record.deadlineReached ? record.settings.deadline : undefined,
  };
}

/** The outcome of a hook that never started. */
export function skipped(registration: ScheduledHook): HookOutcome {
  return { name: registration.name, priority: registration.priority, status: 'skipped', startMs: -1, durationMs: 0 };
}
