/**
 * Invocations in process: result marshalling, the context, AWS_LAMBDA_MAX_CONCURRENCY, the p-limit slots,
 * and the loop's option checks.
 */
import t from 'tap';
import { maxConcurrencyFromEnv, runInSlots } from '../../src/lambda/concurrency.js';
import { createConcurrentContext, createContext } from '../../src/lambda/context.js';
import { type NextInvocation, RuntimeApiClient, runInvocationLoop } from '../../src/lambda/index.js';
import { currentInvocation } from '../../src/lambda/invocation-scope.js';
import { callConcurrentHandler, isAsyncFunction, lineErrorLogger, serializeResult } from '../../src/lambda/invoke.js';
import { CallbackHandlerNotSupportedError, checkHandlerForConcurrency } from '../../src/lambda/loop.js';
import { streamifyResponse } from '../../src/lambda/streaming/awslambda.js';
import { AwsRuntimeApi } from '../helpers/aws-runtime-api.js';

t.test('serializeResult() - AWS marshalling: undefined is null; what JSON cannot write is an error', async (t) => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const rows: [string, unknown, string | RegExp][] = [
    ['undefined', undefined, 'null'],
    ['null', null, 'null'],
    ['string', 'é', '"é"'],
    ['number', 1.5, '1.5'],
    ['NaN', Number.NaN, 'null'],
    ['nested undefined', { a: undefined, b: [undefined] }, '{"b":[null]}'],
    ['toJSON', { toJSON: () => ({ x: 1 }) }, '{"x":1}'],
    ['Date', new Date(0), '"1970-01-01T00:00:00.000Z"'],
    ['function', () => 1, /^TypeError: Unable to stringify response body: the handler's result is a function/],
    ['symbol', Symbol('s'), /^TypeError: .*is a symbol/],
    ['toJSON undefined', { toJSON: () => undefined }, /^TypeError: .*toJSON\(\) returns undefined/],
    ['BigInt', 1n, /^Error: Unable to stringify response body$/],
    ['nested BigInt', [{ n: 2n }], /^Error: Unable to stringify response body$/],
    ['circular', circular, /^Error: Unable to stringify response body$/],
    [
      'throwing toJSON',
      {
        toJSON: () => {
          throw new Error('x');
        },
      },
      /^Error: Unable to stringify response body$/,
    ],
  ];
  for (const [name, value, expected] of rows) {
    const result = serializeResult(value);
    if (typeof expected === 'string') t.same(result, { ok: true, body: expected }, name);
    else {
      t.equal(result.ok, false, name);
      if (!result.ok) t.match(`${result.error.name}: ${result.error.message}`, expected, name);
    }
  }
  const bigint = serializeResult(1n);
  t.match(!bigint.ok && bigint.error.cause, { name: 'TypeError' }, 'the original error is the cause');
});

const invocation = (extra: Partial<NextInvocation> = {}): NextInvocation => ({
  requestId: 'r-1',
  deadlineMs: Date.now() + 1_000,
  invokedFunctionArn: 'arn',
  traceId: undefined,
  clientContext: undefined,
  cognitoIdentity: undefined,
  rawEvent: '{}',
  ...extra,
});

t.test('createContext() - tenantId, done/succeed/fail as AWS reports them, none for a streaming handler', async (t) => {
  const calls: unknown[][] = [];
  const context = createContext(invocation({ tenantId: 'blue' }), {}, (...args) => calls.push(args));
  t.equal(context.tenantId, 'blue');
  t.equal(context.callbackWaitsForEmptyEventLoop, true);
  context.succeed('s');
  context.done(undefined, 'd');
  context.fail(new Error('f'));
  context.fail(undefined as never);
  (context.fail as (error?: unknown) => void)(null);
  t.match(calls, [[null, 's'], [undefined, 'd'], [{ message: 'f' }], ['handled'], ['handled']]);

  const streaming = createContext(invocation(), {});
  t.same(
    [typeof streaming.done, typeof streaming.succeed, typeof streaming.fail],
    ['undefined', 'undefined', 'undefined'],
  );
  t.ok('tenantId' in streaming && streaming.tenantId === undefined, 'tenantId present, undefined without the header');
});

t.test(
  'createContext() and createConcurrentContext() - AWS key order, environment as it is, bad JSON headers',
  async (t) => {
    const env = {
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
      AWS_LAMBDA_FUNCTION_VERSION: '7',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
      AWS_LAMBDA_LOG_STREAM_NAME: 'stream',
    };
    const environment = ['functionVersion', 'functionName', 'memoryLimitInMB', 'logGroupName', 'logStreamName'];
    const headers = ['clientContext', 'identity', 'invokedFunctionArn', 'awsRequestId', 'tenantId'];
    // aws-lambda-nodejs-runtime-interface-client 3.x: CallbackContext, then InvokeContext's environment and header data.
    t.same(Object.keys(createContext(invocation(), env, () => {})), [
      'callbackWaitsForEmptyEventLoop',
      'succeed',
      'fail',
      'done',
      ...environment,
      ...headers,
      'getRemainingTimeInMillis',
    ]);
    t.same(Object.keys(createContext(invocation(), env)), [
      'callbackWaitsForEmptyEventLoop',
      ...environment,
      ...headers,
      'getRemainingTimeInMillis',
    ]);
    // The 4.x client (Managed Instances): header data with the trace id, then the environment; no callbacks.
    const concurrent = createConcurrentContext(invocation({ traceId: 'Root=1-a' }), env);
    t.same(Object.keys(concurrent), [
      ...headers,
      'xRayTraceId',
      'getRemainingTimeInMillis',
      'functionName',
      'functionVersion',
      'memoryLimitInMB',
      'logGroupName',
      'logStreamName',
    ]);
    t.match(concurrent, { xRayTraceId: 'Root=1-a', functionVersion: '7', memoryLimitInMB: '512' });
    const bare = createContext(invocation(), {});
    t.same(
      environment.map((key) => bare[key as keyof typeof bare]),
      [undefined, undefined, undefined, undefined, undefined],
      'unset variables read undefined, as on AWS',
    );
    t.throws(() => createContext(invocation({ clientContext: '{bad' }), env), {
      message: /^Cannot parse ClientContext as json: SyntaxError: /,
    });
    t.throws(() => createConcurrentContext(invocation({ cognitoIdentity: 'nope' }), env), {
      message: /^Cannot parse CognitoIdentity as json: SyntaxError: /,
    });
    t.same(createContext(invocation({ clientContext: '', cognitoIdentity: '{"id":1}' }), env).identity, { id: 1 });
  },
);

t.test('maxConcurrencyFromEnv() - integers from 1, garbage served as 1 with a warning naming it', async (t) => {
  const warnings: string[] = [];
  const read = (value: string | undefined) =>
    maxConcurrencyFromEnv(value === undefined ? {} : { AWS_LAMBDA_MAX_CONCURRENCY: value }, (m) => warnings.push(m));
  t.equal(read(undefined), 1);
  t.equal(read(''), 1);
  t.equal(read('1'), 1);
  t.equal(read('64'), 64);
  t.equal(read('100000'), 100_000);
  t.equal(warnings.length, 0);
  for (const bad of ['0', '-2', '1.5', ' 4', '4 ', '0x10', '1e3', 'abc', '100001', '9999999999']) {
    t.equal(read(bad), 1, JSON.stringify(bad));
  }
  t.equal(warnings.length, 10);
  t.match(
    warnings[0],
    /AWS_LAMBDA_MAX_CONCURRENCY must be an integer from 1 to 100000, got "0"; serving one invocation at a time/,
  );
});

t.test('runInSlots() - at most N at once, all run, the first failure stops it', async (t) => {
  let running = 0;
  let peak = 0;
  const task = async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
  };
  t.equal(await runInSlots(3, 10, task), 10);
  t.equal(peak, 3);

  let started = 0;
  const failing = runInSlots(2, Number.POSITIVE_INFINITY, async () => {
    started++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (started >= 3) throw new Error('API gone');
  });
  await t.rejects(failing, /API gone/);
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.ok(started <= 5, `queued tasks are dropped after the failure (${started} started)`);
});

t.test('runInvocationLoop() - concurrency and handler checks, named', async (t) => {
  const client = new RuntimeApiClient('127.0.0.1:9');
  t.teardown(() => client.close());
  const handler = async () => 1;
  await t.rejects(runInvocationLoop({ client, handler, concurrency: 0 }), RangeError);
  await t.rejects(
    runInvocationLoop({ client, handler, concurrency: 1.5 }),
    /options\.concurrency must be an integer from 1 to 100000, got 1\.5/,
  );
  await t.rejects(runInvocationLoop({ client, handler, concurrency: '2' as never }), TypeError);
  t.throws(() => new RuntimeApiClient('127.0.0.1:9', { concurrency: 0 }), /options\.concurrency/);
  t.throws(() => new RuntimeApiClient('127.0.0.1:9', { agent: {} as never }), /options\.agent must be an http\.Agent/);
  const badOptions: [string, object, RegExp][] = [
    ['no options', undefined as never, /^runInvocationLoop\(options\) must be an object, got undefined$/],
    ['a fake client', { client: {}, handler }, /options\.client must be a RuntimeApiClient, got an object$/],
    ['a bad maxInvocations', { client, handler, maxInvocations: -1 }, /options\.maxInvocations must be an integer/],
    ['a bad env', { client, handler, env: 'x' }, /options\.env must be an object/],
    ['a bad log', { client, handler, log: 1 }, /options\.log must be a function/],
    ['a bad onEvent', { client, handler, onEvent: 'x' }, /options\.onEvent must be a function/],
  ];
  for (const [what, options, message] of badOptions) {
    await t.rejects(runInvocationLoop(options as never), message, what);
  }

  const callbackStyle = (_e: unknown, _c: unknown, _cb: unknown) => {};
  t.same(
    checkHandlerForConcurrency(callbackStyle as never, 1),
    { streaming: false },
    'one at a time, callbacks are fine',
  );
  t.throws(() => checkHandlerForConcurrency(callbackStyle as never, 2), { name: 'Runtime.CallbackHandlerDeprecated' });
  t.ok(new CallbackHandlerNotSupportedError('x') instanceof Error);
  const streamingWithThree = streamifyResponse(async (_e: unknown, _s: unknown, _c: unknown) => {});
  t.same(
    checkHandlerForConcurrency(streamingWithThree as never, 8),
    { streaming: true },
    'a streaming handler has 3 parameters',
  );
  await t.rejects(runInvocationLoop({ client, handler: callbackStyle as never, concurrency: 2 }), {
    name: 'Runtime.CallbackHandlerDeprecated',
    message: /concurrency 2/,
  });
});

t.test('runInvocationLoop() - served concurrently in process: a finite run resolves; a lost API rejects', async (t) => {
  const api = await AwsRuntimeApi.start({ maxConcurrency: 3 });
  const client = new RuntimeApiClient(api.endpoint, { concurrency: 3 });
  t.teardown(async () => {
    client.close();
    await api.close();
  });
  const events: string[] = [];
  const loop = runInvocationLoop({
    client,
    handler: async (event: unknown) => event,
    concurrency: 3,
    maxInvocations: 3,
    onEvent: (invocation) => events.push(invocation.rawEvent),
  });
  const results = await Promise.all([1, 2, 3].map((n) => api.invoke(String(n))));
  t.same(
    results.map((r) => r.text),
    ['1', '2', '3'],
  );
  t.equal(await loop, 3);

  t.same(events.sort(), ['1', '2', '3'], 'onEvent saw each event');

  const forever = runInvocationLoop({ client, handler: async () => 1, concurrency: 3 });
  await api.polling(3);
  await api.close();
  await t.rejects(forever, /invocation\/next failed/);
});

t.test(
  'runInvocationLoop() - one at a time, a callback the previous invocation left runs as the open one',
  async (t) => {
    const api = await AwsRuntimeApi.start();
    const client = new RuntimeApiClient(api.endpoint);
    t.teardown(async () => {
      client.close();
      await api.close();
    });
    let late: Promise<string | undefined> = Promise.resolve(undefined);
    const ids: string[] = [];
    const loop = runInvocationLoop({
      client,
      handler: async (_event: unknown, context) => {
        ids.push(context.awsRequestId);
        if (ids.length === 1) {
          late = new Promise((resolve) => setTimeout(() => resolve(currentInvocation()?.requestId), 30));
          return null;
        }
        return late;
      },
      maxInvocations: 2,
    });
    await api.invoke('{}');
    const second = await api.invoke('{}');
    t.equal(await loop, 2);
    t.equal(JSON.parse(second.text), ids[1], "the second invocation's id, as AWS's one process-wide id gives it");
  },
);

t.test(
  "runInvocationLoop() - one at a time: request and tenant ids on AWS's global symbols, trace id in the env, a bad client context fails its invocation",
  async (t) => {
    const api = await AwsRuntimeApi.start();
    const client = new RuntimeApiClient(api.endpoint);
    const global = globalThis as Record<symbol, unknown>;
    const requestIdKey = Symbol.for('aws.lambda.runtime.requestId');
    const tenantIdKey = Symbol.for('aws.lambda.runtime.tenantId');
    const savedTrace = process.env._X_AMZN_TRACE_ID;
    t.teardown(async () => {
      client.close();
      await api.close();
      delete global[requestIdKey];
      delete global[tenantIdKey];
      if (savedTrace === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = savedTrace;
    });
    const seen: unknown[] = [];
    const loop = runInvocationLoop({
      client,
      handler: async (_event: unknown, context) => {
        seen.push([global[requestIdKey] === context.awsRequestId, global[tenantIdKey], process.env._X_AMZN_TRACE_ID]);
        return null;
      },
      maxInvocations: 4,
    });
    await api.invoke('{}', { tenantId: 'blue', traceId: 'Root=1-a' });
    await api.invoke('{}');
    const last = await api.invoke('{}', { tenantId: '', traceId: '' });
    // AWS's InvokeContext: a client context that is not JSON fails that invocation, the loop goes on.
    const bad = await api.invoke('{}', { clientContext: '{bad' });
    t.match(JSON.parse(bad.text), {
      errorType: 'Error',
      errorMessage: /^Cannot parse ClientContext as json: SyntaxError: /,
    });
    t.equal(bad.kind, 'error');
    t.equal(await loop, 4);
    t.same(seen[0], [true, 'blue', 'Root=1-a']);
    t.same(
      seen[2],
      [true, undefined, undefined],
      "empty tenant and trace headers read as absent, as AWS's native client",
    );
    t.match(seen[1], [true, undefined, /^Root=1-[0-9a-f]{8}-/], 'the tenant id cleared by the next invocation');
    t.not(last.requestId, bad.requestId);
    t.equal(global[requestIdKey], bad.requestId, 'left in place after the invocation, as AWS leaves it');
  },
);

t.test('lineErrorLogger() - names the request in scope, none outside one', async (t) => {
  const lines: string[] = [];
  lineErrorLogger((line) => lines.push(line))('Invoke Error', new RangeError('r'));
  t.match(lines[0], /^\tERROR\tInvoke Error\t\{.*"errorType":"RangeError"/);
});

t.test('callConcurrentHandler() and isAsyncFunction()', async (t) => {
  const context = () => createConcurrentContext(invocation(), {});
  t.same(await callConcurrentHandler((() => 7) as never, {}, context), { ok: true, value: 7 });
  t.match(
    await callConcurrentHandler((() => 7) as never, {}, () =>
      createConcurrentContext(invocation({ clientContext: '[' }), {}),
    ),
    { ok: false, error: { message: /^Cannot parse ClientContext as json/ } },
    'a context that cannot be built fails the invocation',
  );
  t.match(
    await callConcurrentHandler(
      (() => {
        throw new Error('sync');
      }) as never,
      {},
      context,
    ),
    { ok: false, error: { message: 'sync' } },
  );
  t.equal(
    isAsyncFunction(async () => {}),
    true,
  );
  t.equal(
    isAsyncFunction(() => {}),
    false,
  );
  t.equal(
    isAsyncFunction(async function* gen() {}),
    false,
  );
  const hostile = new Proxy(() => {}, {
    get() {
      throw new Error('trap');
    },
  });
  t.equal(isAsyncFunction(hostile), false, 'a throwing constructor lookup is not async');
});
