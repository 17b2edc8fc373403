/**
 * The tiered strategy (concurrency > 1): priority tiers one after another, up to `concurrency`
 * workers inside each, every worker taking the next hook of the tier as soon as its last one ended.
 *
 * @module
 */
import type { Lane } from './lane.js';
import type { Phase, Strategy } from './phase.js';

/**
 * Runs the hooks of `phase` tier by tier. A worker awaits its hook directly; when the hook is
 * abandoned, a new worker takes its place in the tier, and the old one ends without a trace once the
 * abandoned hook settles, if ever. A tier is over when all its workers are.
 */
export function runTiers(phase: Phase): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const tiers = new Tiers(phase, resolve, reject);
    phase.strategy = tiers;
    tiers.start();
  });
}

class Tiers implements Strategy {
  private readonly phase: Phase;
  private readonly done: () => void;
  private readonly failed: (error: unknown) => void;
  /** Next hook a worker takes. */
  private next = 0;
  /** End (exclusive) of the current tier. */
  private end = 0;
  /** Workers still running in the current tier. */
  private active = 0;
  /** Set while tiers are being started: a tier whose workers all finish at once is followed in a loop. */
  private starting = false;

  constructor(phase: Phase, done: () => void, failed: (error: unknown) => void) {
    this.phase = phase;
    this.done = done;
    this.failed = failed;
  }

  /** Starts the next tier, and the ones after it while tiers finish synchronously. */
  start(): void {
    const { phase } = this;
    const { registrations } = phase;
    const count = registrations.length;
    this.starting = true;
    while (this.active === 0) {
      if (this.next >= count || phase.stopped) {
        this.done();
        break;
      }
      const priority = (registrations[this.next] as { priority: number }).priority;
      let end = this.next + 1;
      while (end < count && registrations[end]?.priority === priority) end++;
      this.end = end;
      const workers = Math.min(phase.settings.concurrency, end - this.next);
      this.active = workers;
      const now = phase.now();
      for (let worker = 0; worker < workers; worker++) this.work(now).catch(this.failed);
    }
    this.starting = false;
  }

  /** One worker: takes hooks of the tier until none is left, the first one starting at `now`. */
  private async work(now: number): Promise<void> {
    const phase = this.phase;
    const lane = phase.openLane();
    // A hook starts right where the worker's previous one ended, so one clock read serves both.
    while (this.next < this.end && !phase.stopped) {
      const index = this.next++;
      if (now >= phase.deadlineMs && !phase.mayStart(index, now)) break;
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
    if (--this.active === 0 && !this.starting) this.start();
  }

  /** The hook of `lane` was abandoned: a new worker takes the old one's place in the tier. */
  abandoned(lane: Lane): void {
    queueMicrotask(() => {
      this.work(this.phase.end(lane)).catch(this.failed);
    });
  }
}
