import t from 'tap';
import { spawnRuntime, within } from '../helpers/lambda-harness.js';

const LONG = 30_000;

t.test(
  'snapstart-runtime - an invalid JSON event is answered with Runtime.UnmarshalError and the loop goes on',
  async (t) => {
    const run = await spawnRuntime(t, { handler: 'app.handler', autoRestore: true });
    run.emulator.inject('invocation/next', { kind: 'rawEvent', body: '{not json' });
    const bad = await within(run.emulator.invoke({}), LONG, 'bad event');
    t.match(bad, { ok: false, body: { errorType: 'SyntaxError' } });
    t.equal((await within(run.emulator.invoke({ n: 1 }), LONG, 'next event')).ok, true);
  },
);

t.test('snapstart-runtime - an event without a request id is skipped and the next one served', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', autoRestore: true });
  run.emulator.inject('invocation/next', { kind: 'omitHeaders', headers: ['Lambda-Runtime-Aws-Request-Id'] });
  const lost = run.emulator.invoke({ n: 0 }).catch((error: unknown) => error);
  const served = await within(run.emulator.invoke({ n: 1 }), LONG, 'next event');
  t.match(served, { ok: true, body: { event: { n: 1 } } });
  t.match(run.stderr(), /ignoring unusable invocation: .*no Lambda-Runtime-Aws-Request-Id/);
  await run.emulator.close();
  t.match(await lost, { message: /closed before the invocation completed/ });
});

t.test('snapstart-runtime - a refused response (413) is logged and the loop goes on', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', autoRestore: true, maxResponseBytes: 2_000 });
  const big = run.emulator.invoke({ padding: 'x'.repeat(3_000) }).catch((error: unknown) => error);
  const refused = await within(
    run.emulator.waitForRequest((r) => r.endpoint === 'invocation/response'),
    LONG,
    'response',
  );
  const small = await within(run.emulator.invoke({ n: 2 }), LONG, 'next event');
  t.equal(small.ok, true);
  t.equal(refused.status, 413);
  t.match(run.stderr(), /answered 413/);
  await run.emulator.close();
  t.ok((await big) instanceof Error);
});

t.test('snapstart-runtime - a failing init/error post still exits 64 and says so', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', env: { FIXTURE_MODE: 'before-fail' } });
  run.emulator.inject('init/error', { kind: 'reset' });
  t.equal(await within(run.exited, LONG, 'exit'), 64);
  t.match(run.stderr(), /could not report it: Runtime API POST .*init\/error failed/);
});

t.test('snapstart-runtime - a failing import error post still exits 1 and says so', async (t) => {
  const run = await spawnRuntime(t, { handler: 'broken.handler' });
  run.emulator.inject('init/error', { kind: 'status', status: 500 });
  t.equal(await within(run.exited, LONG, 'exit'), 1);
  t.match(run.stderr(), /could not report the init error: .*answered 500/);
});

t.test('snapstart-runtime - a slow restore/next answer is waited for, without a client timeout', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', autoRestore: true });
  run.emulator.inject('restore/next', { kind: 'delay', ms: 1_500 });
  const result = await within(run.emulator.invoke({}), LONG, 'invocation');
  t.equal(result.ok, true);
  const restoreNext = run.emulator.requests[0];
  t.ok((restoreNext?.respondedAt ?? 0) - (restoreNext?.at ?? 0) >= 1_400);
});
