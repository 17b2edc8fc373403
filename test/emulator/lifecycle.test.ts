/**
 * The lifecycle state machine in isolation: every rule, table-driven, no HTTP.
 */
import t from 'tap';
import {
  type InvocationStanding,
  isConcurrent,
  type LifecycleContext,
  type LifecycleInput,
  refuseRequest,
  transition,
} from '../../src/emulator/lifecycle.js';
import type { EmulatorState } from '../../src/emulator/types.js';
import { parsePath } from '../../src/emulator/wire.js';

const classic: LifecycleContext = {
  initType: 'snap-start',
  maxConcurrency: 1,
  pendingPolls: 0,
  inFlight: 0,
  restorePollWaiting: false,
};

type Row = [EmulatorState, LifecycleInput, Partial<LifecycleContext>, string];

t.test('transition() - each input from each state: the next state, or the refusal', async (t) => {
  const post = (standing: InvocationStanding): LifecycleInput => ({ type: 'invocation/post', standing });
  const rows: Row[] = [
    // restore/next: once, at the end of a SnapStart init
    ['init', { type: 'restore/next' }, {}, 'snapshot (snapshot point)'],
    ['init', { type: 'restore/next' }, { initType: 'on-demand' }, '403 InvalidStateTransition'],
    ['init', { type: 'restore/next' }, { initType: 'lambda-managed-instances' }, '403 InvalidStateTransition'],
    ['ready', { type: 'restore/next' }, {}, '403 InvalidStateTransition'],
    ['restoring', { type: 'restore/next' }, {}, '403 InvalidStateTransition'],
    // invocation/next
    ['init', { type: 'invocation/next' }, {}, 'snapshot (snapshot point)'],
    ['init', { type: 'invocation/next' }, { initType: 'on-demand' }, 'ready'],
    ['init', { type: 'invocation/next' }, { initType: 'provisioned-concurrency' }, 'ready'],
    ['restoring', { type: 'invocation/next' }, {}, 'ready'],
    ['restoring', { type: 'invocation/next' }, { inFlight: 1 }, 'invoking'],
    ['ready', { type: 'invocation/next' }, {}, 'ready'],
    ['invoking', { type: 'invocation/next' }, { inFlight: 1 }, 'invoking'],
    ['ready', { type: 'invocation/next' }, { pendingPolls: 1 }, '403 InvalidStateTransition'],
    ['ready', { type: 'invocation/next' }, { pendingPolls: 1, maxConcurrency: 2 }, 'ready'],
    ['ready', { type: 'invocation/next' }, { pendingPolls: 2, maxConcurrency: 2 }, '403 InvalidStateTransition'],
    ['snapshot', { type: 'invocation/next' }, {}, '403 InvalidStateTransition'],
    ['failed', { type: 'invocation/next' }, {}, '403 InvalidStateTransition'],
    // posts for an invocation
    ['invoking', post('in-flight'), { inFlight: 1 }, 'invoking'],
    ['failed', post('timed-out'), {}, '410 InvokeTimeout'],
    ['ready', post('answered-last'), {}, '403 InvalidStateTransition'],
    ['ready', post('answered-last'), { maxConcurrency: 4 }, '400 InvalidRequestID'],
    ['ready', post('answered-last'), { initType: 'lambda-managed-instances' }, '400 InvalidRequestID'],
    ['ready', post('answered'), {}, '400 InvalidRequestID'],
    ['ready', post('unknown'), {}, '400 InvalidRequestID'],
    // lifecycle errors
    ['init', { type: 'init/error' }, {}, 'failed'],
    ['snapshot', { type: 'init/error' }, {}, 'failed'],
    ['restoring', { type: 'init/error' }, {}, '403 InvalidStateTransition'],
    ['ready', { type: 'init/error' }, {}, '403 InvalidStateTransition'],
    ['restoring', { type: 'restore/error' }, {}, 'failed'],
    ['init', { type: 'restore/error' }, {}, '403 InvalidStateTransition'],
    ['ready', { type: 'restore/error' }, {}, '403 InvalidStateTransition'],
    // the owner's restore, deliveries and ends
    ['snapshot', { type: 'restore' }, { restorePollWaiting: true }, 'restoring'],
    ['snapshot', { type: 'restore' }, {}, 'ready'],
    ['init', { type: 'restore' }, {}, 'init'],
    ['ready', { type: 'delivered' }, {}, 'invoking'],
    ['invoking', { type: 'ended' }, { inFlight: 0 }, 'ready'],
    ['invoking', { type: 'ended' }, { inFlight: 1 }, 'invoking'],
    ['failed', { type: 'ended' }, {}, 'failed'],
    // a timeout resets a classic environment; with concurrency only that invocation ends
    ['invoking', { type: 'timed-out' }, {}, 'failed'],
    ['invoking', { type: 'timed-out' }, { maxConcurrency: 2, inFlight: 1 }, 'invoking'],
    ['invoking', { type: 'timed-out' }, { maxConcurrency: 2, inFlight: 0 }, 'ready'],
    ['invoking', { type: 'timed-out' }, { initType: 'lambda-managed-instances' }, 'ready'],
    // nothing moves a closed emulator
    ['closed', { type: 'invocation/next' }, {}, '503 Closed'],
    ['closed', { type: 'restore' }, {}, '503 Closed'],
  ];
  for (const [state, input, context, expected] of rows) {
    const next = transition(state, input, { ...classic, ...context });
    const got = next.refusal
      ? `${next.refusal.status} ${next.refusal.errorType}`
      : `${next.state}${next.snapshot ? ' (snapshot point)' : ''}`;
    t.equal(got, expected, `${state} + ${JSON.stringify(input)} ${JSON.stringify(context)}`);
    if (next.refusal) t.equal(next.state, state, 'a refusal leaves the state as it was');
  }
});

t.test('transition() - a refusal names the states, in Lambda shape', async (t) => {
  t.same(transition('ready', { type: 'restore/next' }, classic).refusal, {
    status: 403,
    errorType: 'InvalidStateTransition',
    message: 'State transition from ready to restore/next is not allowed',
  });
  t.match(
    transition('ready', { type: 'invocation/next' }, { ...classic, maxConcurrency: 3, pendingPolls: 3 }).refusal,
    {
      message: /3 of at most 3 invocation\/next polls already wait/,
    },
  );
  t.same(transition('failed', { type: 'invocation/post', standing: 'timed-out' }, classic).refusal, {
    status: 410,
    errorType: 'InvokeTimeout',
    message: 'Invoke timeout',
  });
});

t.test('isConcurrent() - more than one poll, or Managed Instances', async (t) => {
  t.equal(isConcurrent({ initType: 'on-demand', maxConcurrency: 1 }), false);
  t.equal(isConcurrent({ initType: 'on-demand', maxConcurrency: 2 }), true);
  t.equal(isConcurrent({ initType: 'lambda-managed-instances', maxConcurrency: 1 }), true);
});

t.test('refuseRequest() and parsePath() - unknown paths, malformed ids, wrong methods', async (t) => {
  const rows: [string, string, string | undefined][] = [
    ['GET', '/2018-06-01/runtime/invocation/next', undefined],
    ['GET', '/2018-06-01/runtime/restore/next', undefined],
    ['POST', '/2018-06-01/runtime/init/error', undefined],
    ['POST', '/2018-06-01/runtime/restore/error', undefined],
    ['POST', '/2018-06-01/runtime/invocation/a%20b/response', undefined],
    ['POST', '/2018-06-01/runtime/invocation/%E0%A4%A/response', '400 InvalidRequestID'],
    ['POST', '/2018-06-01/runtime/invocation/%/error', '400 InvalidRequestID'],
    ['POST', '/2018-06-01/runtime/invocation/a/b/response', '404 NotFound'],
    ['GET', '/elsewhere', '404 NotFound'],
    ['GET', '/2018-06-01/runtime/', '404 NotFound'],
    ['POST', '/2018-06-01/runtime/invocation/next', '405 MethodNotAllowed'],
    ['GET', '/2018-06-01/runtime/init/error', '405 MethodNotAllowed'],
    ['DELETE', '/2018-06-01/runtime/invocation/x/response', '405 MethodNotAllowed'],
  ];
  for (const [method, path, expected] of rows) {
    const refusal = refuseRequest(method, path, parsePath(path));
    t.equal(refusal && `${refusal.status} ${refusal.errorType}`, expected, `${method} ${path}`);
  }
  t.same(parsePath('/2018-06-01/runtime/invocation/a%20b/response'), {
    endpoint: 'invocation/response',
    requestId: 'a b',
  });
});
