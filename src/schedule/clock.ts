/**
 * The clock of a phase: monotonic milliseconds, read once per hook.
 *
 * `process.hrtime()` is the cheapest correct clock Node 20 offers from JavaScript: `performance.now()`
 * is the same reading plus a subtraction, reached through `globalThis.performance`, an accessor
 * that costs about 5 ns more per read; `process.hrtime.bigint()` allocates two BigInts per
 * difference. `process` is looked up at each read, so fake timers (Jest, Sinon) that replace
 * `process.hrtime` together with `setTimeout` keep the two consistent. Only differences of these
 * readings mean anything: a phase subtracts its own start.
 *
 * @module
 */

/** Monotonic time in ms from an arbitrary origin, with sub-microsecond precision. */
export function clockMs(): number {
  const time = process.hrtime();
  return (time[0] as number) * 1e3 + (time[1] as number) / 1e6;
}
