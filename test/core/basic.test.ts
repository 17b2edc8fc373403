import t from 'tap';
import { LifecycleBus, type PhaseReport } from '../../src/index.js';

type Events = { beforeSnapshot: void; afterRestore: void; configChanged: { key: string } };

t.test('emit() - resolves a report when every hook succeeds', async (t) => {
  const bus = new LifecycleBus<Events>();
  const seen: string[] = [];
  bus.on('afterRestore', function db() {
    seen.push('db');
  });
  bus.on('afterRestore', async function cache() {
    await Promise.resolve();
    seen.push('cache');
  });
  const before = Date.now();
  const report: PhaseReport<'afterRestore'> = await bus.emit('afterRestore');
  t.same(seen, ['db', 'cache']);
  t.equal(report.event, 'afterRestore');
  t.equal(report.ok, true);
  t.ok(report.startedAt >= before && report.startedAt <= Date.now(), 'startedAt is wall-clock ms');
  t.ok(report.durationMs >= 0);
  t.same(
    report.hooks.map(({ name, priority, status }) => ({ name, priority, status })),
    [
      { name: 'db', priority: 0, status: 'fulfilled' },
      { name: 'cache', priority: 0, status: 'fulfilled' },
    ],
  );
  for (const hook of report.hooks) {
    t.ok(hook.startMs >= 0 && hook.durationMs >= 0, 'startMs and durationMs are measured');
    t.notOk('error' in hook, 'no error on a fulfilled hook');
  }
});

t.test('emit() - an event without hooks resolves an empty ok report', async (t) => {
  const bus = new LifecycleBus<Events>();
  const report = await bus.emit('beforeSnapshot');
  t.equal(report.ok, true);
  t.same(report.hooks, []);
});

t.test('emit() - the hook gets one ctx argument with event, payload, name, priority and signal', async (t) => {
  const bus = new LifecycleBus<Events>();
  let seenArgs: unknown[] = [];
  bus.on(
    'configChanged',
    (...args) => {
      seenArgs = args;
    },
    { name: 'watcher', priority: 3 },
  );
  await bus.emit('configChanged', { key: 'region' });
  t.equal(seenArgs.length, 1);
  const ctx = seenArgs[0] as { event: string; payload: unknown; name: string; priority: number; signal: AbortSignal };
  t.equal(ctx.event, 'configChanged');
  t.same(ctx.payload, { key: 'region' });
  t.equal(ctx.name, 'watcher');
  t.equal(ctx.priority, 3);
  t.ok(ctx.signal instanceof AbortSignal);
  t.equal(ctx.signal.aborted, false);
  t.equal(ctx.signal, ctx.signal, 'the signal is created once and kept');
});

t.test('emit() - the payload of a void event is undefined', async (t) => {
  const bus = new LifecycleBus<Events>();
  let payload: unknown = 'unset';
  bus.on('afterRestore', (ctx) => {
    payload = ctx.payload;
  });
  await bus.emit('afterRestore');
  t.equal(payload, undefined);
});

t.test('on() - names: option, function name, then a generated one', async (t) => {
  const bus = new LifecycleBus<Events>();
  bus.on('afterRestore', function named() {}, { name: 'explicit' });
  bus.on('afterRestore', function named() {});
  bus.on('afterRestore', () => {});
  const report = await bus.emit('afterRestore');
  t.equal(report.hooks[0]?.name, 'explicit');
  t.equal(report.hooks[1]?.name, 'named');
  t.match(report.hooks[2]?.name, /^hook#\d+$/);
});

t.test('on() - returns an idempotent unsubscribe function', async (t) => {
  const bus = new LifecycleBus<Events>();
  let runs = 0;
  const off = bus.on('afterRestore', () => {
    runs++;
  });
  t.equal(bus.listenerCount('afterRestore'), 1);
  off();
  off();
  t.equal(bus.listenerCount('afterRestore'), 0);
  await bus.emit('afterRestore');
  t.equal(runs, 0);
});

t.test('on() - the unsubscribe function is Disposable: a using declaration unsubscribes', async (t) => {
  const bus = new LifecycleBus<Events>();
  {
    using off = bus.on('afterRestore', () => {});
    using _once = bus.once('afterRestore', () => {});
    t.equal(bus.listenerCount('afterRestore'), 2);
    t.equal(off[Symbol.dispose], off, 'disposing is unsubscribing');
  }
  t.equal(bus.listenerCount('afterRestore'), 0, 'both unsubscribed at the end of the scope');
  const early = bus.on('afterRestore', () => {}, { signal: AbortSignal.abort() });
  t.type(early[Symbol.dispose], 'function', 'also when nothing was registered');
  early[Symbol.dispose]();
});

t.test('on() - the same function registered twice runs twice', async (t) => {
  const bus = new LifecycleBus<Events>();
  let runs = 0;
  const hook = (): void => {
    runs++;
  };
  bus.on('afterRestore', hook);
  bus.on('afterRestore', hook);
  await bus.emit('afterRestore');
  t.equal(runs, 2);
});

t.test('on() - a signal option unsubscribes when it aborts', async (t) => {
  const bus = new LifecycleBus<Events>();
  const controller = new AbortController();
  let runs = 0;
  bus.on(
    'afterRestore',
    () => {
      runs++;
    },
    { signal: controller.signal },
  );
  await bus.emit('afterRestore');
  controller.abort();
  t.equal(bus.listenerCount('afterRestore'), 0);
  await bus.emit('afterRestore');
  t.equal(runs, 1);
});

t.test('on() - an already aborted signal registers nothing', async (t) => {
  const bus = new LifecycleBus<Events>();
  const off = bus.on('afterRestore', () => {}, { signal: AbortSignal.abort() });
  t.equal(bus.listenerCount('afterRestore'), 0);
  t.type(off, 'function');
  off();
});

t.test('on() - unsubscribing detaches the signal listener', async (t) => {
  const bus = new LifecycleBus<Events>();
  const controller = new AbortController();
  let runs = 0;
  const off = bus.on('afterRestore', () => runs++, { signal: controller.signal });
  off();
  bus.on('afterRestore', () => runs++);
  controller.abort();
  t.equal(bus.listenerCount('afterRestore'), 1, 'aborting later removes nothing else');
  await bus.emit('afterRestore');
  t.equal(runs, 1);
});

t.test('once() - runs the hook at most once', async (t) => {
  const bus = new LifecycleBus<Events>();
  let runs = 0;
  bus.once('afterRestore', () => {
    runs++;
  });
  t.equal(bus.listenerCount('afterRestore'), 1);
  await bus.emit('afterRestore');
  t.equal(bus.listenerCount('afterRestore'), 0);
  const second = await bus.emit('afterRestore');
  t.equal(runs, 1);
  t.same(second.hooks, []);
});

t.test('once() - two phases running at the same time run it once', async (t) => {
  const bus = new LifecycleBus<Events>();
  let runs = 0;
  bus.on('afterRestore', () => new Promise((resolve) => setTimeout(resolve, 5)), { name: 'slow' });
  bus.once('afterRestore', () => {
    runs++;
  });
  // Both phases snapshot the once hook while 'slow' runs; the first to reach it runs it.
  const [first, second] = await Promise.all([bus.emit('afterRestore'), bus.emit('afterRestore')]);
  t.equal(runs, 1);
  t.same([first.hooks[1]?.status, second.hooks[1]?.status], ['fulfilled', 'skipped']);
  t.equal(second.ok, true, 'a hook gone before its turn does not fail the phase');
});

t.test('once() - returns an unsubscribe function', async (t) => {
  const bus = new LifecycleBus<Events>();
  let runs = 0;
  const off = bus.once('afterRestore', () => runs++);
  off();
  await bus.emit('afterRestore');
  t.equal(runs, 0);
});

t.test('off() - removes every registration of the function for that event only', async (t) => {
  const bus = new LifecycleBus<Events>();
  const calls: string[] = [];
  const hook = (ctx: { event: string }): void => {
    calls.push(ctx.event);
  };
  bus.on('afterRestore', hook);
  bus.on('afterRestore', hook);
  bus.on('beforeSnapshot', hook);
  t.equal(bus.off('afterRestore', hook), true);
  t.equal(bus.off('afterRestore', hook), false, 'nothing left to remove');
  t.equal(bus.off('configChanged', hook), false, 'an event without hooks');
  await bus.emit('afterRestore');
  await bus.emit('beforeSnapshot');
  t.same(calls, ['beforeSnapshot']);
});

t.test('listenerCount() - per event and in total', async (t) => {
  const bus = new LifecycleBus<Events>();
  t.equal(bus.listenerCount(), 0);
  bus.on('afterRestore', () => {});
  bus.on('afterRestore', () => {});
  bus.on('beforeSnapshot', () => {});
  t.equal(bus.listenerCount('afterRestore'), 2);
  t.equal(bus.listenerCount('beforeSnapshot'), 1);
  t.equal(bus.listenerCount('configChanged'), 0);
  t.equal(bus.listenerCount(), 3);
});

t.test('eventNames() - lists events that have hooks', async (t) => {
  const bus = new LifecycleBus<Events>();
  t.same(bus.eventNames(), []);
  const off = bus.on('afterRestore', () => {});
  bus.on('beforeSnapshot', () => {});
  t.same(bus.eventNames().sort(), ['afterRestore', 'beforeSnapshot']);
  off();
  t.same(bus.eventNames(), ['beforeSnapshot']);
});

t.test('clear() - one event or all', async (t) => {
  const bus = new LifecycleBus<Events>();
  let runs = 0;
  const controller = new AbortController();
  bus.on('afterRestore', () => runs++, { signal: controller.signal });
  bus.on('beforeSnapshot', () => runs++);
  bus.clear('afterRestore');
  t.equal(bus.listenerCount('afterRestore'), 0);
  t.equal(bus.listenerCount('beforeSnapshot'), 1);
  bus.on('afterRestore', () => runs++);
  controller.abort();
  t.equal(bus.listenerCount('afterRestore'), 1, 'a cleared hook no longer reacts to its signal');
  bus.clear();
  t.equal(bus.listenerCount(), 0);
  await bus.emit('afterRestore');
  await bus.emit('beforeSnapshot');
  t.equal(runs, 0);
});

t.test('emit() - works on the hooks registered when it starts', async (t) => {
  const bus = new LifecycleBus<Events>();
  const ran: string[] = [];
  bus.on('afterRestore', function first() {
    ran.push('first');
    bus.on('afterRestore', function late() {
      ran.push('late');
    });
  });
  const report = await bus.emit('afterRestore');
  t.same(ran, ['first'], 'a hook added during the phase waits for the next one');
  t.same(
    report.hooks.map((hook) => hook.name),
    ['first'],
  );
  await bus.emit('afterRestore');
  t.same(ran, ['first', 'first', 'late']);
});

t.test('emit() - a hook removed before its turn does not run and is reported skipped', async (t) => {
  const bus = new LifecycleBus<Events>();
  const ran: string[] = [];
  let offSecond = (): void => {};
  bus.on('afterRestore', async function first() {
    await Promise.resolve();
    ran.push('first');
    offSecond();
  });
  offSecond = bus.on('afterRestore', function second() {
    ran.push('second');
  });
  const report = await bus.emit('afterRestore');
  t.same(ran, ['first']);
  t.same(
    report.hooks.map((hook) => [hook.name, hook.status, hook.startMs, hook.durationMs]),
    [
      ['first', 'fulfilled', report.hooks[0]?.startMs, report.hooks[0]?.durationMs],
      ['second', 'skipped', -1, 0],
    ],
  );
  t.equal(report.ok, true);
});

t.test('emit() - phases of different buses are independent', async (t) => {
  const one = new LifecycleBus<Events>();
  const two = new LifecycleBus<Events>();
  one.on('afterRestore', () => {});
  t.equal((await two.emit('afterRestore')).hooks.length, 0);
  t.equal((await one.emit('afterRestore')).hooks.length, 1);
});
