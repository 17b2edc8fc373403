/** Test helpers for time: real timers only, nothing faked. */
import { setTimeout as sleepTimer } from 'node:timers/promises';

/** Resolves after `ms` real milliseconds. */
export const sleep = (ms: number): Promise<void> => sleepTimer(ms);

/** A promise that never settles (a hung hook). */
export const never = (): Promise<never> => new Promise<never>(() => {});

/** Tracks how many async tasks run at once. */
export class ActiveCounter {
  active = 0;
  maxActive = 0;
  /** Wraps a task so that it counts as active while it runs. */
  async track<T>(task: () => Promise<T>): Promise<T> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await task();
    } finally {
      this.active--;
    }
  }
}
