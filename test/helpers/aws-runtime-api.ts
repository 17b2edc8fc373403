/**
 * An independent oracle of the AWS Lambda Runtime API, for tests that run the real `snapstart-runtime` child.
 *
 * Written from AWS's own documents, never from this project's `src/`: it imports nothing from `src/emulator/` or
 * `src/lambda/`, so one wrong assumption in the project cannot pass on both sides. Every rule it enforces or checks
 * names its source (see {@link SOURCES}). Where AWS's guide is silent (exact status codes of refusals), the answer
 * follows AWS's Runtime Interface Emulator, and says so.
 *
 * Limits: the 6 MB buffered-response limit is enforced (413, as the emulator does); the streaming limits are only
 * recorded (`bytes` of each result), because they are soft, per-account quotas.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** The documents each rule comes from. */
export const SOURCES = {
  runtimeApi: 'AWS Lambda guide, "Using the Lambda runtime API for custom runtimes" (runtimes-api)',
  streaming: 'AWS Lambda guide, "Building a custom runtime" › "Implementing response streaming" (runtimes-custom)',
  snapStart: 'AWS Lambda guide, "Implementing SnapStart hooks for container images" (snapstart-runtime-hooks-custom)',
  managedInstances:
    'AWS Lambda guide, runtimes-api note "Lambda Managed Instances support concurrent requests" (AWS_LAMBDA_MAX_CONCURRENCY)',
  tenant: 'AWS Lambda guide, "Accessing tenant identifier in Lambda function code" (tenant-isolation-context)',
  envVars: 'AWS Lambda guide, "Defined runtime environment variables" (configuration-envvars)',
  quotas: 'AWS Lambda guide, "Lambda quotas": 6 MB synchronous invocation response',
  emulator:
    'AWS Lambda Runtime Interface Emulator (aws/aws-lambda-runtime-interface-emulator), rapi handlers/rendering',
} as const;

/** `AWS_LAMBDA_INITIALIZATION_TYPE` values (configuration-envvars). */
export type InitType = 'on-demand' | 'provisioned-concurrency' | 'snap-start' | 'lambda-managed-instances';

export interface AwsRuntimeApiOptions {
  /** `AWS_LAMBDA_INITIALIZATION_TYPE` for the child; `restore/next` is served only under `snap-start`. Default `on-demand`. */
  initType?: InitType;
  /** Parallel `/next` polls allowed (`AWS_LAMBDA_MAX_CONCURRENCY`, Managed Instances). Default 1. */
  maxConcurrency?: number;
  /** Default bound, in ms, of every waiting call; each call may pass its own. Default 10 000. */
  waitTimeoutMs?: number;
  /** `AWS_LAMBDA_FUNCTION_NAME`. Default `oracle-fn`. */
  functionName?: string;
}

export interface InvokeOptions {
  requestId?: string;
  /** Absolute `Lambda-Runtime-Deadline-Ms` (epoch ms). Default: delivery time + `timeoutMs`. */
  deadlineMs?: number;
  /** Function timeout used for the default deadline. Default 30 000. */
  timeoutMs?: number;
  traceId?: string;
  tenantId?: string;
  /** Sent as `Lambda-Runtime-Client-Context`; objects are JSON-encoded. */
  clientContext?: string | object;
  /** Sent as `Lambda-Runtime-Cognito-Identity`; objects are JSON-encoded. */
  cognitoIdentity?: string | object;
  functionArn?: string;
  /** Bound of this wait in ms (default: the server's `waitTimeoutMs`). */
  waitTimeoutMs?: number;
}

/** One HTTP request the runtime made, as it arrived. */
export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  /** `invocation/next`, `invocation/response`, `invocation/error`, `init/error`, `restore/next`, `restore/error`, or `unknown`. */
  endpoint: string;
  /** The `{AwsRequestId}` of an invocation post. */
  requestId?: string;
  headers: IncomingHttpHeaders;
  /** Arrival time (epoch ms, sub-ms precision). */
  at: number;
  /** When the body ended (epoch ms); undefined while it streams or if the client aborted. */
  endedAt?: number;
  body: Buffer;
  text: string;
  /** Body pieces in arrival order, each with its arrival time (epoch ms). */
  chunks: { at: number; bytes: Buffer }[];
  /** HTTP trailers (lower-case names). */
  trailers: Record<string, string>;
  /** The status this server answered (undefined while parked or unanswered). */
  status?: number;
  aborted: boolean;
}

/** A broken rule, with the document it comes from. */
export interface Violation {
  rule: string;
  source: string;
  request: RecordedRequest;
}

/** How an invocation ended, as the runtime reported it. */
export interface InvocationResult {
  requestId: string;
  kind: 'response' | 'error';
  /** Status answered to the post: 202, or 413 for an oversized buffered response. */
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  bytes: number;
  /** `Lambda-Runtime-Function-Response-Mode: streaming`. */
  streamed: boolean;
  chunks: { at: number; bytes: Buffer }[];
  trailers: Record<string, string>;
  /** A mid-stream error from the trailers, its body base64-decoded. */
  streamError?: { type?: string; body?: string };
  /** When `/next` delivered the event, and when the post arrived and ended (epoch ms). */
  deliveredAt: number;
  postedAt: number;
  endedAt: number;
  /** The event's headers as delivered. */
  delivered: Record<string, string>;
  request: RecordedRequest;
}

const BASE = '/2018-06-01/runtime/';
const MAX_BUFFERED_RESPONSE = 6 * 1024 * 1024;
const H = {
  requestId: 'lambda-runtime-aws-request-id',
  deadline: 'lambda-runtime-deadline-ms',
  arn: 'lambda-runtime-invoked-function-arn',
  trace: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognito: 'lambda-runtime-cognito-identity',
  tenant: 'lambda-runtime-aws-tenant-id',
  responseMode: 'lambda-runtime-function-response-mode',
  errorType: 'lambda-runtime-function-error-type',
  errorBody: 'lambda-runtime-function-error-body',
} as const;

interface Invocation {
  id: string;
  event: Buffer;
  options: InvokeOptions;
  delivered?: Record<string, string>;
  deliveredAt?: number;
  result?: InvocationResult;
}

interface Waiter {
  what: string;
  check: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

const now = () => performance.timeOrigin + performance.now();

/** A Runtime API server on 127.0.0.1 that behaves as AWS documents and records everything the runtime does. */
export class AwsRuntimeApi {
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Every broken rule seen so far; a conforming runtime leaves this empty. */
  readonly violations: Violation[] = [];
  readonly initType: InitType;
  readonly maxConcurrency: number;
  readonly functionName: string;
  readonly waitTimeoutMs: number;

  private readonly server: Server;
  private readonly queue: Invocation[] = [];
  private readonly invocations = new Map<string, Invocation>();
  private readonly polls: { res: ServerResponse; record: RecordedRequest }[] = [];
  private readonly waiters = new Set<Waiter>();
  private restorePoll?: { res: ServerResponse; record: RecordedRequest };
  private restoreAnswered = false;
  private closed = false;

  private constructor(server: Server, options: AwsRuntimeApiOptions) {
    this.server = server;
    this.initType = options.initType ?? 'on-demand';
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.functionName = options.functionName ?? 'oracle-fn';
    this.waitTimeoutMs = options.waitTimeoutMs ?? 10_000;
    if (!Number.isInteger(this.maxConcurrency) || this.maxConcurrency < 1) {
      throw new RangeError(`maxConcurrency must be an integer >= 1, got ${this.maxConcurrency}`);
    }
  }

  /** Starts the server on an ephemeral loopback port. */
  static async start(options: AwsRuntimeApiOptions = {}): Promise<AwsRuntimeApi> {
    const server = createServer();
    const api = new AwsRuntimeApi(server, options);
    server.on('request', (req, res) => api.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** The environment Lambda defines for a runtime (configuration-envvars), pointing at this server. */
  env(): Record<string, string> {
    const name = this.functionName;
    return {
      AWS_LAMBDA_RUNTIME_API: this.endpoint,
      AWS_LAMBDA_INITIALIZATION_TYPE: this.initType,
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      // Managed Instances: Lambda sets the concurrency limit for the runtime (runtimes-api note).
      ...(this.maxConcurrency > 1 || this.initType === 'lambda-managed-instances'
        ? { AWS_LAMBDA_MAX_CONCURRENCY: String(this.maxConcurrency) }
        : {}),
    };
  }

  /** `METHOD endpoint` of every request, e.g. `['GET restore/next', 'GET invocation/next', ...]`. */
  sequence(): string[] {
    return this.requests.map((r) => `${r.method} ${r.endpoint}`);
  }

  /** Completed `POST init/error` requests. */
  get initErrors(): RecordedRequest[] {
    return this.requests.filter((r) => r.endpoint === 'init/error' && r.endedAt !== undefined);
  }

  /** Completed `POST restore/error` requests. */
  get restoreErrors(): RecordedRequest[] {
    return this.requests.filter((r) => r.endpoint === 'restore/error' && r.endedAt !== undefined);
  }

  /** Resolves with the `GET restore/next` request once it arrives (it stays parked until {@link restore}). */
  restoreRequested(options: { waitTimeoutMs?: number } = {}): Promise<RecordedRequest> {
    return this.waitUntil('GET restore/next', () => this.restorePoll?.record, options.waitTimeoutMs);
  }

  /** Waits for `GET restore/next`, then answers it 200 with an empty body: the environment is "restored". */
  async restore(options: { waitTimeoutMs?: number } = {}): Promise<RecordedRequest> {
    const record = await this.restoreRequested(options);
    const poll = this.restorePoll;
    if (poll && !this.restoreAnswered) {
      this.restoreAnswered = true;
      // snapstart-runtime-hooks-custom: restore/next returns (200) in the restored environment.
      reply(poll.res, poll.record, 200, '');
      this.changed();
    }
    return record;
  }

  /** Resolves once at least `count` `/next` polls are parked; with the number parked. */
  polling(count = 1, options: { waitTimeoutMs?: number } = {}): Promise<number> {
    return this.waitUntil(
      `${count} parked GET invocation/next`,
      () => (this.polls.length >= count ? this.polls.length : undefined),
      options.waitTimeoutMs,
    );
  }

  /** Resolves with the first completed request (past or future) that matches. */
  waitForRequest(
    what: string,
    match: (request: RecordedRequest) => boolean,
    options: { waitTimeoutMs?: number } = {},
  ): Promise<RecordedRequest> {
    return this.waitUntil(
      what,
      () => this.requests.find((r) => (r.endedAt !== undefined || r.status !== undefined) && match(r)),
      options.waitTimeoutMs,
    );
  }

  /** Queues an event for the next `/next` poll and resolves when the runtime posts its response or error. */
  invoke(event: string | Buffer, options: InvokeOptions = {}): Promise<InvocationResult> {
    const id = options.requestId ?? randomUUID();
    if (this.invocations.has(id)) return Promise.reject(new Error(`request id ${id} was already used`));
    const invocation: Invocation = { id, event: Buffer.from(event), options };
    this.invocations.set(id, invocation);
    this.queue.push(invocation);
    this.dispatch();
    return this.waitUntil(`invocation ${id} to be answered`, () => invocation.result, options.waitTimeoutMs);
  }

  /** Closes the server: drops parked polls and connections, rejects every pending wait. Never hangs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters) this.settle(waiter, new Error(`AwsRuntimeApi closed before ${waiter.what}`));
    for (const poll of this.polls.splice(0)) poll.res.destroy();
    this.restorePoll?.res.destroy();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const route = parseRoute(req.method ?? '', url);
    const record: RecordedRequest = {
      seq: this.requests.length,
      method: req.method ?? '',
      path: url,
      endpoint: route.endpoint,
      ...(route.requestId === undefined ? {} : { requestId: route.requestId }),
      headers: req.headers,
      at: now(),
      body: Buffer.alloc(0),
      text: '',
      chunks: [],
      trailers: {},
      aborted: false,
    };
    this.requests.push(record);
    req.on('data', (bytes: Buffer) => {
      record.chunks.push({ at: now(), bytes });
      this.changed();
    });
    req.on('close', () => {
      if (record.endedAt === undefined) record.aborted = true;
    });
    req.on('end', () => {
      record.endedAt = now();
      record.body = Buffer.concat(record.chunks.map((c) => c.bytes));
      record.text = record.body.toString('utf8');
      record.trailers = { ...req.trailers } as Record<string, string>;
      this.route(route, record, res);
      this.changed();
    });
    this.changed();
  }

  private route(route: Route, record: RecordedRequest, res: ServerResponse): undefined {
    switch (route.endpoint) {
      case 'invocation/next':
        return this.next(record, res);
      case 'invocation/response':
      case 'invocation/error':
        return this.post(record, res, route.endpoint === 'invocation/error' ? 'error' : 'response');
      case 'init/error':
        // runtimes-api "Initialization error": an init-phase report; once invocations run, the emulator answers 403.
        if ([...this.invocations.values()].some((i) => i.delivered)) {
          this.violate(record, 'init/error after an invocation was delivered', SOURCES.runtimeApi);
          return forbidden(res, record, 'init/error is valid only during init');
        }
        // runtimes-api "Initialization error": Lambda accepts the report (202) before the runtime exits.
        return reply(res, record, 202, { status: 'OK' });
      case 'restore/next':
        return this.restoreNext(record, res);
      case 'restore/error':
        // snapstart-runtime-hooks-custom: restore/error reports a failed after-restore phase, i.e. after restore/next returned.
        if (!this.restoreAnswered) {
          this.violate(record, 'restore/error before restore/next returned', SOURCES.snapStart);
          return forbidden(res, record, 'restore/error is valid only in the restore phase');
        }
        return reply(res, record, 202, { status: 'OK' });
      default:
        // runtimes-api: resources live under /2018-06-01/runtime/.
        this.violate(record, `unknown resource ${record.method} ${record.path}`, SOURCES.runtimeApi);
        return reply(res, record, 404, { errorMessage: 'Not Found', errorType: 'NotFound' });
    }
  }

  private next(record: RecordedRequest, res: ServerResponse): undefined {
    const busy = [...this.invocations.values()].filter((i) => i.delivered && !i.result).length;
    // runtimes-api (Managed Instances note): concurrent /next only up to AWS_LAMBDA_MAX_CONCURRENCY; default is 1.
    if (this.polls.length + busy >= this.maxConcurrency) {
      this.violate(
        record,
        `more than ${this.maxConcurrency} concurrent /next or open invocations`,
        SOURCES.managedInstances,
      );
      return forbidden(res, record, 'too many concurrent /next requests');
    }
    const poll = { res, record };
    this.polls.push(poll);
    res.on('close', () => {
      const index = this.polls.indexOf(poll);
      if (index >= 0) this.polls.splice(index, 1);
      this.changed();
    });
    this.dispatch();
  }

  private restoreNext(record: RecordedRequest, res: ServerResponse): undefined {
    // snapstart-runtime-hooks-custom: restore/next belongs to SnapStart; elsewhere the emulator answers 403.
    if (this.initType !== 'snap-start') {
      this.violate(record, `restore/next under ${this.initType}`, SOURCES.snapStart);
      return forbidden(res, record, `restore/next is not served under ${this.initType}`);
    }
    // snapstart-runtime-hooks-custom: one restore/next, before the first invocation/next (emulator: 403 otherwise).
    if (this.restorePoll || [...this.invocations.values()].some((i) => i.delivered)) {
      this.violate(record, 'restore/next called twice or after an invocation', SOURCES.snapStart);
      return forbidden(res, record, 'restore/next is valid once, before invocations');
    }
    this.restorePoll = { res, record };
  }

  private post(record: RecordedRequest, res: ServerResponse, kind: 'response' | 'error'): undefined {
    const invocation = record.requestId === undefined ? undefined : this.invocations.get(record.requestId);
    // runtimes-api: the id must be one Lambda delivered; emulator answers 400 InvalidRequestID otherwise.
    if (!invocation?.delivered) {
      this.violate(record, `${kind} for unknown request id ${record.requestId}`, SOURCES.runtimeApi);
      return reply(res, record, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    }
    // runtimes-api: one response or error per invocation; emulator answers a repeat 400 InvalidRequestID.
    if (invocation.result) {
      this.violate(record, `second ${kind} for completed invocation ${invocation.id}`, SOURCES.runtimeApi);
      return reply(res, record, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    }
    const mode = headerOf(record.headers, H.responseMode);
    // runtimes-custom streaming: the only response mode is `streaming`; emulator: 400 InvalidFunctionResponseMode.
    if (mode !== undefined && mode !== 'streaming') {
      this.violate(record, `invalid response mode ${mode}`, SOURCES.streaming);
      return reply(res, record, 400, {
        errorMessage: 'Invalid function response mode',
        errorType: 'InvalidFunctionResponseMode',
      });
    }
    const streamed = mode === 'streaming';
    // runtimes-custom streaming: a streamed response is sent with Transfer-Encoding: chunked.
    if (streamed && !/chunked/i.test(headerOf(record.headers, 'transfer-encoding') ?? '')) {
      this.violate(record, 'streamed response without Transfer-Encoding: chunked', SOURCES.streaming);
    }
    let streamError: InvocationResult['streamError'];
    const errorType = record.trailers[H.errorType];
    const errorBody = record.trailers[H.errorBody];
    if (errorType !== undefined || errorBody !== undefined) {
      // runtimes-custom streaming: a mid-stream error travels in trailers, its body base64-encoded.
      if (errorBody !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(errorBody)) {
        this.violate(record, 'Lambda-Runtime-Function-Error-Body trailer is not base64', SOURCES.streaming);
      }
      streamError = {
        ...(errorType === undefined ? {} : { type: errorType }),
        ...(errorBody === undefined ? {} : { body: Buffer.from(errorBody, 'base64').toString('utf8') }),
      };
    }
    // Lambda quotas: 6 MB buffered response; the emulator answers 413 RequestEntityTooLarge. Streams are not capped here.
    const tooLarge = kind === 'response' && !streamed && record.body.length > MAX_BUFFERED_RESPONSE;
    const status = tooLarge ? 413 : 202;
    invocation.result = {
      requestId: invocation.id,
      kind,
      status,
      headers: record.headers,
      body: record.body,
      text: record.text,
      bytes: record.body.length,
      streamed,
      chunks: record.chunks,
      trailers: record.trailers,
      ...(streamError ? { streamError } : {}),
      deliveredAt: invocation.deliveredAt ?? 0,
      postedAt: record.at,
      endedAt: record.endedAt ?? now(),
      delivered: invocation.delivered,
      request: record,
    };
    if (tooLarge) {
      return reply(res, record, 413, {
        errorMessage: `Exceeded maximum allowed payload size (${MAX_BUFFERED_RESPONSE} bytes).`,
        errorType: 'RequestEntityTooLarge',
      });
    }
    // runtimes-api: response and error posts are accepted with 202 {"status":"OK"}.
    reply(res, record, 202, { status: 'OK' });
  }

  /** Hands queued events to parked polls. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.polls.length > 0) {
      const poll = this.polls.shift() as (typeof this.polls)[number];
      if (poll.res.destroyed) continue;
      const invocation = this.queue.shift() as Invocation;
      invocation.deliveredAt = now();
      invocation.delivered = this.eventHeaders(invocation);
      // runtimes-api "Next invocation": 200, the event as body, the invocation's data in Lambda-Runtime-* headers.
      poll.res.writeHead(200, { 'content-type': 'application/json', ...invocation.delivered });
      poll.res.end(invocation.event);
      poll.record.status = 200;
    }
    this.changed();
  }

  private eventHeaders(invocation: Invocation): Record<string, string> {
    const o = invocation.options;
    const encode = (v: string | object) => (typeof v === 'string' ? v : JSON.stringify(v));
    return {
      [H.requestId]: invocation.id,
      [H.deadline]: String(Math.round(o.deadlineMs ?? Date.now() + (o.timeoutMs ?? 30_000))),
      [H.arn]: o.functionArn ?? `arn:aws:lambda:us-east-1:123456789012:function:${this.functionName}`,
      [H.trace]: o.traceId ?? defaultTraceId(),
      ...(o.clientContext === undefined ? {} : { [H.clientContext]: encode(o.clientContext) }),
      ...(o.cognitoIdentity === undefined ? {} : { [H.cognito]: encode(o.cognitoIdentity) }),
      // tenant-isolation-context: the tenant of an isolated function reaches the runtime with each invocation.
      ...(o.tenantId === undefined ? {} : { [H.tenant]: o.tenantId }),
    };
  }

  private violate(request: RecordedRequest, rule: string, source: string): void {
    this.violations.push({ rule, source, request });
  }

  /**
   * Resolves with the first defined value of `check`, re-evaluated after every request, body chunk and answer;
   * rejects after `timeoutMs` or when the server closes.
   */
  until<T>(what: string, check: () => T | undefined, options: { waitTimeoutMs?: number } = {}): Promise<T> {
    return this.waitUntil(what, check, options.waitTimeoutMs);
  }

  private waitUntil<T>(what: string, check: () => T | undefined, timeoutMs = this.waitTimeoutMs): Promise<T> {
    const ready = check();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(new Error(`AwsRuntimeApi closed before ${what}`));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { what, check, resolve: resolve as (v: unknown) => void, reject };
      waiter.timer = setTimeout(
        () => this.settle(waiter, new Error(`AwsRuntimeApi: no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.add(waiter);
    });
  }

  private settle(waiter: Waiter, outcome: Error | { value: unknown }): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome.value);
  }

  /** Re-checks every waiter after any state change. */
  private changed(): void {
    for (const waiter of this.waiters) {
      const value = waiter.check();
      if (value !== undefined) this.settle(waiter, { value });
    }
  }
}

interface Route {
  endpoint: string;
  requestId?: string;
}

function parseRoute(method: string, url: string): Route {
  const path = url.split('?')[0] ?? '';
  if (!path.startsWith(BASE)) return { endpoint: 'unknown' };
  const rest = path.slice(BASE.length);
  const fixed: Record<string, string> = {
    'GET invocation/next': 'invocation/next',
    'POST init/error': 'init/error',
    'GET restore/next': 'restore/next',
    'POST restore/error': 'restore/error',
  };
  const known = fixed[`${method} ${rest}`];
  if (known) return { endpoint: known };
  const match = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
  if (method === 'POST' && match) {
    return { endpoint: `invocation/${match[2]}`, requestId: decodeURIComponent(match[1] as string) };
  }
  return { endpoint: 'unknown' };
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function reply(res: ServerResponse, record: RecordedRequest, status: number, body: string | object): undefined {
  record.status = status;
  if (res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, typeof body === 'string' ? {} : { 'content-type': 'application/json' });
  res.end(text);
}

/** Emulator rendering: 403 `InvalidStateTransition` for a call out of lifecycle order. */
function forbidden(res: ServerResponse, record: RecordedRequest, message: string): undefined {
  return reply(res, record, 403, { errorMessage: message, errorType: 'InvalidStateTransition' });
}

function defaultTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
