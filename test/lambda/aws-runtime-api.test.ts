/**
 * Self-test of the AWS Runtime API oracle (test/helpers/aws-runtime-api.ts), driven with plain node:http requests,
 * then one real snap-start run of the built `snapstart-runtime` against it.
 */
import { spawn } from 'node:child_process';
import { type IncomingHttpHeaders, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { AwsRuntimeApi } from '../helpers/aws-runtime-api.js';

const BASE = '/2018-06-01/runtime';
const now = () => performance.timeOrigin + performance.now();

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One plain HTTP request to the oracle; `body` pieces are written as separate chunks when `chunked`. */
function call(
  api: AwsRuntimeApi,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; chunked?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const [host, port] = api.endpoint.split(':');
    const req = request({ host, port: Number(port), method, path: `${BASE}${path}`, headers: options.headers });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

t.test(
  'next delivers the event with every documented header; response, error, unknown and repeated posts',
  async (t) => {
    const api = await AwsRuntimeApi.start();
    t.teardown(() => api.close());
    t.equal(api.env().AWS_LAMBDA_RUNTIME_API, api.endpoint);
    t.equal(api.env().AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
    t.notOk('AWS_LAMBDA_MAX_CONCURRENCY' in api.env(), 'no concurrency variable outside Managed Instances');

    const poll = call(api, 'GET', '/invocation/next');
    await api.polling(1);
    const deadlineMs = Date.now() + 5_000;
    const result = api.invoke('{"a":1}', {
      requestId: 'req-1',
      deadlineMs,
      traceId: 'Root=1-abc;Sampled=1',
      tenantId: 'blue',
      clientContext: { custom: { k: 'v' } },
      cognitoIdentity: '{"cognitoIdentityId":"id"}',
      functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:f:live',
    });
    const event = await poll;
    t.equal(event.status, 200);
    t.equal(event.text, '{"a":1}');
    t.equal(event.headers['lambda-runtime-aws-request-id'], 'req-1');
    t.equal(event.headers['lambda-runtime-deadline-ms'], String(deadlineMs));
    t.equal(event.headers['lambda-runtime-trace-id'], 'Root=1-abc;Sampled=1');
    t.equal(event.headers['lambda-runtime-aws-tenant-id'], 'blue');
    t.equal(event.headers['lambda-runtime-client-context'], '{"custom":{"k":"v"}}');
    t.equal(event.headers['lambda-runtime-cognito-identity'], '{"cognitoIdentityId":"id"}');
    t.equal(
      event.headers['lambda-runtime-invoked-function-arn'],
      'arn:aws:lambda:eu-west-1:111111111111:function:f:live',
    );

    const posted = await call(api, 'POST', '/invocation/req-1/response', { body: '"done"' });
    t.same([posted.status, JSON.parse(posted.text)], [202, { status: 'OK' }]);
    const r = await result;
    t.match(r, { requestId: 'req-1', kind: 'response', status: 202, text: '"done"', streamed: false, bytes: 6 });
    t.equal(r.delivered['lambda-runtime-aws-tenant-id'], 'blue');
    t.ok(r.deliveredAt <= r.postedAt && r.postedAt <= r.endedAt, 'times in order');
    t.same(api.violations, [], 'a conforming exchange breaks no rule');

    const again = await call(api, 'POST', '/invocation/req-1/error', { body: '{}' });
    t.same([again.status, JSON.parse(again.text).errorType], [400, 'InvalidRequestID'], 'repeat post refused');
    const unknown = await call(api, 'POST', '/invocation/nope/response', { body: '1' });
    t.equal(unknown.status, 400, 'unknown request id refused');
    t.same(
      api.violations.map((v) => v.rule),
      ['second error for completed invocation req-1', 'response for unknown request id nope'],
    );

    // Defaults: a fresh id, a trace header in X-Ray form, a deadline in the future.
    const poll2 = call(api, 'GET', '/invocation/next');
    const failed = api.invoke(Buffer.from('{}'));
    const event2 = await poll2;
    const id = String(event2.headers['lambda-runtime-aws-request-id']);
    t.match(
      event2.headers['lambda-runtime-trace-id'],
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
    );
    t.ok(Number(event2.headers['lambda-runtime-deadline-ms']) > Date.now());
    t.notOk('lambda-runtime-aws-tenant-id' in event2.headers, 'no tenant header unless one is given');
    const errorBody = '{"errorMessage":"boom","errorType":"Error","stackTrace":[]}';
    const errorPost = await call(api, 'POST', `/invocation/${id}/error`, {
      body: errorBody,
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.UserError' },
    });
    t.equal(errorPost.status, 202);
    const f = await failed;
    t.match(f, { kind: 'error', text: errorBody });
    t.equal(f.headers['lambda-runtime-function-error-type'], 'Runtime.UserError');
    t.same(api.sequence(), [
      'GET invocation/next',
      'POST invocation/response',
      'POST invocation/error',
      'POST invocation/response',
      'GET invocation/next',
      'POST invocation/error',
    ]);

    // Lambda quotas: a buffered response over 6 MB is refused with 413; the invocation ends there.
    const poll3 = call(api, 'GET', '/invocation/next');
    const big = api.invoke('{}', { requestId: 'big' });
    await poll3;
    const tooLarge = await call(api, 'POST', '/invocation/big/response', { body: 'x'.repeat(6 * 1024 * 1024 + 1) });
    t.same([tooLarge.status, JSON.parse(tooLarge.text).errorType], [413, 'RequestEntityTooLarge']);
    t.match(await big, { status: 413, bytes: 6 * 1024 * 1024 + 1 });

    const late = await call(api, 'POST', '/init/error', { body: '{}' });
    t.equal(late.status, 403, 'init/error after invocations is out of order');
    const unknownPath = await call(api, 'GET', '/nothing');
    t.equal(unknownPath.status, 404);
    await t.rejects(api.invoke('{}', { requestId: 'req-1' }), /already used/);
  },
);

t.test('a streamed response is read chunk by chunk, with arrival times and base64 error trailers', async (t) => {
  const api = await AwsRuntimeApi.start();
  t.teardown(() => api.close());
  const poll = call(api, 'GET', '/invocation/next');
  const result = api.invoke('{}', { requestId: 's-1' });
  await poll;

  const [host, port] = api.endpoint.split(':');
  const req = request({
    host,
    port: Number(port),
    method: 'POST',
    path: `${BASE}/invocation/s-1/response`,
    headers: {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Transfer-Encoding': 'chunked',
      Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
    },
  });
  const answered = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.write('first ');
  const post = await api.until('the first chunk', () =>
    api.requests.find((r) => r.endpoint === 'invocation/response' && r.chunks.length > 0),
  );
  t.equal(post.endedAt, undefined, 'the first chunk is visible while the post is still open');
  await new Promise((r) => setTimeout(r, 20));
  const secondWrittenAt = now();
  req.write('second');
  req.addTrailers({
    'Lambda-Runtime-Function-Error-Type': 'Function.StreamError',
    'Lambda-Runtime-Function-Error-Body': Buffer.from('{"errorMessage":"mid-stream"}').toString('base64'),
  });
  req.end();
  t.equal(await answered, 202);
  const r = await result;
  t.equal(r.streamed, true);
  t.equal(r.text, 'first second');
  t.ok(r.chunks.length >= 2, `chunks arrive separately (${r.chunks.length})`);
  t.ok((r.chunks[0]?.at ?? Infinity) < secondWrittenAt, 'the first chunk arrived before the second was written');
  t.same(r.streamError, { type: 'Function.StreamError', body: '{"errorMessage":"mid-stream"}' });
  t.same(api.violations, []);

  // A streamed post must be chunked, and the error body base64.
  const poll2 = call(api, 'GET', '/invocation/next');
  const second = api.invoke('{}', { requestId: 's-2' });
  await poll2;
  const plain = await call(api, 'POST', '/invocation/s-2/response', {
    body: 'x',
    headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Content-Length': '1' },
  });
  t.equal(plain.status, 202);
  t.equal((await second).streamed, true);

  const poll3 = call(api, 'GET', '/invocation/next');
  const third = api.invoke('{}', { requestId: 's-3', waitTimeoutMs: 200 });
  await poll3;
  const badMode = await call(api, 'POST', '/invocation/s-3/response', {
    body: 'x',
    headers: { 'Lambda-Runtime-Function-Response-Mode': 'buffered' },
  });
  t.same([badMode.status, JSON.parse(badMode.text).errorType], [400, 'InvalidFunctionResponseMode']);
  await t.rejects(third, /within 200 ms/, 'a refused post does not complete the invocation');
  t.same(
    api.violations.map((v) => v.rule),
    ['streamed response without Transfer-Encoding: chunked', 'invalid response mode buffered'],
  );
});

t.test('Managed Instances: concurrent polls up to maxConcurrency, one more is refused', async (t) => {
  const api = await AwsRuntimeApi.start({ initType: 'lambda-managed-instances', maxConcurrency: 2 });
  t.teardown(() => api.close());
  t.equal(api.env().AWS_LAMBDA_MAX_CONCURRENCY, '2');
  const a = call(api, 'GET', '/invocation/next');
  const b = call(api, 'GET', '/invocation/next');
  t.equal(await api.polling(2), 2);
  const third = await call(api, 'GET', '/invocation/next');
  t.same([third.status, JSON.parse(third.text).errorType], [403, 'InvalidStateTransition']);
  const results = [api.invoke('{"n":1}'), api.invoke('{"n":2}')];
  const events = await Promise.all([a, b]);
  const ids = events.map((e) => String(e.headers['lambda-runtime-aws-request-id']));
  t.equal(new Set(ids).size, 2, 'each poll got its own invocation');
  t.same(events.map((e) => e.text).sort(), ['{"n":1}', '{"n":2}']);
  await Promise.all(ids.map((id) => call(api, 'POST', `/invocation/${id}/response`, { body: id })));
  const done = await Promise.all(results);
  t.same(
    done.map((d) => d.text),
    done.map((d) => d.requestId),
  );
  t.equal(api.violations.length, 1);
  await t.rejects(AwsRuntimeApi.start({ maxConcurrency: 0 }), RangeError);
});

t.test(
  'snap-start lifecycle: restore/next parks until restore(); init/error and restore/error are recorded',
  async (t) => {
    const onDemand = await AwsRuntimeApi.start();
    t.teardown(() => onDemand.close());
    t.equal((await call(onDemand, 'GET', '/restore/next')).status, 403, 'restore/next only under snap-start');
    t.equal((await call(onDemand, 'POST', '/restore/error', { body: '{}' })).status, 403, 'no restore phase');

    const api = await AwsRuntimeApi.start({ initType: 'snap-start' });
    t.teardown(() => api.close());
    const initError = await call(api, 'POST', '/init/error', {
      body: '{"errorMessage":"m","errorType":"E"}',
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.BeforeSnapshotError' },
    });
    t.same([initError.status, JSON.parse(initError.text)], [202, { status: 'OK' }]);
    t.equal(api.initErrors[0]?.headers['lambda-runtime-function-error-type'], 'Runtime.BeforeSnapshotError');

    const parked = call(api, 'GET', '/restore/next');
    const seen = await api.restoreRequested();
    t.equal(seen.status, undefined, 'still parked');
    t.equal((await call(api, 'GET', '/restore/next')).status, 403, 'a second restore/next is refused');
    await api.restore();
    const restored = await parked;
    t.same([restored.status, restored.text], [200, '']);
    const restoreError = await call(api, 'POST', '/restore/error', {
      body: '{}',
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.AfterRestoreError' },
    });
    t.equal(restoreError.status, 202);
    t.equal(api.restoreErrors.length, 1);
    t.same(api.sequence(), ['POST init/error', 'GET restore/next', 'GET restore/next', 'POST restore/error']);
  },
);

t.test('close() rejects every pending wait and drops parked polls; waits also time out', async (t) => {
  const api = await AwsRuntimeApi.start({ initType: 'snap-start' });
  await t.rejects(api.invoke('{}', { waitTimeoutMs: 20 }), /no invocation .* to be answered within 20 ms/);
  // That event is still queued: the next poll takes it. Answer it so the server is idle again.
  const taken = await call(api, 'GET', '/invocation/next');
  await call(api, 'POST', `/invocation/${taken.headers['lambda-runtime-aws-request-id']}/response`, { body: '1' });

  const parked = call(api, 'GET', '/invocation/next').catch((error: Error) => error);
  await api.polling(1);
  const waits = [
    t.rejects(api.restoreRequested(), /closed before GET restore\/next/),
    t.rejects(api.polling(5), /closed before 5 parked/),
    t.rejects(
      api.waitForRequest('a request that never comes', () => false),
      /closed before a request/,
    ),
  ];
  const started = Date.now();
  await api.close();
  await Promise.all(waits);
  t.type(await parked, Error, 'the parked poll sees its connection dropped');
  t.ok(Date.now() - started < 2_000, 'close does not hang');
  await t.rejects(
    api.until('anything', () => undefined),
    /closed before anything/,
    'waits after close reject',
  );
  await api.close();

  const idle = await AwsRuntimeApi.start();
  const queued = idle.invoke('{}');
  await idle.close();
  await t.rejects(queued, /closed before invocation/, 'a queued invocation rejects on close');
});

t.test(
  'the built snapstart-runtime under snap-start: restore, one invocation, documented request sequence',
  async (t) => {
    const api = await AwsRuntimeApi.start({ initType: 'snap-start' });
    const bin = fileURLToPath(new URL('../../dist/lambda/bin.js', import.meta.url));
    const taskRoot = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url));
    const child = spawn(process.execPath, [bin], {
      env: { ...process.env, ...api.env(), _HANDLER: 'app.handler', LAMBDA_TASK_ROOT: taskRoot },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<unknown>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    t.teardown(async () => {
      await api.close();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    });

    await api.restore({ waitTimeoutMs: 20_000 });
    const r = await api.invoke('{"n":1}', { tenantId: 'green', waitTimeoutMs: 20_000 });
    await api.polling(1, { waitTimeoutMs: 20_000 });
    t.equal(r.kind, 'response', stderr);
    const body = JSON.parse(r.text);
    t.same(body.event, { n: 1 });
    t.same(body.calls, ['flushCache', 'closeDb', 'reconnectDb', 'refreshConfig'], 'hooks ran around restore/next');
    t.equal(body.awsRequestId, r.requestId);
    t.same(api.sequence(), [
      'GET restore/next',
      'GET invocation/next',
      'POST invocation/response',
      'GET invocation/next',
    ]);
    t.same(api.violations, [], 'the runtime broke no documented rule');
  },
);
