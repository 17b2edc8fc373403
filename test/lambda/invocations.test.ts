/**
 * Issue 9.1, 9.8 (tenantId) and 11.3: the programming model of AWS's Node.js runtime, driven through the built
 * `snapstart-runtime` against the AWS-docs oracle (one child per handler kind, many cases each), plus the
 * same scenarios through the project's emulator.
 */
import t from 'tap';
import type { InvocationResult } from '../helpers/aws-runtime-api.js';
import { spawnRuntime } from '../helpers/lambda-harness.js';
import { spawnOnOracle } from '../helpers/oracle-runtime.js';

type Body = Record<string, unknown>;
const body = (result: InvocationResult): Body => JSON.parse(result.text) as Body;
const elapsed = (result: InvocationResult): number => result.endedAt - result.deliveredAt;

/** Every value JSON cannot write, with the error type AWS's runtime reports for it. */
const UNSERIALISABLE = [
  ['function', 'TypeError'],
  ['symbol', 'TypeError'],
  ['tojson-undefined', 'TypeError'],
  ['bigint', 'Error'],
  ['nested-bigint', 'Error'],
  ['circular', 'Error'],
  ['throwing-tojson', 'Error'],
  ['throwing-getter', 'Error'],
] as const;

t.test(
  'snapstart-runtime - an async handler: results, callback races, rejections, a promise that never settles, unserialisable results',
  async (t) => {
    const { api, stderr } = await spawnOnOracle(t, { handler: 'invocations.asyncCases' });
    const invoke = (event: object, options = {}) => api.invoke(JSON.stringify(event), options);

    let r = await invoke({ case: 'return' });
    t.same([r.kind, body(r)], ['response', { answer: 42 }], stderr());
    t.equal(r.headers['content-type'], 'application/json');
    t.equal((await invoke({ case: 'undefined' })).text, 'null', 'undefined is posted as null');

    r = await invoke(
      { case: 'context' },
      { tenantId: 'tenant-blue', traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' },
    );
    t.match(body(r), {
      awsRequestId: r.requestId,
      tenantId: 'tenant-blue',
      hasTenantIdKey: true,
      functionName: 'oracle-fn',
      waits: true,
      methods: ['function', 'function', 'function'],
      traceEnv: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
    });
    t.ok((body(r).remaining as number) > 0 && (body(r).remaining as number) <= 30_000, 'counts down to the deadline');
    r = await invoke({ case: 'context' });
    t.equal(body(r).tenantId, undefined, 'no tenant header: tenantId is undefined');
    t.equal(body(r).hasTenantIdKey, true, 'the key exists, as on AWS');

    r = await invoke({ case: 'callback-then-return' });
    t.equal(r.text, '"from-callback"', 'the callback came first and wins over the returned value');
    t.ok(elapsed(r) >= 280, `the callback waited for the event loop to empty (${elapsed(r)} ms)`);
    t.equal((await invoke({ case: 'return-then-callback' })).text, '"from-return"', 'the returned value came first');

    r = await invoke({ case: 'reject-undefined' });
    t.match([r.kind, body(r)], ['error', { errorMessage: 'handled' }], 'a rejection without a reason is an error');
    r = await invoke({ case: 'reject-error' });
    t.match([r.kind, body(r)], ['error', { errorType: 'TypeError', errorMessage: 'async failure' }]);

    r = await invoke({ case: 'never-settles' });
    t.match(
      [r.kind, body(r)],
      ['error', { errorType: 'Runtime.NodeJsExit' }],
      'an async handler that can never settle',
    );

    for (const [kind, errorType] of UNSERIALISABLE) {
      r = await invoke({ case: 'unserialisable', kind });
      t.equal(r.kind, 'error', `${kind}: an error, never an empty success`);
      t.match(body(r), { errorType, errorMessage: /^Unable to stringify response body/ }, kind);
    }
    t.equal(
      (await invoke({ case: 'nested-undefined' })).text,
      '{"kept":1}',
      'undefined members are dropped, as JSON does',
    );
    await api.polling(1);
    t.same(api.violations, [], 'no documented rule broken');
  },
);

t.test(
  'snapstart-runtime - a callback handler: callbackWaitsForEmptyEventLoop, context.done/succeed/fail, first answer wins',
  async (t) => {
    // A garbage concurrency is served one at a time, after a warning naming the variable (as AWS's clients fall back).
    const run = await spawnOnOracle(t, {
      handler: 'invocations.syncCases',
      env: { AWS_LAMBDA_MAX_CONCURRENCY: 'lots' },
    });
    const { api } = run;
    const invoke = (event: object) => api.invoke(JSON.stringify(event));

    let r = await invoke({ case: 'callback-waits' });
    t.same(body(r), { waited: true }, run.stderr());
    t.ok(elapsed(r) >= 380, `answered once the handler's timer ran (${elapsed(r)} ms)`);
    t.equal((await invoke({ case: 'return-value' })).text, 'null', 'a value returned without a promise is ignored');
    t.equal((await invoke({ case: 'never-settles' })).text, 'null', 'a plain function returning a stuck promise: null');
    t.equal((await invoke({ case: 'never-calls-back' })).text, 'null', 'a callback never called: null');
    t.equal(
      (await invoke({ case: 'throw-undefined' })).text,
      'null',
      'throw undefined reaches the callback as no error',
    );
    t.equal((await invoke({ case: 'thenable' })).text, '"from thenable"');
    t.equal((await invoke({ case: 'done-value' })).text, '"done value"');
    t.equal((await invoke({ case: 'callback-twice' })).text, '"first"', 'a second callback is ignored');

    const errors: [string, Body][] = [
      ['done-error', { errorType: 'TypeError', errorMessage: 'done with an error' }],
      ['fail-empty', { errorMessage: 'handled' }],
      ['fail-message', { errorMessage: 'failed by message' }],
      ['callback-error-then-value', { errorType: 'RangeError', errorMessage: 'callback error' }],
      ['callback-string-error', { errorMessage: 'plain string error' }],
      ['throw', { errorType: 'SyntaxError', errorMessage: 'sync throw' }],
    ];
    for (const [name, expected] of errors) {
      r = await invoke({ case: name });
      t.equal(r.kind, 'error', name);
      t.match(body(r), expected, name);
    }
    for (const kind of ['bigint', 'function']) {
      r = await invoke({ case: 'callback-unserialisable', kind });
      t.match(
        [r.kind, body(r)],
        ['error', { errorMessage: /^Unable to stringify response body/ }],
        `callback(null, ${kind})`,
      );
    }

    // Leftover work does not hold the answer back: the marker is printed seconds after the answer.
    r = await invoke({ case: 'callback-no-wait' });
    t.same(body(r), { waited: false });
    t.notMatch(run.stdout(), /LEFTOVER callback-no-wait/, 'answered before its pending timer ran');
    r = await invoke({ case: 'succeed-later' });
    t.same(body(r), { succeeded: true });
    t.notMatch(run.stdout(), /LEFTOVER succeed-later/, 'context.succeed answers at once');
    await run.printed(/LEFTOVER callback-no-wait/);
    t.pass('the pending work runs on after the answer (on Lambda: when the environment thaws)');

    t.match(run.stderr() + run.stdout(), /AWS_LAMBDA_MAX_CONCURRENCY must be an integer from 1 to 100000, got "lots"/);
    t.same(api.violations, []);
  },
);

t.test('snapstart-runtime - callbacks and marshalling through the emulator', async (t) => {
  const run = await spawnRuntime(t, { handler: 'invocations.syncCases', initType: 'on-demand' });
  const { emulator } = run;
  let r = await emulator.invoke({ case: 'callback-waits' });
  t.same([r.ok, r.body], [true, { waited: true }], run.stderr());
  t.ok(r.durationMs >= 380, `waited for the empty event loop (${r.durationMs} ms)`);
  r = await emulator.invoke({ case: 'fail-empty' });
  t.match([r.ok, r.body], [false, { errorMessage: 'handled' }]);
  r = await emulator.invoke({ case: 'callback-unserialisable', kind: 'symbol' });
  t.match([r.ok, r.body], [false, { errorType: 'TypeError', errorMessage: /^Unable to stringify response body/ }]);
  r = await emulator.invoke({ case: 'return-value' });
  t.same([r.ok, r.body], [true, null]);
});
