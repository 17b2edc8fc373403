/**
 * Timer and clock facts shared by the bus and the bridges.
 *
 * @module
 */

/** `setTimeout` fires at once for delays above this (2^31 - 1 ms), so longer waits are re-armed in steps. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** Now, in ms since the epoch, with sub-ms precision (comparable across processes). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
