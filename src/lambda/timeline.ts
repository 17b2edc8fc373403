/**
 * The runtime's own timeline: JSON lines describing the init and SnapStart phases, written to a file
 * descriptor named by `SNAPSTART_REPORT_FD` so a local tool (`snapstart simulate`) can draw per-hook
 * timings without mixing them into the handler's logs. On Lambda the variable is unset and nothing is written.
 *
 * @module
 */
import { writeSync } from 'node:fs';
import { describeReason } from '../errors.js';
import type { HookOutcome, PhaseReport } from '../types.js';

/** The environment variable naming the file descriptor (an integer >= 3) the runtime reports to. */
export const REPORT_FD_ENV = 'SNAPSTART_REPORT_FD';

/** A hook outcome as reported: the error is reduced to its one-line reason. */
export type ReportedHookOutcome = Omit<HookOutcome, 'error'> & { error?: string };

/** A phase report as reported: JSON-safe. */
export type ReportedPhase = Omit<PhaseReport, 'hooks'> & { hooks: ReportedHookOutcome[] };

/** One line of the runtime's report stream. */
export type RuntimeReportEntry =
  | {
      /** The handler module was imported (the init phase). */
      type: 'init';
      /** `_HANDLER`. */
      handler: string;
      /** Wall-clock start, ms since the epoch. */
      startedAt: number;
      /** Import duration in ms. */
      durationMs: number;
      /** Whether the handler was found. */
      ok: boolean;
      /** The `Runtime.*` error type when it was not. */
      errorType?: string;
    }
  | {
      /** A SnapStart phase ran (`beforeSnapshot` or `afterRestore`). */
      type: 'phase';
      /** Its report. */
      report: ReportedPhase;
    };

/** Makes a phase report JSON-safe: each failed hook's error becomes its one-line reason. */
export function toReportedPhase(report: PhaseReport): ReportedPhase {
  return {
    ...report,
    hooks: report.hooks.map(({ error, ...outcome }) =>
      error === undefined ? outcome : { ...outcome, error: describeReason(error) },
    ),
  };
}

/**
 * Returns a function writing one JSON line per entry to the descriptor named by `SNAPSTART_REPORT_FD`,
 * or `undefined` when the variable is unset or not an integer >= 3. Write failures are ignored: the
 * report is a diagnostic and must never break the runtime.
 */
export function createReportWriter(
  env: NodeJS.ProcessEnv = process.env,
): ((entry: RuntimeReportEntry) => void) | undefined {
  const fd = Number(env[REPORT_FD_ENV]);
  if (!Number.isInteger(fd) || fd < 3) return undefined;
  return (entry) => {
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    } catch {
      // the reader went away; keep serving
    }
  };
}

/** Parses one line of the report stream, or returns `undefined` for anything that is not an entry. */
export function parseReportLine(line: string): RuntimeReportEntry | undefined {
  try {
    const value = JSON.parse(line) as { type?: unknown };
    return value !== null && (value.type === 'init' || value.type === 'phase')
      ? (value as RuntimeReportEntry)
      : undefined;
  } catch {
    return undefined;
  }
}
