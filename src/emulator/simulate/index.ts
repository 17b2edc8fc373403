/**
 * A whole SnapStart lifecycle on a laptop: the emulator, the real `snapstart-runtime` as a child
 * process, init → snapshot → restore → N invocations, and the timeline of it all. In steps: check the
 * options, spawn the runtime, drive it, build the timeline (a pure function of what was observed).
 *
 * @module
 */
import type { RuntimeReportEntry } from '../../lambda/timeline.js';
import { preciseNow } from '../../util/timers.js';
import { RuntimeApiEmulator } from '../emulator.js';
import { type DriveOutcome, drive } from './drive.js';
import { planSimulation, type SimulationPlan } from './options.js';
import { type RuntimeProcess, spawnRuntime } from './runtime-process.js';
import { buildTimeline, initSpans, phaseSpans, type SimulationClock, simulationClock } from './timeline.js';
import type { SimulateOptions, Simulation } from './types.js';

// A runtime re-export (not `export type`) so the types module is part of the loaded graph.
export * from './types.js';

/**
 * Runs a handler through its whole lifecycle against a local Runtime API: starts the emulator, spawns
 * `snapstart-runtime` (with `SNAPSTART_REPORT_FD=3`, so it reports per-hook timings on fd 3), waits
 * for the snapshot point, restores, sends `invocations` events one after another, then stops the
 * runtime and returns the timeline. `onEvent` sees each step as it happens.
 *
 * It fails what Lambda fails: an invocation past `functionTimeout` ends as `Sandbox.Timedout` and the
 * runtime is stopped; a response over 6 MB ends as `Function.ResponseSizeTooLarge`.
 *
 * @throws TypeError or RangeError (as a rejection, before anything starts) naming a bad option.
 *
 * @example
 * ```ts no-run
 * const simulation = await simulate({ taskRoot: './dist', handler: 'index.handler', invocations: 2 });
 * console.log(formatSimulation(simulation));
 * ```
 */
export async function simulate(options: SimulateOptions): Promise<Simulation> {
  const plan = planSimulation(options);
  const emulator = await RuntimeApiEmulator.start({ initType: plan.initType });
  try {
    const spawnedAt = preciseNow();
    const clock = simulationClock(spawnedAt, emulator.startedAt);
    // The options were checked, so spawn() has nothing left to throw for; if it did, the emulator still closes.
    const runtime = spawnRuntime(
      plan,
      emulator,
      (stream, text) => plan.onEvent({ type: 'log', stream, text }),
      (entry) => reportStep(plan, entry, clock),
    );
    const outcome = await drive(plan, emulator, runtime, clock);
    // A runtime still serving is stopped like Lambda stops an idle environment: a signal, not an error.
    const serving = runtime.running();
    await runtime.stop('SIGTERM');
    const exitCode = serving ? null : await exitCodeOf(runtime);
    return assemble(plan, emulator, runtime, clock, outcome, exitCode);
  } finally {
    await emulator.close();
  }
}

/** Reports the steps a runtime report entry ends. */
function reportStep(plan: SimulationPlan, entry: RuntimeReportEntry, clock: SimulationClock): void {
  const spans = entry.type === 'init' ? initSpans(entry, clock) : phaseSpans(entry.report, clock);
  for (const span of spans) plan.onEvent({ type: 'step', span });
}

async function exitCodeOf(runtime: RuntimeProcess): Promise<number | null> {
  // A process that never started has no exit code.
  return Promise.race([runtime.exited, runtime.spawnFailed.catch(() => null)]);
}

function assemble(
  plan: SimulationPlan,
  emulator: RuntimeApiEmulator,
  runtime: RuntimeProcess,
  clock: SimulationClock,
  outcome: DriveOutcome,
  exitCode: number | null,
): Simulation {
  const { interruption } = outcome;
  const built = buildTimeline(
    {
      handler: plan.handler,
      initType: plan.initType,
      reports: runtime.reports,
      requests: emulator.requests,
      errors: emulator.errors,
      results: outcome.results,
      unfinished: interruption === undefined ? [] : outcome.unfinished,
      stoppedAt: emulator.now(),
      interruption: interruption?.label,
    },
    clock,
  );
  const failure = interruption?.failure;
  const ok =
    failure === undefined &&
    built.timeline.every((span) => span.ok) &&
    built.invocations.length === plan.invocations &&
    built.invocations.every((invocation) => invocation.ok);
  return {
    ok,
    handler: plan.handler,
    taskRoot: plan.taskRoot,
    initType: plan.initType,
    exitCode,
    ...(failure === undefined ? {} : { failure }),
    hints: hintsFor(emulator, runtime),
    timeline: built.timeline,
    ...(built.beforeSnapshot ? { beforeSnapshot: built.beforeSnapshot } : {}),
    ...(built.afterRestore ? { afterRestore: built.afterRestore } : {}),
    invocations: built.invocations,
    errors: [...emulator.errors],
    requests: emulator.requests.map((request) => ({
      method: request.method,
      endpoint: request.endpoint ?? request.path,
      atMs: clock.fromEmulator(request.at),
      ...(request.status === undefined ? {} : { status: request.status }),
    })),
    logs: [...runtime.logs],
  };
}

/** What to try for failures with a known cure. */
function hintsFor(emulator: RuntimeApiEmulator, runtime: RuntimeProcess): string[] {
  const texts = [...emulator.errors.map((error) => JSON.stringify(error.body)), ...runtime.logs.map((log) => log.text)];
  const typescript = texts.some((text) => /Unknown file extension \\?"\.[cm]?tsx?\\?"/.test(text));
  if (!typescript) return [];
  return [
    'The handler is TypeScript and node has no TypeScript loader: pass one, e.g. `--node-arg=--import=tsx` (simulate(): `nodeArgs: ["--import=tsx"]`), or build the handler to JavaScript first.',
  ];
}
