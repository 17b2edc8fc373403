/**
 * `snapshotMain`: runs an entry's init, `beforeSnapshot`, and after every restore `afterRestore`
 * then `main`, when the entry is built into a V8 startup snapshot.
 *
 * @module
 */
import { LifecycleError } from '../errors.js';
import { refreshRandomCaches } from '../fresh-randomness.js';
import { formatReport } from '../report.js';
import { snapStartBus } from '../snapstart.js';
import type { PhaseReport } from '../types.js';
import { describeThrown, inspectThrown, isError } from '../util/thrown.js';
import { preciseNow } from '../util/timers.js';
import { checkDuration, checkFunction, readOptions } from '../validate.js';
import { type BuildReport, writeBuildReport } from './build-report.js';
import { awaitDrain } from './drain.js';
import { nodeHost, type SnapshotHost } from './host.js';
import { cureFor, describeResources } from './open-handles.js';

/** What `main` is told about the process it runs in. */
export interface SnapshotMainContext {
  /** `true` in a process restored from a snapshot, `false` when the entry was run without one. */
  readonly restored: boolean;
  /**
   * The program's arguments (`process.argv` without Node and the script). A restored process has
   * no script in `process.argv`, so this is where to read them in both cases.
   */
  readonly args: readonly string[];
}

/** The application's main function: runs after restore (or after init, without a snapshot). */
export type SnapshotMainFunction = (context: SnapshotMainContext) => unknown;

/** Options of {@link snapshotMain}. */
export interface SnapshotMainOptions {
  /**
   * The entry's init work, sync or async: load data, warm caches, open connections. While building,
   * `beforeSnapshot` is emitted only once it has settled; without a snapshot, `main` runs after it.
   * Put async init work here rather than leaving it floating at the top level, or the snapshot
   * could be taken before it finished.
   */
  init?: () => unknown;
  /**
   * While building: how long in ms the event loop may stay alive after `beforeSnapshot` settled
   * (sockets finishing their close) before the build fails, naming the handles still open.
   * Default `2000`; `Infinity` waits for ever.
   */
  drainTimeout?: number;
}

/**
 * Exit codes of a process driven by {@link snapshotMain}. `64` and `65` are those AWS's runtimes use
 * for failed before-snapshot and after-restore hooks.
 */
export const SnapshotExitCode = Object.freeze({
  /** `init` threw or rejected (build, or run without a snapshot). */
  initFailed: 1,
  /** `main` threw or rejected. */
  mainFailed: 1,
  /** A `beforeSnapshot` hook failed or timed out: no snapshot was written. */
  beforeSnapshotFailed: 64,
  /** An `afterRestore` hook failed or timed out: `main` did not run. */
  afterRestoreFailed: 65,
  /** Handles were still keeping the event loop alive `drainTimeout` ms after `beforeSnapshot`. */
  openHandles: 66,
  /** `init` or a phase awaited a promise that nothing left in the event loop could settle. */
  stalled: 67,
});

const DEFAULT_DRAIN_TIMEOUT = 2_000;
const PREFIX = 'snapstart-hooks/v8:';

let called = false;

/**
 * Makes `main` the entry point of a program that can be built into a V8 startup snapshot.
 * Call it once, at the top level of the entry.
 *
 * - Building (`node --snapshot-blob app.blob --build-snapshot entry.cjs`): runs `init`, then emits
 *   `beforeSnapshot` on `snapStartBus` (hooks newest first); the heap is serialized only after
 *   that phase settled and the event loop drained. In every process restored from the blob
 *   (`node --snapshot-blob app.blob`), randomness caches are refreshed, `afterRestore` is emitted
 *   (hooks oldest first), then `main({ restored: true, args })` runs.
 * - Run without a snapshot (`node entry.js`): `init`, then `main({ restored: false, args })`; no hook runs.
 *
 * Failures end the process with a message on stderr and a {@link SnapshotExitCode}: a failed
 * `beforeSnapshot` prints its `LifecycleError` report and exits 64 without writing the snapshot; a
 * failed `afterRestore` prints its report and exits 65 without running `main`.
 *
 * @throws TypeError naming a bad argument; Error when called a second time in the same process
 *   (a restored process never re-runs the entry, so `main` is where per-process work belongs).
 *
 * @example
 * ```ts
 * import { snapStartBus } from 'snapstart-hooks';
 * import { snapshotMain } from 'snapstart-hooks/v8';
 *
 * let db: Connection;
 * snapStartBus.on('beforeSnapshot', () => db.close());
 * snapStartBus.on('afterRestore', async () => { db = await connect(); });
 * snapshotMain(async () => serve(db), { init: async () => { db = await connect(); await warmUp(db); } });
 * ```
 */
export function snapshotMain(main: SnapshotMainFunction, options: SnapshotMainOptions = {}): void {
  const given = checkArguments(main, options);
  if (called) {
    throw new Error(
      'snapshotMain() was already called in this process: call it once, at the top level of the entry (a restored process does not re-run the entry; per-process work belongs in main or afterRestore)',
    );
  }
  called = true;
  runSnapshotMain(nodeHost, main, given);
}

/**
 * {@link snapshotMain} against an explicit {@link SnapshotHost}, without the once-per-process guard.
 *
 * @param warmUp - run at build time between `init` and `beforeSnapshot`: the restore path's first
 *   step, so that what it loads and allocates (Node's crypto module and its random caches) is
 *   already in the snapshot instead of being loaded by every restored process. Replaceable so
 *   `bench/v8-restore.ts` can measure without it.
 * @internal
 */
export function runSnapshotMain(
  host: SnapshotHost,
  main: SnapshotMainFunction,
  options: SnapshotMainOptions,
  warmUp: () => void = refreshRandomCaches,
): void {
  const given = checkArguments(main, options);
  if (host.isBuildingSnapshot()) build(host, main, given, warmUp);
  else void runPlain(host, main, given);
}

/** Own properties only, each read once: what is checked is what is used. */
function checkArguments(main: unknown, options: SnapshotMainOptions): SnapshotMainOptions {
  checkFunction('main', main);
  const given = readOptions('options', options, ['init', 'drainTimeout']) as SnapshotMainOptions;
  if (given.init !== undefined) checkFunction('options.init', given.init);
  checkDuration('options.drainTimeout', given.drainTimeout);
  return given;
}

function build(host: SnapshotHost, main: SnapshotMainFunction, options: SnapshotMainOptions, warmUp: () => void): void {
  let report: BuildReport | undefined;
  host.setDeserializeMainFunction(() => void restore(host, main));
  host.addSerializeCallback(() => {
    if (report === undefined) return;
    report.serializeStartedAt = preciseNow();
    writeBuildReport(report);
  });
  void (async () => {
    const initStart = preciseNow();
    if (!(await runInit(host, options.init, ' (no snapshot was written)'))) return;
    const initMs = preciseNow() - initStart;
    // Compiled code is not kept in the blob (Node builds it with V8's kClear), so running more of
    // the restore path here (the afterRestore emit) measured no gain; what is loaded and allocated is kept.
    warmUp();
    let phase: PhaseReport<'beforeSnapshot'>;
    try {
      phase = await guardPhase(host, 'beforeSnapshot', () => snapStartBus.emit('beforeSnapshot'));
    } catch (error) {
      host.writeError(describePhaseFailure('beforeSnapshot', error, 'no snapshot was written'));
      host.exit(SnapshotExitCode.beforeSnapshotFailed);
      return;
    }
    report = { initMs, beforeSnapshot: phase, serializeStartedAt: 0 };
    const drainTimeout = options.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT;
    // The heap is serialized once the loop drains; if it does not, something is still open.
    awaitDrain(host, drainTimeout, (open) => {
      host.writeError(
        `${PREFIX} no snapshot was written: ${drainTimeout} ms after beforeSnapshot settled, the event loop is still kept alive by ${describeResources(open)}. ${cureFor(open)}\n`,
      );
      host.exit(SnapshotExitCode.openHandles);
    });
  })();
}

async function restore(host: SnapshotHost, main: SnapshotMainFunction): Promise<void> {
  refreshRandomCaches();
  try {
    await guardPhase(host, 'afterRestore', () => snapStartBus.emit('afterRestore'));
  } catch (error) {
    host.writeError(describePhaseFailure('afterRestore', error, 'main did not run'));
    host.exit(SnapshotExitCode.afterRestoreFailed);
    return;
  }
  await runMain(host, main, { restored: true, args: host.argv().slice(1) });
}

async function runPlain(host: SnapshotHost, main: SnapshotMainFunction, options: SnapshotMainOptions): Promise<void> {
  if (await runInit(host, options.init, '')) await runMain(host, main, { restored: false, args: host.argv().slice(2) });
}

/** Runs `init`; on failure reports it and exits. Resolves whether it succeeded. */
async function runInit(host: SnapshotHost, init: (() => unknown) | undefined, consequence: string): Promise<boolean> {
  if (init === undefined) return true;
  try {
    await guardPhase(host, 'init', async () => init());
    return true;
  } catch (error) {
    host.writeError(`${PREFIX} init failed${consequence}: ${describeFailure(error)}\n`);
    host.exit(SnapshotExitCode.initFailed);
    return false;
  }
}

async function runMain(host: SnapshotHost, main: SnapshotMainFunction, context: SnapshotMainContext): Promise<void> {
  try {
    await main(context);
  } catch (error) {
    host.writeError(`${PREFIX} main failed: ${describeFailure(error)}\n`);
    host.exit(SnapshotExitCode.mainFailed);
  }
}

/**
 * Runs one phase and fails the process if the event loop drains while it is pending: the phase
 * awaits something nothing can settle any more. Without this, a build would serialize a heap
 * whose init or `beforeSnapshot` never finished.
 */
async function guardPhase<T>(host: SnapshotHost, phase: string, run: () => Promise<T>): Promise<T> {
  const onBeforeExit = (): void => {
    host.writeError(
      `${PREFIX} ${phase} never settled: it awaits a promise that nothing left in the event loop can settle (no socket, timer or request is pending)\n`,
    );
    host.exit(SnapshotExitCode.stalled);
  };
  const removeListener = host.onBeforeExit(onBeforeExit);
  try {
    return await run();
  } finally {
    // Process listeners are part of the heap: a leftover one would fire in every restored process.
    removeListener();
  }
}

function describePhaseFailure(event: string, error: unknown, consequence: string): string {
  if (!(isError(error) && error instanceof LifecycleError))
    return `${PREFIX} ${event} failed (${consequence}): ${describeFailure(error)}\n`;
  const details = error.errors.map((cause: unknown) => indent(describeFailure(cause))).join('\n');
  return `${PREFIX} ${error.message} (${consequence})\n${formatReport(error.report)}\n${details}\n`;
}

/** An Error's stack (else `Name: message`), or `non-Error value ...`: never throws, whatever was thrown. */
function describeFailure(error: unknown): string {
  const parts = inspectThrown(error);
  if (!parts.isError) return describeThrown(error);
  return parts.stack ?? `${parts.name}: ${parts.message}`;
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
