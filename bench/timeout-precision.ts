/**
 * Timeout precision: a hook that never settles, with a timeout of T ms, is abandoned after
 * T + how much? Measured from the `emit` call to its rejection, over many runs, side by side with
 * a bare `setTimeout(T)` (the floor: Node's own timer lateness on this machine).
 *
 * @module
 */
import type { Library } from './dist.js';
import { type Summary, summarise } from './stats.js';

/** Lateness after T, in ms, of the bus and of a bare timer. */
export interface TimeoutPrecisionResult {
  readonly timeoutMs: number;
  /** `emit` rejected this long after T. */
  readonly bus: Summary;
  /** A bare `setTimeout(T)` fired this long after T. */
  readonly bareTimer: Summary;
}

/** How many runs, with which T. */
export interface TimeoutPrecisionOptions {
  readonly runs: number;
  readonly timeoutMs: number;
}

const never = (): Promise<never> => new Promise<never>(() => {});

async function busLateness(lib: Library, timeoutMs: number): Promise<number> {
  const bus = new lib.LifecycleBus<{ phase: void }>();
  bus.on('phase', never, { timeout: timeoutMs, name: 'hung' });
  const start = performance.now();
  try {
    await bus.emit('phase');
  } catch (error) {
    const elapsed = performance.now() - start;
    const outcome = error instanceof lib.LifecycleError ? error.report.hooks[0] : undefined;
    if (outcome?.status !== 'timedOut') throw new Error(`expected a timed-out hook, got ${String(error)}`);
    return elapsed - timeoutMs;
  }
  throw new Error('emit resolved although its only hook never settles');
}

async function timerLateness(timeoutMs: number): Promise<number> {
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, timeoutMs));
  return performance.now() - start - timeoutMs;
}

/** Runs the timeout-precision bench, alternating bus and bare timer. */
export async function runTimeoutPrecision(
  lib: Library,
  options: TimeoutPrecisionOptions,
): Promise<TimeoutPrecisionResult> {
  const bus: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    bus.push(await busLateness(lib, options.timeoutMs));
    bare.push(await timerLateness(options.timeoutMs));
  }
  return { timeoutMs: options.timeoutMs, bus: summarise(bus), bareTimer: summarise(bare) };
}
