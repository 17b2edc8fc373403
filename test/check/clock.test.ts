import t from 'tap';
import { DAY_MS, installMovableClock, setClockOffset } from '../../src/check/clock.js';

// This file's process keeps the movable clock installed; every assertion is about it.
installMovableClock(0);
installMovableClock(0); // idempotent

t.test('installMovableClock() - Date, performance.now and process.hrtime move with the offset', async (t) => {
  const realBefore = Date.now();
  const hrBefore = process.hrtime.bigint();
  const perfBefore = performance.now();
  setClockOffset(DAY_MS);
  t.ok(Date.now() - realBefore >= DAY_MS && Date.now() - realBefore < DAY_MS + 60_000, 'Date.now()');
  const constructed = new Date();
  t.ok(constructed.getTime() - realBefore >= DAY_MS, 'new Date()');
  t.match(Date(), /\d{2}:\d{2}:\d{2}/, 'Date() as a function');
  t.ok(Date.parse(Date()) - realBefore >= DAY_MS - 1000, 'Date() is moved too');
  t.equal(new Date(0).getTime(), 0, 'new Date(x) is unchanged');
  t.equal(Date.UTC(2020, 0, 1), 1_577_836_800_000);
  t.ok(new Date() instanceof Date);
  t.ok(performance.now() - perfBefore >= DAY_MS, 'performance.now()');
  t.ok(process.hrtime.bigint() - hrBefore >= BigInt(DAY_MS) * 1_000_000n, 'process.hrtime.bigint()');
  const [seconds] = process.hrtime();
  t.ok(seconds >= DAY_MS / 1000, 'process.hrtime()');
  const start = process.hrtime();
  const [, nanos] = process.hrtime(start);
  t.ok(nanos >= 0 && nanos < 1e9, 'process.hrtime(previous) measures a difference');
  setClockOffset(0);
  t.ok(Math.abs(Date.now() - realBefore) < 60_000, 'back to the real time');
});
