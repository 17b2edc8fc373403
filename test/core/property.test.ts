/**
 * Property tests of the scheduler, over random hook sets (see test/helpers/hook-scenario.ts):
 * priorities, sync and async hooks, throws, non-Error rejections, hangs with timeouts, concurrency 1
 * to Infinity, failFast, a phase deadline, the emit's signal aborting, unsubscribes and registrations
 * during the emit. Every scenario is played once and judged by every property: order and accounting
 * (who runs, when, with what outcome) and how the emit ends (always settles, no unhandled rejection,
 * no timer or handle left). FC_RUNS sets the number of scenarios (default 1000). A failure prints
 * fast-check's seed and path: replay it with
 * `FC_SEED=<seed> FC_PATH=<path> npx tap test/core/property.test.ts`.
 */
import t from 'tap';
import {
  checkScenarios,
  concurrencyBound,
  errorsMatchFailures,
  everyHookOnce,
  failFastStops,
  noResourceLeft,
  noUnhandledRejection,
  outcomesMatchHooks,
  scheduleOrder,
  settlesInTime,
  tiersInSequence,
} from '../helpers/scenario-checks.js';

const RUNS = Number(process.env.FC_RUNS ?? 1000);

const results = await checkScenarios(
  {
    everyHookOnce,
    scheduleOrder,
    tiersInSequence,
    concurrencyBound,
    outcomesMatchHooks,
    errorsMatchFailures,
    failFastStops,
    settlesInTime,
    noUnhandledRejection,
    noResourceLeft,
  },
  RUNS,
);
const holds = `holds over ${RUNS} random scenarios`;

t.test('emit() - every hook registered at emit start appears exactly once in the report', async (t) => {
  t.equal(results.everyHookOnce, undefined, holds);
});

t.test('emit() - hooks run and are reported in priority order, ties FIFO or LIFO', async (t) => {
  t.equal(results.scheduleOrder, undefined, holds);
});

t.test('emit() - no tier starts before every hook of the previous tier settled or timed out', async (t) => {
  t.equal(results.tiersInSequence, undefined, holds);
});

t.test('emit() - running hooks never exceed the concurrency', async (t) => {
  t.equal(results.concurrencyBound, undefined, holds);
});

t.test('emit() - each outcome matches what its hook did; errors are the failed outcomes in order', async (t) => {
  t.equal(results.outcomesMatchHooks, undefined, holds);
  t.equal(results.errorsMatchFailures, undefined, holds);
  t.equal(results.failFastStops, undefined, holds);
});

t.test('emit() - always settles, by the deadline or the hooks own bounds plus a margin', async (t) => {
  t.equal(results.settlesInTime, undefined, holds);
});

t.test('emit() - abandoned and failing hooks never cause an unhandled rejection', async (t) => {
  t.equal(results.noUnhandledRejection, undefined, holds);
});

t.test('emit() - leaves no timer or handle active once it and its late hooks finished', async (t) => {
  t.equal(results.noResourceLeft, undefined, holds);
});
