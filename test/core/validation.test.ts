/**
 * Bad input to the bus, its hooks and its emits: every bad value gets a TypeError (wrong type) or a
 * RangeError (out of range), thrown synchronously by the call that got it, whose message names the
 * argument and shows the value; and a rejected registration registers nothing.
 */
import t from 'tap';
import { LifecycleBus, registerAfterRestore, registerBeforeSnapshot, snapStartBus } from '../../src/index.js';

type Events = { beforeSnapshot: void; afterRestore: void };

/** One bad call: what it does, the error class it must throw, the argument and value the message names. */
interface BadCall {
  readonly call: string;
  readonly run: (bus: LifecycleBus<Events>) => unknown;
  readonly error: typeof TypeError | typeof RangeError;
  readonly argument: string;
  /** The bad value as the message shows it. */
  readonly shown: string;
}

// Casts let the table pass values that the types rightly refuse, as plain JavaScript callers can.
const anyBus = (options: unknown): LifecycleBus<Events> => new LifecycleBus<Events>(options as never);
const on = (bus: LifecycleBus<Events>, options: unknown) => bus.on('afterRestore', () => {}, options as never);
const emit = (bus: LifecycleBus<Events>, options: unknown) => bus.emit('afterRestore', undefined, options as never);
const noop = (): void => {};

const badCalls: BadCall[] = [
  // new LifecycleBus(options)
  { call: 'new LifecycleBus(null)', run: () => anyBus(null), error: TypeError, argument: 'options', shown: 'null' },
  { call: 'new LifecycleBus(4)', run: () => anyBus(4), error: TypeError, argument: 'options', shown: '4' },
  ...[0, -1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY].map((value) => ({
    call: `new LifecycleBus({ concurrency: ${value} })`,
    run: () => anyBus({ concurrency: value }),
    error: RangeError,
    argument: 'options.concurrency',
    shown: String(value),
  })),
  ...(
    [
      ['"4"', '4'],
      ['null', null],
      ['true', true],
    ] as const
  ).map(([shown, value]) => ({
    call: `new LifecycleBus({ concurrency: ${shown} })`,
    run: () => anyBus({ concurrency: value }),
    error: TypeError,
    argument: 'options.concurrency',
    shown,
  })),
  ...[0, -100, Number.NaN, Number.NEGATIVE_INFINITY].map((value) => ({
    call: `new LifecycleBus({ timeout: ${value} })`,
    run: () => anyBus({ timeout: value }),
    error: RangeError,
    argument: 'options.timeout',
    shown: String(value),
  })),
  {
    call: 'new LifecycleBus({ timeout: "2000" })',
    run: () => anyBus({ timeout: '2000' }),
    error: TypeError,
    argument: 'options.timeout',
    shown: '"2000"',
  },
  {
    call: 'new LifecycleBus({ failFast: "yes" })',
    run: () => anyBus({ failFast: 'yes' }),
    error: TypeError,
    argument: 'options.failFast',
    shown: '"yes"',
  },
  {
    call: 'new LifecycleBus({ failFast: 1 })',
    run: () => anyBus({ failFast: 1 }),
    error: TypeError,
    argument: 'options.failFast',
    shown: '1',
  },
  {
    call: 'new LifecycleBus({ order: "lifo" })',
    run: () => anyBus({ order: 'lifo' }),
    error: TypeError,
    argument: 'options.order',
    shown: '"lifo"',
  },
  {
    call: 'new LifecycleBus({ order: { afterRestore: "random" } })',
    run: () => anyBus({ order: { afterRestore: 'random' } }),
    error: RangeError,
    argument: 'options.order.afterRestore',
    shown: '"random"',
  },
  {
    call: 'new LifecycleBus({ order: { beforeSnapshot: 1 } })',
    run: () => anyBus({ order: { beforeSnapshot: 1 } }),
    error: RangeError,
    argument: 'options.order.beforeSnapshot',
    shown: '1',
  },

  // bus.on(event, hook, options) and bus.once(...)
  ...(
    [
      ['42', 42],
      ['Symbol(afterRestore)', Symbol('afterRestore')],
      ['undefined', undefined],
      ['null', null],
    ] as const
  ).map(([shown, value]) => ({
    call: `bus.on(${shown}, hook)`,
    run: (bus: LifecycleBus<Events>) => bus.on(value as never, noop),
    error: TypeError,
    argument: 'event',
    shown,
  })),
  ...(
    [
      ['undefined', undefined],
      ['null', null],
      ['"cleanup"', 'cleanup'],
      ['an object', { handleEvent() {} }],
    ] as const
  ).flatMap(([shown, value]) =>
    (['on', 'once'] as const).map((method) => ({
      call: `bus.${method}('afterRestore', ${shown})`,
      run: (bus: LifecycleBus<Events>) => bus[method]('afterRestore', value as never),
      error: TypeError,
      argument: 'hook',
      shown,
    })),
  ),
  {
    call: "bus.on('afterRestore', hook, null)",
    run: (bus) => on(bus, null),
    error: TypeError,
    argument: 'options',
    shown: 'null',
  },
  {
    call: "bus.on('afterRestore', hook, 10)",
    run: (bus) => on(bus, 10),
    error: TypeError,
    argument: 'options',
    shown: '10',
  },
  ...[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map((value) => ({
    call: `bus.on('afterRestore', hook, { priority: ${value} })`,
    run: (bus: LifecycleBus<Events>) => on(bus, { priority: value }),
    error: RangeError,
    argument: 'options.priority',
    shown: String(value),
  })),
  ...(
    [
      ['"10"', '10'],
      ['null', null],
      ['10n', 10n],
    ] as const
  ).map(([shown, value]) => ({
    call: `bus.on('afterRestore', hook, { priority: ${shown} })`,
    run: (bus: LifecycleBus<Events>) => on(bus, { priority: value }),
    error: TypeError,
    argument: 'options.priority',
    shown,
  })),
  ...[0, -1, Number.NaN].map((value) => ({
    call: `bus.once('afterRestore', hook, { timeout: ${value} })`,
    run: (bus: LifecycleBus<Events>) => bus.once('afterRestore', noop, { timeout: value }),
    error: RangeError,
    argument: 'options.timeout',
    shown: String(value),
  })),
  {
    call: "bus.on('afterRestore', hook, { timeout: '5s' })",
    run: (bus) => on(bus, { timeout: '5s' }),
    error: TypeError,
    argument: 'options.timeout',
    shown: '"5s"',
  },
  {
    call: "bus.on('afterRestore', hook, { name: '' })",
    run: (bus) => on(bus, { name: '' }),
    error: RangeError,
    argument: 'options.name',
    shown: '""',
  },
  {
    call: "bus.on('afterRestore', hook, { name: 7 })",
    run: (bus) => on(bus, { name: 7 }),
    error: TypeError,
    argument: 'options.name',
    shown: '7',
  },
  {
    call: "bus.on('afterRestore', hook, { signal: 'abort' })",
    run: (bus) => on(bus, { signal: 'abort' }),
    error: TypeError,
    argument: 'options.signal',
    shown: '"abort"',
  },
  {
    call: "bus.on('afterRestore', hook, { signal: new AbortController() })",
    run: (bus) => on(bus, { signal: new AbortController() }),
    error: TypeError,
    argument: 'options.signal',
    shown: 'an object',
  },

  // bus.off, bus.listenerCount, bus.clear
  {
    call: 'bus.off(1, hook)',
    run: (bus) => bus.off(1 as never, noop),
    error: TypeError,
    argument: 'event',
    shown: '1',
  },
  {
    call: "bus.off('afterRestore', 'noop')",
    run: (bus) => bus.off('afterRestore', 'noop' as never),
    error: TypeError,
    argument: 'hook',
    shown: '"noop"',
  },
  {
    call: 'bus.listenerCount(false)',
    run: (bus) => bus.listenerCount(false as never),
    error: TypeError,
    argument: 'event',
    shown: 'false',
  },
  { call: 'bus.clear(0)', run: (bus) => bus.clear(0 as never), error: TypeError, argument: 'event', shown: '0' },

  // bus.emit(event, payload, options)
  {
    call: 'bus.emit(undefined)',
    run: (bus) => bus.emit(undefined as never),
    error: TypeError,
    argument: 'event',
    shown: 'undefined',
  },
  {
    call: "bus.emit('afterRestore', undefined, null)",
    run: (bus) => emit(bus, null),
    error: TypeError,
    argument: 'options',
    shown: 'null',
  },
  {
    call: "bus.emit('afterRestore', undefined, 'fast')",
    run: (bus) => emit(bus, 'fast'),
    error: TypeError,
    argument: 'options',
    shown: '"fast"',
  },
  ...[0, 2.5, -3].map((value) => ({
    call: `bus.emit('afterRestore', undefined, { concurrency: ${value} })`,
    run: (bus: LifecycleBus<Events>) => emit(bus, { concurrency: value }),
    error: RangeError,
    argument: 'options.concurrency',
    shown: String(value),
  })),
  {
    call: "bus.emit('afterRestore', undefined, { concurrency: '4' })",
    run: (bus) => emit(bus, { concurrency: '4' }),
    error: TypeError,
    argument: 'options.concurrency',
    shown: '"4"',
  },
  {
    call: "bus.emit('afterRestore', undefined, { failFast: 'true' })",
    run: (bus) => emit(bus, { failFast: 'true' }),
    error: TypeError,
    argument: 'options.failFast',
    shown: '"true"',
  },
  ...[0, -1, Number.NaN].map((value) => ({
    call: `bus.emit('afterRestore', undefined, { deadline: ${value} })`,
    run: (bus: LifecycleBus<Events>) => emit(bus, { deadline: value }),
    error: RangeError,
    argument: 'options.deadline',
    shown: String(value),
  })),
  {
    call: "bus.emit('afterRestore', undefined, { deadline: '9s' })",
    run: (bus) => emit(bus, { deadline: '9s' }),
    error: TypeError,
    argument: 'options.deadline',
    shown: '"9s"',
  },
  {
    call: "bus.emit('afterRestore', undefined, { signal: true })",
    run: (bus) => emit(bus, { signal: true }),
    error: TypeError,
    argument: 'options.signal',
    shown: 'true',
  },

  // the seed-compatible registration functions
  {
    call: "registerBeforeSnapshot('close')",
    run: () => (registerBeforeSnapshot as (fn: unknown) => unknown)('close'),
    error: TypeError,
    argument: 'fn',
    shown: '"close"',
  },
  {
    call: 'registerAfterRestore(undefined)',
    run: () => (registerAfterRestore as (fn: unknown) => unknown)(undefined),
    error: TypeError,
    argument: 'fn',
    shown: 'undefined',
  },
];

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const bad of badCalls) {
  t.test(`${bad.call} - throws a ${bad.error.name} naming ${bad.argument} and ${bad.shown}`, (t) => {
    const bus = new LifecycleBus<Events>();
    const globalHooks = snapStartBus.listenerCount();
    let thrown: unknown;
    try {
      bad.run(bus);
    } catch (error) {
      thrown = error;
    }
    t.type(thrown, bad.error, 'thrown synchronously, with the right class');
    t.equal((thrown as Error).constructor, bad.error, `exactly a ${bad.error.name}`);
    // The argument comes first, the bad value after "got", as in "options.timeout must be ..., got 0".
    const message = (thrown as Error).message;
    t.match(message, new RegExp(`^${escapeRegExp(bad.argument)} must `), 'names the argument');
    t.match(message, new RegExp(`got ${escapeRegExp(bad.shown)}$`), 'shows the bad value');
    t.equal(bus.listenerCount(), 0, 'registers nothing');
    t.equal(snapStartBus.listenerCount(), globalHooks, 'registers nothing on snapStartBus');
    t.end();
  });
}

t.test('new LifecycleBus() - good edge values are accepted', async (t) => {
  const bus = new LifecycleBus<Events>({ concurrency: Number.POSITIVE_INFINITY, timeout: Number.POSITIVE_INFINITY });
  bus.on('afterRestore', noop, { priority: -1e9, timeout: Number.POSITIVE_INFINITY, name: 'x' });
  bus.once('beforeSnapshot', noop, { priority: 0.5, timeout: 0.5 });
  t.equal(bus.listenerCount(), 2);
  const report = await bus.emit('afterRestore', undefined, { concurrency: 1, deadline: Number.POSITIVE_INFINITY });
  t.equal(report.ok, true);
});
