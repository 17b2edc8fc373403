/**
 * `maxConcurrency` (Lambda Managed Instances): up to N polls wait and N events are in flight at once;
 * and the per-invocation headers an event carries (tenant id, trace id, client context).
 */
import t from 'tap';
import { poll, post, startEmulator } from '../helpers/emulator.js';

t.test('maxConcurrency - N polls get N events at once; one poll more is refused', async (t) => {
  const emulator = await startEmulator(t, { initType: 'lambda-managed-instances', maxConcurrency: 3 });
  t.equal(emulator.runtimeEnv().AWS_LAMBDA_MAX_CONCURRENCY, '3');
  t.equal(emulator.runtimeEnv().AWS_LAMBDA_INITIALIZATION_TYPE, 'lambda-managed-instances');
  const polls = [poll(emulator), poll(emulator), poll(emulator)];
  await emulator.waitForRequest(() => emulator.requests.length === 3);
  const extra = await poll(emulator);
  t.equal(extra.status, 403, 'a fourth poll while three wait');
  const invocations = ['a', 'b', 'c'].map((requestId) => emulator.invoke({ requestId }, { requestId }));
  const delivered = await Promise.all(polls);
  t.same(delivered.map((d) => d.requestId).sort(), ['a', 'b', 'c']);
  t.equal(emulator.state, 'invoking');
  // Answered out of order, each ends its own invocation.
  for (const requestId of ['c', 'a', 'b'])
    t.equal((await post(emulator, requestId, JSON.stringify(requestId))).status, 202);
  t.same(
    (await Promise.all(invocations)).map((result) => result.body),
    ['a', 'b', 'c'],
  );
  t.same(
    emulator.results.map((result) => result.requestId),
    ['c', 'a', 'b'],
    'results in the order they ended',
  );
  t.equal(emulator.state, 'ready');
});

t.test('maxConcurrency - 1 by default: no AWS_LAMBDA_MAX_CONCURRENCY, one poll at a time', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  t.equal(emulator.maxConcurrency, 1);
  t.notOk('AWS_LAMBDA_MAX_CONCURRENCY' in emulator.runtimeEnv());
  const first = poll(emulator);
  await emulator.waitForRequest((r) => r.endpoint === 'invocation/next');
  t.equal((await poll(emulator)).status, 403);
  emulator.invoke({}).catch(() => {});
  t.equal((await first).status, 200);
});

t.test('invoke() - tenant id, trace id, client context and identity travel as headers', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand', functionName: 'fn', region: 'eu-west-1' });
  const invocation = emulator.invoke(null, {
    requestId: 'r-1',
    tenantId: 'tenant-é1',
    traceId: 'Root=1-abc;Sampled=1',
    clientContext: { custom: { city: 'Zürich ✓' } },
    cognitoIdentity: { cognitoIdentityId: 'id' },
  });
  const delivered = await poll(emulator);
  t.equal(delivered.body, 'null', 'an event of null is sent as null');
  t.equal(delivered.headers.get('lambda-runtime-aws-tenant-id'), 'tenant-é1', 'a Latin-1 value arrives intact');
  t.equal(delivered.headers.get('lambda-runtime-trace-id'), 'Root=1-abc;Sampled=1');
  t.equal(
    delivered.headers.get('lambda-runtime-invoked-function-arn'),
    'arn:aws:lambda:eu-west-1:123456789012:function:fn',
  );
  const context = delivered.headers.get('lambda-runtime-client-context') as string;
  t.match(context, /^[\x20-\x7e]+$/, 'non-ASCII characters are escaped, so the header is valid');
  t.same(JSON.parse(context), { custom: { city: 'Zürich ✓' } });
  t.same(JSON.parse(delivered.headers.get('lambda-runtime-cognito-identity') as string), { cognitoIdentityId: 'id' });
  await post(emulator, 'r-1', '{}');
  await invocation;
  const plain = emulator.invoke(undefined);
  const second = await poll(emulator);
  t.equal(second.headers.get('lambda-runtime-aws-tenant-id'), null, 'no tenant id unless given');
  t.match(
    second.headers.get('lambda-runtime-trace-id'),
    /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
  );
  t.equal(second.body, 'null', 'an undefined event is sent as null');
  await post(emulator, second.requestId as string, '{}');
  await plain;
});
