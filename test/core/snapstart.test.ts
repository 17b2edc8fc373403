import t from 'tap';
import {
  LifecycleBus,
  registerAfterRestore,
  registerBeforeSnapshot,
  type SnapStartEvents,
  snapStartBus,
} from '../../src/index.js';

t.beforeEach(() => snapStartBus.clear());
t.afterEach(() => snapStartBus.clear());

t.test('snapStartBus - a LifecycleBus shared through globalThis', async (t) => {
  t.type(snapStartBus, LifecycleBus);
  t.equal((globalThis as Record<symbol, unknown>)[Symbol.for('snapstart-hooks.snapStartBus')], snapStartBus);
});

t.test('registerBeforeSnapshot() - returns fn and calls it with the positional args and options object', async (t) => {
  const calls: unknown[][] = [];
  function closeConnection(name: string, options: { force: boolean }): void {
    calls.push([name, options]);
  }
  const options = { force: true };
  t.equal(registerBeforeSnapshot(closeConnection, 'primary', options), closeConnection);
  const report = await snapStartBus.emit('beforeSnapshot');
  t.same(calls, [['primary', options]]);
  t.equal(calls[0]?.[1], options, 'the same options object is passed through');
  t.equal(report.hooks[0]?.name, 'closeConnection');
});

t.test('registerAfterRestore() - returns fn and calls it with its args', async (t) => {
  const calls: unknown[][] = [];
  const connect = (host: string, port: number): void => {
    calls.push([host, port]);
  };
  t.equal(registerAfterRestore(connect, 'db.internal', 5432), connect);
  await snapStartBus.emit('afterRestore');
  t.same(calls, [['db.internal', 5432]]);
});

t.test('registerBeforeSnapshot() - newest first; registerAfterRestore() - oldest first', async (t) => {
  const order: string[] = [];
  const record = (label: string): void => {
    order.push(label);
  };
  registerBeforeSnapshot(record, 'before-1');
  registerBeforeSnapshot(record, 'before-2');
  registerBeforeSnapshot(record, 'before-3');
  registerAfterRestore(record, 'after-1');
  registerAfterRestore(record, 'after-2');
  registerAfterRestore(record, 'after-3');
  await snapStartBus.emit('beforeSnapshot');
  await snapStartBus.emit('afterRestore');
  t.same(order, ['before-3', 'before-2', 'before-1', 'after-1', 'after-2', 'after-3']);
});

t.test('registerAfterRestore() - the same function registered twice runs twice', async (t) => {
  let runs = 0;
  function refresh(): void {
    runs++;
  }
  registerAfterRestore(refresh);
  registerAfterRestore(refresh);
  const report = await snapStartBus.emit('afterRestore');
  t.equal(runs, 2);
  t.same(
    report.hooks.map((hook) => hook.name),
    ['refresh', 'refresh'],
  );
});

t.test('registerAfterRestore() - async functions are awaited and failures reported by name', async (t) => {
  registerAfterRestore(async function reconnect() {
    throw new Error('ECONNREFUSED');
  });
  await t.rejects(snapStartBus.emit('afterRestore'), {
    name: 'LifecycleError',
    message: 'afterRestore: 1 of 1 hook failed: reconnect (ECONNREFUSED)',
  });
});

t.test('registerBeforeSnapshot() - anonymous functions get a generated name; non-functions are refused', async (t) => {
  registerBeforeSnapshot(() => {});
  const report = await snapStartBus.emit('beforeSnapshot');
  t.match(report.hooks[0]?.name, /^hook#\d+$/);
  t.throws(
    () => registerBeforeSnapshot('nope' as unknown as () => void),
    new TypeError('fn must be a function, got "nope"'),
  );
  t.throws(
    () => registerAfterRestore(undefined as unknown as () => void),
    new TypeError('fn must be a function, got undefined'),
  );
});

t.test(
  'registerAfterRestore() - on the snapStartBus of another copy of the package, off() still finds fn',
  async (t) => {
    // The built package is another copy (other module instances) that shares the bus through globalThis.
    const dist = (await import('snapstart-hooks')) as unknown as typeof import('../../src/index.js');
    t.equal(dist.snapStartBus, snapStartBus, 'one bus for both copies');
    t.not(dist.LifecycleBus, LifecycleBus, 'two copies of the class');
    let runs = 0;
    const fn = (): void => {
      runs++;
    };
    dist.registerAfterRestore(fn);
    t.equal(snapStartBus.off('afterRestore', fn), true);
    await snapStartBus.emit('afterRestore');
    t.equal(runs, 0);
  },
);

t.test('registerAfterRestore() - a bus from an older copy without the internal method gets a plain hook', async (t) => {
  const slot = globalThis as Record<symbol, unknown>;
  const key = Symbol.for('snapstart-hooks.snapStartBus');
  const older = new LifecycleBus<SnapStartEvents>();
  const real = slot[key];
  slot[key] = { on: older.on.bind(older) };
  try {
    const copy = (await import(
      '../../src/snapstart.js?older-copy' as string
    )) as typeof import('../../src/snapstart.js');
    const args: unknown[] = [];
    const fn = function restoreDb(...received: unknown[]): void {
      args.push(...received);
    };
    t.equal(copy.registerAfterRestore(fn, 'primary'), fn);
    const report = await older.emit('afterRestore');
    t.same(args, ['primary']);
    t.equal(report.hooks[0]?.name, 'restoreDb');
  } finally {
    slot[key] = real;
  }
});
