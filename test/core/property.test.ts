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
import fc from 'fast-check';
import t from 'tap';
import { LifecycleBus, type SnapStartEvents } from '../../src/index.js';
import {
  checkScenarios,
  concurrencyBound,
  errorsMatchFailures,
  everyHookOnce,
  failFastStops,
  noResourceLeft,
  noUnhandledRejection,
  outcomesMatchHooks,
  propertyParameters,
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

/** One registration of a resource scenario: a resource (both halves, or one) or a plain hook. */
interface Registered {
  readonly kind: 'resource' | 'closeOnly' | 'openOnly' | 'plainBefore' | 'plainAfter';
  readonly priority: number;
  /** Unsubscribed before the phases run. */
  readonly removed: boolean;
}

const registeredArbitrary: fc.Arbitrary<Registered> = fc.record({
  kind: fc.constantFrom<Registered['kind']>(
    'resource',
    'resource',
    'closeOnly',
    'openOnly',
    'plainBefore',
    'plainAfter',
  ),
  priority: fc.integer({ min: -1, max: 2 }),
  removed: fc.integer({ min: 0, max: 5 }).map((value) => value === 0),
});

t.test('resource() - within a tier, resources reopen in the exact reverse of the order they closed', async (t) => {
  const property = fc.asyncProperty(
    fc.array(registeredArbitrary, { maxLength: 14 }),
    fc.constantFrom<'default' | 'mirrored'>('default', 'mirrored'),
    fc.constantFrom(1, 3),
    async (registrations, order, concurrency) => {
      const bus = new LifecycleBus<SnapStartEvents>({
        concurrency,
        ...(order === 'mirrored' ? { order: { beforeSnapshot: 'fifo', afterRestore: 'lifo' } } : {}),
      });
      const started: Record<keyof SnapStartEvents, string[]> = { beforeSnapshot: [], afterRestore: [] };
      const hook = (event: keyof SnapStartEvents, name: string) => () => void started[event].push(name);
      registrations.forEach((entry, index) => {
        const name = `${entry.kind}${index}`;
        const options = { priority: entry.priority };
        const off =
          entry.kind === 'plainBefore'
            ? bus.on('beforeSnapshot', hook('beforeSnapshot', name), { ...options, name })
            : entry.kind === 'plainAfter'
              ? bus.on('afterRestore', hook('afterRestore', name), { ...options, name })
              : bus.resource(
                  name,
                  {
                    ...(entry.kind === 'openOnly' ? {} : { beforeSnapshot: hook('beforeSnapshot', name) }),
                    ...(entry.kind === 'closeOnly' ? {} : { afterRestore: hook('afterRestore', name) }),
                  },
                  options,
                );
        if (entry.removed) off();
      });
      const closed = await bus.emit('beforeSnapshot');
      const opened = await bus.emit('afterRestore');
      for (const priority of [2, 1, 0, -1]) {
        const inTier = (hooks: { name: string; priority: number }[]): string[] =>
          hooks
            .filter((outcome) => outcome.priority === priority && outcome.name.startsWith('resource'))
            .map((outcome) => outcome.name);
        const closing = inTier(closed.hooks);
        const reopening = inTier(opened.hooks);
        if (reopening.join() !== [...closing].reverse().join()) {
          throw new Error(`priority ${priority}: closed [${closing}] but reopened [${reopening}]`);
        }
        // Hooks start in that order too (concurrency > 1 starts a tier in schedule order).
        const startedTier = started.beforeSnapshot.filter((name) => closing.includes(name));
        if (startedTier.join() !== closing.join()) throw new Error(`priority ${priority}: started [${startedTier}]`);
      }
      const removed = new Set(
        registrations.flatMap((entry, index) => (entry.removed ? [`${entry.kind}${index}`] : [])),
      );
      for (const outcome of [...closed.hooks, ...opened.hooks]) {
        if (removed.has(outcome.name)) throw new Error(`${outcome.name} was unsubscribed but is in a report`);
      }
      // Priorities are whole tiers: the higher runs first in both phases.
      for (const report of [closed, opened]) {
        const priorities = report.hooks.map((outcome) => outcome.priority);
        if (priorities.some((value, index) => index > 0 && value > (priorities[index - 1] as number))) {
          throw new Error(`${report.event} is not in priority order: [${priorities}]`);
        }
      }
    },
  );
  const details = await fc.check(property, { ...propertyParameters(RUNS), numRuns: Math.min(RUNS, 300) });
  t.equal(details.failed ? fc.defaultReportMessage(details) : undefined, undefined, 'holds over random registrations');
});
