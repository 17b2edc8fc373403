import t from 'tap';
import { LifecycleBus } from '../../src/index.js';
import { ActiveCounter, sleep } from '../helpers/time.js';

type Events = { beforeSnapshot: void; afterRestore: void; custom: void };

/** Registers one recording hook per [name, priority] and returns the run order after emit. */
async function runOrder(
  bus: LifecycleBus<Events>,
  event: keyof Events,
  hooks: Array<[string, number]>,
): Promise<string[]> {
  const ran: string[] = [];
  for (const [name, priority] of hooks) {
    bus.on(
      event,
      async () => {
        ran.push(name);
        await sleep(1);
      },
      { name, priority },
    );
  }
  const report = await bus.emit(event);
  const reported = report.hooks.map((hook) => hook.name);
  if (reported.join() !== ran.join()) throw new Error(`report order ${reported} differs from run order ${ran}`);
  return ran;
}

t.test('emit() - higher priorities run first', async (t) => {
  const order = await runOrder(new LifecycleBus<Events>(), 'afterRestore', [
    ['low', -5],
    ['high', 10],
    ['mid', 0],
    ['highest', 100],
    ['fraction', 0.5],
  ]);
  t.same(order, ['highest', 'high', 'fraction', 'mid', 'low']);
});

t.test('emit() - equal priorities: afterRestore and other events run oldest first (FIFO)', async (t) => {
  for (const event of ['afterRestore', 'custom'] as const) {
    const order = await runOrder(new LifecycleBus<Events>(), event, [
      ['a', 0],
      ['b', 1],
      ['c', 0],
      ['d', 1],
      ['e', 0],
    ]);
    t.same(order, ['b', 'd', 'a', 'c', 'e'], event);
  }
});

t.test('emit() - equal priorities: beforeSnapshot runs newest first (LIFO)', async (t) => {
  const order = await runOrder(new LifecycleBus<Events>(), 'beforeSnapshot', [
    ['a', 0],
    ['b', 1],
    ['c', 0],
    ['d', 1],
    ['e', 0],
  ]);
  t.same(order, ['d', 'b', 'e', 'c', 'a']);
});

t.test('new LifecycleBus() - the order option overrides the tie order per event', async (t) => {
  const bus = new LifecycleBus<Events>({ order: { beforeSnapshot: 'fifo', custom: 'lifo' } });
  t.same(
    await runOrder(bus, 'beforeSnapshot', [
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]),
    ['a', 'b', 'c'],
  );
  t.same(
    await runOrder(bus, 'custom', [
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]),
    ['c', 'b', 'a'],
  );
  t.same(
    await runOrder(bus, 'afterRestore', [
      ['a', 0],
      ['b', 0],
    ]),
    ['a', 'b'],
    'events not named keep their default',
  );
});

t.test('emit() - concurrency bounds the hooks running at once inside a tier', async (t) => {
  for (const concurrency of [1, 2, 3, 8]) {
    const bus = new LifecycleBus<Events>({ concurrency });
    const counter = new ActiveCounter();
    for (let index = 0; index < 12; index++) {
      bus.on('afterRestore', () => counter.track(() => sleep(2 + (index % 3))));
    }
    const report = await bus.emit('afterRestore');
    t.equal(counter.maxActive, concurrency, `never more than ${concurrency} active, and that many reached`);
    t.equal(report.hooks.filter((hook) => hook.status === 'fulfilled').length, 12);
  }
});

t.test('emit() - concurrency Infinity starts a whole tier at once', async (t) => {
  const bus = new LifecycleBus<Events>({ concurrency: Number.POSITIVE_INFINITY });
  const counter = new ActiveCounter();
  for (let index = 0; index < 20; index++) bus.on('afterRestore', () => counter.track(() => sleep(5)));
  await bus.emit('afterRestore');
  t.equal(counter.maxActive, 20);
});

t.test('emit() - the concurrency option of emit overrides the bus for one phase', async (t) => {
  const bus = new LifecycleBus<Events>({ concurrency: 4 });
  const counter = new ActiveCounter();
  for (let index = 0; index < 6; index++) bus.on('afterRestore', () => counter.track(() => sleep(2)));
  await bus.emit('afterRestore', undefined, { concurrency: 2 });
  t.equal(counter.maxActive, 2);
  counter.maxActive = 0;
  await bus.emit('afterRestore');
  t.equal(counter.maxActive, 4);
});

t.test('emit() - tiers run strictly one after another, even with spare concurrency', async (t) => {
  const bus = new LifecycleBus<Events>({ concurrency: 8 });
  const events: string[] = [];
  const hook = (name: string, ms: number) => async () => {
    events.push(`start ${name}`);
    await sleep(ms);
    events.push(`end ${name}`);
  };
  bus.on('afterRestore', hook('high-slow', 30), { priority: 2, name: 'high-slow' });
  bus.on('afterRestore', hook('high-fast', 1), { priority: 2, name: 'high-fast' });
  bus.on('afterRestore', hook('mid', 1), { priority: 1, name: 'mid' });
  bus.on('afterRestore', hook('low-a', 5), { priority: 0, name: 'low-a' });
  bus.on('afterRestore', hook('low-b', 1), { priority: 0, name: 'low-b' });
  const report = await bus.emit('afterRestore');
  t.same(events.slice(0, 2), ['start high-slow', 'start high-fast'], 'a tier starts together');
  t.ok(events.indexOf('end high-slow') < events.indexOf('start mid'), 'the next tier waits for the slowest hook');
  t.ok(events.indexOf('end mid') < events.indexOf('start low-a'));
  const byName = new Map(report.hooks.map((outcome) => [outcome.name, outcome]));
  const highSlow = byName.get('high-slow');
  const mid = byName.get('mid');
  t.ok(highSlow && mid && mid.startMs >= highSlow.startMs + highSlow.durationMs - 0.5, 'report times agree');
});

t.test('emit() - with concurrency 1 the bus is exactly serial across tiers', async (t) => {
  const bus = new LifecycleBus<Events>();
  const counter = new ActiveCounter();
  const ran: number[] = [];
  for (let index = 0; index < 10; index++) {
    bus.on('afterRestore', () => counter.track(async () => void ran.push(index)), { priority: index % 3 });
  }
  const report = await bus.emit('afterRestore');
  t.equal(counter.maxActive, 1);
  t.same(ran, [2, 5, 8, 1, 4, 7, 0, 3, 6, 9]);
  for (let index = 1; index < report.hooks.length; index++) {
    const previous = report.hooks[index - 1];
    const current = report.hooks[index];
    t.ok(previous && current && current.startMs >= previous.startMs + previous.durationMs - 0.001, 'no overlap');
  }
});
