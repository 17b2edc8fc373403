/**
 * The invocation ledger: events waiting for a poll, events in flight with their deadline timers, and
 * enough memory of ended ones to answer a late or second post as Lambda does.
 *
 * @module
 */
import type { PreparedEvent } from './delivery.js';
import type { InvocationStanding } from './lifecycle.js';
import type { InvocationResult } from './types.js';

/** An event waiting for a poll, with the settlers of its `invoke()` promise. */
export interface QueuedInvocation extends PreparedEvent {
  readonly resolve: (result: InvocationResult) => void;
  readonly reject: (error: Error) => void;
}

/** An event delivered and not ended. */
export interface InFlightInvocation extends QueuedInvocation {
  /** Delivery, in ms since the emulator started. */
  readonly deliveredAt: number;
  readonly timer: NodeJS.Timeout;
}

// Ended ids remembered for the "second post" and "too late" answers; older ones read as unknown.
const REMEMBERED = 10_000;

/** The queue and the in-flight set. */
export class InvocationLedger {
  readonly #queue: QueuedInvocation[] = [];
  readonly #inFlight = new Map<string, InFlightInvocation>();
  readonly #ended = new Map<string, 'answered' | 'timed-out'>();
  #lastAnswered: string | undefined;

  /** Events in flight. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Whether `requestId` is queued or in flight (an id must be unique among those). */
  isPending(requestId: string): boolean {
    return this.#inFlight.has(requestId) || this.#queue.some((entry) => entry.requestId === requestId);
  }

  enqueue(invocation: QueuedInvocation): void {
    this.#queue.push(invocation);
  }

  /** Takes the oldest queued event. */
  dequeue(): QueuedInvocation | undefined {
    return this.#queue.shift();
  }

  /** Marks `invocation` delivered at `at`; `onDeadline` runs if it is still in flight after its timeout. */
  deliver(invocation: QueuedInvocation, at: number, onDeadline: (requestId: string) => void): InFlightInvocation {
    const timer = setTimeout(() => onDeadline(invocation.requestId), invocation.timeout);
    const inFlight: InFlightInvocation = { ...invocation, deliveredAt: at, timer };
    this.#inFlight.set(invocation.requestId, inFlight);
    return inFlight;
  }

  /** The in-flight invocation `requestId`, if any. */
  get(requestId: string): InFlightInvocation | undefined {
    return this.#inFlight.get(requestId);
  }

  /** Where a posted id stands (see {@link InvocationStanding}). */
  standing(requestId: string): InvocationStanding {
    if (this.#inFlight.has(requestId)) return 'in-flight';
    const ended = this.#ended.get(requestId);
    if (ended === 'timed-out') return 'timed-out';
    if (ended === 'answered') return requestId === this.#lastAnswered ? 'answered-last' : 'answered';
    return 'unknown';
  }

  /** The runtime polled again: its last answer is no longer the one it is "sending". */
  polled(): void {
    this.#lastAnswered = undefined;
  }

  /** Ends the in-flight `requestId` (answered by the runtime, or timed out) and returns it. */
  end(requestId: string, how: 'answered' | 'timed-out'): InFlightInvocation | undefined {
    const invocation = this.#inFlight.get(requestId);
    if (invocation === undefined) return undefined;
    clearTimeout(invocation.timer);
    this.#inFlight.delete(requestId);
    this.#ended.delete(requestId);
    this.#ended.set(requestId, how);
    if (this.#ended.size > REMEMBERED) this.#ended.delete(this.#ended.keys().next().value as string);
    if (how === 'answered') this.#lastAnswered = requestId;
    return invocation;
  }

  /** Rejects every queued event (and, with `inFlightToo`, every event in flight) with `error`. */
  rejectAll(error: Error, inFlightToo: boolean): void {
    for (const queued of this.#queue.splice(0)) queued.reject(error);
    if (!inFlightToo) return;
    for (const invocation of this.#inFlight.values()) {
      clearTimeout(invocation.timer);
      invocation.reject(error);
    }
    this.#inFlight.clear();
  }
}
