import t from 'tap';
import { HookTimeoutError, LifecycleBus, LifecycleError } from '../../src/index.js';
import { failedPhase } from '../helpers/phase.js';
import { never, sleep } from '../helpers/time.js';

type Events = { beforeSnapshot: void; afterRestore: void };

t.test('LifecycleError - an AggregateError with errors, report and a message naming each failure', async (t) => {
  const bus = new LifecycleBus<Events>();
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  bus.on('afterRestore', never, { name: 'db', timeout: 30, priority: 10 });
  bus.on('afterRestore', () => {}, { name: 'config' });
  bus.on(
    'afterRestore',
    async () => {
      throw refused;
    },
    { name: 'cache' },
  );
  bus.on('afterRestore', () => {}, { name: 'metrics' });
  bus.on('afterRestore', () => {}, { name: 'warmup' });
  const error = await failedPhase(bus.emit('afterRestore'));
  t.ok(error instanceof AggregateError);
  t.equal(error.name, 'LifecycleError');
  t.equal(
    error.message,
    'afterRestore: 2 of 5 hooks failed: db (timed out after 30 ms), cache (connect ECONNREFUSED 127.0.0.1:6379)',
  );
  t.equal(error.errors.length, 2);
  t.type(error.errors[0], HookTimeoutError);
  t.equal(error.errors[1], refused, 'the original error, not a copy');
  t.equal(error.report.ok, false);
  t.equal(error.report.event, 'afterRestore');
  t.same(
    error.report.hooks.map((hook) => hook.status),
    ['timedOut', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  );
  t.equal(error.report.hooks[2]?.error, refused);
  t.equal(error.cause, undefined, 'no cause unless aborted');
});

t.test('LifecycleError - errors follow schedule order, not completion order', async (t) => {
  const bus = new LifecycleBus<Events>({ concurrency: 3 });
  bus.on('afterRestore', async () => {
    await sleep(40);
    throw new Error('first scheduled, last to fail');
  });
  bus.on('afterRestore', async () => {
    await sleep(1);
    throw new Error('second');
  });
  bus.on('afterRestore', () => {
    throw new Error('third, fails at once');
  });
  const error = await failedPhase(bus.emit('afterRestore'));
  t.same(
    error.errors.map((reason) => (reason as Error).message),
    ['first scheduled, last to fail', 'second', 'third, fails at once'],
  );
});

t.test('emit() - a sync throw is a failure like any other', async (t) => {
  const bus = new LifecycleBus<Events>();
  let after = false;
  bus.on('afterRestore', function thrower() {
    throw new TypeError('bad config');
  });
  bus.on('afterRestore', () => {
    after = true;
  });
  const error = await failedPhase(bus.emit('afterRestore'));
  t.equal(after, true, 'later hooks still run by default');
  t.equal(error.message, 'afterRestore: 1 of 2 hooks failed: thrower (bad config)');
  t.type(error.errors[0], TypeError);
});

t.test('emit() - rejections and throws with non-Error values are failures', async (t) => {
  const bus = new LifecycleBus<Events>();
  const values: unknown[] = ['plain string', 42, { code: 'E_OBJ' }, null, undefined];
  values.forEach((value, index) => {
    bus.on('afterRestore', () => Promise.reject(value), { name: `reject${index}` });
  });
  bus.on(
    'afterRestore',
    () => {
      throw 'thrown string';
    },
    { name: 'throwString' },
  );
  const circular: { self?: unknown } = {};
  circular.self = circular;
  bus.on('afterRestore', () => Promise.reject(circular), { name: 'circular' });
  const error = await failedPhase(bus.emit('afterRestore'));
  t.same(
    error.report.hooks.map((hook) => hook.status),
    Array(7).fill('rejected'),
  );
  t.same(error.errors, [...values, 'thrown string', circular]);
  t.equal(
    error.message,
    'afterRestore: 7 of 7 hooks failed: reject0 (non-Error value plain string), reject1 (non-Error value 42), ' +
      'reject2 (non-Error value {"code":"E_OBJ"}), reject3 (non-Error value null), reject4 (non-Error value undefined), ' +
      'throwString (non-Error value thrown string), circular (non-Error value <ref *1> { self: [Circular *1] })',
  );
});

t.test('LifecycleError - reasons are one line and bounded; empty messages fall back to code or name', async (t) => {
  const bus = new LifecycleBus<Events>();
  bus.on('afterRestore', () => Promise.reject(new Error(`line one\nline two`)), { name: 'multi' });
  bus.on('afterRestore', () => Promise.reject(new Error('x'.repeat(500))), { name: 'long' });
  bus.on('afterRestore', () => Promise.reject(Object.assign(new Error(''), { code: 'EPIPE' })), { name: 'coded' });
  bus.on('afterRestore', () => Promise.reject(new RangeError('')), { name: 'bare' });
  const error = await failedPhase(bus.emit('afterRestore'));
  t.match(error.message, /multi \(line one\), long \(x{199}…\), coded \(EPIPE\), bare \(RangeError\)$/);
});

t.test('emit() failFast - no hook starts after the first failure', async (t) => {
  const bus = new LifecycleBus<Events>({ failFast: true });
  const ran: string[] = [];
  bus.on('afterRestore', () => void ran.push('a'), { name: 'a' });
  bus.on(
    'afterRestore',
    () => {
      ran.push('b');
      throw new Error('boom');
    },
    { name: 'b' },
  );
  bus.on('afterRestore', () => void ran.push('c'), { name: 'c' });
  const error = await failedPhase(bus.emit('afterRestore'));
  t.same(ran, ['a', 'b']);
  t.same(
    error.report.hooks.map((hook) => hook.status),
    ['fulfilled', 'rejected', 'skipped'],
  );
  t.equal(error.message, 'afterRestore: 1 of 3 hooks failed: b (boom); 1 skipped');
});

t.test('emit() failFast - a timeout counts as a failure', async (t) => {
  const bus = new LifecycleBus<Events>();
  bus.on('afterRestore', never, { timeout: 20 });
  bus.on('afterRestore', () => {});
  const error = await failedPhase(bus.emit('afterRestore', undefined, { failFast: true }));
  t.same(
    error.report.hooks.map((hook) => hook.status),
    ['timedOut', 'skipped'],
  );
});

t.test('emit() failFast - hooks already running in the tier finish; later tiers never start', async (t) => {
  const bus = new LifecycleBus<Events>({ concurrency: 2, failFast: true });
  let slowFinished = false;
  bus.on('afterRestore', () => Promise.reject(new Error('fast failure')), { priority: 1 });
  bus.on(
    'afterRestore',
    async () => {
      await sleep(30);
      slowFinished = true;
    },
    { priority: 1 },
  );
  bus.on('afterRestore', () => {}, { priority: 1 });
  bus.on('afterRestore', () => {}, { priority: 0 });
  const error = await failedPhase(bus.emit('afterRestore'));
  t.equal(slowFinished, true, 'emit waited for the running hook');
  t.same(
    error.report.hooks.map((hook) => hook.status),
    ['rejected', 'fulfilled', 'skipped', 'skipped'],
  );
});

t.test('emit() failFast - the emit option overrides the bus', async (t) => {
  const bus = new LifecycleBus<Events>({ failFast: true });
  bus.on('afterRestore', () => Promise.reject(new Error('x')));
  bus.on('afterRestore', () => {});
  const error = await failedPhase(bus.emit('afterRestore', undefined, { failFast: false }));
  t.same(
    error.report.hooks.map((hook) => hook.status),
    ['rejected', 'fulfilled'],
  );
});

t.test('LifecycleError - can be built from a report by hand', async (t) => {
  const error = new LifecycleError({
    event: 'custom',
    ok: false,
    startedAt: 0,
    durationMs: 1,
    hooks: [{ name: 'only', priority: 0, status: 'rejected', startMs: 0, durationMs: 1, error: new Error('bad') }],
  });
  t.equal(error.message, 'custom: 1 of 1 hook failed: only (bad)');
  t.equal(error.errors.length, 1);
});

t.test('emit() - a returned object whose then getter throws fails that hook only', async (t) => {
  const bus = new LifecycleBus<Events>();
  bus.on('afterRestore', () => ({
    // biome-ignore lint/suspicious/noThenProperty: the test needs a hostile thenable.
    get then(): never {
      throw new Error('hostile thenable');
    },
  }));
  bus.on('afterRestore', () => {});
  const error = await failedPhase(bus.emit('afterRestore'));
  t.same(
    error.report.hooks.map((hook) => hook.status),
    ['rejected', 'fulfilled'],
  );
});
