/**
 * One emulated execution environment: feeds each request to the lifecycle machine and carries out its
 * answer — holds the polls, delivers events, ends invocations (answered, failed, timed out), records
 * errors and results, and settles the waiting calls when the environment fails or closes.
 *
 * @module
 */
import type { EventEmitter } from 'eventemitter3';
import type { InitializationType } from '../runtime-api.js';
import { deliveryAnswer, type PreparedEvent } from './delivery.js';
import type { FaultBook } from './faults.js';
import { InvocationLedger, type QueuedInvocation } from './invocations.js';
import { type LifecycleInput, type Refusal, refuseRequest, transition } from './lifecycle.js';
import type { Recorder } from './recorder.js';
import { interpretPost, limitFor, type PostOutcome, type ResponseLimits, timeoutOutcome } from './responses.js';
import type { Exchange, RequestHead, TransportHandler } from './transport.js';
import type { EmulatorEvents, EmulatorState, EnvironmentFailure, InvocationResult, ResponseChunk } from './types.js';
import type { Waiters } from './waiting.js';
import { ACCEPTED_BODY, errorAnswer, HEADER, headerValue, parseBody, STREAMING_MODE, validErrorType } from './wire.js';

/** The settings of an environment. */
export interface EnvironmentConfig {
  readonly initType: InitializationType;
  readonly maxConcurrency: number;
  readonly limits: ResponseLimits;
  autoRestore: boolean;
}

/** Where the emulator's typed events go. */
export type EventSink = Pick<EventEmitter<EmulatorEvents>, 'emit'>;

/** The environment; the transport's handler. */
export class Environment implements Omit<TransportHandler, 'now' | 'onRequest' | 'takeFault'> {
  readonly #config: EnvironmentConfig;
  readonly #now: () => number;
  readonly #events: EventSink;
  readonly #recorder: Recorder;
  readonly #waiters: Waiters;
  readonly #faults: FaultBook;
  readonly #ledger = new InvocationLedger();
  readonly #chunks = new Map<string, ResponseChunk[]>();
  readonly #polls: Exchange[] = [];
  #restorePoll: Exchange | undefined;
  #state: EmulatorState = 'init';
  #failure: EnvironmentFailure | undefined;

  constructor(
    config: EnvironmentConfig,
    parts: { now: () => number; events: EventSink; recorder: Recorder; waiters: Waiters; faults: FaultBook },
  ) {
    this.#config = config;
    this.#now = parts.now;
    this.#events = parts.events;
    this.#recorder = parts.recorder;
    this.#waiters = parts.waiters;
    this.#faults = parts.faults;
    if (config.initType !== 'snap-start') {
      this.#waiters.noSnapshot(
        new Error(`No snapshot point: the environment's initType is ${config.initType}; only snap-start has one`),
      );
    }
  }

  get state(): EmulatorState {
    return this.#state;
  }

  get failure(): EnvironmentFailure | undefined {
    return this.#failure;
  }

  /** Queues an event; the promise settles when it ends, or rejects when the environment fails or closes first. */
  enqueue(event: PreparedEvent): Promise<InvocationResult> {
    if (this.#state === 'closed') return Promise.reject(new Error('RuntimeApiEmulator is closed'));
    if (this.#failure !== undefined) return Promise.reject(failedError(this.#failure));
    if (this.#ledger.isPending(event.requestId)) {
      throw new RangeError(`options.requestId ${JSON.stringify(event.requestId)} is already queued or in flight`);
    }
    return new Promise<InvocationResult>((resolve, reject) => {
      this.#ledger.enqueue({ ...event, resolve, reject });
      this.#dispatch();
    });
  }

  /** Restores the snapshot now, or as soon as the snapshot point is reached. */
  restore(): void {
    this.#config.autoRestore = true;
    if (this.#state === 'snapshot') this.#restore();
  }

  /** Closes: every pending call rejects; answers still pending are dropped by the transport. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    const closed = new Error('RuntimeApiEmulator closed before the invocation completed');
    this.#ledger.rejectAll(closed, true);
    this.#waiters.noSnapshot(new Error('RuntimeApiEmulator closed before the runtime reached the snapshot point'));
    this.#waiters.close(new Error('RuntimeApiEmulator closed'));
  }

  bodyLimit(head: RequestHead): number {
    return limitFor(head.headers, this.#config.limits);
  }

  onChunk(head: RequestHead, at: number, bytes: number): void {
    const { parsed } = head;
    if (parsed.endpoint !== 'invocation/response' || parsed.requestId === undefined) return;
    if (headerValue(head.headers, HEADER.responseMode) !== STREAMING_MODE) return;
    const chunks = this.#chunks.get(parsed.requestId);
    if (chunks === undefined || this.#ledger.get(parsed.requestId) === undefined) return;
    const chunk: ResponseChunk = { requestId: parsed.requestId, at, bytes };
    chunks.push(chunk);
    this.#events.emit('chunk', chunk);
  }

  isClosed(): boolean {
    return this.#state === 'closed';
  }

  route(exchange: Exchange): void {
    const { record, parsed } = exchange;
    const refusal = refuseRequest(record.method, record.path, parsed);
    if (refusal !== undefined || parsed.endpoint === undefined) {
      if (refusal !== undefined) exchange.answer(refusal.status, refusalBody(refusal));
      return;
    }
    switch (parsed.endpoint) {
      case 'restore/next':
        this.#restoreNext(exchange);
        break;
      case 'invocation/next':
        this.#invocationNext(exchange);
        break;
      case 'init/error':
      case 'restore/error':
        this.#lifecycleError(exchange, parsed.endpoint);
        break;
      default:
        this.#invocationPost(exchange, parsed.requestId as string);
    }
  }

  /** Runs `input` through the machine; applies the new state, or answers the refusal and returns it. */
  #step(input: LifecycleInput, exchange?: Exchange): { refused: boolean; snapshot: boolean } {
    const next = transition(this.#state, input, {
      initType: this.#config.initType,
      maxConcurrency: this.#config.maxConcurrency,
      pendingPolls: this.#polls.length,
      inFlight: this.#ledger.inFlight,
      restorePollWaiting: this.#restorePoll !== undefined,
    });
    if (next.refusal !== undefined) {
      exchange?.answer(next.refusal.status, refusalBody(next.refusal));
      return { refused: true, snapshot: false };
    }
    this.#setState(next.state);
    return { refused: false, snapshot: next.snapshot === true };
  }

  #restoreNext(exchange: Exchange): void {
    if (this.#step({ type: 'restore/next' }, exchange).refused) return;
    this.#restorePoll = exchange;
    this.#reachSnapshot();
  }

  #invocationNext(exchange: Exchange): void {
    const step = this.#step({ type: 'invocation/next' }, exchange);
    if (step.refused) return;
    this.#ledger.polled();
    this.#polls.push(exchange);
    exchange.onGone(() => {
      const index = this.#polls.indexOf(exchange);
      if (index !== -1) this.#polls.splice(index, 1);
    });
    if (step.snapshot) this.#reachSnapshot();
    else this.#dispatch();
  }

  #reachSnapshot(): void {
    this.#waiters.reachSnapshot();
    if (this.#config.autoRestore) queueMicrotask(() => this.#state === 'snapshot' && this.#restore());
  }

  #restore(): void {
    this.#step({ type: 'restore' });
    const poll = this.#restorePoll;
    this.#restorePoll = undefined;
    poll?.answer(200, '');
    this.#dispatch();
  }

  /** Hands queued events to waiting polls, oldest first. */
  #dispatch(): void {
    while ((this.#state === 'ready' || this.#state === 'invoking') && this.#polls.length > 0) {
      const queued = this.#ledger.dequeue();
      if (queued === undefined) return;
      this.#deliver(this.#polls.shift() as Exchange, queued);
    }
  }

  #deliver(poll: Exchange, queued: QueuedInvocation): void {
    const at = this.#now();
    const { deadline, headers, body } = deliveryAnswer(queued, this.#faults, poll.record);
    this.#ledger.deliver(queued, at, (requestId) => this.#timeOut(requestId));
    this.#chunks.set(queued.requestId, []);
    this.#step({ type: 'delivered' });
    poll.answer(200, body, headers);
    this.#events.emit('delivered', { requestId: queued.requestId, at, deadline });
  }

  #invocationPost(exchange: Exchange, requestId: string): void {
    if (this.#step({ type: 'invocation/post', standing: this.#ledger.standing(requestId) }, exchange).refused) return;
    const outcome = interpretPost(exchange.record, this.#config.limits);
    const { refusal, ...fields } = outcome;
    this.#end(requestId, 'answered', { ...fields, completedAt: exchange.record.completedAt });
    exchange.answer(refusal?.status ?? 202, refusal === undefined ? ACCEPTED_BODY : refusalBody(refusal));
    this.#dispatch();
  }

  /** Lambda ends an invocation still running at its deadline with Sandbox.Timedout. */
  #timeOut(requestId: string): void {
    const invocation = this.#ledger.get(requestId);
    if (invocation === undefined) return;
    const { refusal: _, ...outcome } = timeoutOutcome(requestId, invocation.timeout);
    this.#end(requestId, 'timed-out', outcome);
    // With concurrency the environment goes on; otherwise the machine has just failed it.
    if (this.#state !== 'failed' || this.#failure !== undefined) {
      this.#dispatch();
      return;
    }
    this.#fail({
      reason: 'timeout',
      requestId,
      message: `invocation ${requestId} timed out after ${(invocation.timeout / 1000).toFixed(2)} seconds; Lambda stops the runtime and starts a new environment for the next event`,
      at: this.#now(),
    });
  }

  /** Ends an in-flight invocation with `fields`, records and resolves its result. */
  #end(
    requestId: string,
    how: 'answered' | 'timed-out',
    fields: Omit<PostOutcome, 'refusal'> & { completedAt?: number },
  ): void {
    const invocation = this.#ledger.end(requestId, how) as NonNullable<ReturnType<InvocationLedger['end']>>;
    const chunks = this.#chunks.get(requestId) ?? [];
    this.#chunks.delete(requestId);
    const { completedAt = this.#now(), streamed, ...rest } = fields;
    const result: InvocationResult = {
      requestId,
      ...rest,
      ...(streamed ? { streamed, chunks } : {}),
      deliveredAt: invocation.deliveredAt,
      completedAt,
      durationMs: completedAt - invocation.deliveredAt,
    };
    this.#recorder.results.push(result);
    this.#step({ type: how === 'answered' ? 'ended' : 'timed-out' });
    invocation.resolve(result);
    this.#events.emit('result', result);
  }

  #lifecycleError(exchange: Exchange, endpoint: 'init/error' | 'restore/error'): void {
    if (this.#step({ type: endpoint }, exchange).refused) return;
    const { record } = exchange;
    const rawErrorType = headerValue(record.headers, HEADER.errorType);
    const errorType = validErrorType(rawErrorType);
    this.#recorder.errors.push({ endpoint, errorType, rawErrorType, body: parseBody(record.body), at: record.at });
    exchange.answer(202, ACCEPTED_BODY);
    this.#fail({ reason: endpoint, message: `the runtime posted ${endpoint} (${errorType})`, at: record.at });
  }

  /** The environment is gone: nothing more is served, and every waiting call settles. */
  #fail(failure: EnvironmentFailure): void {
    this.#failure = failure;
    const error = failedError(failure);
    // Queued events will never be served, and events still in flight (a runtime that polled past an
    // unanswered one) went down with the environment.
    this.#ledger.rejectAll(error, true);
    this.#waiters.noSnapshot(error);
    // Polls still waiting (a runtime that polled past its own invocation) are refused: no event will come.
    for (const poll of this.#polls.splice(0)) {
      poll.answer(
        403,
        errorAnswer('InvalidStateTransition', `State transition from failed to invocation/next is not allowed`),
      );
    }
    this.#events.emit('failed', failure);
  }

  #setState(state: EmulatorState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#events.emit('state', state);
  }
}

function refusalBody(refusal: Refusal): string {
  return errorAnswer(refusal.errorType, refusal.message);
}

function failedError(failure: EnvironmentFailure): Error {
  return new Error(`The execution environment failed: ${failure.message}`);
}
