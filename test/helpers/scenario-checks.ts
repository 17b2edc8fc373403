/**
 * The properties the scheduler promises, as checks over an {@link Observation}. Each check returns
 * the violations it found, as sentences, so that a failing property says what went wrong.
 *
 * @module
 */
import fc from 'fast-check';
import { HookTimeoutError, LifecycleError } from '../../src/index.js';
import {
  type HookSpec,
  type Observation,
  runScenario,
  type Scenario,
  SETTLE_MARGIN_MS,
  scenarioArbitrary,
} from './hook-scenario.js';

/** A named property of one emit. */
export type Check = (observation: Observation) => string[];

const isFailed = (status: string): boolean => status === 'rejected' || status === 'timedOut';

/** Log positions of each hook's start and of its end: its own end or its abort, whichever came first. */
function timeline(observation: Observation): { starts: Map<number, number>; ends: Map<number, number> } {
  const starts = new Map<number, number>();
  const ends = new Map<number, number>();
  for (const entry of observation.log) {
    if (entry.type === 'emitAbort' || entry.type === 'off') continue;
    if (entry.type === 'start') starts.set(entry.hook, entry.at);
    else if ((entry.type === 'end' || entry.type === 'abort') && !ends.has(entry.hook)) ends.set(entry.hook, entry.at);
  }
  return { starts, ends };
}

const indexOfName = (name: string): number => Number(name.slice(1));

/** Whether the emit's signal aborted before the emit settled. */
function abortedDuringEmit(observation: Observation): boolean {
  return observation.log.some((entry) => entry.type === 'emitAbort' && entry.at < observation.settledAt);
}

/** Every hook registered when the emit started appears exactly once in the report, and no other. */
export const everyHookOnce: Check = ({ report, registered, newHookRan }) => {
  if (report === undefined) return ['no report'];
  const problems: string[] = [];
  const names = report.hooks.map((outcome) => outcome.name);
  const expected = registered.map((index) => `h${index}`);
  if ([...names].sort().join() !== [...expected].sort().join()) {
    problems.push(`report lists [${names}] but the hooks registered at emit start were [${expected}]`);
  }
  if (newHookRan) problems.push('a hook registered during the emit ran in it');
  return problems;
};

/** The report is in schedule order, and hooks start in that order: priority descending, ties FIFO/LIFO. */
export const scheduleOrder: Check = (observation) => {
  const { report, expectedOrder } = observation;
  if (report === undefined) return ['no report'];
  const problems: string[] = [];
  const names = report.hooks.map((outcome) => outcome.name).join();
  const expected = expectedOrder.map((index) => `h${index}`).join();
  if (names !== expected) problems.push(`report order [${names}], expected [${expected}]`);
  const startOrder = observation.log.flatMap((entry) => (entry.type === 'start' ? [entry.hook] : []));
  const positions = startOrder.map((index) => expectedOrder.indexOf(index));
  if (positions.some((position, i) => i > 0 && position <= (positions[i - 1] as number))) {
    problems.push(`hooks started in the order [${startOrder}], expected a subsequence of [${expectedOrder}]`);
  }
  return problems;
};

/** No hook starts before every started hook of a higher tier ended or was abandoned. */
export const tiersInSequence: Check = (observation) => {
  const { starts, ends } = timeline(observation);
  const problems: string[] = [];
  for (const [later, startedAt] of starts) {
    const priority = (observation.scenario.hooks[later] as HookSpec).priority;
    for (const [earlier] of starts) {
      if ((observation.scenario.hooks[earlier] as HookSpec).priority <= priority) continue;
      const endedAt = ends.get(earlier);
      if (endedAt === undefined || endedAt > startedAt) {
        problems.push(`h${later} (priority ${priority}) started before h${earlier} of a higher tier ended`);
      }
    }
  }
  for (const [index] of starts) {
    const endedAt = ends.get(index);
    if (endedAt === undefined || endedAt > observation.settledAt) {
      problems.push(`h${index} was still running, neither settled nor abandoned, when the emit settled`);
    }
  }
  return problems;
};

/** At no time do more hooks run than the concurrency allows. */
export const concurrencyBound: Check = (observation) => {
  const { starts, ends } = timeline(observation);
  const events = [
    ...[...starts.values()].map((at) => ({ at, delta: 1 })),
    ...[...ends.values()].map((at) => ({ at, delta: -1 })),
  ].sort((a, b) => a.at - b.at);
  let active = 0;
  let peak = 0;
  for (const event of events) {
    active += event.delta;
    peak = Math.max(peak, active);
  }
  const { concurrency } = observation.scenario;
  return peak > concurrency ? [`${peak} hooks ran at once with concurrency ${concurrency}`] : [];
};

/**
 * Each outcome says what its hook did: skipped hooks never started, started hooks end with the
 * status their behaviour implies, failures carry the very value thrown, timeouts a HookTimeoutError.
 */
export const outcomesMatchHooks: Check = (observation) => {
  const { report, scenario, thrown } = observation;
  if (report === undefined) return ['no report'];
  const { starts, ends } = timeline(observation);
  const aborted = new Set(observation.log.flatMap((entry) => (entry.type === 'abort' ? [entry.hook] : [])));
  const problems: string[] = [];
  for (const outcome of report.hooks) {
    const index = indexOfName(outcome.name);
    const spec = scenario.hooks[index] as HookSpec;
    const started = starts.has(index);
    if (outcome.priority !== spec.priority) problems.push(`${outcome.name} reported priority ${outcome.priority}`);
    if ((outcome.status === 'skipped') === started) {
      problems.push(`${outcome.name} is ${outcome.status} but ${started ? 'started' : 'never started'}`);
      continue;
    }
    if (outcome.status === 'skipped') {
      if (outcome.startMs !== -1 || outcome.durationMs !== 0) problems.push(`${outcome.name} skipped with times`);
      continue;
    }
    if (!(outcome.startMs >= 0 && outcome.durationMs >= 0)) {
      problems.push(`${outcome.name} has startMs ${outcome.startMs} and durationMs ${outcome.durationMs}`);
    }
    if (runningAtEmitAbort(observation, spec, starts.get(index), ends.get(index))) {
      // The emit's signal aborted while this async hook ran (maybe from inside it, before its first
      // await): it is abandoned with the signal's reason.
      if (!(outcome.status === 'rejected' && Object.is(outcome.error, observation.abortReason))) {
        problems.push(`${outcome.name} was running when the emit aborted but is ${outcome.status}`);
      }
      continue;
    }
    if (aborted.has(index)) {
      // Its ctx.signal aborted: it timed out, or the emit's signal abandoned it with its reason.
      const abandoned = outcome.status === 'rejected' && Object.is(outcome.error, observation.abortReason);
      if (outcome.status === 'timedOut') problems.push(...checkTimeout(observation, outcome.name, spec, outcome.error));
      else if (!abandoned) problems.push(`${outcome.name}'s signal aborted but it is ${outcome.status}`);
      else if (!abortedDuringEmit(observation)) problems.push(`${outcome.name} abandoned without an emit abort`);
      continue;
    }
    if (outcome.status === 'timedOut') {
      // A hook that blocked past its budget is timed out when it returns.
      if (overranBudget(scenario, outcome))
        problems.push(...checkTimeout(observation, outcome.name, spec, outcome.error));
      else problems.push(`${outcome.name} is timedOut but its signal did not abort`);
      continue;
    }
    const allowed: Record<string, string[]> = {
      sync: ['fulfilled'],
      syncThrow: ['rejected'],
      async: ['fulfilled', 'timedOut'],
      asyncReject: ['rejected', 'timedOut'],
      abortable: ['fulfilled', 'timedOut'],
      hang: ['timedOut'],
    };
    if (!allowed[spec.kind]?.includes(outcome.status)) {
      problems.push(`${outcome.name} (${spec.kind}) ended ${outcome.status}`);
      continue;
    }
    if (outcome.status === 'rejected' && !Object.is(outcome.error, thrown.get(index))) {
      problems.push(`${outcome.name} rejected with ${String(outcome.error)}, not the value it threw`);
    }
    if (outcome.status === 'fulfilled' && 'error' in outcome) problems.push(`${outcome.name} fulfilled with an error`);
  }
  return problems;
};

/** Whether an async hook that started at log position `startedAt` started before the emit's signal aborted and was still running then. */
function runningAtEmitAbort(
  observation: Observation,
  spec: HookSpec,
  startedAt: number | undefined,
  endedAt: number | undefined,
): boolean {
  if (spec.kind === 'sync' || spec.kind === 'syncThrow' || startedAt === undefined) return false;
  const emitAbortAt = observation.log.find((entry) => entry.type === 'emitAbort')?.at;
  if (emitAbortAt === undefined || emitAbortAt > observation.settledAt) return false;
  return startedAt < emitAbortAt && (endedAt === undefined || endedAt > emitAbortAt);
}

/**
 * Whether `outcome` is a hook timed out when it returned: it blocked the thread past its budget (its
 * own timeout, or the phase deadline), so no timer could stop it in time.
 */
function overranBudget(scenario: Scenario, outcome: { startMs: number; durationMs: number; error?: unknown }): boolean {
  const { error } = outcome;
  if (!(error instanceof HookTimeoutError)) return false;
  if (error.phaseDeadline) {
    return scenario.deadline !== undefined && outcome.startMs + outcome.durationMs >= scenario.deadline;
  }
  return outcome.durationMs >= error.timeout;
}

function checkTimeout(observation: Observation, name: string, spec: HookSpec, error: unknown): string[] {
  const { scenario, thrown } = observation;
  if (!(error instanceof HookTimeoutError)) return [`${name} timed out with ${String(error)}`];
  const problems: string[] = [];
  if (error.hookName !== name) problems.push(`${name} timed out with hookName ${error.hookName}`);
  const timeout = spec.timeout ?? scenario.busTimeout;
  const expected = error.phaseDeadline ? scenario.deadline : timeout;
  if (expected === undefined || error.timeout !== expected) {
    problems.push(`${name} timed out after ${error.timeout} ms (phase deadline: ${error.phaseDeadline})`);
  }
  // An abortable hook rejects with its signal's reason: it must be the reported timeout error.
  if (spec.kind === 'abortable' && !Object.is(thrown.get(indexOfName(name)), error)) {
    problems.push(`${name}'s signal aborted with another reason than its HookTimeoutError`);
  }
  return problems;
}

/**
 * The emit resolves exactly when every hook ran without failing or was unsubscribed before its turn;
 * otherwise it rejects with a LifecycleError whose `errors` are the failed outcomes' errors, in order.
 */
export const errorsMatchFailures: Check = (observation) => {
  const { report, error, log } = observation;
  if (report === undefined) return ['no report'];
  const problems: string[] = [];
  const unsubscribed = new Set(log.flatMap((entry) => (entry.type === 'off' ? [entry.target] : [])));
  const failures = report.hooks.filter((outcome) => isFailed(outcome.status));
  const unexcused = report.hooks.filter(
    (outcome) => outcome.status === 'skipped' && !unsubscribed.has(indexOfName(outcome.name)),
  );
  const aborted = abortedDuringEmit(observation);
  const shouldResolve = failures.length === 0 && unexcused.length === 0 && !aborted;
  if (shouldResolve !== (error === undefined)) {
    const got = error === undefined ? 'resolved' : `rejected (${error instanceof Error ? error.message : error})`;
    problems.push(
      `emit ${got} with ${failures.length} failures, ${unexcused.length} hooks skipped, ${aborted ? '' : 'not '}aborted`,
    );
  }
  if (report.ok !== (error === undefined))
    problems.push(`report.ok is ${report.ok} but emit ${error ? 'rejected' : 'resolved'}`);
  if (error === undefined) return problems;
  if (!(error instanceof LifecycleError)) return [...problems, `emit rejected with ${String(error)}`];
  const errors = error.errors;
  if (errors.length !== failures.length || errors.some((value, i) => !Object.is(value, failures[i]?.error))) {
    problems.push(`errors has ${errors.length} values that are not the ${failures.length} failed outcomes' errors`);
  }
  if (aborted && !Object.is(error.cause, observation.abortReason)) problems.push('an aborted emit has another cause');
  for (const outcome of failures) {
    if (!error.message.includes(outcome.name)) problems.push(`the message does not name ${outcome.name}`);
  }
  return problems;
};

/** With failFast and concurrency 1, no hook starts after the first failure. */
export const failFastStops: Check = (observation) => {
  const { scenario, report } = observation;
  if (!scenario.failFast || scenario.concurrency !== 1 || report === undefined) return [];
  const { starts, ends } = timeline(observation);
  const failedAt = report.hooks
    .filter((outcome) => isFailed(outcome.status))
    .map((outcome) => ends.get(indexOfName(outcome.name)) ?? Number.POSITIVE_INFINITY);
  const firstFailure = Math.min(...failedAt);
  const late = [...starts].filter(([, at]) => at > firstFailure).map(([hook]) => `h${hook}`);
  return late.length > 0 ? [`failFast: ${late} started after the first failure`] : [];
};

/** The emit settles, by its deadline (or the hooks' own bounds) plus a margin. */
export const settlesInTime: Check = ({ settled, elapsedMs, boundMs }) => {
  if (!settled) return [`emit did not settle within ${boundMs} + ${SETTLE_MARGIN_MS} ms`];
  return elapsedMs > boundMs + SETTLE_MARGIN_MS ? [`emit settled after ${elapsedMs} ms, bound ${boundMs} ms`] : [];
};

/** Nothing the hooks did, even after being abandoned, became an unhandled rejection. */
export const noUnhandledRejection: Check = ({ unhandled }) =>
  unhandled.map((reason) => `unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);

/** Once the emit settled and late hooks finished, the active timers and handles are those from before. */
export const noResourceLeft: Check = ({ resourcesBefore, resourcesAfter }) => {
  const count = (list: readonly string[]): string =>
    Object.entries(
      list.reduce<Record<string, number>>((counts, type) => {
        counts[type] = (counts[type] ?? 0) + 1;
        return counts;
      }, {}),
    )
      .sort()
      .map(([type, n]) => `${type}x${n}`)
      .join(' ');
  const before = count(resourcesBefore);
  const after = count(resourcesAfter);
  return before === after ? [] : [`active resources went from [${before}] to [${after}]`];
};

/** Runs count and seed of a property run; `FC_SEED` (and `FC_PATH`) replay a reported failure. */
export function propertyParameters<Values extends unknown[] = [Scenario]>(numRuns: number): fc.Parameters<Values> {
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  const path = process.env.FC_PATH;
  return {
    numRuns,
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path, endOnFailure: true }),
  };
}

/**
 * Checks every check of `checks` over the same `numRuns` random scenarios, each scenario played once.
 * Resolves, per check, fast-check's report of the first failure (its seed and path, and the shrunk
 * counterexample) when that check failed, else `undefined`.
 */
export async function checkScenarios<Name extends string>(
  checks: Record<Name, Check>,
  numRuns: number,
): Promise<Record<Name, string | undefined>> {
  const names = Object.keys(checks) as Name[];
  let violations: Partial<Record<Name, string[]>> = {};
  const property = fc.asyncProperty(scenarioArbitrary, async (scenario) => {
    const observation = await runScenario(scenario);
    violations = {};
    for (const name of names) {
      const problems = checks[name](observation);
      if (problems.length > 0) violations[name] = problems;
    }
    const all = Object.entries(violations).flatMap(([name, problems]) =>
      (problems as string[]).map((problem) => `${name}: ${problem}`),
    );
    if (all.length > 0) throw new Error(all.join('\n'));
  });
  const details = await fc.check(property, propertyParameters(numRuns));
  const results = {} as Record<Name, string | undefined>;
  for (const name of names) results[name] = undefined;
  if (!details.failed) return results;
  // The last run fast-check made is its shrunk counterexample: its violations say which checks failed.
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const message = `${fc.defaultReportMessage(details) ?? 'property failed'}\nViolations:\n${cause}`;
  const failed = names.filter((name) => cause.includes(`${name}: `));
  for (const name of failed.length > 0 ? failed : names) results[name] = message;
  return results;
}
