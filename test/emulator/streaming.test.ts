/**
 * Streamed responses (`Lambda-Runtime-Function-Response-Mode: streaming`): chunked bodies read as they
 * arrive, error trailers, the HTTP-integration prelude, and the streamed size limit.
 */
import t from 'tap';
import type { ResponseChunk } from '../../src/emulator/index.js';
import { poll, startEmulator, streamResponse } from '../helpers/emulator.js';

const NUL8 = new Uint8Array(8);

t.test('streaming - chunks are recorded as they arrive and the body is their concatenation', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const seen: ResponseChunk[] = [];
  emulator.on('chunk', (chunk) => seen.push(chunk));
  const invocation = emulator.invoke({}, { requestId: 's1' });
  await poll(emulator);
  const answer = await streamResponse(emulator, 's1', {
    chunks: ['{"part":', '1,', '"done":true}'],
    gapMs: 60,
    contentType: 'application/json',
  });
  t.same(answer, { status: 202, body: { status: 'OK' } });
  const result = await invocation;
  t.match(result, { ok: true, streamed: true, contentType: 'application/json', body: { part: 1, done: true } });
  t.equal(result.chunks?.length, 3, 'one record per chunk');
  t.same(result.chunks, seen, 'the chunk events are the recorded chunks');
  t.same(
    result.chunks?.map((chunk) => chunk.bytes),
    [8, 2, 12],
  );
  const [first = 0, , last = 0] = result.chunks?.map((chunk) => chunk.at) ?? [];
  t.ok(last - first >= 80, `chunks arrive apart: ${first.toFixed(1)} .. ${last.toFixed(1)} ms`);
  t.ok(result.completedAt >= last, 'the invocation ends with the stream');
});

t.test('streaming - an error in the trailers is recorded as the invocation error', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const rows: [string, Record<string, string>, object][] = [
    [
      'type and base64 body',
      {
        'Lambda-Runtime-Function-Error-Type': 'Function.StreamBroke',
        'Lambda-Runtime-Function-Error-Body': Buffer.from('{"errorMessage":"midway","errorType":"Error"}').toString(
          'base64',
        ),
      },
      {
        ok: false,
        streamed: true,
        errorType: 'Function.StreamBroke',
        body: { errorMessage: 'midway', errorType: 'Error' },
      },
    ],
    [
      'a type only',
      { 'Lambda-Runtime-Function-Error-Type': 'Runtime.Bad-Type' },
      { ok: false, errorType: 'Runtime.Unknown', body: '', rawBody: '' },
    ],
  ];
  for (const [what, trailers, expected] of rows) {
    const invocation = emulator.invoke({});
    const { requestId } = await poll(emulator);
    const answer = await streamResponse(emulator, requestId as string, { chunks: ['partial '], trailers });
    t.equal(answer.status, 202, what);
    t.match(await invocation, expected, what);
  }
});

t.test('streaming - an HTTP-integration response is split into its prelude and body', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const prelude = { statusCode: 201, headers: { 'x-a': 'b' }, cookies: ['c=d'] };
  const rows: [string, (string | Uint8Array)[], object][] = [
    ['prelude, 8 NULs, body', [JSON.stringify(prelude), NUL8, '<h1>hi</h1>'], { http: prelude, body: '<h1>hi</h1>' }],
    [
      'a prelude with odd fields keeps the good ones',
      ['{"statusCode":"x","headers":{"a":1},"cookies":"no"}', NUL8, 'b'],
      { http: {}, body: 'b' },
    ],
    ['no delimiter: the body as sent', ['{"statusCode":200}', 'rest'], { body: '{"statusCode":200}rest' }],
    ['a prelude that is not an object', ['[1]', NUL8, 'b'], { body: `[1]${'\u0000'.repeat(8)}b` }],
  ];
  for (const [what, chunks, expected] of rows) {
    const invocation = emulator.invoke({});
    const { requestId } = await poll(emulator);
    await streamResponse(emulator, requestId as string, {
      chunks,
      contentType: 'application/vnd.awslambda.http-integration-response',
    });
    const result = await invocation;
    t.match(result, { ok: true, ...expected }, what);
    if (!('http' in expected)) t.equal(result.http, undefined, `${what}: no prelude`);
  }
});

t.test('streaming - the streamed limit applies to streams, the buffered one does not', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand', maxResponseBytes: 4, maxStreamedResponseBytes: 16 });
  const fits = emulator.invoke({});
  await poll(emulator).then(({ requestId }) =>
    streamResponse(emulator, requestId as string, { chunks: ['0123456789'] }),
  );
  t.match(await fits, { ok: true, body: 123456789 }, 'over the buffered limit, under the streamed one');
  const tooBig = emulator.invoke({});
  const { requestId } = await poll(emulator);
  const answer = await streamResponse(emulator, requestId as string, { chunks: ['0123456789', '0123456789'] });
  t.equal(answer.status, 413);
  t.match(await tooBig, {
    ok: false,
    streamed: true,
    errorType: 'Function.ResponseSizeTooLarge',
    body: { errorMessage: 'Response payload size (20 bytes) exceeded maximum allowed payload size (16 bytes).' },
  });
  t.equal(emulator.requests.at(-1)?.body.length, 16, 'no more than the limit is kept');
  t.equal(emulator.requests.at(-1)?.bodyBytes, 20, 'the whole size is counted');
});
