/**
 * A whole SnapStart lifecycle on a laptop: the emulator, the real `snapstart-runtime` as a child
 * process, init → snapshot → restore → N invocations, and the timeline of it all.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseReportLine, REPORT_FD_ENV, type ReportedPhase, type RuntimeReportEntry } from '../lambda/timeline.js';
import { RuntimeApiEmulator } from './server.js';
import type { InvocationResult, PostedLifecycleError } from './types.js';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** The function's code directory (`LAMBDA_TASK_ROOT`). */
  taskRoot: string;
  /** `_HANDLER`, e.g. `index.handler`. */
  handler: string;
  /** The event sent to every invocation. Default `{}`. */
  event?: unknown;
  /** How many invocations after the restore. Default `1`. */
  invocations?: number;
  /** `snap-start` (default) runs the hooks and a restore; `on-demand` goes straight to invocations. */
  initType?: 'snap-start' | 'on-demand';
  /** Extra arguments for `node` before the runtime script, e.g. `['--import', 'tsx']` for TypeScript handlers. */
  nodeArgs?: string[];
  /** Extra environment variables for the runtime. */
  env?: Record<string, string>;
  /** Give up (and kill the runtime) after this many ms, from 1 to {@link MAX_TIMEOUT_MS}. Default `60000`. */
  timeoutMs?: number;
}

/** One row of the timeline: a step of the lifecycle, or a hook inside a phase. */
export interface TimelineSpan {
  /** What the row is. */
  kind: 'process' | 'init' | 'phase' | 'hook' | 'snapshot' | 'invocation';
  /** Its label. */
  name: string;
  /** Start, in ms since the runtime was spawned (`-1` for a skipped hook). */
  startMs: number;
  /** Duration in ms. */
  durationMs: number;
  /** Whether it succeeded. */
  ok: boolean;
  /** A status or short detail (hook status, error type, ...). */
  detail?: string;
}

/** One invocation of the simulation. */
export interface SimulatedInvocation {
  /** The request id. */
  requestId: string;
  /** `true` for a response, `false` for an error. */
  ok: boolean;
  /** The response, or the error body. */
  body: unknown;
  /** The error-type header, for errors. */
  errorType?: string;
  /** When the event was delivered, in ms since spawn. */
  startMs: number;
  /** Delivery to answer, in ms. */
  durationMs: number;
}

/** The result of {@link simulate}: everything `snapstart simulate` prints, `--json` verbatim. */
export interface Simulation {
  /** `true` when every step and every invocation succeeded. */
  ok: boolean;
  /** `_HANDLER`. */
  handler: string;
  /** The task root. */
  taskRoot: string;
  /** The initialization type simulated. */
  initType: 'snap-start' | 'on-demand';
  /** The runtime's exit code (`null` if it was still serving and was stopped by the simulator). */
  exitCode: number | null;
  /** Why the simulation stopped early, if it did. */
  failure?: string;
  /** The timeline, in order. Times are ms since the runtime was spawned. */
  timeline: TimelineSpan[];
  /** The before-snapshot phase report, when it ran. */
  beforeSnapshot?: ReportedPhase;
  /** The after-restore phase report, when it ran. */
  afterRestore?: ReportedPhase;
  /** The invocations. */
  invocations: SimulatedInvocation[];
  /** Init and restore errors the runtime posted. */
  errors: PostedLifecycleError[];
  /** Every Runtime API request, in order. */
  requests: { method: string; endpoint: string; atMs: number; status?: number }[];
  /** The runtime's output, line by line. */
  logs: { stream: 'stdout' | 'stderr'; text: string }[];
}

/** The longest `timeoutMs` {@link simulate} accepts: Node's timer limit (about 24.8 days). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

function isDirectory(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false;
  }
}

/** Finds the runtime bin: the compiled one next to this module, else the TypeScript source (run under tsx). */
function runtimeCommand(): string[] {
  const compiled = fileURLToPath(new URL('../lambda/bin.js', import.meta.url));
  if (existsSync(compiled)) return [compiled];
  return ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../lambda/bin.ts', import.meta.url))];
}

/**
 * Runs a handler through its whole lifecycle against a local Runtime API: starts the emulator, spawns
 * `snapstart-runtime` (with `SNAPSTART_REPORT_FD=3`, so it reports per-hook timings on fd 3), waits
 * for the snapshot point, restores, sends `invocations` events one after another, then stops the
 * runtime and returns the timeline.
 *
 * @example
 * ```ts
 * const simulation = await simulate({ taskRoot: './dist', handler: 'index.handler', invocations: 2 });
 * console.log(formatSimulation(simulation));
 * ```
 */
export async function simulate(options: SimulateOptions): Promise<Simulation> {
  const invocations = options.invocations ?? 1;
  if (!Number.isInteger(invocations) || invocations < 0) {
    throw new RangeError(`invocations must be an integer >= 0, got ${String(options.invocations)}`);
  }
  const initType = options.initType ?? 'snap-start';
  if (initType !== 'snap-start' && initType !== 'on-demand') {
    throw new RangeError(`initType must be 'snap-start' or 'on-demand', got ${JSON.stringify(initType)}`);
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new RangeError(
      `timeoutMs must be a number of ms from 1 to ${MAX_TIMEOUT_MS}, got ${String(options.timeoutMs)}`,
    );
  }
  if (typeof options.taskRoot !== 'string' || !isDirectory(options.taskRoot)) {
    throw new TypeError(`taskRoot must be an existing directory, got ${JSON.stringify(options.taskRoot)}`);
  }
  const emulator = await RuntimeApiEmulator.start({ initType });
  const spawnedAt = emulator.now();
  const epochAtSpawn = Date.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...runtimeCommand()], {
    cwd: options.taskRoot,
    env: {
      ...process.env,
      ...emulator.runtimeEnv(),
      LAMBDA_TASK_ROOT: options.taskRoot,
      _HANDLER: options.handler,
      ...options.env,
      [REPORT_FD_ENV]: '3',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const logs: Simulation['logs'] = [];
  const reports: RuntimeReportEntry[] = [];
  const lines = (stream: Readable | null, onLine: (line: string) => void): void => {
    if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
  };
  lines(child.stdout, (text) => logs.push({ stream: 'stdout', text }));
  lines(child.stderr, (text) => logs.push({ stream: 'stderr', text }));
  lines(child.stdio[3] as Readable | null, (line) => {
    const entry = parseReportLine(line);
    if (entry) reports.push(entry);
  });
  let exitCode: number | null = null;
  const closed = new Promise<void>((resolve) => {
    child.once('close', (code) => {
      // Node gives either the code or the signal; a signal death reads as 128, as in a shell.
      exitCode = code ?? 128;
      resolve();
    });
  });
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
  spawnFailed.catch(() => {}); // observed through the races below

  let failure: string | undefined;
  let stopped = false;
  // Never settles once the simulator itself stopped the runtime.
  const exitedEarly = new Promise<never>((_, reject) => {
    void closed.then(() => {
      if (stopped) return;
      reject(
        new Error(
          timedOut
            ? `gave up after the ${timeoutMs} ms timeout and killed the runtime`
            : `the runtime exited with code ${exitCode} before the simulation ended`,
        ),
      );
    });
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const results: InvocationResult[] = [];
  try {
    if (initType === 'snap-start') {
      await Promise.race([emulator.snapshotReached(), exitedEarly, spawnFailed]);
      emulator.restore();
    }
    for (let n = 0; n < invocations; n++) {
      results.push(await Promise.race([emulator.invoke(options.event ?? {}), exitedEarly, spawnFailed]));
    }
  } catch (error) {
    failure = (error as Error).message;
  } finally {
    stopped = true;
    clearTimeout(timer);
    // A runtime still serving is stopped like Lambda stops an idle environment: a signal, not an error.
    const running = child.exitCode === null && child.signalCode === null && child.pid !== undefined;
    if (running) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    if (child.pid !== undefined) await closed;
    clearTimeout(killer);
    if (running) exitCode = null;
    await emulator.close();
  }

  const at = (epoch: number): number => epoch - epochAtSpawn;
  const since = (emulatorMs: number): number => emulatorMs - spawnedAt;
  const init = reports.find((entry) => entry.type === 'init');
  const phase = (event: string): ReportedPhase | undefined => {
    const entry = reports.find((e) => e.type === 'phase' && e.report.event === event);
    return entry?.type === 'phase' ? entry.report : undefined;
  };
  const beforeSnapshot = phase('beforeSnapshot');
  const afterRestore = phase('afterRestore');
  const timeline: TimelineSpan[] = [];
  if (init?.type === 'init') {
    timeline.push({ kind: 'process', name: 'process start', startMs: 0, durationMs: at(init.startedAt), ok: true });
    timeline.push({
      kind: 'init',
      name: `init: import ${init.handler}`,
      startMs: at(init.startedAt),
      durationMs: init.durationMs,
      ok: init.ok,
      ...(init.errorType ? { detail: init.errorType } : {}),
    });
  }
  const pushPhase = (report: ReportedPhase | undefined): void => {
    if (report === undefined) return;
    const start = at(report.startedAt);
    const count = report.hooks.length;
    timeline.push({
      kind: 'phase',
      name: `${report.event} (${count} ${count === 1 ? 'hook' : 'hooks'})`,
      startMs: start,
      durationMs: report.durationMs,
      ok: report.ok,
    });
    for (const hook of report.hooks) {
      timeline.push({
        kind: 'hook',
        name: hook.name,
        startMs: hook.status === 'skipped' ? -1 : start + hook.startMs,
        durationMs: hook.durationMs,
        ok: hook.status === 'fulfilled',
        detail: hook.error ? `${hook.status}: ${hook.error}` : hook.status,
      });
    }
  };
  pushPhase(beforeSnapshot);
  // The simulator restores as soon as restore/next arrives, so it is always answered (200, or 403 when
  // the runtime asks for it in an on-demand environment).
  const restoreNext = emulator.requests.find((request) => request.endpoint === 'restore/next');
  if (restoreNext !== undefined) {
    const ok = restoreNext.status === 200;
    timeline.push({
      kind: 'snapshot',
      name: 'snapshot + restore (restore/next)',
      startMs: since(restoreNext.at),
      durationMs: (restoreNext.respondedAt as number) - restoreNext.at,
      ok,
      ...(ok ? {} : { detail: `restore/next answered ${restoreNext.status}` }),
    });
  }
  pushPhase(afterRestore);
  for (const error of emulator.errors) {
    timeline.push({
      kind: 'init',
      name: `${error.endpoint} posted`,
      startMs: since(error.at),
      durationMs: 0,
      ok: false,
      detail: error.errorType,
    });
  }
  const simulated = results.map((result, index): SimulatedInvocation => {
    timeline.push({
      kind: 'invocation',
      name: `invocation ${index + 1}`,
      startMs: since(result.deliveredAt),
      durationMs: result.durationMs,
      ok: result.ok,
      ...(result.errorType ? { detail: result.errorType } : {}),
    });
    return {
      requestId: result.requestId,
      ok: result.ok,
      body: result.body,
      ...(result.errorType ? { errorType: result.errorType } : {}),
      startMs: since(result.deliveredAt),
      durationMs: result.durationMs,
    };
  });
  const ok = failure === undefined && timeline.every((span) => span.ok) && simulated.length === invocations;
  return {
    ok,
    handler: options.handler,
    taskRoot: options.taskRoot,
    initType,
    exitCode,
    ...(failure === undefined ? {} : { failure }),
    timeline,
    ...(beforeSnapshot ? { beforeSnapshot } : {}),
    ...(afterRestore ? { afterRestore } : {}),
    invocations: simulated,
    errors: [...emulator.errors],
    requests: emulator.requests.map((request) => ({
      method: request.method,
      endpoint: request.endpoint ?? request.path,
      atMs: since(request.at),
      ...(request.status === undefined ? {} : { status: request.status }),
    })),
    logs,
  };
}
