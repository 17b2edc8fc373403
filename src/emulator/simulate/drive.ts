/**
 * The driving step of `simulate()`: takes the spawned runtime through snapshot, restore and the
 * invocations, reporting each step as it happens, and stops at the first thing that ends the
 * simulation early: its own timeout, the runtime exiting, the environment failing.
 *
 * @module
 */
import { describeThrown } from '../../util/thrown.js';
import type { RuntimeApiEmulator } from '../emulator.js';
import type { Delivery, InvocationResult } from '../types.js';
import type { SimulationPlan } from './options.js';
import type { RuntimeProcess } from './runtime-process.js';
import { invocationSpan, postedErrorSpan, type SimulationClock, snapshotSpan } from './timeline.js';

/** Why a simulation stopped early: the message, and a short label for the step it cut. */
export interface Interruption {
  readonly failure: string;
  readonly label: string;
}

/** How the drive ended. */
export interface DriveOutcome {
  readonly results: InvocationResult[];
  /** Events delivered that did not end (at most one: the simulator sends them one after another). */
  readonly unfinished: { readonly requestId: string; readonly at: number }[];
  readonly interruption: Interruption | undefined;
  /** Whether the simulator killed the runtime (its timeout, or an invocation past the function timeout). */
  readonly killed: boolean;
}

class Stop extends Error {
  constructor(readonly interruption: Interruption) {
    super(interruption.failure);
  }
}

/** How long a runtime that posted an init or restore error is given to exit by itself. */
const EXIT_GRACE_MS = 5_000;
/** How long the last invocation's runtime gets to poll for the next one before the emulator closes. */
const NEXT_POLL_WAIT_MS = 2_000;

/** Drives the simulation; never rejects. */
export async function drive(
  plan: SimulationPlan,
  emulator: RuntimeApiEmulator,
  runtime: RuntimeProcess,
  clock: SimulationClock,
): Promise<DriveOutcome> {
  const results: InvocationResult[] = [];
  const emit = plan.onEvent;
  const deliveries = new Map<string, number>();
  const onDelivered = (delivery: Delivery) => {
    deliveries.set(delivery.requestId, delivery.at);
    emit({ type: 'running', name: `invocation ${results.length + 1}`, startMs: clock.fromEmulator(delivery.at) });
  };
  const onResult = (result: InvocationResult) => {
    deliveries.delete(result.requestId);
    emit({ type: 'step', span: invocationSpan(result, results.length, clock) });
  };
  const onFailed = () => {
    const error = emulator.errors.at(-1);
    if (emulator.failure?.reason !== 'timeout' && error !== undefined) {
      emit({ type: 'step', span: postedErrorSpan(error, clock) });
    }
  };
  const now = () => clock.fromEmulator(emulator.now());
  emulator.on('delivered', onDelivered).on('result', onResult).on('failed', onFailed);

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new Stop({
          failure: `gave up after the ${plan.timeout} ms timeout and killed the runtime`,
          label: 'timed out',
        }),
      );
    }, plan.timeout);
  });
  const exited = runtime.exited.then((code) => {
    throw new Stop({
      failure: `the runtime exited with code ${code} before the simulation ended`,
      label: `exited ${code}`,
    });
  });
  const spawnFailed = runtime.spawnFailed.catch((error: unknown) => {
    throw new Stop({ failure: `could not start the runtime: ${describeThrown(error)}`, label: 'not started' });
  });
  for (const stop of [timedOut, exited, spawnFailed]) stop.catch(() => {});
  const race = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, timedOut, exited, spawnFailed]);

  let interruption: Interruption | undefined;
  try {
    if (plan.initType === 'snap-start') {
      await race(emulator.snapshotReached());
      emulator.restore();
      const restoreNext = emulator.requests.find((request) => request.endpoint === 'restore/next');
      if (restoreNext?.status !== undefined) {
        emit({ type: 'step', span: snapshotSpan(restoreNext, clock) });
        if (restoreNext.status === 200) emit({ type: 'running', name: 'afterRestore', startMs: now() });
      }
    }
    for (let n = 0; n < plan.invocations; n++) {
      const result = await race(emulator.invoke(plan.event, { timeout: plan.functionTimeout }));
      results.push(result);
      if (emulator.failure?.reason === 'timeout') throw new Error(emulator.failure.message);
    }
    if (results.length > 0) await awaitNextPoll(emulator, results.at(-1)?.requestId, race);
  } catch (error) {
    interruption = await explain(error, emulator, runtime);
  } finally {
    clearTimeout(timer);
    emulator.off('delivered', onDelivered).off('result', onResult).off('failed', onFailed);
  }
  // Lambda kills a runtime past the function timeout; the simulator kills one past its own.
  const killed = interruption?.label === 'timed out' || emulator.failure?.reason === 'timeout';
  if (killed) await runtime.stop('SIGKILL');
  const unfinished = [...deliveries].map(([requestId, at]) => ({ requestId, at }));
  return { results, unfinished, interruption, killed };
}

/**
 * Waits (briefly) for the runtime to ask for work again after the last invocation, so the request
 * log shows whether it went back to polling; a runtime that does not is not waited for longer.
 */
async function awaitNextPoll(
  emulator: RuntimeApiEmulator,
  lastRequestId: string | undefined,
  race: <T>(promise: Promise<T>) => Promise<T>,
): Promise<void> {
  // The poll that follows the post answering the last invocation.
  const answered =
    emulator.requests.findLast((request) => request.requestId !== undefined && request.requestId === lastRequestId)
      ?.seq ?? 0;
  await race(
    emulator.waitForRequest(
      (request) => request.endpoint === 'invocation/next' && request.seq > answered,
      NEXT_POLL_WAIT_MS,
    ),
  ).catch(() => {});
}

/** Turns what ended the drive into the message a user reads. */
async function explain(error: unknown, emulator: RuntimeApiEmulator, runtime: RuntimeProcess): Promise<Interruption> {
  const failure = emulator.failure;
  if (error instanceof Stop && (failure === undefined || error.interruption.label === 'timed out')) {
    return error.interruption;
  }
  if (failure === undefined) return { failure: describeThrown(error), label: 'failed' };
  if (failure.reason === 'timeout') return { failure: failure.message, label: 'timed out (function timeout)' };
  // An init or restore error: the runtime exits by itself (64, 65, 1); say how.
  let grace: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    runtime.exited,
    new Promise<undefined>((resolve) => {
      grace = setTimeout(() => resolve(undefined), EXIT_GRACE_MS);
    }),
  ]);
  clearTimeout(grace);
  const exit = code === undefined ? `was still running ${EXIT_GRACE_MS} ms later` : `exited with code ${code}`;
  return { failure: `${failure.message} and ${exit}`, label: failure.reason };
}
