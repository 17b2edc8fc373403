/**
 * The one timer of a phase: every hook timeout and the phase deadline share it, armed for the
 * earliest mark still pending.
 *
 * @module
 */
import { MAX_TIMER_DELAY } from '../util/timers.js';
import { clockMs } from './clock.js';

/** What the timer calls when it fires: it re-arms the timer for the next mark it needs. */
export interface TimerTarget {
  expire(): void;
}

/** A single `setTimeout`, re-armed only when a mark earlier than the pending one comes in. */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined = undefined;
  private atMs = Number.POSITIVE_INFINITY;
  /** The phase's clock origin (`clockMs()` at its start): marks are relative to it. */
  private readonly t0: number;
  private readonly target: TimerTarget;

  /**
   * @param t0 - the clock origin of the marks.
   * @param target - told when the timer fires.
   */
  constructor(t0: number, target: TimerTarget) {
    this.t0 = t0;
    this.target = target;
  }

  /** Arms the timer for `atMs` (relative to `t0`) unless it already fires earlier. */
  arm(atMs: number): void {
    if (atMs >= this.atMs) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.atMs = atMs;
    // Node's timer clock has millisecond steps, so a timer may fire a fraction of a millisecond before
    // the mark by the phase clock; the phase then re-arms for the rest rather than expire a hook early.
    const delay = Math.min(Math.max(Math.ceil(atMs - (clockMs() - this.t0)), 1), MAX_TIMER_DELAY);
    // The timer is passed as the callback's argument: no closure per arm.
    this.timer = setTimeout(fire, delay, this);
  }

  /** Cancels the pending mark, if any. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.atMs = Number.POSITIVE_INFINITY;
  }

  /** The timer fired. */
  fired(): void {
    this.timer = undefined;
    this.atMs = Number.POSITIVE_INFINITY;
    this.target.expire();
  }
}

function fire(timer: DeadlineTimer): void {
  timer.fired();
}
