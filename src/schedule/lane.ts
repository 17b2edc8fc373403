/**
 * A lane: where a strategy runs hooks one after another, and what the phase knows of the hook in
 * flight on it (its ctx and its budget).
 *
 * @module
 */
import type { Context } from './context.js';

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
