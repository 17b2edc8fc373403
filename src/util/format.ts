/**
 * Pieces of the text waterfalls drawn by `formatReport` and `formatSimulation`.
 *
 * @module
 */

/** A duration for a waterfall column: two decimals under 10 ms, one above. */
export function formatMs(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

/**
 * One waterfall bar of `width` characters: `fill` from `startMs` for `durationMs` (at least one
 * character) on an axis of `totalMs`, blanks elsewhere; all blanks when `startMs` is negative (skipped)
 * or either time is `NaN` (not timed).
 */
export function drawBar(startMs: number, durationMs: number, totalMs: number, width: number, fill = '█'): string {
  if (!(startMs >= 0) || Number.isNaN(durationMs)) return ' '.repeat(width);
  const from = Math.min(width - 1, Math.max(0, Math.floor((startMs / totalMs) * width)));
  const length = Math.max(1, Math.round((durationMs / totalMs) * width));
  const to = Math.min(width, from + length);
  return ' '.repeat(from) + fill.repeat(to - from) + ' '.repeat(width - to);
}
