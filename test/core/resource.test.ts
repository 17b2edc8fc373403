/**
 * Paired resources: one registration, two hooks with the resource's name, priority and timeout,
 * mirrored order, one unsubscribe; and registerResource() on snapStartBus. The order over random
 * registrations is a property test in property.test.ts.
 */
import t from 'tap';
import {
  HookTimeoutError,
  LifecycleBus,
  registerResource,
  type SnapStartEvents,
  snapStartBus,
} from '../../src/index.js';
import { failedPhase } from '../helpers/phase.js';
import { never } from '../helpers/time.js';

/** A bus with a log: resources record `close <name>` and `open <name>`. */
function loggedBus(options?: ConstructorParameters<typeof LifecycleBus<SnapStartEvents>>[0]) {
  const bus = new LifecycleBus<SnapStartEvents>(options);
  const log: string[] = [];
  const resource = (name: string, priority?: number) =>
    bus.resource(
      name,
      { beforeSnapshot: () => void log.push(`close ${name}`), afterRestore: () => void log.push(`open ${name}`) },
      { priority },
    );
  return { bus, log, resource };
}

t.test('resource() - two hooks named after the resource, with its priority and timeout', async (t) => {
  const bus = new LifecycleBus<SnapStartEvents>();
  let opened = 0;
  bus.resource(
    'db',
    { beforeSnapshot: () => never(), afterRestore: () => void opened++ },
    { priority: 10, timeout: 20 },
  );
  t.equal(bus.listenerCount('beforeSnapshot'), 1);
  t.equal(bus.listenerCount('afterRestore'), 1);
  const error = await failedPhase(bus.emit('beforeSnapshot'));
  t.match(error.report.hooks, [{ name: 'db', priority: 10, status: 'timedOut' }]);
  t.type(error.errors[0], HookTimeoutError);
  t.equal((error.errors[0] as HookTimeoutError).timeout, 20, 'the resource timeout applies');
  const report = await bus.emit('afterRestore');
  t.match(report.hooks, [{ name: 'db', priority: 10, status: 'fulfilled' }]);
  t.equal(opened, 1);
});

t.test('resource() - within a priority, the later resource closes earlier and reopens later', async (t) => {
  const { bus, log, resource } = loggedBus();
  resource('config');
  resource('db');
  resource('cache');
  bus.on('beforeSnapshot', () => void log.push('plain hook'));
  resource('metrics', 5);
  await bus.emit('beforeSnapshot');
  await bus.emit('afterRestore');
  t.same(log, [
    'close metrics', // a higher priority runs first in both phases
    'plain hook',
    'close cache',
    'close db',
    'close config',
    'open metrics',
    'open config',
    'open db',
    'open cache',
  ]);
});

t.test('resource() - with order overrides the halves follow the event like every hook', async (t) => {
  // Opposite tie orders keep the mirror; equal ones make both phases run in the same order.
  const mirrored = loggedBus({ order: { beforeSnapshot: 'fifo', afterRestore: 'lifo' } });
  const same = loggedBus({ order: { beforeSnapshot: 'fifo' } });
  for (const { bus, log, resource } of [mirrored, same]) {
    resource('a');
    resource('b');
    await bus.emit('beforeSnapshot');
    await bus.emit('afterRestore');
    log.push('|');
  }
  t.same(mirrored.log, ['close a', 'close b', 'open b', 'open a', '|']);
  t.same(same.log, ['close a', 'close b', 'open a', 'open b', '|']);
});

t.test('resource() - one unsubscribe for both halves; using; signal; off() of one half', async (t) => {
  const { bus, resource } = loggedBus();
  const off = resource('db');
  t.equal(bus.listenerCount(), 2);
  off();
  off();
  t.equal(bus.listenerCount(), 0, 'both halves gone (twice is harmless)');
  {
    using _scoped = resource('cache');
    t.equal(bus.listenerCount(), 2);
  }
  t.equal(bus.listenerCount(), 0, 'disposed at the end of the scope');
  const controller = new AbortController();
  bus.resource('pool', { beforeSnapshot: () => {}, afterRestore: () => {} }, { signal: controller.signal });
  controller.abort();
  t.equal(bus.listenerCount(), 0, 'the signal unsubscribes both');
  const close = (): void => {};
  bus.resource('agent', { beforeSnapshot: close, afterRestore: () => {} });
  t.equal(bus.off('beforeSnapshot', close), true, 'off() finds a half by its function');
  t.equal(bus.listenerCount('beforeSnapshot'), 0);
  t.equal(bus.listenerCount('afterRestore'), 1);
});

t.test('resource() - one half is enough', async (t) => {
  const bus = new LifecycleBus<SnapStartEvents>();
  const ran: string[] = [];
  bus.resource('agent', { beforeSnapshot: () => void ran.push('destroy') });
  bus.resource('rng', { afterRestore: () => void ran.push('reseed') });
  await bus.emit('beforeSnapshot');
  await bus.emit('afterRestore');
  t.same(ran, ['destroy', 'reseed']);
});

t.test('resource() - bad arguments are refused and register nothing', async (t) => {
  const noop = (): void => {};
  const bad: [string, unknown[], string, RegExp][] = [
    ['no name', [undefined, { beforeSnapshot: noop }], 'TypeError', /^name must be a string, got undefined$/],
    ['an empty name', ['', { beforeSnapshot: noop }], 'RangeError', /^name must not be empty/],
    ['no hooks', ['db'], 'TypeError', /^hooks must be an object, got undefined$/],
    ['hooks as a function', ['db', noop], 'TypeError', /^hooks must be an object, got function noop$/],
    ['neither half', ['db', {}], 'TypeError', /^hooks must have beforeSnapshot, afterRestore or both, got neither$/],
    [
      'a half that is not a function',
      ['db', { afterRestore: 'open' }],
      'TypeError',
      /^hooks\.afterRestore must be a function/,
    ],
    ['a misspelt half', ['db', { beforeSnaphot: noop }], 'TypeError', /^hooks has an unknown key "beforeSnaphot"/],
    [
      'a bad priority',
      ['db', { beforeSnapshot: noop }, { priority: Number.NaN }],
      'RangeError',
      /^options\.priority must be a finite number/,
    ],
    [
      'a bad timeout',
      ['db', { afterRestore: noop }, { timeout: 0 }],
      'RangeError',
      /^options\.timeout must be greater than 0 ms/,
    ],
    [
      'a name in the options',
      ['db', { afterRestore: noop }, { name: 'x' }],
      'TypeError',
      /^options has an unknown key "name"/,
    ],
    [
      'a fake signal',
      ['db', { afterRestore: noop }, { signal: {} }],
      'TypeError',
      /^options\.signal must be an AbortSignal/,
    ],
  ];
  for (const [label, args, name, message] of bad) {
    const bus = new LifecycleBus<SnapStartEvents>();
    t.throws(() => (bus.resource as (...args: unknown[]) => unknown)(...args), { name, message }, label);
    t.equal(bus.listenerCount(), 0, `${label}: nothing registered`);
  }
  // A bus that knows only one of the events refuses the other, and keeps neither half.
  const partial = new LifecycleBus<{ beforeSnapshot: void }>({ events: ['beforeSnapshot'] });
  t.throws(() => partial.resource('db', { beforeSnapshot: noop, afterRestore: noop } as never), RangeError);
  t.equal(partial.listenerCount(), 0, 'neither half is kept');
});

t.test('registerResource() - registers a resource on snapStartBus', async (t) => {
  const before = snapStartBus.listenerCount();
  const log: string[] = [];
  const offs = ['a', 'b'].map((name) =>
    registerResource(name, {
      beforeSnapshot: () => void log.push(`close ${name}`),
      afterRestore: () => void log.push(`open ${name}`),
    }),
  );
  t.equal(snapStartBus.listenerCount(), before + 4);
  await snapStartBus.emit('beforeSnapshot');
  await snapStartBus.emit('afterRestore');
  t.same(log, ['close b', 'close a', 'open a', 'open b']);
  for (const off of offs) off();
  t.equal(snapStartBus.listenerCount(), before, 'unsubscribed');
  t.throws(() => registerResource('db', { afterRestor: () => {} } as never), TypeError, 'a misspelt half');
});
