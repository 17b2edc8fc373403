/**
 * Property tests of how an emit ends, over random hook sets (see test/helpers/hook-scenario.ts):
 * it always settles in time, nothing becomes an unhandled rejection, and no timer or handle is left
 * once it settled and abandoned hooks finished. FC_RUNS sets the number of scenarios per property
 * (default 500). A failure prints fast-check's seed and path: replay
 * it with `FC_SEED=<seed> FC_PATH=<path> npx tap test/core/property-settle.test.ts`.
 */
import t from 'tap';
import { checkScenarios, noResourceLeft, noUnhandledRejection, settlesInTime } from '../helpers/scenario-checks.js';

const RUNS = Number(process.env.FC_RUNS ?? 500);

t.test('emit() - always settles, by the deadline or the hooks own bounds plus a margin', async (t) => {
  t.equal(await checkScenarios({ settlesInTime }, RUNS), undefined, `holds over ${RUNS} random scenarios`);
});

t.test('emit() - abandoned and failing hooks never cause an unhandled rejection', async (t) => {
  t.equal(await checkScenarios({ noUnhandledRejection }, RUNS), undefined, `holds over ${RUNS} random scenarios`);
});

t.test('emit() - leaves no timer or handle active once it and its late hooks finished', async (t) => {
  t.equal(await checkScenarios({ noResourceLeft }, RUNS), undefined, `holds over ${RUNS} random scenarios`);
});
