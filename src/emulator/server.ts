/**
 * A local AWS Lambda Runtime API with SnapStart restore: Lambda's state machine on 127.0.0.1,
 * driven from code (enqueue events, trigger the restore, read results, inject faults).
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  EmulatorOptions,
  EmulatorState,
  Endpoint,
  FaultAction,
  FaultOptions,
  InitializationType,
  InvocationResult,
  InvokeOptions,
  PostedLifecycleError,
  RecordedRequest,
} from './types.js';

const PREFIX = '/2018-06-01/runtime/';
const ERROR_TYPE_PATTERN = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;
const ACCEPTED = JSON.stringify({ status: 'OK' });
const DEFAULT_MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

interface QueuedEvent {
  requestId: string;
  event: unknown;
  options: InvokeOptions;
  resolve: (result: InvocationResult) => void;
  reject: (error: Error) => void;
}

interface InFlight extends QueuedEvent {
  deliveredAt: number;
}

interface Fault {
  endpoint: Endpoint;
  action: FaultAction;
  remaining: number;
}

interface Poll {
  record: RecordedRequest;
  response: http.ServerResponse;
}

/**
 * A Runtime API emulator. Start it, point a runtime's `AWS_LAMBDA_RUNTIME_API` at
 * {@link RuntimeApiEmulator.address} (or spread {@link RuntimeApiEmulator.runtimeEnv}), then drive it.
 *
 * Lambda's rules it enforces: `restore/next` blocks until {@link RuntimeApiEmulator.restore}; under
 * `snap-start` a first `invocation/next` is a snapshot point too; `restore/next` after init (e.g. after an
 * invocation) is 403 `InvalidStateTransition`, as are `init/error` after the restore and `restore/error`
 * outside the restore; error posts answer 202 `{"status":"OK"}` and their
 * `Lambda-Runtime-Function-Error-Type` is checked against `(Runtime|Function)\.[A-Z][a-zA-Z]+`
 * (recorded as `Runtime.Unknown` otherwise); a post for an unknown request id is 400
 * `InvalidRequestID`; a response over 6 MB is 413. Every request is recorded with timestamps.
 *
 * Emits `request` (a {@link RecordedRequest}, on arrival) and `state` (the new {@link EmulatorState}).
 *
 * @example
 * ```ts
 * const emulator = await RuntimeApiEmulator.start();
 * const child = spawn('snapstart-runtime', { env: { ...process.env, ...emulator.runtimeEnv(), _HANDLER: 'index.handler' } });
 * await emulator.snapshotReached();
 * emulator.restore();
 * const result = await emulator.invoke({ hello: 'world' });
 * await emulator.close();
 * ```
 */
export class RuntimeApiEmulator extends EventEmitter {
  /** The initialization type this environment reports. */
  readonly initType: InitializationType;
  /** The function name. */
  readonly functionName: string;
  /** The ARN delivered with every event. */
  readonly functionArn: string;
  readonly #server: http.Server;
  readonly #startPerf = performance.now();
  readonly #requests: RecordedRequest[] = [];
  readonly #errors: PostedLifecycleError[] = [];
  readonly #results: InvocationResult[] = [];
  readonly #queue: QueuedEvent[] = [];
  readonly #inFlight = new Map<string, InFlight>();
  readonly #faults: Fault[] = [];
  readonly #maxResponseBytes: number;
  #autoRestore: boolean;
  #state: EmulatorState = 'init';
  #restorePoll: Poll | undefined;
  #nextPoll: Poll | undefined;
  #snapshotReached: { promise: Promise<void>; resolve: () => void };
  #address = '';

  private constructor(options: EmulatorOptions) {
    super();
    this.initType = options.initType ?? 'snap-start';
    this.functionName = options.functionName ?? 'snapstart-function';
    this.functionArn = `arn:aws:lambda:${options.region ?? 'us-east-1'}:123456789012:function:${this.functionName}`;
    this.#autoRestore = options.autoRestore ?? false;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    let resolve: () => void = () => {};
    this.#snapshotReached = { promise: new Promise<void>((done) => (resolve = done)), resolve };
    this.#snapshotReached.resolve = resolve;
    this.#server = http.createServer((request, response) => this.#receive(request, response));
    // Long polls may legitimately stay open for as long as the test wants: no request or idle timeouts.
    this.#server.requestTimeout = 0;
    this.#server.keepAliveTimeout = 0;
  }

  /**
   * Starts an emulator listening on `host:port` (default `127.0.0.1`, a free port).
   *
   * @throws TypeError or RangeError naming a bad option.
   */
  static async start(options: EmulatorOptions = {}): Promise<RuntimeApiEmulator> {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const initTypes: InitializationType[] = ['snap-start', 'on-demand', 'provisioned-concurrency'];
    if (options.initType !== undefined && !initTypes.includes(options.initType)) {
      throw new RangeError(
        `options.initType must be one of ${initTypes.join(', ')}, got ${JSON.stringify(options.initType)}`,
      );
    }
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new RangeError(`options.port must be an integer from 0 to 65535, got ${String(options.port)}`);
    }
    const emulator = new RuntimeApiEmulator(options);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      emulator.#server.once('error', reject);
      emulator.#server.listen(port, host, () => {
        emulator.#server.off('error', reject);
        resolve();
      });
    });
    const address = emulator.#server.address() as AddressInfo;
    emulator.#address = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    return emulator;
  }

  /** `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return this.#address;
  }

  /** The current lifecycle state. */
  get state(): EmulatorState {
    return this.#state;
  }

  /** Every request received so far, in arrival order. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** Init and restore errors posted so far. */
  get errors(): readonly PostedLifecycleError[] {
    return this.#errors;
  }

  /** Completed invocations, in completion order. */
  get results(): readonly InvocationResult[] {
    return this.#results;
  }

  /** Milliseconds since the emulator started (the clock of every `at` field). */
  now(): number {
    return performance.now() - this.#startPerf;
  }

  /**
   * The environment a runtime needs to talk to this emulator: `AWS_LAMBDA_RUNTIME_API`,
   * `AWS_LAMBDA_INITIALIZATION_TYPE` and the function's name, version, memory and log names.
   */
  runtimeEnv(): Record<string, string> {
    return {
      AWS_LAMBDA_RUNTIME_API: this.#address,
      AWS_LAMBDA_INITIALIZATION_TYPE: this.initType,
      AWS_LAMBDA_FUNCTION_NAME: this.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${this.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomBytes(16).toString('hex')}`,
    };
  }

  /** Resolves when the runtime reaches the snapshot point (it called `restore/next`, or a first `invocation/next` under `snap-start`). */
  snapshotReached(): Promise<void> {
    return this.#snapshotReached.promise;
  }

  /**
   * Restores the "snapshot": answers the pending `restore/next` with 200 (or the first `invocation/next`),
   * moving to `restoring` (or `ready`). Called before the snapshot point, it restores as soon as it is reached.
   */
  restore(): void {
    this.#autoRestore = true;
    if (this.#state === 'snapshot') this.#doRestore();
  }

  /**
   * Queues an event. It is delivered to the runtime's `invocation/next` once the environment is ready.
   *
   * @returns the result once the runtime posts a response or an error; rejects if the emulator closes first.
   */
  invoke(event: unknown, options: InvokeOptions = {}): Promise<InvocationResult> {
    if (this.#state === 'closed') return Promise.reject(new Error('RuntimeApiEmulator is closed'));
    return new Promise<InvocationResult>((resolve, reject) => {
      this.#queue.push({ requestId: options.requestId ?? randomUUID(), event, options, resolve, reject });
      this.#dispatch();
    });
  }

  /**
   * Makes the next `times` requests to `endpoint` misbehave as `action` says (see {@link FaultAction}).
   * Faults apply in the order injected.
   *
   * @returns a function that removes the fault.
   *
   * @example
   * ```ts
   * emulator.inject('restore/next', { kind: 'status', status: 500, body: 'boom' });
   * emulator.inject('invocation/next', { kind: 'rawEvent', body: '{not json' });
   * emulator.inject('init/error', { kind: 'reset' }, { times: Infinity });
   * ```
   */
  inject(endpoint: Endpoint, action: FaultAction, options: FaultOptions = {}): () => void {
    const times = options.times ?? 1;
    if (!(times >= 1)) throw new RangeError(`options.times must be >= 1, got ${String(options.times)}`);
    const kinds = ['status', 'reset', 'garbage', 'delay', 'omitHeaders', 'rawEvent'];
    if (typeof action !== 'object' || action === null || !kinds.includes(action.kind)) {
      throw new TypeError(`action.kind must be one of ${kinds.join(', ')}, got ${JSON.stringify(action?.kind)}`);
    }
    if ((action.kind === 'omitHeaders' || action.kind === 'rawEvent') && endpoint !== 'invocation/next') {
      throw new RangeError(`fault ${action.kind} applies to invocation/next only, got ${endpoint}`);
    }
    const fault: Fault = { endpoint, action, remaining: times };
    this.#faults.push(fault);
    return () => {
      const index = this.#faults.indexOf(fault);
      if (index !== -1) this.#faults.splice(index, 1);
    };
  }

  /**
   * Resolves with the first recorded request (already received or arriving later) matching `predicate`.
   *
   * @throws Error after `timeoutMs` (default 10 000), listing the requests received so far.
   */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 10_000): Promise<RecordedRequest> {
    const found = this.#requests.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<RecordedRequest>((resolve, reject) => {
      const onRequest = (request: RecordedRequest): void => {
        if (!predicate(request)) return;
        clearTimeout(timer);
        this.off('request', onRequest);
        resolve(request);
      };
      const timer = setTimeout(() => {
        this.off('request', onRequest);
        const seen = this.#requests.map((r) => `${r.method} ${r.endpoint ?? r.path}`).join(', ') || 'none';
        reject(new Error(`No matching request within ${timeoutMs} ms; received: ${seen}`));
      }, timeoutMs);
      this.on('request', onRequest);
    });
  }

  /** Stops listening, drops every connection (pending long polls see a reset) and rejects queued invocations. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    const closed = new Error('RuntimeApiEmulator closed before the invocation completed');
    for (const pending of [...this.#queue, ...this.#inFlight.values()]) pending.reject(closed);
    this.#queue.length = 0;
    this.#inFlight.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #setState(state: EmulatorState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #receive(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const record = this.#record(request, Buffer.concat(chunks).toString('utf8'));
      const fault =
        record.endpoint === undefined
          ? undefined
          : this.#takeFault(record.endpoint, ['status', 'reset', 'garbage', 'delay']);
      if (fault !== undefined) record.fault = fault.kind;
      this.emit('request', record);
      if (fault?.kind === 'reset') {
        request.socket.destroy();
        return;
      }
      if (fault?.kind === 'garbage') {
        request.socket.end(fault.bytes);
        return;
      }
      if (fault?.kind === 'status') {
        this.#answer(record, response, fault.status, fault.body ?? '', fault.headers);
        return;
      }
      if (fault?.kind === 'delay') setTimeout(() => this.#route(record, response), fault.ms);
      else this.#route(record, response);
    });
  }

  #record(request: http.IncomingMessage, body: string): RecordedRequest {
    // A server-side request always has its url and method.
    const path = request.url as string;
    const { endpoint, requestId } = parsePath(path);
    const record: RecordedRequest = {
      seq: this.#requests.length + 1,
      method: request.method as string,
      path,
      endpoint,
      remotePort: request.socket.remotePort,
      headers: request.headers,
      body,
      receivedAt: Date.now(),
      at: this.now(),
    };
    if (requestId !== undefined) record.requestId = requestId;
    this.#requests.push(record);
    return record;
  }

  #takeFault(endpoint: Endpoint, kinds: FaultAction['kind'][]): FaultAction | undefined {
    const fault = this.#faults.find((entry) => entry.endpoint === endpoint && kinds.includes(entry.action.kind));
    if (fault === undefined) return undefined;
    if (--fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    return fault.action;
  }

  #route(record: RecordedRequest, response: http.ServerResponse): void {
    if (this.#state === 'closed') {
      response.socket?.destroy();
      return;
    }
    const method = record.endpoint === 'restore/next' || record.endpoint === 'invocation/next' ? 'GET' : 'POST';
    if (record.endpoint === undefined) {
      this.#answerError(record, response, 404, 'NotFound', `Unknown Runtime API path ${record.path}`);
    } else if (record.method !== method) {
      this.#answerError(
        record,
        response,
        405,
        'MethodNotAllowed',
        `${record.endpoint} takes ${method}, got ${record.method}`,
      );
    } else if (record.endpoint === 'restore/next') {
      this.#restoreNext(record, response);
    } else if (record.endpoint === 'invocation/next') {
      this.#invocationNext(record, response);
    } else if (record.endpoint === 'init/error' || record.endpoint === 'restore/error') {
      this.#lifecycleError(record, response, record.endpoint);
    } else {
      this.#invocationPost(record, response, record.endpoint);
    }
  }

  #restoreNext(record: RecordedRequest, response: http.ServerResponse): void {
    if (this.initType !== 'snap-start' || this.#state !== 'init') {
      this.#invalidTransition(record, response, 'restore/next');
      return;
    }
    this.#restorePoll = { record, response };
    this.#reachSnapshot();
  }

  #invocationNext(record: RecordedRequest, response: http.ServerResponse): void {
    const state = this.#state;
    if (state === 'failed' || state === 'snapshot' || this.#nextPoll !== undefined) {
      this.#invalidTransition(record, response, 'invocation/next');
      return;
    }
    this.#nextPoll = { record, response };
    response.on('close', () => {
      if (this.#nextPoll?.response === response) this.#nextPoll = undefined;
    });
    if (state === 'init' && this.initType === 'snap-start') {
      // A runtime without hooks: Lambda snapshots it when it first asks for an event.
      this.#reachSnapshot();
      return;
    }
    if (state === 'init' || state === 'restoring' || state === 'invoking') this.#setState('ready');
    this.#dispatch();
  }

  #reachSnapshot(): void {
    this.#setState('snapshot');
    this.#snapshotReached.resolve();
    if (this.#autoRestore) queueMicrotask(() => this.#state === 'snapshot' && this.#doRestore());
  }

  #doRestore(): void {
    const restorePoll = this.#restorePoll;
    this.#restorePoll = undefined;
    if (restorePoll !== undefined) {
      this.#setState('restoring');
      this.#answer(restorePoll.record, restorePoll.response, 200, '');
    } else {
      this.#setState('ready');
      this.#dispatch();
    }
  }

  #dispatch(): void {
    if (this.#state !== 'ready' || this.#nextPoll === undefined) return;
    const queued = this.#queue.shift();
    if (queued === undefined) return;
    const { record, response } = this.#nextPoll;
    this.#nextPoll = undefined;
    const deliveredAt = this.now();
    this.#inFlight.set(queued.requestId, { ...queued, deliveredAt });
    this.#setState('invoking');
    const { options } = queued;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': queued.requestId,
      'lambda-runtime-deadline-ms': String(Date.now() + (options.timeoutMs ?? 3_000)),
      'lambda-runtime-invoked-function-arn': this.functionArn,
      'lambda-runtime-trace-id': options.traceId ?? traceHeader(),
    };
    if (options.clientContext !== undefined)
      headers['lambda-runtime-client-context'] = JSON.stringify(options.clientContext);
    if (options.cognitoIdentity !== undefined)
      headers['lambda-runtime-cognito-identity'] = JSON.stringify(options.cognitoIdentity);
    const omit = this.#takeFault('invocation/next', ['omitHeaders']);
    if (omit?.kind === 'omitHeaders') {
      for (const name of omit.headers) delete headers[name.toLowerCase()];
      record.fault = 'omitHeaders';
    }
    const raw = this.#takeFault('invocation/next', ['rawEvent']);
    let body = JSON.stringify(queued.event ?? null);
    if (raw?.kind === 'rawEvent') {
      body = raw.body;
      record.fault = 'rawEvent';
    }
    this.#answer(record, response, 200, body, headers);
  }

  #invocationPost(record: RecordedRequest, response: http.ServerResponse, endpoint: Endpoint): void {
    // Invocation posts always carry the id in their path (see parsePath).
    const pending = this.#inFlight.get(record.requestId as string);
    if (pending === undefined) {
      this.#answerError(
        record,
        response,
        400,
        'InvalidRequestID',
        `No invocation in flight with id ${JSON.stringify(record.requestId)}`,
      );
      return;
    }
    if (endpoint === 'invocation/response' && Buffer.byteLength(record.body) > this.#maxResponseBytes) {
      this.#answerError(
        record,
        response,
        413,
        'RequestEntityTooLarge',
        `Response exceeds ${this.#maxResponseBytes} bytes`,
      );
      return;
    }
    this.#inFlight.delete(pending.requestId);
    const completedAt = this.now();
    const result: InvocationResult = {
      requestId: pending.requestId,
      ok: endpoint === 'invocation/response',
      body: parseBody(record.body),
      rawBody: record.body,
      deliveredAt: pending.deliveredAt,
      completedAt,
      durationMs: completedAt - pending.deliveredAt,
    };
    if (!result.ok) result.errorType = validErrorType(record.headers);
    this.#results.push(result);
    if (this.#state === 'invoking' && this.#inFlight.size === 0) this.#setState('ready');
    this.#answer(record, response, 202, ACCEPTED);
    pending.resolve(result);
    this.#dispatch();
  }

  #lifecycleError(
    record: RecordedRequest,
    response: http.ServerResponse,
    endpoint: 'init/error' | 'restore/error',
  ): void {
    const allowed =
      endpoint === 'init/error' ? this.#state === 'init' || this.#state === 'snapshot' : this.#state === 'restoring';
    if (!allowed) {
      this.#invalidTransition(record, response, endpoint);
      return;
    }
    const rawErrorType = headerValue(record.headers, 'lambda-runtime-function-error-type');
    this.#errors.push({
      endpoint,
      errorType: validErrorType(record.headers),
      rawErrorType,
      body: parseBody(record.body),
      at: record.at,
    });
    this.#setState('failed');
    this.#answer(record, response, 202, ACCEPTED);
  }

  #invalidTransition(record: RecordedRequest, response: http.ServerResponse, endpoint: Endpoint): void {
    this.#answerError(
      record,
      response,
      403,
      'InvalidStateTransition',
      `State transition from ${this.#state} to ${endpoint} is not allowed`,
    );
  }

  #answerError(
    record: RecordedRequest,
    response: http.ServerResponse,
    status: number,
    errorType: string,
    errorMessage: string,
  ): void {
    this.#answer(record, response, status, JSON.stringify({ errorMessage, errorType }));
  }

  #answer(
    record: RecordedRequest,
    response: http.ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): void {
    if (response.destroyed || response.writableEnded) return;
    record.status = status;
    record.respondedAt = this.now();
    response.writeHead(status, {
      'content-type': 'application/json',
      ...headers,
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  }
}

function parsePath(path: string): { endpoint: Endpoint | undefined; requestId?: string } {
  if (!path.startsWith(PREFIX)) return { endpoint: undefined };
  const rest = path.slice(PREFIX.length);
  if (rest === 'restore/next' || rest === 'invocation/next' || rest === 'init/error' || rest === 'restore/error') {
    return { endpoint: rest };
  }
  const match = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
  if (match === null) return { endpoint: undefined };
  return {
    endpoint: match[2] === 'response' ? 'invocation/response' : 'invocation/error',
    requestId: decodeURIComponent(match[1] as string),
  };
}

function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  // Node joins a repeated header into one string; only set-cookie arrives as an array.
  return headers[name] as string | undefined;
}

function validErrorType(headers: http.IncomingHttpHeaders): string {
  const value = headerValue(headers, 'lambda-runtime-function-error-type');
  return value !== undefined && ERROR_TYPE_PATTERN.test(value) ? value : 'Runtime.Unknown';
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function traceHeader(): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
