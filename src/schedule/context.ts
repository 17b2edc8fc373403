/**
 * The hook's `ctx`: one small object per started hook. The `AbortController` behind `signal` is
 * created only when a hook reads it, so hooks that never look at it cost nothing.
 *
 * @module
 */
import type { HookContext } from '../types.js';

/** A started hook's `ctx`. */
export class Context implements HookContext<unknown, string> {
  readonly event: string;
  readonly payload: unknown;
  readonly name: string;
  readonly priority: number;
  private controller: AbortController | undefined = undefined;
  private abortReason: unknown = undefined;
  private aborted = false;

  constructor(event: string, payload: unknown, name: string, priority: number) {
    this.event = event;
    this.payload = payload;
    this.name = name;
    this.priority = priority;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Aborts the signal (now, or when it is first read) with `reason`. Later calls change nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
