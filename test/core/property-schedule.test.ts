/**
 * Property tests of the scheduler's order and accounting, over random hook sets (see
 * test/helpers/hook-scenario.ts): priorities, sync and async hooks, throws, non-Error rejections,
 * hangs with timeouts, concurrency 1 to Infinity, failFast, a phase deadline, the emit's signal
 * aborting, unsubscribes and registrations during the emit. FC_RUNS sets the number of scenarios
 * per property (default 500). A failure prints fast-check's seed and path: replay it with
 * `FC_SEED=<seed> FC_PATH=<path> npx tap test/core/property-schedule.test.ts`.
 */
import t from 'tap';
import {
  checkScenarios,
  concurrencyBound,
  errorsMatchFailures,
  everyHookOnce,
  failFastStops,
  outcomesMatchHooks,
  scheduleOrder,
  tiersInSequence,
} from '../helpers/scenario-checks.js';

const RUNS = Number(process.env.FC_RUNS ?? 500);

t.test('emit() - every hook registered at emit start appears exactly once in the report', async (t) => {
  t.equal(await checkScenarios({ everyHookOnce }, RUNS), undefined, `holds over ${RUNS} random scenarios`);
});

t.test('emit() - hooks run and are reported in priority order, ties FIFO or LIFO', async (t) => {
  t.equal(await checkScenarios({ scheduleOrder }, RUNS), undefined, `holds over ${RUNS} random scenarios`);
});

t.test('emit() - no tier starts before every hook of the previous tier settled or timed out', async (t) => {
  t.equal(await checkScenarios({ tiersInSequence }, RUNS), undefined, `holds over ${RUNS} random scenarios`);
});

t.test('emit() - running hooks never exceed the concurrency', async (t) => {
  t.equal(await checkScenarios({ concurrencyBound }, RUNS), undefined, `holds over ${RUNS} random scenarios`);
});

t.test('emit() - each outcome matches what its hook did; errors are the failed outcomes in order', async (t) => {
  t.equal(
    await checkScenarios({ outcomesMatchHooks, errorsMatchFailures, failFastStops }, RUNS),
    undefined,
    `holds over ${RUNS} random scenarios`,
  );
});
