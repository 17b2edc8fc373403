/**
 * The serial strategy (concurrency 1): one hook at a time in schedule order, so tiers need no
 * barrier and one clock read per hook serves as the end of one and the start of the next.
 *
 * @module
 */
import type { Lane } from './lane.js';
import type { Phase, Strategy } from './phase.js';

/**
 * Runs every hook of `phase` one after another. Each async hook is awaited directly, with no wrapper
 * promise; when one is abandoned (timed out or aborted), the loop goes on in a new lane, and the old
 * loop ends without a trace once the abandoned hook settles, if ever.
 */
export function runSerial(phase: Phase): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const serial = new Serial(phase, resolve, reject);
    phase.strategy = serial;
    serial.loop(0, 0).catch(reject);
  });
}

class Serial implements Strategy {
  private readonly phase: Phase;
  private readonly done: () => void;
  private readonly failed: (error: unknown) => void;

  constructor(phase: Phase, done: () => void, failed: (error: unknown) => void) {
    this.phase = phase;
    this.done = done;
    this.failed = failed;
  }

  /** Runs the hooks from index `first`, the first one starting at phase time `now`. */
  async loop(first: number, now: number): Promise<void> {
    const phase = this.phase;
    const lane = phase.openLane();
    const count = phase.registrations.length;
    for (let index = first; index < count; index++) {
      if (phase.stopped || (now >= phase.deadlineMs && !phase.mayStart(index, now))) break;
      const pending = phase.begin(lane, index, now);
      if (pending !== undefined) {
        try {
          await pending;
        } catch (error) {
          if (!lane.abandoned) phase.reject(lane, error);
        }
        if (lane.abandoned) return;
      }
      now = phase.end(lane);
    }
    phase.closeLane(lane);
    this.done();
  }

  /** The hook of `lane` was abandoned: go on with the next one in a new loop. */
  abandoned(lane: Lane): void {
    queueMicrotask(() => {
      this.loop(lane.index + 1, this.phase.end(lane)).catch(this.failed);
    });
  }
}
