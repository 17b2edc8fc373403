/**
 * `RuntimeApiEmulator`: a local AWS Lambda Runtime API with SnapStart restore, driven from code.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { INITIALIZATION_TYPES } from '../runtime-api.js';
import { MAX_TIMER_DELAY } from '../util/timers.js';
import {
  checkBoolean,
  checkFunction,
  checkHeaderValue,
  checkInteger,
  checkName,
  checkOneOf,
  readOptions,
} from '../validate.js';
import { prepareEvent } from './delivery.js';
import { Environment } from './environment.js';
import { FaultBook } from './faults.js';
import { isConcurrent } from './lifecycle.js';
import { Recorder } from './recorder.js';
import { Transport } from './transport.js';
import type {
  EmulatorEvents,
  EmulatorOptions,
  EmulatorState,
  Endpoint,
  EnvironmentFailure,
  FaultAction,
  FaultOptions,
  InitializationType,
  InvocationResult,
  InvokeOptions,
  PostedLifecycleError,
  RecordedRequest,
} from './types.js';
import { Waiters } from './waiting.js';

const OPTIONS = [
  'host',
  'port',
  'initType',
  'autoRestore',
  'functionName',
  'region',
  'maxConcurrency',
  'maxResponseBytes',
  'maxStreamedResponseBytes',
] as const;

/** Lambda's buffered response limit: 6 MiB + 100 bytes (the RIE's MaxPayloadSize). */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
/** Lambda's streamed response limit: 200 MiB. */
const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;

/**
 * A Runtime API emulator. Start it, point a runtime's `AWS_LAMBDA_RUNTIME_API` at
 * {@link RuntimeApiEmulator.address} (or spread {@link RuntimeApiEmulator.runtimeEnv}), then drive it:
 * {@link RuntimeApiEmulator.restore}, {@link RuntimeApiEmulator.invoke}, {@link RuntimeApiEmulator.inject}.
 * It fails what Lambda fails (see the Lambda guide, "The emulator in tests"), and every waiting call
 * settles once the environment failed or the emulator closed.
 *
 * Events (typed, see {@link EmulatorEvents}): `request`, `state`, `delivered`, `chunk`, `result`, `failed`.
 *
 * @example
 * ```ts no-run
 * const emulator = await RuntimeApiEmulator.start();
 * // spawn the runtime with { ...process.env, ...emulator.runtimeEnv(), LAMBDA_TASK_ROOT, _HANDLER }
 * await emulator.snapshotReached();
 * emulator.restore();
 * const result = await emulator.invoke({ hello: 'world' });
 * await emulator.close();
 * ```
 */
export class RuntimeApiEmulator extends EventEmitter<EmulatorEvents> {
  /** The initialization type this environment reports. */
  readonly initType: InitializationType;
  /** The function name. */
  readonly functionName: string;
  /** The ARN delivered with every event. */
  readonly functionArn: string;
  /** How many `invocation/next` polls may wait at once. */
  readonly maxConcurrency: number;
  /** When the emulator started, in ms since the epoch (sub-ms precision): `startedAt + at` dates any `at`. */
  readonly startedAt: number;
  readonly #startPerf: number;
  readonly #recorder = new Recorder();
  readonly #waiters = new Waiters();
  readonly #faults = new FaultBook();
  readonly #environment: Environment;
  #transport: Transport | undefined;

  private constructor(options: EmulatorOptions) {
    super();
    this.#startPerf = performance.now();
    this.startedAt = performance.timeOrigin + this.#startPerf;
    this.initType = options.initType ?? 'snap-start';
    this.functionName = options.functionName ?? 'snapstart-function';
    this.functionArn = `arn:aws:lambda:${options.region ?? 'us-east-1'}:123456789012:function:${this.functionName}`;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    const config = {
      initType: this.initType,
      maxConcurrency: this.maxConcurrency,
      limits: {
        buffered: options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
        streamed: options.maxStreamedResponseBytes ?? MAX_STREAMED_RESPONSE_BYTES,
      },
      autoRestore: options.autoRestore ?? false,
    };
    this.#environment = new Environment(config, {
      now: () => this.now(),
      events: this,
      recorder: this.#recorder,
      waiters: this.#waiters,
      faults: this.#faults,
    });
  }

  /**
   * Starts an emulator listening on `host:port` (default `127.0.0.1`, a free port).
   *
   * @throws TypeError or RangeError naming a bad option.
   */
  static async start(options: EmulatorOptions = {}): Promise<RuntimeApiEmulator> {
    // Own properties only, each read once: what is checked below is what is used.
    const given = readOptions('options', options, OPTIONS) as Readonly<EmulatorOptions>;
    checkName('options.host', given.host);
    checkInteger('options.port', given.port, 0, 65_535);
    checkOneOf('options.initType', given.initType, INITIALIZATION_TYPES);
    checkBoolean('options.autoRestore', given.autoRestore);
    // Both end up in the ARN, which is sent as a header.
    checkHeaderValue('options.functionName', given.functionName);
    checkHeaderValue('options.region', given.region);
    checkInteger('options.maxConcurrency', given.maxConcurrency, 1, 1_000);
    checkInteger('options.maxResponseBytes', given.maxResponseBytes, 0, Number.MAX_SAFE_INTEGER);
    checkInteger('options.maxStreamedResponseBytes', given.maxStreamedResponseBytes, 0, Number.MAX_SAFE_INTEGER);
    const emulator = new RuntimeApiEmulator(given);
    const environment = emulator.#environment;
    emulator.#transport = await Transport.listen(given.host ?? '127.0.0.1', given.port ?? 0, emulator.#recorder, {
      now: () => emulator.now(),
      bodyLimit: (head) => environment.bodyLimit(head),
      onChunk: (head, at, bytes) => environment.onChunk(head, at, bytes),
      onRequest: (record) => {
        emulator.#waiters.offer(record);
        emulator.emit('request', record);
      },
      takeFault: (endpoint, kinds) => emulator.#faults.take(endpoint, kinds),
      route: (exchange) => environment.route(exchange),
      isClosed: () => environment.isClosed(),
    });
    return emulator;
  }

  /** `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return this.#transport?.address ?? '';
  }

  /** The current lifecycle state. */
  get state(): EmulatorState {
    return this.#environment.state;
  }

  /** Why the environment failed, once it has (state `failed`). */
  get failure(): EnvironmentFailure | undefined {
    return this.#environment.failure;
  }

  /** Every request received so far, in order. */
  get requests(): readonly RecordedRequest[] {
    return this.#recorder.requests;
  }

  /** Init and restore errors posted so far. */
  get errors(): readonly PostedLifecycleError[] {
    return this.#recorder.errors;
  }

  /** Ended invocations, in the order they ended. */
  get results(): readonly InvocationResult[] {
    return this.#recorder.results;
  }

  /** Milliseconds since the emulator started (the clock of every `at` field). */
  now(): number {
    return performance.now() - this.#startPerf;
  }

  /**
   * The environment a runtime needs to talk to this emulator: `AWS_LAMBDA_RUNTIME_API`,
   * `AWS_LAMBDA_INITIALIZATION_TYPE`, the function's name, version, memory and log names, and
   * `AWS_LAMBDA_MAX_CONCURRENCY` when invocations may run concurrently.
   */
  runtimeEnv(): Record<string, string> {
    return {
      AWS_LAMBDA_RUNTIME_API: this.address,
      AWS_LAMBDA_INITIALIZATION_TYPE: this.initType,
      AWS_LAMBDA_FUNCTION_NAME: this.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${this.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomBytes(16).toString('hex')}`,
      ...(isConcurrent(this) ? { AWS_LAMBDA_MAX_CONCURRENCY: String(this.maxConcurrency) } : {}),
    };
  }

  /**
   * Resolves when the runtime reaches the snapshot point (it called `restore/next`, or a first
   * `invocation/next` under `snap-start`). Rejects at once outside `snap-start`, and once the
   * environment fails or the emulator closes before that point.
   */
  snapshotReached(): Promise<void> {
    return this.#waiters.snapshot;
  }

  /**
   * Restores the "snapshot": answers the pending `restore/next` with 200 (or the first `invocation/next`),
   * moving to `restoring` (or `ready`). Called before the snapshot point, it restores as soon as it is reached.
   */
  restore(): void {
    this.#environment.restore();
  }

  /**
   * Queues an event. It is delivered to the runtime's `invocation/next` once the environment is ready.
   *
   * @returns the result once the runtime answers, or Lambda ends the invocation (past its deadline:
   * `Sandbox.Timedout`; too large: `Function.ResponseSizeTooLarge`). Rejects if the environment fails or
   * the emulator closes first.
   * @throws TypeError or RangeError, at the call, for an event JSON cannot carry (a BigInt, a circular
   * structure, a function, a Symbol), an id that is not a valid header value, an unknown option, a
   * bad `timeout`, or a `requestId` already queued or in flight.
   */
  invoke(event?: unknown, options?: InvokeOptions): Promise<InvocationResult> {
    return this.#environment.enqueue(prepareEvent(event, options, this.functionArn));
  }

  /**
   * Makes the next `times` requests to `endpoint` misbehave as `action` says (see {@link FaultAction}).
   * Faults apply in the order injected.
   *
   * @returns a function that removes the fault.
   * @throws TypeError or RangeError naming a bad endpoint, action or option.
   *
   * @example
   * ```ts no-run
   * emulator.inject('restore/next', { kind: 'status', status: 500, body: 'boom' });
   * emulator.inject('invocation/next', { kind: 'rawEvent', body: '{not json' });
   * emulator.inject('init/error', { kind: 'reset' }, { times: Infinity });
   * ```
   */
  inject(endpoint: Endpoint, action: FaultAction, options?: FaultOptions): () => void {
    return this.#faults.add(endpoint, action, options);
  }

  /**
   * Resolves with the first recorded request (already received or arriving later) matching `predicate`.
   * Requests still arrive after the environment failed, so only the timeout and `close()` end the wait.
   *
   * @param timeout - ms to wait, an integer from 1 to 2147483647. Default `10000`.
   * @throws Error after `timeout`, listing the requests received so far; Error when the emulator closes.
   */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeout = 10_000): Promise<RecordedRequest> {
    checkFunction('predicate', predicate);
    checkInteger('timeout', timeout, 1, MAX_TIMER_DELAY);
    if (this.state === 'closed' && !this.requests.some(predicate)) {
      return Promise.reject(new Error('RuntimeApiEmulator is closed'));
    }
    return this.#waiters.waitForRequest(this.#recorder.requests, predicate, timeout, () =>
      this.#recorder.describeRequests(),
    );
  }

  /** Stops listening, drops every connection (pending long polls see a reset) and settles every waiting call. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.#environment.close();
    await this.#transport?.close();
  }
}
