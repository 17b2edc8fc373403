/**
 * `timing: false` (bus option and emit option): hooks are not timed, their `startMs` and
 * `durationMs` are `NaN`, the phase itself is still measured, and timeouts and the deadline are
 * still enforced.
 */
import t from 'tap';
import {
  formatReport,
  type HookEndEvent,
  type HookOutcome,
  type HookStartEvent,
  HookTimeoutError,
  LifecycleBus,
} from '../../src/index.js';
import { failedPhase } from '../helpers/phase.js';
import { never, sleep } from '../helpers/time.js';

type Events = { phase: void };

/** Whether the hook's two times are both `NaN`. */
const untimed = (hook: HookOutcome): boolean => Number.isNaN(hook.startMs) && Number.isNaN(hook.durationMs);

t.test('new LifecycleBus({ timing: false }) - hooks run in order, untimed; the phase is measured', async (t) => {
  const bus = new LifecycleBus<Events>({ timing: false });
  const ran: string[] = [];
  bus.on('phase', () => {
    ran.push('sync');
  });
  bus.on('phase', async () => {
    await sleep(5);
    ran.push('async');
  });
  bus.on('phase', () => {}, { priority: -1, name: 'last' });
  const before = Date.now();
  const report = await bus.emit('phase');
  t.same(ran, ['sync', 'async']);
  t.equal(report.ok, true);
  t.same(
    report.hooks.map((hook) => hook.status),
    ['fulfilled', 'fulfilled', 'fulfilled'],
  );
  t.ok(report.hooks.every(untimed), 'every hook: startMs and durationMs are NaN');
  t.ok(report.durationMs >= 4, `the phase is measured (${report.durationMs} ms, one hook slept 5 ms)`);
  t.ok(report.startedAt >= before && report.startedAt <= Date.now(), 'startedAt is the wall clock');
});

t.test('emit(..., { timing }) - overrides the bus, both ways', async (t) => {
  const timed = new LifecycleBus<Events>();
  timed.on('phase', () => {});
  const off = await timed.emit('phase', undefined, { timing: false });
  t.ok(off.hooks.every(untimed), 'a timed bus, emitted with timing: false');
  const on = await timed.emit('phase');
  t.ok(
    on.hooks.every((hook) => hook.startMs >= 0 && hook.durationMs >= 0),
    'the next emit is timed again',
  );

  const untimedBus = new LifecycleBus<Events>({ timing: false, concurrency: 2 });
  untimedBus.on('phase', () => {});
  untimedBus.on('phase', () => sleep(1));
  const forced = await untimedBus.emit('phase', undefined, { timing: true });
  t.ok(
    forced.hooks.every((hook) => Number.isFinite(hook.startMs) && Number.isFinite(hook.durationMs)),
    'an untimed bus, emitted with timing: true',
  );
  const tiers = await untimedBus.emit('phase');
  t.ok(tiers.hooks.every(untimed), 'the concurrent strategy leaves hooks untimed too');
});

t.test('timing: false - a hook that hangs still times out, and the next one runs', async (t) => {
  const bus = new LifecycleBus<Events>({ timing: false });
  let aborted: unknown;
  bus.on(
    'phase',
    (ctx) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = ctx.signal.reason;
      });
      return never();
    },
    { name: 'hung', timeout: 20 },
  );
  let ranAfter = false;
  bus.on('phase', () => {
    ranAfter = true;
  });
  const started = performance.now();
  const error = await failedPhase(bus.emit('phase'));
  t.ok(performance.now() - started >= 19, 'not before its timeout');
  const [hung, next] = error.report.hooks as [HookOutcome, HookOutcome];
  t.equal(hung.status, 'timedOut');
  t.type(hung.error, HookTimeoutError);
  t.equal(aborted, hung.error, 'its signal aborted with the HookTimeoutError');
  t.ok(untimed(hung), 'the timed-out hook is untimed too');
  t.equal(next.status, 'fulfilled');
  t.ok(ranAfter && untimed(next));
  t.ok(error.report.durationMs >= 19, 'the phase lasted the timeout');
});

t.test('timing: false - the deadline stops the phase after a hook that blocked past it', async (t) => {
  const bus = new LifecycleBus<Events>({ timing: false });
  bus.on('phase', () => {
    const end = performance.now() + 30;
    while (performance.now() < end) {}
  });
  bus.on('phase', () => {}, { name: 'late' });
  const error = await failedPhase(bus.emit('phase', undefined, { deadline: 10 }));
  const [blocking, late] = error.report.hooks as [HookOutcome, HookOutcome];
  t.equal(blocking.status, 'timedOut', 'the hook that blocked past the deadline is timed out');
  t.equal((blocking.error as HookTimeoutError).phaseDeadline, true);
  t.equal(late.status, 'skipped');
  t.equal(late.startMs, -1, 'a skipped hook keeps its usual -1 and 0');
  t.equal(late.durationMs, 0);
});

t.test('timing: false - a sync hook that blocks past its own timeout is timed out', async (t) => {
  const bus = new LifecycleBus<Events>({ timing: false });
  bus.on(
    'phase',
    () => {
      const end = performance.now() + 15;
      while (performance.now() < end) {}
    },
    { timeout: 5 },
  );
  const error = await failedPhase(bus.emit('phase'));
  const [hook] = error.report.hooks as [HookOutcome];
  t.equal(hook.status, 'timedOut');
  t.equal((hook.error as HookTimeoutError).timeout, 5);
});

t.test('timing: false - observers get NaN times', async (t) => {
  const bus = new LifecycleBus<Events>({ timing: false });
  bus.on('phase', () => {}, { name: 'only' });
  const starts: HookStartEvent[] = [];
  const ends: HookEndEvent[] = [];
  bus.observe({ hookStart: (event) => starts.push(event), hookEnd: (event) => ends.push(event) });
  await bus.emit('phase');
  t.equal(starts.length, 1);
  t.equal(ends.length, 1);
  t.ok(Number.isNaN(starts[0]?.startMs));
  t.ok(Number.isNaN(ends[0]?.startMs) && Number.isNaN(ends[0]?.durationMs));
  t.equal(ends[0]?.status, 'fulfilled');
});

t.test('formatReport() - an untimed hook shows "–" and no bar', async (t) => {
  const bus = new LifecycleBus<Events>({ timing: false });
  bus.on('phase', () => {}, { name: 'quick' });
  const text = formatReport(await bus.emit('phase'), { width: 10 });
  const line = text.split('\n')[1] as string;
  t.match(line, /^ {2}quick +p0 +fulfilled +– +– \| {10}\|$/, line);
});

t.test('timing - a value that is not a boolean is refused, naming the option', async (t) => {
  t.throws(() => new LifecycleBus({ timing: 'no' } as never), {
    name: 'TypeError',
    message: /^options\.timing must be a boolean, got "no"/,
  });
  const bus = new LifecycleBus<Events>();
  t.throws(() => bus.emit('phase', undefined, { timing: 0 } as never), {
    name: 'TypeError',
    message: /^options\.timing must be a boolean, got 0/,
  });
});
