/**
 * The observer channel: what observers see of a phase and when, that a throwing observer cannot
 * break a phase, and that observers come and go cleanly.
 */
import t from 'tap';
import {
  type HookEndEvent,
  HookTimeoutError,
  LifecycleBus,
  LifecycleError,
  type PhaseEndEvent,
  type PhaseObserver,
  type PhaseStartEvent,
} from '../../src/index.js';
import { never, sleep } from '../helpers/time.js';

type Events = { beforeSnapshot: void; afterRestore: void };
type Seen = { type: string; [key: string]: unknown };

/** An observer that records every event it gets. */
function recorder(): { seen: Seen[]; observer: Required<PhaseObserver<Events>> } {
  const seen: Seen[] = [];
  const record = (event: object): void => {
    seen.push({ ...(event as Seen) });
  };
  return { seen, observer: { phaseStart: record, hookStart: record, hookEnd: record, phaseEnd: record } };
}

t.test(
  'observe() - a phase: phaseStart, then hookStart and hookEnd per hook, then phaseEnd with the report',
  async (t) => {
    const bus = new LifecycleBus<Events>({ timeout: 5_000 });
    bus.on('afterRestore', () => sleep(2), { name: 'db', priority: 10 });
    bus.on('afterRestore', () => {}, { name: 'cache', timeout: Number.POSITIVE_INFINITY });
    const { seen, observer } = recorder();
    bus.observe(observer);
    const report = await bus.emit('afterRestore', undefined, { deadline: 9_000 });
    t.same(
      seen.map((event) => `${event.type}${event.name ? ` ${event.name}` : ''}`),
      ['phaseStart', 'hookStart db', 'hookEnd db', 'hookStart cache', 'hookEnd cache', 'phaseEnd'],
    );
    const [start, dbStart, dbEnd, , cacheEnd, end] = seen as [Seen, Seen, Seen, Seen, Seen, Seen];
    t.match(start, {
      event: 'afterRestore',
      startedAt: report.startedAt,
      hookCount: 2,
      concurrency: 1,
      deadline: 9_000,
    });
    t.type(start.phaseId, 'number');
    t.ok(
      seen.every((event) => event.phaseId === start.phaseId && event.event === 'afterRestore'),
      'every event names the phase',
    );
    t.match(dbStart, { index: 0, name: 'db', priority: 10, startMs: report.hooks[0]?.startMs, timeout: 5_000 });
    t.match(dbEnd, {
      index: 0,
      status: 'fulfilled',
      startMs: report.hooks[0]?.startMs,
      durationMs: report.hooks[0]?.durationMs,
      timeout: 5_000,
    });
    t.notOk('error' in dbEnd, 'no error on a fulfilled hook');
    t.match(cacheEnd, { index: 1, name: 'cache', priority: 0, status: 'fulfilled', timeout: undefined });
    t.equal(end.report, report, 'phaseEnd carries the report emit resolves');
    t.equal(end.error, undefined);
  },
);

t.test(
  'observe() - failures: timed out, rejected and aborted hooks end with their error; skipped ones send nothing',
  async (t) => {
    for (const concurrency of [1, 3]) {
      const bus = new LifecycleBus<Events>({ concurrency });
      const refused = new Error('ECONNREFUSED');
      const controller = new AbortController();
      bus.on('afterRestore', never, { name: 'hung', timeout: 10, priority: 2 });
      bus.on('afterRestore', () => Promise.reject(refused), { name: 'refused', priority: 2 });
      bus.on(
        'afterRestore',
        () => {
          setTimeout(() => controller.abort(new Error('shutdown')), 5);
          return never();
        },
        { name: 'aborted', priority: 1 },
      );
      bus.on('afterRestore', () => {}, { name: 'never-started', priority: 0 });
      const { seen, observer } = recorder();
      bus.observe(observer);
      const error = await bus.emit('afterRestore', undefined, { signal: controller.signal }).catch((caught) => caught);
      t.type(error, LifecycleError);
      const ends = new Map(seen.filter((event) => event.type === 'hookEnd').map((event) => [event.name, event]));
      t.type(ends.get('hung')?.error, HookTimeoutError, `concurrency ${concurrency}: the timeout`);
      t.equal(ends.get('hung')?.status, 'timedOut');
      t.equal(ends.get('refused')?.error, refused, 'the very rejection');
      t.equal(ends.get('aborted')?.status, 'rejected');
      t.equal((ends.get('aborted')?.error as Error | undefined)?.message, 'shutdown');
      t.notOk(
        seen.some((event) => event.name === 'never-started'),
        'a skipped hook sends no hook event',
      );
      const end = seen.at(-1) as unknown as PhaseEndEvent;
      t.equal(end.type, 'phaseEnd', 'phaseEnd comes last, after every hookEnd');
      t.equal(end.error, error, 'phaseEnd carries the error emit rejects with');
      t.equal(end.report, (error as LifecycleError).report);
    }
  },
);

t.test('observe() - phaseStart comes synchronously inside emit(), so the caller context is current', async (t) => {
  const bus = new LifecycleBus<Events>();
  let inside = false;
  let startedInside: boolean | undefined;
  bus.observe({
    phaseStart: () => {
      startedInside = inside;
    },
  });
  inside = true;
  const emitted = bus.emit('beforeSnapshot');
  inside = false;
  await emitted;
  t.equal(startedInside, true);
});

t.test('observe() - overlapping phases are told apart by phaseId: a span tree per phase', async (t) => {
  const bus = new LifecycleBus<Events>({ concurrency: 2 });
  bus.on('afterRestore', () => sleep(5), { name: 'a' });
  bus.on('afterRestore', () => sleep(1), { name: 'b' });
  // A minimal tracer: a span per phase, a child span per hook, closed on the matching end.
  const spans = new Map<number, { name: string; children: string[]; open: Set<number>; closed: boolean }>();
  bus.observe({
    phaseStart: (event) => {
      spans.set(event.phaseId, { name: event.event, children: [], open: new Set(), closed: false });
    },
    hookStart: (event) => spans.get(event.phaseId)?.open.add(event.index),
    hookEnd: (event) => {
      const span = spans.get(event.phaseId);
      span?.open.delete(event.index);
      span?.children.push(`${event.name}:${event.status}`);
    },
    phaseEnd: (event) => {
      const span = spans.get(event.phaseId);
      if (span) span.closed = span.open.size === 0;
    },
  });
  await Promise.all([bus.emit('afterRestore'), bus.emit('afterRestore'), bus.emit('afterRestore')]);
  t.equal(spans.size, 3, 'one span per phase');
  for (const span of spans.values()) {
    t.same([...span.children].sort(), ['a:fulfilled', 'b:fulfilled'], 'each phase has its own two children');
    t.equal(span.closed, true, 'every child closed before its phase');
  }
});

t.test('observe() - an observer that throws cannot break a phase; its first error is one warning', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  process.on('warning', onWarning);
  t.teardown(() => {
    process.off('warning', onWarning);
  });
  const bus = new LifecycleBus<Events>();
  const ran: string[] = [];
  bus.on('beforeSnapshot', () => void ran.push('a'), { name: 'a' });
  bus.on('beforeSnapshot', async () => void ran.push('b'), { name: 'b' });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const boom = (): never => {
    throw revoked; // a hostile value, too
  };
  bus.observe({ phaseStart: boom, hookStart: boom, hookEnd: boom, phaseEnd: boom });
  const { seen, observer } = recorder();
  bus.observe(observer);
  for (let round = 0; round < 3; round++) {
    const report = await bus.emit('beforeSnapshot');
    t.equal(report.ok, true, `round ${round}: the phase is unaffected`);
  }
  t.same(ran, ['b', 'a', 'b', 'a', 'b', 'a'], 'every hook ran');
  t.equal(seen.filter((event) => event.type === 'phaseEnd').length, 3, 'the other observer saw everything');
  await sleep(10);
  const ours = warnings.filter((warning) => (warning as { code?: string }).code === 'SNAPSTART_HOOKS_OBSERVER');
  t.equal(ours.length, 1, 'one warning for the broken observer, not one per event');
  t.match(ours[0]?.message, /^a LifecycleBus observer's phaseStart threw: /);
});

t.test('observe() - unsubscribe, using, partial observers, classes, and phases already running', async (t) => {
  const bus = new LifecycleBus<Events>();
  bus.on('afterRestore', () => sleep(10), { name: 'slow' });
  const ends: PhaseEndEvent[] = [];
  const off = bus.observe({ phaseEnd: (event) => void ends.push(event) });
  await bus.emit('afterRestore');
  off();
  off();
  await bus.emit('afterRestore');
  t.equal(ends.length, 1, 'no event after unsubscribing (twice is harmless)');

  const starts: PhaseStartEvent[] = [];
  {
    using _scoped = bus.observe({ phaseStart: (event) => void starts.push(event) });
    await bus.emit('afterRestore');
  }
  await bus.emit('afterRestore');
  t.equal(starts.length, 1, 'a using declaration stops observing at the end of its scope');

  // An observer attached while a phase runs sees only the phases that start after it.
  const running = bus.emit('afterRestore');
  const late: HookEndEvent[] = [];
  bus.observe({ hookEnd: (event) => void late.push(event) });
  await running;
  t.equal(late.length, 0, 'no event of a phase that started before the observer');
  await bus.emit('afterRestore');
  t.equal(late.length, 1, 'the next phase is seen');

  // Methods of a class instance count; Object.prototype does not.
  class Telemetry {
    readonly names: string[] = [];
    hookStart(event: { name: string }): void {
      this.names.push(event.name);
    }
  }
  const telemetry = new Telemetry();
  bus.observe(telemetry);
  await bus.emit('afterRestore');
  t.same(telemetry.names, ['slow'], 'class methods are called with the observer as this');
  const prototype = Object.prototype as Record<string, unknown>;
  prototype.phaseEnd = () => t.fail('an inherited phaseEnd was called');
  try {
    t.throws(() => bus.observe({}), { name: 'TypeError', message: /at least one of the methods/ });
    bus.observe({ hookEnd: () => {} });
    await bus.emit('afterRestore');
  } finally {
    delete prototype.phaseEnd;
  }
});

t.test('observe() - a bad observer is refused with a TypeError', async (t) => {
  const bus = new LifecycleBus<Events>();
  const bad: [string, unknown, RegExp][] = [
    ['undefined', undefined, /^observer must be an object, got undefined$/],
    ['null', null, /^observer must be an object, got null$/],
    ['a function', () => {}, /^observer must be an object, got function/],
    [
      'no method',
      { other() {} },
      /^observer must have at least one of the methods phaseStart, hookStart, hookEnd, phaseEnd/,
    ],
    ['a method that is not a function', { hookEnd: 'log' }, /^observer\.hookEnd must be a function, got "log"$/],
  ];
  for (const [label, observer, message] of bad) {
    t.throws(() => bus.observe(observer as PhaseObserver<Events>), { name: 'TypeError', message }, label);
  }
  t.equal((await bus.emit('afterRestore')).ok, true, 'nothing was attached');
});
