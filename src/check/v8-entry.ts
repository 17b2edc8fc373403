/**
 * The V8-mode snapshot entry's main: bundled with the checked module, built into a startup snapshot
 * with the V8 bridge (`snapshotMain`), and run in every restored process (and once without a
 * snapshot, as the control). Observes once and writes the result to the file named by
 * {@link RESULT_ENV}.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { startupSnapshot } from 'node:v8';
import { snapshotMain } from '../v8/snapshot-main.js';
import { installMovableClock, setClockOffset } from './clock.js';
import { failureOf, findCallable, observe, type ProbeSpec } from './probe.js';
import type { RunResult } from './runner.js';

/** Names the file each process writes its result to. */
export const RESULT_ENV = 'SNAPSTART_CHECK_RESULT';
/** The clock offset (ms) of the process, read at start and again after a restore. */
export const CLOCK_ENV = 'SNAPSTART_CHECK_CLOCK';

/** The part of `v8.startupSnapshot` the clock needs. */
export interface SnapshotBuild {
  isBuildingSnapshot(): boolean;
  addDeserializeCallback(callback: () => void): void;
}

const clockFromEnv = (): number => Number(process.env[CLOCK_ENV] ?? 0) || 0;

/**
 * Installs the movable clock before the checked module loads (the generated entry imports a module
 * calling this first), and moves it after a restore, before any hook runs.
 */
export function prepareClock(snapshot: SnapshotBuild = startupSnapshot): void {
  installMovableClock(clockFromEnv());
  if (snapshot.isBuildingSnapshot()) snapshot.addDeserializeCallback(() => setClockOffset(clockFromEnv()));
}

/** Observes `namespace` once (one restore); never rejects. */
export async function observeOnce(namespace: unknown, spec: ProbeSpec): Promise<RunResult> {
  try {
    const observation = await observe(findCallable(namespace, spec), spec);
    return { ok: true, atInit: {}, restores: [observation] };
  } catch (error) {
    return failureOf(error);
  }
}

/** Makes observing `namespace` the snapshot's main function: observe, write the result, exit. */
export function observeAfterRestore(namespace: unknown, spec: ProbeSpec): void {
  snapshotMain(
    async () => {
      writeFileSync(process.env[RESULT_ENV] as string, JSON.stringify(await observeOnce(namespace, spec)));
      process.exit(0);
    },
    // Open handles fail the build: waiting the default 2 s for them to close would only slow the fallback.
    { drainTimeout: 500 },
  );
}
