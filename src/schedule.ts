/**
 * One phase: runs a snapshot of registrations in priority tiers with bounded concurrency, per-hook
 * timeouts, a phase deadline and an abort signal, and builds the {@link PhaseReport}.
 *
 * The hot path is specialised so that a hook pays only for what it uses: a sync hook costs a call,
 * an untimed async hook an `await`; the `AbortController` exists only once `ctx.signal` is read,
 * and all deadlines of a phase share one timer.
 *
 * @module
 */
import { HookTimeoutError, LifecycleError } from './errors.js';
import type { Hook, HookContext, HookOutcome, HookStatus, PhaseReport } from './types.js';
import { isThenable } from './util/promise.js';
import { MAX_TIMER_DELAY } from './util/timers.js';

/** A registered hook, as the bus stores it and the scheduler reads it. */
export interface Registration {
  readonly hook: Hook<unknown, string>;
  readonly priority: number;
  /** The hook's own timeout in ms; `undefined` falls back to the bus default. */
  readonly timeout: number | undefined;
  readonly name: string;
  readonly once: boolean;
  /** Cleared when the hook is unsubscribed, so a phase that snapshotted it skips it. */
  active: boolean;
  /** Unsubscribes the hook (used by `once` hooks as they start). */
  readonly remove: () => void;
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
 * Runs one phase of `event` over `registrations` (already in schedule order) and resolves its
 * report, or rejects with a {@link LifecycleError}.
 */
export function runPhase<E extends string>(
  event: E,
  payload: unknown,
  registrations: readonly Registration[],
  settings: PhaseSettings,
): Promise<PhaseReport<E>> {
  return new Phase(event, payload, registrations, settings).run();
}

/**
 * A started hook's `ctx`: one small object per hook. The `AbortController` behind `signal` is
 * created only when a hook reads it.
 */
class Context implements HookContext<unknown, string> {
  readonly event: string;
  readonly payload: unknown;
  readonly name: string;
  readonly priority: number;
  private controller: AbortController | undefined = undefined;
  private abortReason: unknown = undefined;
  private aborted = false;

  constructor(event: string, payload: unknown, name: string, priority: number) {
    this.event = event;
    this.payload = payload;
    this.name = name;
    this.priority = priority;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Aborts the signal (now, or when it is first read) with `reason`. */
  abort(reason: unknown): void {
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}

/**
 * A started async hook that can be timed out or aborted, tracked by the phase until it settles.
 * Hooks without any deadline or signal never get one.
 */
class Run {
  readonly context: Context;
  /** Index of the hook's outcome in the report. */
  readonly index: number;
  /** Phase-relative time after which the hook is timed out (`Infinity`: never). */
  deadlineMs = Number.POSITIVE_INFINITY;
  /** The budget that `deadlineMs` enforces, and whether it is the phase deadline. */
  budgetMs = 0;
  budgetIsPhaseDeadline = false;
  settled = false;
  private wake: (() => void) | undefined;

  constructor(context: Context, index: number) {
    this.context = context;
    this.index = index;
  }

  get name(): string {
    return this.context.name;
  }

  /** A promise that resolves when the hook settles or is abandoned. */
  untilSettled(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Marks the run settled and aborts its signal with `reason`, if given. */
  finish(reason?: unknown): void {
    this.settled = true;
    if (reason !== undefined) this.context.abort(reason);
    this.wake?.();
  }
}

class Phase {
  readonly event: string;
  readonly payload: unknown;
  private readonly registrations: readonly Registration[];
  private readonly settings: PhaseSettings;
  private readonly outcomes: HookOutcome[];
  private readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  private readonly deadlineMs: number;
  /** Set once no further hook may start: failFast after a failure, deadline reached, or aborted. */
  private stopped = false;
  private aborted = false;
  private abortReason: unknown;
  /** Set when the phase deadline stopped hooks from starting or abandoned running ones. */
  private deadlineReached = false;
  /** Concurrent phases: async hooks that can be timed out or aborted and have not settled yet. */
  private readonly watched = new Set<Run>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** Next registration index a concurrent worker takes. */
  private next = 0;
  /** Serial phases: the abandonable hook started last by `start`, if any (settled once it is done). */
  private current: Run | undefined;
  /** Serial phases: settle `run()`'s wait, whichever serial loop reaches the end. */
  private serialDone: (() => void) | undefined;
  private serialFailed: ((error: unknown) => void) | undefined;
  private readonly onAbort = (): void => this.abort();

  constructor(event: string, payload: unknown, registrations: readonly Registration[], settings: PhaseSettings) {
    this.event = event;
    this.payload = payload;
    this.registrations = registrations;
    this.settings = settings;
    this.outcomes = new Array<HookOutcome>(registrations.length);
    this.deadlineMs = settings.deadline ?? Number.POSITIVE_INFINITY;
  }

  async run(): Promise<PhaseReport<never>> {
    const { signal } = this.settings;
    if (signal?.aborted) {
      this.stopped = true;
      this.aborted = true;
      this.abortReason = signal.reason;
    } else {
      signal?.addEventListener('abort', this.onAbort, { once: true });
      try {
        if (this.settings.concurrency === 1) {
          await new Promise<void>((resolve, reject) => {
            this.serialDone = resolve;
            this.serialFailed = reject;
            this.runSerial(0, 0).catch(reject);
          });
        } else {
          await this.runTiers();
        }
      } finally {
        signal?.removeEventListener('abort', this.onAbort);
        if (this.timer !== undefined) clearTimeout(this.timer);
      }
    }
    return this.report();
  }

  /**
   * Concurrency 1: one hook at a time from index `first`, `now` being the phase time, so tiers need
   * no barrier and one clock read per hook suffices. Every async hook is awaited directly, with no
   * wrapper promise; when one is abandoned (timed out or aborted), {@link resumeSerialAfter} carries
   * on in a new loop, and this one returns without a trace once the hook settles, if ever.
   */
  private async runSerial(first: number, now: number): Promise<void> {
    const count = this.registrations.length;
    for (let index = first; index < count; index++) {
      if (this.stopped) break;
      // Only a hook that would run is kept out by the deadline; an unsubscribed one is just skipped.
      if (now >= this.deadlineMs && (this.registrations[index] as Registration).active) {
        this.stop();
        break;
      }
      this.current = undefined;
      const pending = this.start(index, now);
      if (pending !== undefined) {
        const run = this.current as Run | undefined;
        try {
          await pending;
        } catch (error) {
          if (run === undefined || !run.settled) this.fail(this.outcomes[index] as HookOutcome, 'rejected', error);
        }
        if (run !== undefined) {
          if (run.settled) return;
          run.settled = true;
        }
      }
      now = this.endOutcome(index);
    }
    this.serialDone?.();
  }

  /** A serial phase's running hook was abandoned: go on with the next one in a new loop. */
  private resumeSerialAfter(run: Run): void {
    queueMicrotask(() => {
      this.runSerial(run.index + 1, this.endOutcome(run.index)).catch(this.serialFailed);
    });
  }

  /** Concurrency > 1: tiers one after another, up to `concurrency` workers inside each. */
  private async runTiers(): Promise<void> {
    const registrations = this.registrations;
    const count = registrations.length;
    while (this.next < count && !this.stopped) {
      const priority = registrations[this.next]?.priority;
      let end = this.next + 1;
      while (end < count && registrations[end]?.priority === priority) end++;
      const workers = Math.min(this.settings.concurrency, end - this.next);
      const running: Promise<void>[] = [];
      for (let w = 0; w < workers; w++) running.push(this.worker(end));
      await Promise.all(running);
      this.next = end;
    }
  }

  private async worker(end: number): Promise<void> {
    // A hook starts right where the worker's previous one ended, so one clock read serves both.
    let now = performance.now() - this.t0;
    while (this.next < end && !this.stopped) {
      const index = this.next++;
      // Only a hook that would run is kept out by the deadline; an unsubscribed one is just skipped.
      if (now >= this.deadlineMs && (this.registrations[index] as Registration).active) {
        this.next = index;
        this.stop();
        return;
      }
      const pending = this.start(index, now);
      if (pending !== undefined) {
        try {
          await pending;
        } catch (error) {
          this.fail(this.outcomes[index] as HookOutcome, 'rejected', error);
        }
      }
      now = this.endOutcome(index);
    }
  }

  /** Reads the clock once: the end of hook `index` (its duration, unless skipped) and the next start. */
  private endOutcome(index: number): number {
    const now = performance.now() - this.t0;
    const outcome = this.outcomes[index];
    if (outcome !== undefined && outcome.status !== 'skipped') outcome.durationMs = now - outcome.startMs;
    return now;
  }

  /**
   * Starts hook `index`. Returns `undefined` when it finished synchronously; else, for a hook that
   * can neither time out nor be aborted, or any async hook of a serial phase (whose run is then
   * left in `current`), its own result, which the caller awaits and whose rejection it records;
   * else a promise that fulfils when the hook settles, times out or is aborted, and never rejects.
   * The outcome's duration is filled in by the caller, which reads the clock anyway.
   */
  private start(index: number, startMs: number): PromiseLike<unknown> | undefined {
    const registration = this.registrations[index] as Registration;
    if (!registration.active) {
      this.outcomes[index] = skipped(registration);
      return undefined;
    }
    if (registration.once) registration.remove();
    const context = new Context(this.event, this.payload, registration.name, registration.priority);
    const outcome: HookOutcome = {
      name: registration.name,
      priority: registration.priority,
      status: 'fulfilled',
      startMs,
      durationMs: 0,
    };
    this.outcomes[index] = outcome;
    let result: unknown;
    try {
      result = registration.hook(context);
      // Inside the try: a `then` getter that throws is a failure of this hook, not of the phase.
      if (!isThenable(result)) return undefined;
    } catch (error) {
      this.fail(outcome, 'rejected', error);
      return undefined;
    }

    const timeout = registration.timeout ?? this.settings.timeout;
    const hookDeadline = timeout === undefined ? Number.POSITIVE_INFINITY : startMs + timeout;
    if (hookDeadline === Number.POSITIVE_INFINITY && this.deadlineMs === Number.POSITIVE_INFINITY) {
      // Nothing can abandon this hook: the caller awaits it directly, with no wrapper promise.
      if (this.settings.signal === undefined) return result;
    }
    const run = new Run(context, index);
    if (hookDeadline <= this.deadlineMs) {
      run.deadlineMs = hookDeadline;
      run.budgetMs = timeout ?? Number.POSITIVE_INFINITY;
    } else {
      run.deadlineMs = this.deadlineMs;
      run.budgetMs = this.settings.deadline as number;
      run.budgetIsPhaseDeadline = true;
    }
    if (this.settings.concurrency === 1) {
      this.current = run;
      if (run.deadlineMs !== Number.POSITIVE_INFINITY) this.arm(run.deadlineMs);
      return result;
    }
    this.watched.add(run);
    const settled = run.untilSettled();
    this.settleWatched(result, run, outcome);
    if (run.deadlineMs !== Number.POSITIVE_INFINITY) this.arm(run.deadlineMs);
    return settled;
  }

  /** An async hook that may be abandoned: whatever it does after that is ignored, never unhandled. */
  private async settleWatched(result: PromiseLike<unknown>, run: Run, outcome: HookOutcome): Promise<void> {
    let failed = false;
    let error: unknown;
    try {
      await result;
    } catch (caught) {
      failed = true;
      error = caught;
    }
    if (run.settled) return;
    this.watched.delete(run);
    if (failed) this.fail(outcome, 'rejected', error);
    run.finish();
  }

  private fail(outcome: HookOutcome, status: HookStatus, error: unknown): void {
    outcome.status = status;
    outcome.error = error;
    if (this.settings.failFast) this.stopped = true;
  }

  /** Arms the shared timer for `atMs` (phase-relative) unless it already fires earlier. */
  private arm(atMs: number): void {
    if (atMs >= this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = atMs;
    // Node's timer clock has millisecond steps, so a timer may fire a fraction of a millisecond before
    // the mark by performance.now(); onTimer then re-arms for the rest rather than expire a hook early.
    const delay = Math.min(Math.max(Math.ceil(atMs - (performance.now() - this.t0)), 1), MAX_TIMER_DELAY);
    this.timer = setTimeout(this.onTimer, delay);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now() - this.t0;
    if (now >= this.deadlineMs) this.stop();
    let nextAt = Number.POSITIVE_INFINITY;
    for (const run of this.live()) {
      // A hook's abort listener may have aborted the phase, settling the rest, while this loop ran.
      if (run.settled) continue;
      if (run.deadlineMs <= now) this.expire(run);
      else if (run.deadlineMs < nextAt) nextAt = run.deadlineMs;
    }
    if (nextAt !== Number.POSITIVE_INFINITY) this.arm(nextAt);
  };

  /**
   * The runs that may still be abandoned: a serial phase's current one, or a copy of a concurrent
   * phase's watched ones (callers skip those that settle while they iterate).
   */
  private live(): Run[] {
    const current = this.current;
    if (current !== undefined) return current.settled ? [] : [current];
    return [...this.watched];
  }

  /** Abandons a run whose budget expired. */
  private expire(run: Run): void {
    this.watched.delete(run);
    const error = new HookTimeoutError(run.name, run.budgetMs, run.budgetIsPhaseDeadline);
    this.fail(this.outcomes[run.index] as HookOutcome, 'timedOut', error);
    run.finish(error);
    if (this.settings.concurrency === 1) this.resumeSerialAfter(run);
  }

  /** The phase deadline was reached: no further hook starts. */
  private stop(): void {
    this.stopped = true;
    this.deadlineReached = true;
  }

  /** The emit signal aborted: abandon every running hook and start no other. */
  private abort(): void {
    this.stopped = true;
    this.aborted = true;
    const reason = this.settings.signal?.reason;
    this.abortReason = reason;
    for (const run of this.live()) {
      if (run.settled) continue;
      this.watched.delete(run);
      this.fail(this.outcomes[run.index] as HookOutcome, 'rejected', reason);
      run.finish(reason);
      if (this.settings.concurrency === 1) this.resumeSerialAfter(run);
    }
  }

  private report(): PhaseReport<never> {
    const outcomes = this.outcomes;
    // Hooks unsubscribed before their turn are skipped without failing the phase; hooks left out
    // by an abort, a deadline or failFast are skipped as part of a failed phase.
    let ok = !this.aborted && !this.deadlineReached;
    for (let index = 0; index < outcomes.length; index++) {
      const outcome = outcomes[index];
      if (outcome === undefined) outcomes[index] = skipped(this.registrations[index] as Registration);
      else if (outcome.status === 'rejected' || outcome.status === 'timedOut') ok = false;
    }
    const report = {
      event: this.event as never,
      ok,
      startedAt: this.startedAt,
      durationMs: performance.now() - this.t0,
      hooks: outcomes,
    };
    if (!ok) {
      throw new LifecycleError(report, {
        aborted: this.aborted,
        abortReason: this.abortReason,
        deadline: this.deadlineReached ? this.settings.deadline : undefined,
      });
    }
    return report;
  }
}

function skipped(registration: Registration): HookOutcome {
  return { name: registration.name, priority: registration.priority, status: 'skipped', startMs: -1, durationMs: 0 };
}
