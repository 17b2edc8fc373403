/**
 * The emulator's waiting calls, and the promise that each one settles: `snapshotReached()` once the
 * snapshot point is reached, the environment failed or the emulator closed; `waitForRequest()` once a
 * matching request arrives, its timeout passes or the emulator closes.
 *
 * @module
 */
import { type Deferred, deferred } from '../util/promise.js';
import type { RecordedRequest } from './types.js';

interface RequestWaiter {
  readonly predicate: (request: RecordedRequest) => boolean;
  readonly resolve: (request: RecordedRequest) => void;
  readonly reject: (reason: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** The pending waits of one emulator. */
export class Waiters {
  readonly #snapshot: Deferred<void> = deferred();
  #snapshotSettled = false;
  readonly #requestWaiters = new Set<RequestWaiter>();

  constructor() {
    // Settled even when nobody asked: a rejection nobody awaits must not be reported as unhandled.
    this.#snapshot.promise.catch(() => {});
  }

  /** The promise of `snapshotReached()`. */
  get snapshot(): Promise<void> {
    return this.#snapshot.promise;
  }

  /** The snapshot point was reached. */
  reachSnapshot(): void {
    this.#settleSnapshot(() => this.#snapshot.resolve());
  }

  /** The snapshot point will never be reached: rejects `snapshotReached()` unless it already resolved. */
  noSnapshot(error: Error): void {
    this.#settleSnapshot(() => this.#snapshot.reject(error));
  }

  /**
   * Resolves with the first of `seen` matching `predicate`, else with the first matching request that
   * arrives ({@link Waiters.offer}); rejects after `timeout` ms, naming what was received (`describe()`).
   */
  waitForRequest(
    seen: readonly RecordedRequest[],
    predicate: (request: RecordedRequest) => boolean,
    timeout: number,
    describe: () => string,
  ): Promise<RecordedRequest> {
    const found = seen.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<RecordedRequest>((resolve, reject) => {
      const waiter: RequestWaiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#requestWaiters.delete(waiter);
          reject(new Error(`No matching request within ${timeout} ms; received: ${describe()}`));
        }, timeout),
      };
      this.#requestWaiters.add(waiter);
    });
  }

  /** A request arrived: settles the waits it matches. A predicate that throws rejects its own wait. */
  offer(request: RecordedRequest): void {
    for (const waiter of this.#requestWaiters) {
      let matches: boolean;
      try {
        matches = waiter.predicate(request);
      } catch (error) {
        this.#drop(waiter);
        waiter.reject(error);
        continue;
      }
      if (!matches) continue;
      this.#drop(waiter);
      waiter.resolve(request);
    }
  }

  /** The emulator closed: every wait rejects with `error`. */
  close(error: Error): void {
    this.noSnapshot(error);
    for (const waiter of this.#requestWaiters) {
      this.#drop(waiter);
      waiter.reject(error);
    }
  }

  #drop(waiter: RequestWaiter): void {
    clearTimeout(waiter.timer);
    this.#requestWaiters.delete(waiter);
  }

  #settleSnapshot(settle: () => void): void {
    if (this.#snapshotSettled) return;
    this.#snapshotSettled = true;
    settle();
  }
}
