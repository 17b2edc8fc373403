/**
 * Issue 9.8: Lambda Managed Instances. With `AWS_LAMBDA_MAX_CONCURRENCY` > 1 the built `snapstart-runtime` keeps
 * that many `/next` polls open and serves that many invocations at once, each with its own request id, against
 * the AWS-docs oracle (which refuses a poll over the bound); handlers AWS refuses there are refused at init.
 */
import t from 'tap';
import { sequence, spawnRuntime } from '../helpers/lambda-harness.js';
import { spawnOnOracle } from '../helpers/oracle-runtime.js';

t.test(
  'snapstart-runtime - lambda-managed-instances with AWS_LAMBDA_MAX_CONCURRENCY=4: 4 polls, 4 at once, own ids',
  async (t) => {
    const run = await spawnOnOracle(t, {
      handler: 'invocations.overlapping',
      initType: 'lambda-managed-instances',
      maxConcurrency: 4,
    });
    const { api } = run;
    t.equal(await api.polling(4), 4, 'four /next polls open before any event');

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.invoke(JSON.stringify({ case: 'sleep', ms: 300 }), { requestId: `req-${i}`, tenantId: `tenant-${i}` }),
      ),
    );
    const took = performance.now() - started;
    for (const [i, r] of results.entries()) {
      const body = JSON.parse(r.text) as Record<string, unknown>;
      t.match(body, { requestId: `req-${i}`, tenantId: `tenant-${i}` }, `invocation ${i} saw its own context`);
      t.ok((body.peak as number) <= 4, 'never more than 4 at once');
      t.same(
        body.methods,
        ['undefined', 'undefined', 'undefined'],
        'no context.done/succeed/fail, as on Managed Instances',
      );
      t.equal(body.traceEnv, null, '_X_AMZN_TRACE_ID is not shared between concurrent invocations');
    }
    t.equal(Math.max(...results.map((r) => JSON.parse(r.text).peak as number)), 4, 'four ran at once');
    t.ok(took >= 550, `8 invocations of 300 ms took two rounds (${Math.round(took)} ms)`);
    t.equal((await api.invoke('{"case":"plain"}')).text, '{"plain":true}', 'a plain return value answers');

    // Failures run concurrently too, each reported and logged with its own request id.
    const mixed = await Promise.all(
      ['fail', 'sleep', 'fail', 'sleep'].map((kind, i) =>
        api.invoke(JSON.stringify({ case: kind, ms: 100 }), { requestId: `mixed-${i}` }),
      ),
    );
    t.same(
      mixed.map((r) => r.kind),
      ['error', 'response', 'error', 'response'],
    );
    t.match(JSON.parse(mixed[2]?.text ?? '{}'), { errorMessage: 'failed mixed-2' });
    t.match(run.stderr() + run.stdout(), /mixed-0\tERROR\tInvoke Error.*failed mixed-0/);
    t.match(run.stderr() + run.stdout(), /mixed-2\tERROR\tInvoke Error.*failed mixed-2/);
    t.notMatch(
      run.stderr() + run.stdout(),
      /unknown AWS_LAMBDA_INITIALIZATION_TYPE/,
      'lambda-managed-instances is a known init type',
    );
    await api.polling(4);
    t.same(api.violations, [], 'never more polls than AWS_LAMBDA_MAX_CONCURRENCY');
  },
);

t.test(
  'snapstart-runtime - a callback handler under AWS_LAMBDA_MAX_CONCURRENCY > 1 is refused at init, as on AWS',
  async (t) => {
    const run = await spawnOnOracle(t, { handler: 'invocations.callbackStyle', maxConcurrency: 2 });
    t.equal(await run.exited, 129, 'an init error exits 129, as in AWS runtime');
    const [post] = run.api.initErrors;
    t.equal(post?.headers['lambda-runtime-function-error-type'], 'Runtime.CallbackHandlerDeprecated');
    t.match(JSON.parse(post?.text ?? '{}'), { errorType: 'Runtime.CallbackHandlerDeprecated' });
    t.same(run.api.sequence(), ['POST init/error'], 'no poll');
  },
);

t.test(
  'snapstart-runtime - a streaming mark other than "response" is Runtime.MalformedStreamingHandler (emulator)',
  async (t) => {
    const run = await spawnRuntime(t, { handler: 'invocations.badStreamingMode', initType: 'on-demand' });
    t.equal(await run.exited, 129, 'an init error exits 129, as in AWS runtime');
    t.same(sequence(run.emulator), ['POST init/error']);
    t.match(run.emulator.errors, [
      {
        errorType: 'Runtime.MalformedStreamingHandler',
        body: { errorMessage: 'Only response streaming is supported.' },
      },
    ]);
  },
);
