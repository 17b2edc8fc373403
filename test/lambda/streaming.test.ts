/**
 * Issue 9.2: response streaming (`awslambda.streamifyResponse`, `HttpResponseStream`), driven through the
 * built `snapstart-runtime` against the AWS-docs oracle, one child serving many cases.
 */
import t from 'tap';
import type { InvocationResult } from '../helpers/aws-runtime-api.js';
import { spawnOnOracle } from '../helpers/oracle-runtime.js';

const errorOf = (result: InvocationResult): Record<string, unknown> =>
  JSON.parse(result.streamError?.body ?? '{}') as Record<string, unknown>;

t.test(
  'snapstart-runtime - streamed responses: chunks as written, HTTP prelude, JSON chunks, errors in trailers',
  async (t) => {
    const run = await spawnOnOracle(t, { handler: 'invocations.streamCases' });
    const { api } = run;
    const invoke = (event: object) => api.invoke(JSON.stringify(event));

    let r = await invoke({ case: 'chunks', pauseMs: 400 });
    t.equal(r.kind, 'response', run.stderr());
    t.equal(r.streamed, true, 'Lambda-Runtime-Function-Response-Mode: streaming');
    t.match(r.headers['transfer-encoding'], /chunked/);
    t.equal(r.headers['content-type'], 'text/plain');
    t.equal(r.text, 'first,second,third');
    t.equal(r.streamError, undefined, 'no error trailers');
    const first = r.chunks[0];
    t.ok(first?.bytes.toString().startsWith('first,'), 'the first write is the first chunk');
    t.ok(
      first !== undefined && r.endedAt - first.at >= 300,
      `the first chunk arrived while the handler still ran (${first ? Math.round(r.endedAt - first.at) : '?'} ms before the end)`,
    );

    r = await invoke({ case: 'http' });
    t.equal(r.headers['content-type'], 'application/vnd.awslambda.http-integration-response');
    const prelude = '{"statusCode":201,"headers":{"x-case":"http"},"cookies":["a=1"]}';
    t.same(
      r.body,
      Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from('body')]),
      'JSON prelude, 8 NUL bytes, body',
    );

    r = await invoke({ case: 'http-end-only' });
    t.same(
      r.body,
      Buffer.concat([Buffer.from('{"statusCode":404}'), Buffer.alloc(8)]),
      'end() without a write still sends the prelude',
    );

    t.equal(
      (await invoke({ case: 'json-chunks' })).text,
      '{"a":1}null!',
      'other chunks are written as their JSON, as on AWS',
    );
    t.equal((await invoke({ case: 'return-value' })).text, 'done');
    // Warned once the handler's promise settles, which may be just after the stream ended.
    await run.printed(/Streaming handlers ignore return values\./, 10_000);
    t.pass('a returned value is warned about');
    r = await invoke({ case: 'content-type-too-late' });
    t.equal(r.text, 'x|Runtime.InvalidStreamingOperation: Cannot set content-type, too late.');

    r = await invoke({ case: 'error-after-write' });
    t.equal(r.kind, 'response', 'a streamed error is still the response post');
    t.equal(r.text, 'partial', 'the bytes written before the error were sent');
    t.equal(r.streamError?.type, 'TypeError', 'Lambda-Runtime-Function-Error-Type trailer');
    t.match(errorOf(r), { errorType: 'TypeError', errorMessage: 'broke mid-stream' }, 'base64 JSON error body trailer');

    r = await invoke({ case: 'error-before-write' });
    t.equal(r.text, '', 'nothing written before the error: an empty body');
    t.equal(r.streamError?.type, 'RangeError', 'reported in the trailers, as AWS does');
    t.match(errorOf(r), { errorMessage: 'broke before any byte' });

    r = await invoke({ case: 'not-ended' });
    t.equal(r.headers['content-type'], 'text/plain');
    t.match(errorOf(r), { errorMessage: 'Response stream is not finished.' }, 'resolved without ending the stream');
    r = await invoke({ case: 'never-settles' });
    t.equal(r.streamError?.type, 'Runtime.NodeJsExit', 'a handler that can never settle');

    r = await api.invoke('{not json');
    t.equal(r.streamError?.type, 'SyntaxError', 'an event that is not JSON');

    // One at a time, the next poll waits for the handler's leftover work, as AWS does with callbackWaitsForEmptyEventLoop.
    r = await invoke({ case: 'waits-for-leftover', wait: true });
    t.equal(r.text, 'ok');
    await api.polling(1);
    t.match(run.stdout(), /LEFTOVER stream-leftover/, 'the next poll came after the leftover timer ran');
    t.same(api.violations, []);
  },
);

t.test('snapstart-runtime - a sync streaming handler is refused per invocation, as on AWS', async (t) => {
  const run = await spawnOnOracle(t, { handler: 'invocations.streamSync' });
  const r = await run.api.invoke('{}');
  t.equal(r.text, 'early', 'what it wrote synchronously is sent');
  t.match(JSON.parse(r.streamError?.body ?? '{}'), { errorMessage: 'Streaming does not support non-async handlers.' });
  t.equal((await run.api.invoke('{}')).text, 'early', 'the loop goes on');
});
