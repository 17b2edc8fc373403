/**
 * Soak test of the lifecycle bus: many emits of 10 hooks each (sync and async, with timeouts, a
 * deadline, failures, a timed-out hook and a `once` hook re-registered every time), then checks
 * that the heap grew by less than 2 MB after GC, that the active handles and timers are back to
 * their baseline, that no rejection went unhandled and that exactly the scheduled failures happened.
 *
 * Usage: `npm run soak` (100 000 emits), or
 * `tsx test/helpers/soak.ts [--emits N] [--retain]`. `--retain` keeps every report, a deliberate leak
 * that the check must catch. Prints a summary, then one JSON line with the figures; exits 0 when
 * both checks pass, 1 when one fails. It re-runs itself with `--expose-gc` when started without it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LifecycleBus, LifecycleError, type PhaseReport } from '../../src/index.js';

/** Heap growth allowed over the whole soak, after GC. */
export const MAX_HEAP_GROWTH_BYTES = 2 * 1024 * 1024;

/** The figures of one soak run, printed as the last line of output. */
export interface SoakResult {
  emits: number;
  hooksPerEmit: number;
  /** Emits that rejected, and how many were expected to (from the failure schedule below). */
  failedEmits: number;
  expectedFailedEmits: number;
  timedOutHooks: number;
  expectedTimedOutHooks: number;
  durationMs: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  heapGrowthBytes: number;
  resourcesBefore: string[];
  resourcesAfter: string[];
  /** Unhandled rejections seen while the emits ran (abandoned hooks reject late). */
  unhandledRejections: number;
  /** Reports kept alive on purpose with `--retain` (read after the heap was measured, so they stay alive). */
  retainedReports: number;
  ok: boolean;
}

type Events = { phase: { iteration: number } };

/** Every FLAKY_EVERY-th emit one hook rejects with a non-Error value; every TAIL_EVERY-th one throws. */
const FLAKY_EVERY = 100;
const TAIL_EVERY = 500;
/** Every HANG_EVERY-th emit one hook ignores its 2 ms timeout and rejects late, after being abandoned. */
const HANG_EVERY = 1_000;
const HANG_TIMEOUT_MS = 2;

const tick = (): Promise<void> => Promise.resolve();

/** A bus with 9 permanent hooks over 3 priority tiers; the 10th is a `once` hook added per emit. */
function createBus(): LifecycleBus<Events> {
  const bus = new LifecycleBus<Events>({ timeout: 10_000 });
  bus.on('phase', () => {}, { priority: 2, name: 'config' });
  bus.on('phase', async () => tick(), { priority: 2, name: 'secrets' });
  bus.on(
    'phase',
    async ({ signal }) => {
      await tick();
      signal.throwIfAborted();
    },
    { priority: 2, name: 'db' },
  );
  bus.on('phase', async () => tick(), { priority: 1, name: 'cache' });
  bus.on('phase', () => {}, { priority: 1, name: 'metrics' });
  bus.on(
    'phase',
    async ({ payload }) => {
      await tick();
      if (payload.iteration % FLAKY_EVERY === 0) throw { code: 'EFLAKY' };
    },
    { priority: 1, name: 'flaky' },
  );
  bus.on(
    'phase',
    ({ payload, signal }) => {
      if (payload.iteration % HANG_EVERY !== 0) return tick();
      // Abandoned at its timeout, it rejects afterwards: that must be ignored, never unhandled.
      return new Promise((_, reject) => signal.addEventListener('abort', () => setTimeout(reject, 1, signal.reason)));
    },
    { priority: 1, name: 'slow', timeout: HANG_TIMEOUT_MS },
  );
  bus.on('phase', async () => tick(), { name: 'warm' });
  bus.on(
    'phase',
    ({ payload }) => {
      if (payload.iteration % TAIL_EVERY === 0) throw new Error('tail failed');
    },
    { name: 'tail' },
  );
  return bus;
}

/** Runs emits `from` to `to - 1`, counting failures; keeps the reports in `retained` if given. */
async function runEmits(
  bus: LifecycleBus<Events>,
  from: number,
  to: number,
  retained: PhaseReport[] | undefined,
): Promise<{ failed: number; timedOut: number }> {
  let failed = 0;
  let timedOut = 0;
  for (let iteration = from; iteration < to; iteration++) {
    bus.once('phase', () => {}, { name: 'once' });
    const options = {
      concurrency: iteration % 3 === 0 ? 4 : 1,
      deadline: iteration % 2 === 0 ? 10_000 : undefined,
    };
    let report: PhaseReport;
    try {
      report = await bus.emit('phase', { iteration }, options);
    } catch (error) {
      if (!(error instanceof LifecycleError)) throw error;
      failed++;
      report = error.report;
    }
    for (const hook of report.hooks) if (hook.status === 'timedOut') timedOut++;
    retained?.push(report);
  }
  return { failed, timedOut };
}

function countFailing(from: number, to: number): { failedEmits: number; timedOutHooks: number } {
  let failedEmits = 0;
  let timedOutHooks = 0;
  for (let i = from; i < to; i++) {
    if (i % FLAKY_EVERY === 0 || i % TAIL_EVERY === 0 || i % HANG_EVERY === 0) failedEmits++;
    if (i % HANG_EVERY === 0) timedOutHooks++;
  }
  return { failedEmits, timedOutHooks };
}

/** Collects garbage until the heap stops shrinking, letting timers and finalizers run in between. */
async function settledHeap(gc: () => void): Promise<number> {
  let previous = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 10; round++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= previous) return used;
    previous = used;
  }
  return previous;
}

/** Runs the soak and returns its figures. Needs `gc` (node --expose-gc). */
export async function soak(emits: number, retain: boolean, gc: () => void): Promise<SoakResult> {
  const bus = createBus();
  const retained: PhaseReport[] | undefined = retain ? [] : undefined;
  // Warm up so that compiled code and lazily built structures are in the baseline, not the growth.
  const warmup = Math.min(2_000, emits);
  await runEmits(bus, -warmup, 0, undefined);
  // Abandoned hooks reject 1 ms after their abort: let the last of them finish before the baseline.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const heapBeforeBytes = await settledHeap(gc);
  const resourcesBefore = process.getActiveResourcesInfo();

  let unhandledRejections = 0;
  const onUnhandled = (): void => {
    unhandledRejections++;
  };
  process.on('unhandledRejection', onUnhandled);
  const started = performance.now();
  const { failed, timedOut } = await runEmits(bus, 0, emits, retained);
  const durationMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20));
  const heapAfterBytes = await settledHeap(gc);
  const resourcesAfter = process.getActiveResourcesInfo();
  process.off('unhandledRejection', onUnhandled);

  const expected = countFailing(0, emits);
  const heapGrowthBytes = heapAfterBytes - heapBeforeBytes;
  const sameResources = [...resourcesBefore].sort().join() === [...resourcesAfter].sort().join();
  return {
    emits,
    hooksPerEmit: bus.listenerCount('phase') + 1,
    failedEmits: failed,
    expectedFailedEmits: expected.failedEmits,
    timedOutHooks: timedOut,
    expectedTimedOutHooks: expected.timedOutHooks,
    durationMs: Math.round(durationMs),
    heapBeforeBytes,
    heapAfterBytes,
    heapGrowthBytes,
    resourcesBefore,
    resourcesAfter,
    unhandledRejections,
    retainedReports: retained?.length ?? 0,
    ok:
      unhandledRejections === 0 &&
      heapGrowthBytes < MAX_HEAP_GROWTH_BYTES &&
      sameResources &&
      failed === expected.failedEmits &&
      timedOut === expected.timedOutHooks,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { emits: { type: 'string', default: '100000' }, retain: { type: 'boolean', default: false } },
  });
  const emits = Number(values.emits);
  if (!Number.isInteger(emits) || emits < 1)
    throw new RangeError(`--emits must be an integer >= 1, got ${values.emits}`);

  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    // Re-run with --expose-gc: without it the heap cannot be measured after a full collection.
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
      { stdio: 'inherit' },
    );
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }

  const result = await soak(emits, values.retain, gc);
  const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(2);
  console.log(
    `${result.emits} emits of ${result.hooksPerEmit} hooks in ${result.durationMs} ms ` +
      `(${((result.emits * result.hooksPerEmit) / (result.durationMs / 1000)).toFixed(0)} hooks/s)`,
  );
  console.log(
    `failed emits ${result.failedEmits} (expected ${result.expectedFailedEmits}), ` +
      `timed-out hooks ${result.timedOutHooks} (expected ${result.expectedTimedOutHooks})`,
  );
  console.log(
    `heap after GC ${mb(result.heapBeforeBytes)} MB -> ${mb(result.heapAfterBytes)} MB ` +
      `(growth ${mb(result.heapGrowthBytes)} MB, limit ${mb(MAX_HEAP_GROWTH_BYTES)} MB)`,
  );
  console.log(`active resources [${result.resourcesBefore}] -> [${result.resourcesAfter}]`);
  console.log(`unhandled rejections ${result.unhandledRejections}`);
  console.log(result.ok ? 'soak passed' : 'soak FAILED');
  console.log(JSON.stringify(result));
  process.exitCode = result.ok ? 0 : 1;
}

await main();
