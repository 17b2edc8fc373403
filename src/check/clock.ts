/**
 * A movable clock for the checked process. Each "restore" moves `Date`, `performance.now()` and
 * `process.hrtime` a day further on, as if it happened days after the snapshot (as on Lambda): a
 * timestamp read per invocation then differs between restores at any resolution (ms, s, days), while
 * one read at init stays the same. The control init runs a year ahead, so its init-time readings
 * differ from the snapshot's at any resolution too.
 *
 * @module
 */

/** One day, the step between two restores. */
export const DAY_MS = 86_400_000;

/** Where the control init's clock stands. */
export const CONTROL_OFFSET_MS = 365 * DAY_MS;

let offset = 0;
let installed = false;

/** Moves the clock to `ms` from the real time (0: real time). */
export function setClockOffset(ms: number): void {
  offset = ms;
}

/**
 * Replaces the global `Date`, `performance.now` and `process.hrtime` with versions that add the
 * offset. `new Date(x)`, `Date.UTC` and `Date.parse` are unchanged; `instanceof Date` still holds.
 * Idempotent.
 */
export function installMovableClock(initialOffset = 0): void {
  offset = initialOffset;
  if (installed) return;
  installed = true;
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length === 0 ? [realNow() + offset] : args, newTarget);
    },
    apply() {
      return new RealDate(realNow() + offset).toString();
    },
    get(target, key, receiver) {
      if (key === 'now') return () => realNow() + offset;
      return Reflect.get(target, key, receiver);
    },
  });
  const realPerformanceNow = performance.now.bind(performance);
  performance.now = () => realPerformanceNow() + offset;
  const realHrtime = process.hrtime;
  const shiftedNs = () => realHrtime.bigint() + BigInt(offset) * 1_000_000n;
  const hrtime = ((previous?: [number, number]) => {
    const now = shiftedNs();
    const since = previous === undefined ? now : now - (BigInt(previous[0]) * 1_000_000_000n + BigInt(previous[1]));
    return [Number(since / 1_000_000_000n), Number(since % 1_000_000_000n)];
  }) as NodeJS.HRTime;
  hrtime.bigint = shiftedNs;
  process.hrtime = hrtime;
}
