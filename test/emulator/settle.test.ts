/**
 * Every waiting call of the emulator settles once the environment failed or the emulator closed:
 * a test driving a broken runtime fails with a reason instead of hanging.
 */
import t from 'tap';
import { apiBase, poll, startEmulator } from '../helpers/emulator.js';

const postError = (base: string, endpoint: string) =>
  fetch(`${base}/${endpoint}`, {
    method: 'POST',
    headers: { 'lambda-runtime-function-error-type': 'Runtime.SomethingBroke' },
    body: '{"errorMessage":"x"}',
  });

t.test('waiting calls - settle when the environment fails', async (t) => {
  const rows: [string, 'init/error' | 'restore/error', RegExp][] = [
    [
      'init/error before the snapshot point',
      'init/error',
      /^The execution environment failed: the runtime posted init\/error/,
    ],
    ['restore/error after the restore', 'restore/error', /^reached$/],
  ];
  for (const [what, endpoint, snapshotOutcome] of rows) {
    const emulator = await startEmulator(t);
    const base = apiBase(emulator);
    const snapshot = emulator.snapshotReached().then(
      () => 'reached',
      (error: Error) => error.message,
    );
    const queued = emulator.invoke({}).catch((error: Error) => error.message);
    const failed = new Promise((resolve) => emulator.once('failed', resolve));
    if (endpoint === 'restore/error') {
      emulator.restore();
      t.equal((await fetch(`${base}/restore/next`)).status, 200);
    }
    t.equal((await postError(base, endpoint)).status, 202, what);
    t.match(await failed, { reason: endpoint }, what);
    t.match(
      await queued,
      new RegExp(`^The execution environment failed: the runtime posted ${endpoint} \\(Runtime\\.SomethingBroke\\)$`),
      what,
    );
    t.match(await snapshot, snapshotOutcome, what);
    await t.rejects(emulator.invoke({}), /The execution environment failed/, `${what}: later invokes reject at once`);
    t.equal(emulator.state, 'failed');
  }
});

t.test('waiting calls - settle when the emulator closes', async (t) => {
  const emulator = await startEmulator(t);
  const snapshot = emulator.snapshotReached().catch((error: Error) => error.message);
  const request = emulator
    .waitForRequest((r) => r.endpoint === 'restore/next', 60_000)
    .catch((error: Error) => error.message);
  const invocation = emulator.invoke({}).catch((error: Error) => error.message);
  await emulator.close();
  t.equal(await snapshot, 'RuntimeApiEmulator closed before the runtime reached the snapshot point');
  t.equal(await request, 'RuntimeApiEmulator closed');
  t.equal(await invocation, 'RuntimeApiEmulator closed before the invocation completed');
  await t.rejects(
    emulator.waitForRequest(() => true),
    /RuntimeApiEmulator is closed/,
  );
  await t.rejects(emulator.invoke({}), /RuntimeApiEmulator is closed/);
  emulator.restore(); // a no-op, not a throw
});

t.test('waiting calls - an in-flight invocation rejects at close; a request already seen is found after', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const invocation = emulator.invoke({}).catch((error: Error) => error.message);
  await poll(emulator);
  await emulator.close();
  t.equal(await invocation, 'RuntimeApiEmulator closed before the invocation completed');
  t.equal((await emulator.waitForRequest((r) => r.endpoint === 'invocation/next')).seq, 1);
});

t.test('waitForRequest() - a predicate that throws rejects that wait only; bad arguments throw', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const throwing = emulator
    .waitForRequest(() => {
      throw new Error('predicate broke');
    })
    .catch((error: Error) => error.message);
  const fine = emulator.waitForRequest((r) => r.endpoint === 'invocation/next');
  void poll(emulator).catch(() => {});
  t.equal(await throwing, 'predicate broke');
  t.equal((await fine).endpoint, 'invocation/next');
  t.throws(() => emulator.waitForRequest('x' as never), /predicate must be a function, got "x"/);
  t.throws(() => emulator.waitForRequest(() => true, 0), /timeout must be an integer from 1 to 2147483647, got 0/);
});
