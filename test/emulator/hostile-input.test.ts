/**
 * Hostile input to the emulator, table-driven: each row must be refused at the call with a TypeError or
 * RangeError naming the argument, or answered 4xx on the wire — never a crash of this (hosting) process
 * and never a wedge: after every row, a normal invocation still goes through.
 */
import net from 'node:net';
import t from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import { apiBase, poll, post, startEmulator } from '../helpers/emulator.js';

/** Invokes, serves and answers one normal event: the emulator is not wedged. */
async function stillServes(emulator: RuntimeApiEmulator): Promise<boolean> {
  const invocation = emulator.invoke({ ping: true });
  const { requestId, body } = await poll(emulator);
  await post(emulator, requestId as string, body);
  return (await invocation).ok;
}

t.test('invoke() - events JSON cannot carry are refused at the call', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  let deep: unknown = {};
  for (let i = 0; i < 100_000; i++) deep = { deep };
  const rows: [string, unknown, ErrorConstructor, RegExp][] = [
    ['a BigInt', 10n, TypeError, /^event cannot be sent as JSON: Do not know how to serialize a BigInt$/],
    ['a nested BigInt', { n: 1n }, TypeError, /BigInt/],
    ['a circular object', circular, TypeError, /^event cannot be sent as JSON: Converting circular structure to JSON/],
    ['a function', () => 1, TypeError, /^event cannot be sent as JSON: function has no JSON form$/],
    ['a Symbol', Symbol('s'), TypeError, /^event cannot be sent as JSON: symbol has no JSON form$/],
    [
      'a throwing toJSON',
      {
        toJSON: () => {
          throw new Error('nope');
        },
      },
      TypeError,
      /^event cannot be sent as JSON: nope$/,
    ],
    ['a toJSON returning undefined', { toJSON: () => undefined }, TypeError, /object has no JSON form/],
    ['a structure too deep', deep, RangeError, /^event cannot be sent as JSON: Maximum call stack size exceeded$/],
  ];
  for (const [what, event, type, message] of rows) {
    t.throws(() => emulator.invoke(event), type, what);
    t.throws(() => emulator.invoke(event), message, what);
  }
  t.throws(() => emulator.invoke({}, { clientContext: { n: 1n } }), {
    name: 'TypeError',
    message: /^options\.clientContext cannot be sent as JSON/,
  });
  t.throws(() => emulator.invoke({}, { cognitoIdentity: circular }), /options\.cognitoIdentity cannot be sent as JSON/);
  t.equal(await stillServes(emulator), true, 'nothing wedged');
});

t.test('invoke() - ids and options that cannot be sent are refused at the call', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const rows: [string, object, ErrorConstructor, RegExp][] = [
    [
      'CR LF in a request id',
      { requestId: 'a\r\nX-Injected: 1' },
      RangeError,
      /^options\.requestId must be sent as an HTTP header: .*got "a\\r\\nX-Injected: 1"$/,
    ],
    ['LF in a trace id', { traceId: 'Root=1\n' }, RangeError, /^options\.traceId must be sent as an HTTP header/],
    ['NUL in a tenant id', { tenantId: 'a\u0000b' }, RangeError, /^options\.tenantId must be sent as an HTTP header/],
    ['a tab', { requestId: 'a\tb' }, RangeError, /options\.requestId/],
    ['DEL', { requestId: 'a\u007fb' }, RangeError, /options\.requestId/],
    ['a C1 control', { requestId: 'a\u0085b' }, RangeError, /options\.requestId/],
    ['above Latin-1', { requestId: 'id-✓' }, RangeError, /options\.requestId/],
    ['an emoji', { tenantId: '😀' }, RangeError, /options\.tenantId/],
    ['empty', { requestId: '' }, RangeError, /options\.requestId must be sent as an HTTP header.*got ""/],
    ['a leading space', { requestId: ' a' }, RangeError, /options\.requestId/],
    ['a trailing space', { traceId: 'a ' }, RangeError, /options\.traceId/],
    ['a number', { requestId: 42 }, TypeError, /^options\.requestId must be a string, got 42$/],
    ['a timeout of 0', { timeout: 0 }, RangeError, /^options\.timeout must be an integer from 1 to 2147483647, got 0$/],
    ['a fractional timeout', { timeout: 1.5 }, RangeError, /got 1\.5/],
    ['an infinite timeout', { timeout: Number.POSITIVE_INFINITY }, RangeError, /got Infinity/],
    ['a timeout as text', { timeout: '100' }, TypeError, /^options\.timeout must be a number, got "100"$/],
    [
      'an unknown option',
      { timeoutMs: 100 },
      TypeError,
      /^options has an unknown key "timeoutMs"; the known keys are requestId, timeout/,
    ],
  ];
  for (const [what, options, type, message] of rows) {
    t.throws(() => emulator.invoke({}, options as never), type, what);
    t.throws(() => emulator.invoke({}, options as never), message, what);
  }
  t.throws(() => emulator.invoke({}, null as never), {
    name: 'TypeError',
    message: 'options must be an object, got null',
  });
  emulator.invoke({}, { requestId: 'twice' }).catch(() => {});
  t.throws(() => emulator.invoke({}, { requestId: 'twice' }), {
    name: 'RangeError',
    message: 'options.requestId "twice" is already queued or in flight',
  });
  const { requestId } = await poll(emulator);
  t.equal(requestId, 'twice');
  await post(emulator, 'twice', '1');
  t.equal(await stillServes(emulator), true, 'nothing wedged');
  // Latin-1 beyond ASCII is a valid header value, and the id survives the round trip through the path.
  const latin = emulator.invoke({}, { requestId: 'café-1' });
  t.equal((await poll(emulator)).requestId, 'café-1');
  t.equal((await post(emulator, 'café-1', '"ok"')).status, 202);
  t.match(await latin, { ok: true, requestId: 'café-1' });
});

t.test('the wire - malformed paths and bytes get 4xx answers, and the emulator goes on', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const base = apiBase(emulator);
  const rows: [string, string, number, string][] = [
    ['a truncated escape', '/invocation/%E0%A4%A/response', 400, 'InvalidRequestID'],
    ['a bare percent', '/invocation/%/error', 400, 'InvalidRequestID'],
    ['an invalid UTF-8 escape', '/invocation/%FF/response', 400, 'InvalidRequestID'],
    ['an id of an encoded slash, never delivered', '/invocation/a%2Fb/response', 400, 'InvalidRequestID'],
    ['a path with a query', '/invocation/next?x=1', 404, 'NotFound'],
  ];
  for (const [what, path, status, errorType] of rows) {
    const response = await fetch(`${base}${path}`, {
      method: path.endsWith('next?x=1') ? 'GET' : 'POST',
      body: path.endsWith('next?x=1') ? undefined : '{}',
    });
    t.equal(response.status, status, what);
    t.match(await response.json(), { errorType }, what);
  }
  // Bytes that are not HTTP: a 400 from the server, and the connection closed.
  const garbage = await new Promise<string>((resolve) => {
    const socket = net.connect(Number(emulator.address.split(':').at(-1)), '127.0.0.1', () =>
      socket.write('NOT HTTP\r\n\r\n'),
    );
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
  });
  t.match(garbage, /^HTTP\/1\.1 400 Bad Request/);
  // A client that leaves mid-body: nothing to answer, nothing thrown.
  await new Promise<void>((resolve) => {
    const socket = net.connect(Number(emulator.address.split(':').at(-1)), '127.0.0.1', () => {
      socket.write('POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"half":');
      setTimeout(() => socket.destroy(), 50);
      socket.on('close', () => resolve());
    });
  });
  t.equal(await stillServes(emulator), true, 'the emulator goes on');
});

t.test('RuntimeApiEmulator.start() and inject() - bad options are refused, naming them', async (t) => {
  const startRows: [object, ErrorConstructor, RegExp][] = [
    [{ maxConcurrency: 0 }, RangeError, /^options\.maxConcurrency must be an integer from 1 to 1000, got 0$/],
    [{ maxConcurrency: '2' }, TypeError, /^options\.maxConcurrency must be a number, got "2"$/],
    [{ maxResponseBytes: -1 }, RangeError, /^options\.maxResponseBytes must be an integer/],
    [{ maxStreamedResponseBytes: 0.5 }, RangeError, /^options\.maxStreamedResponseBytes must be an integer/],
    [{ functionName: 'fn\r\nX: 1' }, RangeError, /^options\.functionName must be sent as an HTTP header/],
    [{ region: 'é✓' }, RangeError, /^options\.region must be sent as an HTTP header/],
    [{ autoRestore: 'yes' }, TypeError, /^options\.autoRestore must be a boolean, got "yes"$/],
    [{ host: '' }, RangeError, /^options\.host must not be empty/],
    [
      { initType: 'snapstart' },
      RangeError,
      /^options\.initType must be one of 'on-demand', 'provisioned-concurrency', 'snap-start', 'lambda-managed-instances', got "snapstart"$/,
    ],
    [{ timeout: 5 }, TypeError, /^options has an unknown key "timeout"; the known keys are host, port/],
  ];
  for (const [options, type, message] of startRows) {
    await t.rejects(RuntimeApiEmulator.start(options as never), type, JSON.stringify(options));
    await t.rejects(RuntimeApiEmulator.start(options as never), message, JSON.stringify(options));
  }
  const emulator = await startEmulator(t);
  const injectRows: [() => unknown, ErrorConstructor, RegExp][] = [
    [() => emulator.inject('nope' as never, { kind: 'reset' }), RangeError, /^endpoint must be one of 'restore\/next'/],
    [
      () => emulator.inject(undefined as never, { kind: 'reset' }),
      TypeError,
      /^endpoint must be one of the Runtime API endpoints/,
    ],
    [() => emulator.inject('restore/next', null as never), TypeError, /^action must be an object, got null$/],
    [
      () => emulator.inject('restore/next', { kind: 'status', status: 99 }),
      RangeError,
      /^action\.status must be an integer from 100 to 599, got 99$/,
    ],
    [
      () => emulator.inject('restore/next', { kind: 'status' } as never),
      TypeError,
      /^action\.status must be a number, got undefined$/,
    ],
    [
      () => emulator.inject('restore/next', { kind: 'status', status: 500, body: 1 } as never),
      TypeError,
      /^action\.body must be a string/,
    ],
    [
      () => emulator.inject('restore/next', { kind: 'status', status: 500, headers: { 'x-a': 'b\r\nc' } }),
      RangeError,
      /^action\.headers\.x-a must be sent as an HTTP header/,
    ],
    // A header name Node cannot send would throw out of the server's request handler.
    ...['bad\r\nname', '', 'a b', 'x:y', 'é'].map((name): [() => unknown, ErrorConstructor, RegExp] => [
      () => emulator.inject('restore/next', { kind: 'status', status: 500, headers: { [name]: 'v' } }),
      RangeError,
      /^action\.headers key ".*" must be an HTTP header name/,
    ]),
    [
      () => emulator.inject('restore/next', { kind: 'reset', status: 500 } as never),
      TypeError,
      /^action has an unknown key "status"; the known keys are kind$/,
    ],
    [
      () => emulator.inject('restore/next', { kind: 'delay', ms: -1 }),
      RangeError,
      /^action\.ms must be an integer from 0/,
    ],
    [
      () => emulator.inject('restore/next', { kind: 'delay' } as never),
      TypeError,
      /^action\.ms must be a number, got undefined$/,
    ],
    [
      () => emulator.inject('restore/next', { kind: 'garbage', bytes: 1 } as never),
      TypeError,
      /^action\.bytes must be a string/,
    ],
    [
      () => emulator.inject('invocation/next', { kind: 'omitHeaders', headers: 'x' } as never),
      TypeError,
      /^action\.headers must be an array of header names/,
    ],
    [
      () => emulator.inject('invocation/next', { kind: 'rawEvent', body: {} } as never),
      TypeError,
      /^action\.body must be a string/,
    ],
    [
      () => emulator.inject('restore/next', { kind: 'reset' }, { times: 1.5 }),
      RangeError,
      /^options\.times must be an integer/,
    ],
    [
      () => emulator.inject('restore/next', { kind: 'reset' }, { count: 2 } as never),
      TypeError,
      /^options has an unknown key "count"; the known keys are times$/,
    ],
  ];
  for (const [call, type, message] of injectRows) {
    t.throws(call, type);
    t.throws(call, message);
  }
  // A fault's action is copied: changing the caller's object afterwards changes nothing.
  const action = { kind: 'status' as const, status: 500, body: 'first' };
  emulator.inject('restore/next', action);
  action.body = 'changed';
  const answer = await fetch(`${apiBase(emulator)}/restore/next`);
  t.equal(await answer.text(), 'first');
});

t.test('a listener that throws - the request it broke is answered 500, and the emulator goes on', async (t) => {
  const emulator = await startEmulator(t);
  emulator.once('state', (state) => {
    throw new Error(`listener broke on ${state}`);
  });
  const response = await fetch(`${apiBase(emulator)}/restore/next`);
  t.equal(response.status, 500);
  t.same(await response.json(), {
    errorMessage: 'The emulator failed: listener broke on snapshot',
    errorType: 'InternalServerError',
  });
  emulator.restore();
  t.equal(emulator.state, 'ready', "restored; the dropped poll was the runtime's to retry");
  t.equal(await stillServes(emulator), true);
});
