/**
 * How a snapshot build tells `snapstart snapshot` what its phases took: when the variable named by
 * {@link BUILD_REPORT_ENV} holds a file path, the bridge writes a {@link BuildReport} there as JSON
 * just before the heap is serialized.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import type { PhaseReport } from '../types.js';

/** The environment variable naming the file the build report is written to. */
export const BUILD_REPORT_ENV = 'SNAPSTART_V8_BUILD_REPORT';

/** The timings of a snapshot build, as written by the bridge. */
export interface BuildReport {
  /** How long the entry's `init` took, in ms (`0` without one). */
  initMs: number;
  /** The `beforeSnapshot` phase (hook errors are not included: a failed phase writes no report). */
  beforeSnapshot: PhaseReport<'beforeSnapshot'>;
  /** When serialization started, in ms since the epoch (with sub-ms precision). */
  serializeStartedAt: number;
}

/** Writes `report` to the file named by {@link BUILD_REPORT_ENV}, if it is set. */
export function writeBuildReport(report: BuildReport, env: NodeJS.ProcessEnv = process.env): void {
  const path = env[BUILD_REPORT_ENV];
  if (path) writeFileSync(path, JSON.stringify(report));
}
