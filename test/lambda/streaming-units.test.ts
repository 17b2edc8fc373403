/**
 * Response streaming in process: the response stream against a real HTTP server on 127.0.0.1 (backpressure
 * with a server that stops reading, refusals, resets, destroy), and the `awslambda` API's edges.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import t from 'tap';
import { RuntimeApiClient, runInvocationLoop } from '../../src/lambda/index.js';
import { MalformedStreamingHandlerError, streamingModeOf } from '../../src/lambda/loop.js';
import { HttpResponseStream, installAwsLambdaGlobal, streamifyResponse } from '../../src/lambda/streaming/awslambda.js';
import {
  controlOf,
  InvalidStreamingOperationError,
  ResponseStream,
} from '../../src/lambda/streaming/response-stream.js';
import { AwsRuntimeApi } from '../helpers/aws-runtime-api.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  trailers: Record<string, string>;
}

/** A server for stream posts: `answer` decides what each post gets once its body ended (default 202). */
async function streamServer(
  t: { teardown(fn: () => unknown): void },
  onRequest?: (req: IncomingMessage, res: ServerResponse) => boolean,
  status = 202,
) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    if (onRequest?.(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks),
        trailers: { ...req.trailers } as Record<string, string>,
      });
      res.writeHead(status).end(status === 202 ? '{"status":"OK"}' : '{"errorType":"Refused"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new RuntimeApiClient(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  t.teardown(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const stream = (highWaterMark?: number) =>
    new ResponseStream((contentType) => client.openResponseStream('req-1', contentType), highWaterMark);
  return { received, client, stream, server };
}

const decode = (trailers: Record<string, string>) =>
  JSON.parse(Buffer.from(trailers['lambda-runtime-function-error-body'] ?? '', 'base64').toString()) as Record<
    string,
    unknown
  >;

t.test('ResponseStream - write/end argument forms, content type, pipeline, and the streamed post', async (t) => {
  const { received, stream } = await streamServer(t);
  const s = stream();
  t.throws(() => s.setContentType(42 as never), TypeError, 'a content type must be a string');
  t.throws(() => s.setContentType('text/plain\r\nx: y'), /Invalid character/, 'and a valid header value');
  s.setContentType('text/csv');
  const order: string[] = [];
  s.write('a', () => order.push('write cb'));
  s.write('b', 'utf8', () => order.push('write cb with encoding'));
  t.throws(
    () => s.setContentType('text/html'),
    { name: 'Runtime.InvalidStreamingOperation' },
    'too late after a write',
  );
  t.ok(new InvalidStreamingOperationError('x') instanceof Error);
  s.end('c', 'utf8', () => order.push('end cb'));
  await controlOf(s).answered;
  t.same(order, ['write cb', 'write cb with encoding', 'end cb']);
  t.equal(received[0]?.body.toString(), 'abc');
  t.equal(received[0]?.headers['content-type'], 'text/csv');
  t.equal(received[0]?.headers['lambda-runtime-function-response-mode'], 'streaming');
  t.match(received[0]?.headers.trailer, /Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body/);

  const piped = stream();
  await pipeline(Readable.from(['x', 'y']), piped);
  await controlOf(piped).answered;
  t.equal(received[1]?.body.toString(), 'xy', 'a pipeline target');
  t.equal(received[1]?.headers['content-type'], 'application/octet-stream', 'the default content type');

  const withCallback = stream();
  let endedWith = '';
  withCallback.end('z', () => (endedWith = 'end(chunk, callback)'));
  await controlOf(withCallback).answered;
  t.equal(endedWith, 'end(chunk, callback)');
  t.equal(received.at(-1)?.body.toString(), 'z');

  const ended = stream();
  let called = false;
  ended.end(() => (called = true));
  await controlOf(ended).answered;
  t.ok(called, 'end(callback)');
  t.equal(received[3]?.body.length, 0, 'an empty body');
  await controlOf(ended).fail(new Error('too late'));
  t.same(received[3]?.trailers, {}, 'a failure after the post ended adds nothing');
});

t.test(
  'ResponseStream - failures: trailers after buffered chunks, escaped types, a stream the handler destroyed',
  async (t) => {
    const { received, stream } = await streamServer(t);
    const s = stream();
    s.write('kept');
    class WeirdError extends Error {}
    WeirdError.prototype.name = 'Bad\nNamé 100%';
    await controlOf(s).fail(new WeirdError('mid-stream'));
    t.equal(received[0]?.body.toString(), 'kept');
    t.equal(
      received[0]?.trailers['lambda-runtime-function-error-type'],
      'Bad%0ANam%C3%A9 100%25',
      'a valid header value',
    );
    t.match(decode(received[0]?.trailers ?? {}), { errorMessage: 'mid-stream' });

    const destroyed = stream();
    destroyed.destroy();
    await controlOf(destroyed).fail('handler gave up');
    t.equal(received[1]?.body.length, 0, 'a destroyed stream that never started still reports the error');
    t.match(decode(received[1]?.trailers ?? {}), { errorMessage: 'handler gave up' });

    const started = stream();
    started.write('x');
    await new Promise((resolve) => setTimeout(resolve, 50));
    started.destroy(new Error('user destroyed it'));
    await t.rejects(controlOf(started).fail(new Error('after destroy')), 'the post was aborted: answered rejects');
    const quiet = stream();
    quiet.write('y');
    await new Promise((resolve) => setTimeout(resolve, 50));
    quiet.destroy();
    await t.rejects(controlOf(quiet).answered, 'destroyed without an error: the post is aborted too');
    t.equal(received.length, 2, 'the aborted posts are not answers');
  },
);

t.test('ResponseStream - backpressure: a server that stops reading stops the writer', async (t) => {
  let paused: IncomingMessage | undefined;
  const { received, stream } = await streamServer(t, (req) => {
    // Read nothing until told to: the writer must be held back, not buffer without bound.
    req.pause();
    paused = req;
    return false;
  });
  const s = stream(16 * 1024);
  const chunk = Buffer.alloc(64 * 1024, 'p');
  let accepted = 0;
  let waits = 0;
  const writer = (async () => {
    for (let i = 0; i < 256; i++) {
      if (!s.write(chunk)) {
        waits++;
        await new Promise((resolve) => s.once('drain', resolve));
      }
      accepted++;
    }
    s.end();
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const heldAt = accepted;
  t.ok(heldAt < 256, `the writer was held back while the server read nothing (${heldAt} of 256 chunks accepted)`);
  t.ok(waits > 0);
  paused?.resume();
  await writer;
  await controlOf(s).answered;
  t.equal(received[0]?.body.length, 256 * chunk.length, 'then everything arrived');
});

t.test('ResponseStream - a refused or reset post destroys the stream without crashing the process', async (t) => {
  const refusing = await streamServer(t, undefined, 413);
  const s = refusing.stream();
  s.end('too big');
  await t.rejects(controlOf(s).answered, /answered 413/);
  t.ok(s.destroyed);

  const resetting = await streamServer(t, (req) => {
    req.once('data', () => req.socket.destroy());
    return true;
  });
  const r = resetting.stream();
  const errors: unknown[] = [];
  r.on('error', (error) => errors.push(error));
  r.write('first');
  await t.rejects(controlOf(r).answered, /failed/);
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(r.destroyed);
  t.equal(errors.length, 1, 'the error reaches a listener; with none, nothing crashes');
});

t.test('HttpResponseStream.from() - prelude and refusals', async (t) => {
  const { received, stream } = await streamServer(t);
  const s = stream();
  t.equal(HttpResponseStream.from(s, { statusCode: 418 }), s, 'returns the stream');
  s.write('tea');
  s.end();
  await controlOf(s).answered;
  t.same(received[0]?.body, Buffer.concat([Buffer.from('{"statusCode":418}'), Buffer.alloc(8), Buffer.from('tea')]));
  t.equal(received[0]?.headers['content-type'], 'application/vnd.awslambda.http-integration-response');

  t.throws(() => HttpResponseStream.from(null as never, {}), TypeError);
  t.throws(() => HttpResponseStream.from({} as never, {}), /must be the response stream/);
  t.throws(() => HttpResponseStream.from(stream(), undefined as never), /prelude must be an object/);
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  t.throws(() => HttpResponseStream.from(stream(), circular), /cannot be written as JSON/);
  const written = stream();
  written.write('x');
  t.throws(() => HttpResponseStream.from(written, {}), { name: 'Runtime.InvalidStreamingOperation' });
  written.end();
  await controlOf(written).answered;
});

t.test('streamifyResponse() and the awslambda global', async (t) => {
  t.throws(() => streamifyResponse(undefined), /streamifyResponse\(handler\) must be a function/);
  for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
    t.throws(() => streamifyResponse(async () => {}, { highWaterMark: bad }), RangeError, String(bad));
  }
  const ignored = streamifyResponse(async () => {}, { highWaterMark: '9' as never });
  t.same(streamingModeOf(ignored), { streaming: true }, 'a non-number highWaterMark is ignored, as on AWS');
  t.same(streamingModeOf(streamifyResponse(async () => {}, { highWaterMark: 1024.9 })), {
    streaming: true,
    highWaterMark: 1024,
  });
  t.same(
    streamingModeOf(async () => {}),
    { streaming: false },
  );
  const mark = Symbol.for('aws.lambda.runtime.handler.streaming');
  t.same(streamingModeOf(Object.assign(() => {}, { [mark]: false })), { streaming: false });
  t.same(streamingModeOf(Object.assign(() => {}, { [mark]: null })), { streaming: false });
  const hwm = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
  t.same(streamingModeOf(Object.assign(() => {}, { [mark]: 'response', [hwm]: -5 })), { streaming: true });
  t.throws(() => streamingModeOf(Object.assign(() => {}, { [mark]: 'request' })), {
    name: 'Runtime.MalformedStreamingHandler',
    message: 'Only response streaming is supported.',
  });
  t.ok(new MalformedStreamingHandlerError('x') instanceof Error);

  const scope = globalThis as { awslambda?: unknown };
  const before = scope.awslambda;
  t.teardown(() => {
    scope.awslambda = before;
  });
  scope.awslambda = { InvokeStore: 'kept' };
  t.equal(installAwsLambdaGlobal({}), true);
  t.match(
    scope.awslambda,
    { InvokeStore: 'kept', streamifyResponse, HttpResponseStream },
    'merged with what was there',
  );
  scope.awslambda = 'not an object';
  installAwsLambdaGlobal({});
  t.match(scope.awslambda, { streamifyResponse });
  scope.awslambda = undefined;
  t.equal(installAwsLambdaGlobal({ AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: 'true' }), false);
  t.equal(installAwsLambdaGlobal({ AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: '1' }), false);
  t.equal(scope.awslambda, undefined, 'opted out: no global');
});

t.test(
  'runInvocationLoop() - streaming served concurrently, in process: the runtime reports Error objects',
  async (t) => {
    const api = await AwsRuntimeApi.start({ maxConcurrency: 2 });
    const client = new RuntimeApiClient(api.endpoint, { concurrency: 2 });
    t.teardown(async () => {
      client.close();
      await api.close();
    });
    const handler = streamifyResponse((event: { case: string }, stream: ResponseStream) => {
      if (event.case === 'sync') return undefined;
      return (async () => {
        stream.end('ok');
      })();
    });
    const logs: string[] = [];
    const loop = runInvocationLoop({
      client,
      handler: handler as never,
      concurrency: 2,
      maxInvocations: 3,
      log: (m) => logs.push(m),
    });
    const [sync, ok] = await Promise.all([api.invoke('{"case":"sync"}'), api.invoke('{"case":"ok"}')]);
    // AWS builds the context before it parses the event: a client context that is not JSON fails first.
    const bad = await api.invoke('{not json', { clientContext: '{bad' });
    t.match(JSON.parse(bad.streamError?.body ?? '{}'), {
      errorType: 'Error',
      errorMessage: /^Cannot parse ClientContext as json: SyntaxError: /,
    });
    t.match(JSON.parse(sync.streamError?.body ?? '{}'), {
      errorType: 'Error',
      errorMessage: 'Streaming does not support non-async handlers.',
    });
    t.equal(ok.text, 'ok');
    t.equal(await loop, 3, 'all served');
    t.match(logs.join('\n'), /Invoke Error/);
  },
);

t.test('runInvocationLoop() - a stream post the Runtime API refuses is logged and the loop goes on', async (t) => {
  let polls = 0;
  const server = http.createServer((req, res) => {
    if (req.url?.endsWith('/next')) {
      polls++;
      if (polls > 2) return; // park the third poll
      res.writeHead(200, { 'lambda-runtime-aws-request-id': `id-${polls}` }).end(polls === 1 ? '"ok"' : '"fail"');
      return;
    }
    req.resume();
    req.on('end', () => res.writeHead(413).end('{"errorType":"RequestEntityTooLarge"}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new RuntimeApiClient(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  t.teardown(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const handler = streamifyResponse(
    async (event: string, stream: ResponseStream, context: { callbackWaitsForEmptyEventLoop: boolean }) => {
      context.callbackWaitsForEmptyEventLoop = false;
      if (event === 'fail') throw new Error('boom');
      stream.end('x');
    },
  );
  const logs: string[] = [];
  const records: unknown[] = [];
  const served = await runInvocationLoop({
    client,
    handler: handler as never,
    maxInvocations: 2,
    log: (m) => logs.push(m),
    onInvocation: (r) => records.push(r),
  });
  t.equal(served, 2);
  t.match(records, [
    { requestId: 'id-1', ok: false, errorType: 'Runtime.ResponseRejected' },
    { requestId: 'id-2', ok: false, errorType: 'Error' },
  ]);
  t.match(logs.join('\n'), /answered 413/);
});
