/**
 * The state of one phase and the rules every strategy shares: how a hook starts ({@link Phase.begin})
 * and ends ({@link Phase.end}), when it fails, when the phase stops (failFast, deadline) or is
 * aborted, and when a running hook is abandoned (its timeout, the deadline, the emit's signal).
 * The report is built from that state by a pure function (build-report.ts).
 *
 * A hook pays only for what it uses: a sync hook costs a call, an async hook that nothing can abandon
 * an `await` of its own promise (no wrapper); the `AbortController` behind `ctx.signal` exists only
 * once read, and all marks of a phase share one timer.
 *
 * @module
 */
import { HookTimeoutError } from '../errors.js';
import { type Observers, observedTimeout, type PhaseChannel } from '../observe.js';
import type { Hook, HookOutcome, HookStatus } from '../types.js';
import { isThenable } from '../util/promise.js';
import { skipped } from './build-report.js';
import { clockMs } from './clock.js';
import { Context } from './context.js';
import { Lane } from './lane.js';
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
  /** The bus's observers, if it has any. */
  readonly observers: Observers | undefined;
  /** Whether hooks are timed: when `false`, their `startMs` and `durationMs` are `NaN`. */
  readonly timing: boolean;
}

/** What a phase tells its strategy: a busy lane's hook was abandoned, go on without it. */
export interface Strategy {
  abandoned(lane: Lane): void;
}

const NO_STRATEGY: Strategy = { abandoned() {} };

const INFINITY = Number.POSITIVE_INFINITY;

/** One phase in progress. Strategies drive it through `begin`, `fail`/`reject`, `end` and `mayStart`. */
export class Phase {
  readonly event: string;
  readonly payload: unknown;
  readonly registrations: readonly ScheduledHook[];
  readonly settings: PhaseSettings;
  readonly outcomes: (HookOutcome | undefined)[];
  readonly startedAt = Date.now();
  /** The clock at the phase start (see clock.ts): phase times are relative to it. */
  readonly t0 = clockMs();
  /** Whether hooks are timed (see {@link PhaseSettings.timing}). */
  readonly timed: boolean;
  /** Phase time of the deadline (`Infinity`: none). */
  readonly deadlineMs: number;
  /** Set once no further hook may start: failFast after a failure, deadline reached, or aborted. */
  stopped = false;
  aborted = false;
  abortReason: unknown = undefined;
  /** Set when the phase deadline stopped hooks from starting or abandoned running ones. */
  deadlineReached = false;
  /** Where hook events go, when somebody observes this phase. */
  readonly channel: PhaseChannel | undefined;
  /** Told when a busy lane's hook is abandoned: it goes on without it. Set by the strategy. */
  strategy: Strategy = NO_STRATEGY;
  /** The lanes open in this phase (abandoned ones are removed). */
  private readonly lanes: Lane[] = [];
  private timer: DeadlineTimer | undefined = undefined;

  constructor(event: string, payload: unknown, registrations: readonly ScheduledHook[], settings: PhaseSettings) {
    this.event = event;
    this.payload = payload;
    this.registrations = registrations;
    this.settings = settings;
    this.outcomes = new Array<HookOutcome | undefined>(registrations.length);
    this.deadlineMs = settings.deadline ?? INFINITY;
    this.timed = settings.timing;
    this.channel = settings.observers?.open({
      event,
      startedAt: this.startedAt,
      hookCount: registrations.length,
      concurrency: settings.concurrency,
      deadline: settings.deadline,
    });
  }

  /** The phase time now, in ms. */
  now(): number {
    return clockMs() - this.t0;
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
   * Whether hook `index` may start at phase time `now`, past the deadline (strategies ask only then).
   * Only a hook that would run is kept out by the deadline (which then stops the phase); an
   * unsubscribed one is just skipped.
   */
  mayStart(index: number, now: number): boolean {
    if (now >= this.deadlineMs && (this.registrations[index] as ScheduledHook).active) {
      this.stop();
      return false;
    }
    return true;
  }

  /**
   * Starts hook `index` on `lane` at phase time `startMs` (`NaN` in an untimed phase, where the clock
   * is read only for a hook with a budget). Returns `undefined` when the hook is done already
   * (skipped, returned, or threw), else its own thenable, which the strategy awaits (a rejection goes
   * to {@link reject}). If the hook can be abandoned, the lane is `busy` until {@link end}, and an
   * abandonment tells the {@link strategy}, which then goes on in a new lane.
   */
  begin(lane: Lane, index: number, startMs: number): PromiseLike<unknown> | undefined {
    lane.index = index;
    const registration = this.registrations[index] as ScheduledHook;
    if (!registration.active) {
      this.outcomes[index] = skipped(registration);
      return undefined;
    }
    const context = new Context(this.event, this.payload, registration.name, registration.priority);
    const timed = this.timed;
    const outcome: HookOutcome = {
      name: registration.name,
      priority: registration.priority,
      status: 'fulfilled',
      startMs: timed ? startMs : Number.NaN,
      durationMs: timed ? 0 : Number.NaN,
    };
    this.outcomes[index] = outcome;
    lane.context = context;
    if (this.channel !== undefined) {
      this.channel.hookStart(index, outcome, observedTimeout(registration.timeout, this.settings.timeout));
    }
    const timeout = registration.timeout ?? this.settings.timeout;
    if ((timeout === undefined || timeout === INFINITY) && this.deadlineMs === INFINITY) lane.expiresAtMs = INFINITY;
    else this.budget(lane, timeout, timed ? startMs : this.now());
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
    if (lane.expiresAtMs === INFINITY && this.settings.signal === undefined) {
      return result; // nothing can abandon this hook
    }
    lane.busy = true;
    // The hook may have aborted the emit's signal before its first await: it is abandoned at once.
    if (this.aborted) this.abandon(lane, 'rejected', this.abortReason);
    else if (lane.expiresAtMs !== INFINITY) this.arm(lane.expiresAtMs);
    return result;
  }

  /** Sets the budget of the hook starting on `lane`: its own timeout or the deadline, whichever ends first. */
  private budget(lane: Lane, timeout: number | undefined, startMs: number): void {
    const expiresAtMs = timeout === undefined ? INFINITY : startMs + timeout;
    if (expiresAtMs <= this.deadlineMs) {
      lane.expiresAtMs = expiresAtMs;
      lane.budgetMs = timeout ?? INFINITY;
      lane.budgetIsPhaseDeadline = false;
    } else {
      lane.expiresAtMs = this.deadlineMs;
      lane.budgetMs = this.settings.deadline as number;
      lane.budgetIsPhaseDeadline = true;
    }
  }

  /** The hook in flight on `lane` rejected (the lane was not abandoned). */
  reject(lane: Lane, error: unknown): void {
    this.fail(this.outcomes[lane.index] as HookOutcome, 'rejected', error);
  }

  /**
   * The hook of `lane` is over (settled, or abandoned and left behind). Reads the clock once: the
   * hook's duration (unless skipped) and the start of the lane's next hook. An untimed phase reads it
   * only where a budget needs it, and returns `NaN` otherwise.
   */
  end(lane: Lane): number {
    const watched = lane.busy;
    lane.busy = false;
    const outcome = this.outcomes[lane.index] as HookOutcome;
    const now = this.timed || lane.expiresAtMs !== INFINITY || this.deadlineMs !== INFINITY ? this.now() : Number.NaN;
    if (outcome.status !== 'skipped') {
      if (this.timed) outcome.durationMs = now - outcome.startMs;
      // Out of budget and not stopped by the timer: a sync hook that blocked the thread past its
      // timeout or the deadline, or an async one that ended past the deadline before the timer ran.
      // (An async hook's own timeout is the timer's to enforce.)
      if (now >= (watched ? this.deadlineMs : lane.expiresAtMs) && !lane.abandoned) {
        this.overran(lane, outcome, now, watched);
      }
      if (this.channel !== undefined) this.notifyEnd(lane.index, outcome);
    }
    return now;
  }

  /** Tells the observers that hook `index` is over. */
  private notifyEnd(index: number, outcome: HookOutcome): void {
    const registration = this.registrations[index] as ScheduledHook;
    this.channel?.hookEnd(index, outcome, observedTimeout(registration.timeout, this.settings.timeout));
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
  abort(): void {
    this.stopped = true;
    this.aborted = true;
    const reason = this.settings.signal?.reason;
    this.abortReason = reason;
    for (const lane of this.lanes.slice()) {
      if (lane.busy) this.abandon(lane, 'rejected', reason);
    }
  }

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
    this.strategy.abandoned(lane);
  }

  /**
   * The hook of `lane` ran past its budget (`pastDeadline`: the phase deadline) without the timer
   * stopping it: it was still running when its time was up, so it is timed out like any other
   * (unless it failed on its own); past the phase deadline, the phase stops.
   */
  private overran(lane: Lane, outcome: HookOutcome, now: number, pastDeadline: boolean): void {
    if (outcome.status === 'fulfilled') {
      const error = pastDeadline
        ? new HookTimeoutError(outcome.name, this.settings.deadline as number, true)
        : new HookTimeoutError(outcome.name, lane.budgetMs, lane.budgetIsPhaseDeadline);
      this.fail(outcome, 'timedOut', error);
      lane.context?.abort(error);
    }
    if (now >= this.deadlineMs) this.stop();
  }

  /** The phase deadline was reached: no further hook starts. */
  private stop(): void {
    this.stopped = true;
    this.deadlineReached = true;
  }

  private arm(atMs: number): void {
    this.timer ??= new DeadlineTimer(this.t0, this);
    this.timer.arm(atMs);
  }

  /** The timer fired: times out the busy hooks whose budget is over, and re-arms for the next one. */
  expire(): void {
    const now = this.now();
    if (now >= this.deadlineMs) this.stop();
    let nextAt = INFINITY;
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
    if (nextAt !== INFINITY) this.arm(nextAt);
  }
}
