/**
 * The state of one phase and the rules every strategy shares: how a hook starts ({@link Phase.begin})
 * and ends ({@link Phase.end}), when it fails, when the phase stops (failFast, deadline) or is
 * aborted, and when a running hook is abandoned (its timeout, the deadline, the emit's signal).
 * The report is built from that state by a pure function, {@link buildReport}.
 *
 * A hook pays only for what it uses: a sync hook costs a call, an async hook that nothing can abandon
 * an `await` of its own promise (no wrapper); the `AbortController` behind `ctx.signal` exists only
 * once read, and all marks of a phase share one timer.
 *
 * @module
 */
import { HookTimeoutError, type PhaseFailure } from '../errors.js';
import type { Hook, HookOutcome, HookStatus, PhaseReport } from '../types.js';
import { isThenable } from '../util/promise.js';
import { Context } from './context.js';
import { DeadlineTimer } from './timer.js';

/** A registered hook, as the scheduler reads it. */
export interface ScheduledHook {
  readonly hook: Hook<unknown, string>;
  readonly priority: number;
  /** The hook's own timeout in ms; `undefined` falls back to the bus default. */
  readonly timeout: number | undefined;
  readonly name: string;
  /** Cleared when the hook is unsubscribed, so a phase that snapshotted it skips it. */
  readonly active: boolean;
}

/** The resolved settings of one phase. */
export interface PhaseSettings {
  readonly concurrency: number;
  readonly failFast: boolean;
  /** Default per-hook timeout in ms, if any. */
  readonly timeout: number | undefined;
  /** Budget of the whole phase in ms, if any. */
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * Where a strategy runs hooks one after another: the serial loop, or one worker of a tier. While it
 * runs a hook that can be abandoned it is `busy`; once abandoned, the strategy goes on in a new lane
 * and this one is dropped when (if ever) its hook settles.
 */
export class Lane {
  /** Index of the hook in flight (or last run). */
  index = -1;
  context: Context | undefined = undefined;
  /** Running a hook that a timeout, the deadline or the emit's signal may abandon. */
  busy = false;
  abandoned = false;
  /** Phase time at which the busy hook is timed out (`Infinity`: never). */
  expiresAtMs = Number.POSITIVE_INFINITY;
  /** The budget `expiresAtMs` enforces, and whether it is the phase deadline. */
  budgetMs = 0;
  budgetIsPhaseDeadline = false;
}

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

/** One phase in progress. Strategies drive it through `begin`, `fail`/`reject`, `end` and `mayStart`. */
export class Phase {
  readonly event: string;
  readonly payload: unknown;
  readonly registrations: readonly ScheduledHook[];
  readonly settings: PhaseSettings;
  readonly outcomes: (HookOutcome | undefined)[];
  readonly startedAt = Date.now();
  readonly t0 = performance.now();
  /** Phase time of the deadline (`Infinity`: none). */
  readonly deadlineMs: number;
  /** Set once no further hook may start: failFast after a failure, deadline reached, or aborted. */
  stopped = false;
  aborted = false;
  abortReason: unknown = undefined;
  /** Set when the phase deadline stopped hooks from starting or abandoned running ones. */
  deadlineReached = false;
  /** Called when a busy lane's hook is abandoned: the strategy goes on without it. */
  onAbandon: (lane: Lane) => void = () => {};
  /** The lanes open in this phase (abandoned ones are removed). */
  private readonly lanes: Lane[] = [];
  private timer: DeadlineTimer | undefined = undefined;

  constructor(event: string, payload: unknown, registrations: readonly ScheduledHook[], settings: PhaseSettings) {
    this.event = event;
    this.payload = payload;
    this.registrations = registrations;
    this.settings = settings;
    this.outcomes = new Array<HookOutcome | undefined>(registrations.length);
    this.deadlineMs = settings.deadline ?? Number.POSITIVE_INFINITY;
  }

  /** The phase time now, in ms. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** A new lane for a strategy's loop. */
  openLane(): Lane {
    const lane = new Lane();
    this.lanes.push(lane);
    return lane;
  }

  /** The strategy's loop on `lane` ran out of hooks. */
  closeLane(lane: Lane): void {
    const position = this.lanes.indexOf(lane);
    if (position >= 0) this.lanes.splice(position, 1);
  }

  /**
   * Whether hook `index` may start at phase time `now`. Only a hook that would run is kept out by the
   * deadline (which then stops the phase); an unsubscribed one is just skipped.
   */
  mayStart(index: number, now: number): boolean {
    if (now >= this.deadlineMs && (this.registrations[index] as ScheduledHook).active) {
      this.stop();
      return false;
    }
    return true;
  }

  /**
   * Starts hook `index` on `lane` at phase time `startMs`. Returns `undefined` when the hook is done
   * already (skipped, returned, or threw), else its own thenable, which the strategy awaits (a
   * rejection goes to {@link reject}). If the hook can be abandoned, the lane is `busy` until
   * {@link end}, and an abandonment calls {@link onAbandon}: the strategy then goes on in a new lane.
   */
  begin(lane: Lane, index: number, startMs: number): PromiseLike<unknown> | undefined {
    lane.index = index;
    const registration = this.registrations[index] as ScheduledHook;
    if (!registration.active) {
      this.outcomes[index] = skipped(registration);
      return undefined;
    }
    const context = new Context(this.event, this.payload, registration.name, registration.priority);
    const outcome: HookOutcome = {
      name: registration.name,
      priority: registration.priority,
      status: 'fulfilled',
      startMs,
      durationMs: 0,
    };
    this.outcomes[index] = outcome;
    const hook = registration.hook; // called as a plain function: `this` is not the registration
    let result: unknown;
    try {
      result = hook(context);
      // Inside the try: a `then` getter that throws is a failure of this hook, not of the phase.
      if (!isThenable(result)) return undefined;
    } catch (error) {
      this.fail(outcome, 'rejected', error);
      return undefined;
    }

    const timeout = registration.timeout ?? this.settings.timeout;
    const expiresAtMs = timeout === undefined ? Number.POSITIVE_INFINITY : startMs + timeout;
    if (
      expiresAtMs === Number.POSITIVE_INFINITY &&
      this.deadlineMs === Number.POSITIVE_INFINITY &&
      this.settings.signal === undefined
    ) {
      return result; // nothing can abandon this hook
    }
    lane.context = context;
    lane.busy = true;
    if (expiresAtMs <= this.deadlineMs) {
      lane.expiresAtMs = expiresAtMs;
      lane.budgetMs = timeout ?? Number.POSITIVE_INFINITY;
      lane.budgetIsPhaseDeadline = false;
    } else {
      lane.expiresAtMs = this.deadlineMs;
      lane.budgetMs = this.settings.deadline as number;
      lane.budgetIsPhaseDeadline = true;
    }
    if (lane.expiresAtMs !== Number.POSITIVE_INFINITY) this.arm(lane.expiresAtMs);
    return result;
  }

  /** The hook in flight on `lane` rejected (the lane was not abandoned). */
  reject(lane: Lane, error: unknown): void {
    this.fail(this.outcomes[lane.index] as HookOutcome, 'rejected', error);
  }

  /**
   * The hook of `lane` is over (settled, or abandoned and left behind). Reads the clock once: the
   * hook's duration (unless skipped) and the start of the lane's next hook.
   */
  end(lane: Lane): number {
    lane.busy = false;
    const now = performance.now() - this.t0;
    const outcome = this.outcomes[lane.index] as HookOutcome;
    if (outcome.status !== 'skipped') outcome.durationMs = now - outcome.startMs;
    return now;
  }

  /** Clears the timer: the phase is over. */
  close(): void {
    this.timer?.clear();
  }

  /** The emit's signal aborted before the phase began: nothing starts. */
  abortBeforeStart(reason: unknown): void {
    this.stopped = true;
    this.aborted = true;
    this.abortReason = reason;
  }

  /** The emit's signal aborted: abandon every running hook and start no other. */
  readonly abort = (): void => {
    this.stopped = true;
    this.aborted = true;
    const reason = this.settings.signal?.reason;
    this.abortReason = reason;
    for (const lane of this.lanes.slice()) {
      if (lane.busy) this.abandon(lane, 'rejected', reason);
    }
  };

  private fail(outcome: HookOutcome, status: HookStatus, error: unknown): void {
    outcome.status = status;
    outcome.error = error;
    if (this.settings.failFast) this.stopped = true;
  }

  /** Gives up on the busy hook of `lane`: its outcome is final, its signal aborts, the strategy goes on. */
  private abandon(lane: Lane, status: HookStatus, error: unknown): void {
    lane.busy = false;
    lane.abandoned = true;
    this.closeLane(lane);
    this.fail(this.outcomes[lane.index] as HookOutcome, status, error);
    lane.context?.abort(error);
    this.onAbandon(lane);
  }

  /** The phase deadline was reached: no further hook starts. */
  private stop(): void {
    this.stopped = true;
    this.deadlineReached = true;
  }

  private arm(atMs: number): void {
    this.timer ??= new DeadlineTimer(this.t0, this.onTimer);
    this.timer.arm(atMs);
  }

  private readonly onTimer = (): void => {
    const now = performance.now() - this.t0;
    if (now >= this.deadlineMs) this.stop();
    let nextAt = Number.POSITIVE_INFINITY;
    for (const lane of this.lanes.slice()) {
      // A hook's abort listener may have aborted the phase, abandoning the rest, while this loop ran.
      if (!lane.busy) continue;
      if (lane.expiresAtMs <= now) {
        const error = new HookTimeoutError((lane.context as Context).name, lane.budgetMs, lane.budgetIsPhaseDeadline);
        this.abandon(lane, 'timedOut', error);
      } else if (lane.expiresAtMs < nextAt) {
        nextAt = lane.expiresAtMs;
      }
    }
    if (nextAt !== Number.POSITIVE_INFINITY) this.arm(nextAt);
  };
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

function skipped(registration: ScheduledHook): HookOutcome {
  return { name: registration.name, priority: registration.priority, status: 'skipped', startMs: -1, durationMs: 0 };
}
