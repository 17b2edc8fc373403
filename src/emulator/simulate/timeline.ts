/**
 * The timeline of a simulation, built by pure functions from what was observed: the runtime's report
 * entries, the emulator's records, and where the simulation stopped. Every time is in ms since the
 * runtime was spawned, converted from one clock (the epoch, with sub-ms precision).
 *
 * @module
 */
import type { ReportedPhase, RuntimeReportEntry } from '../../lambda/timeline.js';
import type { InvocationResult, PostedLifecycleError, RecordedRequest } from '../types.js';
import type { SimulatedInvocation, TimelineSpan } from './types.js';

/** Converts the two time bases of a simulation to ms since spawn. */
export interface SimulationClock {
  /** An epoch time (the runtime's reports). */
  fromEpoch(epoch: number): number;
  /** An emulator time (`at` fields). */
  fromEmulator(at: number): number;
}

/** The clock of a simulation whose runtime was spawned at `spawnedAt` (epoch) against an emulator started at `emulatorStartedAt`. */
export function simulationClock(spawnedAt: number, emulatorStartedAt: number): SimulationClock {
  return {
    fromEpoch: (epoch) => epoch - spawnedAt,
    fromEmulator: (at) => emulatorStartedAt + at - spawnedAt,
  };
}

/** The process-start and init spans of an init report. */
export function initSpans(
  entry: Extract<RuntimeReportEntry, { type: 'init' }>,
  clock: SimulationClock,
): TimelineSpan[] {
  const start = clock.fromEpoch(entry.startedAt);
  return [
    { kind: 'process', name: 'process start', startMs: 0, durationMs: start, ok: true },
    {
      kind: 'init',
      name: `init: import ${entry.handler}`,
      startMs: start,
      durationMs: entry.durationMs,
      ok: entry.ok,
      ...(entry.errorType ? { detail: entry.errorType } : {}),
    },
  ];
}

/**
 * The spans of a phase report: the phase, then one per hook. A hook skipped because it was
 * unsubscribed before its turn does not fail its phase, so it is `ok` when the phase is.
 */
export function phaseSpans(report: ReportedPhase, clock: SimulationClock): TimelineSpan[] {
  const start = clock.fromEpoch(report.startedAt);
  const count = report.hooks.length;
  const spans: TimelineSpan[] = [
    {
      kind: 'phase',
      name: `${report.event} (${count} ${count === 1 ? 'hook' : 'hooks'})`,
      startMs: start,
      durationMs: report.durationMs,
      ok: report.ok,
    },
  ];
  for (const hook of report.hooks) {
    spans.push({
      kind: 'hook',
      name: hook.name,
      startMs: hook.status === 'skipped' ? -1 : start + hook.startMs,
      durationMs: hook.durationMs,
      ok: hook.status === 'fulfilled' || (hook.status === 'skipped' && report.ok),
      detail: hook.error ? `${hook.status}: ${hook.error}` : hook.status,
    });
  }
  return spans;
}

/** The span of the snapshot point, once `restore/next` was answered (200, or 403 outside SnapStart). */
export function snapshotSpan(restoreNext: RecordedRequest, clock: SimulationClock): TimelineSpan {
  const ok = restoreNext.status === 200;
  return {
    kind: 'snapshot',
    name: 'snapshot + restore (restore/next)',
    startMs: clock.fromEmulator(restoreNext.at),
    durationMs: (restoreNext.respondedAt ?? restoreNext.at) - restoreNext.at,
    ok,
    ...(ok ? {} : { detail: `restore/next answered ${restoreNext.status}` }),
  };
}

/** The span of a posted init or restore error. */
export function postedErrorSpan(error: PostedLifecycleError, clock: SimulationClock): TimelineSpan {
  const name = `${error.endpoint} posted`;
  return {
    kind: 'init',
    name,
    startMs: clock.fromEmulator(error.at),
    durationMs: 0,
    ok: false,
    detail: error.errorType,
  };
}

/** The span of the `index`-th (0-based) invocation. */
export function invocationSpan(result: InvocationResult, index: number, clock: SimulationClock): TimelineSpan {
  return {
    kind: 'invocation',
    name: `invocation ${index + 1}`,
    startMs: clock.fromEmulator(result.deliveredAt),
    durationMs: result.durationMs,
    ok: result.ok,
    ...(result.ok ? {} : { detail: shownErrorType(result) }),
  };
}

/**
 * The error type to show for a failed invocation: the type Lambda recorded, or, when the runtime sent no
 * usable `Lambda-Runtime-Function-Error-Type` (AWS's Node.js runtime sends none for invocation errors),
 * the `errorType` of the posted body.
 */
export function shownErrorType(result: InvocationResult): string | undefined {
  const recorded = result.errorType;
  if (recorded !== undefined && recorded !== 'Runtime.Unknown' && recorded !== 'Function.Unknown') return recorded;
  const own = (result.body as { errorType?: unknown } | null | undefined)?.errorType;
  return typeof own === 'string' && own !== '' ? own : recorded;
}

/** What the simulation observed, all it takes to build its timeline. */
export interface Observed {
  readonly handler: string;
  readonly initType: 'snap-start' | 'on-demand';
  readonly reports: readonly RuntimeReportEntry[];
  readonly requests: readonly RecordedRequest[];
  readonly errors: readonly PostedLifecycleError[];
  readonly results: readonly InvocationResult[];
  /** Deliveries not ended when the simulation stopped (the running invocation), emulator time. */
  readonly unfinished: readonly { readonly requestId: string; readonly at: number }[];
  /** When the simulation stopped, emulator time. */
  readonly stoppedAt: number;
  /** Why it stopped early (`undefined`: it ran to the end). */
  readonly interruption: string | undefined;
}

/** A simulation's timeline, phase reports and invocations. */
export interface BuiltTimeline {
  readonly timeline: TimelineSpan[];
  readonly beforeSnapshot: ReportedPhase | undefined;
  readonly afterRestore: ReportedPhase | undefined;
  readonly invocations: SimulatedInvocation[];
}

/** Builds the timeline of what was observed. Pure. */
export function buildTimeline(observed: Observed, clock: SimulationClock): BuiltTimeline {
  const init = observed.reports.find((entry) => entry.type === 'init');
  const phase = (event: string): ReportedPhase | undefined => {
    const entry = observed.reports.find((e) => e.type === 'phase' && e.report.event === event);
    return entry?.type === 'phase' ? entry.report : undefined;
  };
  const beforeSnapshot = phase('beforeSnapshot');
  const afterRestore = phase('afterRestore');
  const restoreNext = observed.requests.find((request) => request.endpoint === 'restore/next');
  const timeline: TimelineSpan[] = [];
  if (init?.type === 'init') timeline.push(...initSpans(init, clock));
  if (beforeSnapshot) timeline.push(...phaseSpans(beforeSnapshot, clock));
  // The simulator restores as soon as restore/next arrives, so one that arrived was answered.
  if (restoreNext?.status !== undefined) timeline.push(snapshotSpan(restoreNext, clock));
  if (afterRestore) timeline.push(...phaseSpans(afterRestore, clock));
  for (const error of observed.errors) timeline.push(postedErrorSpan(error, clock));
  const invocations = observed.results.map((result, index): SimulatedInvocation => {
    timeline.push(invocationSpan(result, index, clock));
    return {
      requestId: result.requestId,
      ok: result.ok,
      body: result.body,
      ...(result.ok ? {} : { errorType: shownErrorType(result) }),
      startMs: clock.fromEmulator(result.deliveredAt),
      durationMs: result.durationMs,
    };
  });
  const running = observed.interruption === undefined ? undefined : runningStep(observed, restoreNext, clock);
  if (running !== undefined) timeline.push(running);
  return { timeline, beforeSnapshot, afterRestore, invocations };
}

/** The step that was still running when the simulation stopped early, drawn up to that moment. */
function runningStep(
  observed: Observed,
  restoreNext: RecordedRequest | undefined,
  clock: SimulationClock,
): TimelineSpan | undefined {
  const end = clock.fromEmulator(observed.stoppedAt);
  const span = (kind: TimelineSpan['kind'], name: string, startMs: number): TimelineSpan => ({
    kind,
    name,
    startMs,
    durationMs: Math.max(0, end - startMs),
    ok: false,
    detail: `still running: ${observed.interruption}`,
  });
  const unfinished = observed.unfinished[0];
  if (unfinished !== undefined) {
    return span('invocation', `invocation ${observed.results.length + 1}`, clock.fromEmulator(unfinished.at));
  }
  const reported = (event: string) => observed.reports.some((e) => e.type === 'phase' && e.report.event === event);
  if (observed.errors.length > 0 || observed.results.length > 0) return undefined;
  if (restoreNext?.respondedAt !== undefined && restoreNext.status === 200 && !reported('afterRestore')) {
    return span('phase', 'afterRestore', clock.fromEmulator(restoreNext.respondedAt));
  }
  const init = observed.reports.find((entry) => entry.type === 'init');
  if (init === undefined) return span('init', `init: import ${observed.handler}`, 0);
  if (init.type === 'init' && init.ok && observed.initType === 'snap-start' && restoreNext === undefined) {
    if (!reported('beforeSnapshot'))
      return span('phase', 'beforeSnapshot', clock.fromEpoch(init.startedAt + init.durationMs));
  }
  return undefined;
}
