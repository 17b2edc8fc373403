/**
 * The runtime under simulation: `snapstart-runtime` spawned against the emulator, its output read
 * line by line (stdout, stderr, and its report stream on fd 3) as it comes, and its stop.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseReportLine, REPORT_FD_ENV, type RuntimeReportEntry } from '../../lambda/timeline.js';
import { preciseNow } from '../../util/timers.js';
import type { RuntimeApiEmulator } from '../emulator.js';
import type { SimulationPlan } from './options.js';

/** A spawned runtime. */
export interface RuntimeProcess {
  /** When it was spawned, in ms since the epoch (the simulation's clock starts here). */
  readonly spawnedAt: number;
  /** Its output so far, line by line. */
  readonly logs: { stream: 'stdout' | 'stderr'; text: string }[];
  /** Its report entries so far. */
  readonly reports: RuntimeReportEntry[];
  /** Rejects if the process could not be started (e.g. the working directory vanished). */
  readonly spawnFailed: Promise<never>;
  /** Resolves with the exit code (a signal death reads as 128, as in a shell) once it exited. */
  readonly exited: Promise<number>;
  /** Whether it is still running. */
  running(): boolean;
  /** Stops it (SIGTERM, then SIGKILL after 5 s, or SIGKILL at once) and waits for its exit. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/**
 * Finds the runtime bin: the package's built one; without a build (this module running from its
 * TypeScript source), the source under tsx. The package root is found by self-reference, not
 * relative to this module, whose file is a bundle or chunk in the built package (dist/emulator/,
 * dist/chunks/) and a module of its own in src/.
 */
function runtimeCommand(): string[] {
  const root = new URL('.', import.meta.resolve('snapstart-hooks/package.json'));
  const compiled = fileURLToPath(new URL('dist/lambda/bin.js', root));
  if (existsSync(compiled)) return [compiled];
  return ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('src/lambda/bin.ts', root))];
}

/**
 * Spawns the runtime with `SNAPSTART_REPORT_FD=3` (per-hook timings on fd 3), calling `onLine` for each
 * output line and `onReport` for each report entry as they arrive.
 */
export function spawnRuntime(
  plan: SimulationPlan,
  emulator: RuntimeApiEmulator,
  onLine: (stream: 'stdout' | 'stderr', text: string) => void,
  onReport: (entry: RuntimeReportEntry) => void,
): RuntimeProcess {
  const spawnedAt = preciseNow();
  const child: ChildProcess = spawn(process.execPath, [...plan.nodeArgs, ...runtimeCommand()], {
    cwd: plan.taskRoot,
    env: {
      ...process.env,
      ...emulator.runtimeEnv(),
      LAMBDA_TASK_ROOT: plan.taskRoot,
      _HANDLER: plan.handler,
      ...plan.env,
      [REPORT_FD_ENV]: '3',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const logs: RuntimeProcess['logs'] = [];
  const reports: RuntimeReportEntry[] = [];
  const lines = (stream: Readable | null, onText: (line: string) => void): void => {
    if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onText);
  };
  const log = (stream: 'stdout' | 'stderr') => (text: string) => {
    logs.push({ stream, text });
    onLine(stream, text);
  };
  lines(child.stdout, log('stdout'));
  lines(child.stderr, log('stderr'));
  lines(child.stdio[3] as Readable | null, (line) => {
    const entry = parseReportLine(line);
    if (entry === undefined) return;
    reports.push(entry);
    onReport(entry);
  });
  const exited = new Promise<number>((resolve) => {
    // Node gives either the code or the signal; a signal death reads as 128, as in a shell.
    child.once('close', (code) => resolve(code ?? 128));
  });
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
  spawnFailed.catch(() => {}); // observed by the driver's races
  const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    spawnedAt,
    logs,
    reports,
    spawnFailed,
    exited,
    running,
    async stop(signal) {
      if (!running()) return;
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
