/**
 * The hook's `ctx`: one small object per started hook, with the four values a hook reads and one
 * slot for its abort state. The `AbortController` behind `signal` is created only when a hook reads
 * it, so hooks that never look at it cost nothing.
 *
 * @module
 */
import type { HookContext } from '../types.js';

/** The abort of a hook whose signal nobody had read yet: kept until `signal` is first read. */
class EarlyAbort {
  readonly reason: unknown;
  constructor(reason: unknown) {
    this.reason = reason;
  }
}

/** A started hook's `ctx`. */
export class Context implements HookContext<unknown, string> {
  readonly event: string;
  readonly payload: unknown;
  readonly name: string;
  readonly priority: number;
  /** `undefined` until the signal is read or the hook aborted; then its controller, or the early abort. */
  #abort: AbortController | EarlyAbort | undefined = undefined;

  constructor(event: string, payload: unknown, name: string, priority: number) {
    this.event = event;
    this.payload = payload;
    this.name = name;
    this.priority = priority;
  }

  get signal(): AbortSignal {
    const state = this.#abort;
    if (state instanceof AbortController) return state.signal;
    const controller = new AbortController();
    if (state !== undefined) controller.abort(state.reason);
    this.#abort = controller;
    return controller.signal;
  }

  /** Aborts the signal (now, or when it is first read) with `reason`. Later calls change nothing. */
  abort(reason: unknown): void {
    const state = this.#abort;
    if (state === undefined) this.#abort = new EarlyAbort(reason);
    else if (state instanceof AbortController) state.abort(reason); // a no-op once aborted
  }
}
