/**
 * Public types of the Runtime API emulator.
 *
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Endpoint, InitializationType } from '../runtime-api.js';

export type { Endpoint, InitializationType } from '../runtime-api.js';

/**
 * Where the emulated execution environment is in Lambda's lifecycle:
 * - `init`: the runtime is loading the handler / running before-snapshot hooks;
 * - `snapshot`: the runtime reached the snapshot point (`restore/next`, or a first `invocation/next`
 *   under `snap-start`) and waits for {@link RuntimeApiEmulator.restore};
 * - `restoring`: `restore/next` was answered, after-restore hooks run;
 * - `ready`: no invocation in flight; `invoking`: at least one event is in flight;
 * - `failed`: the environment is gone (see {@link EnvironmentFailure}); `closed`: the emulator stopped.
 */
export type EmulatorState = 'init' | 'snapshot' | 'restoring' | 'ready' | 'invoking' | 'failed' | 'closed';

/**
 * Why the environment failed, as {@link RuntimeApiEmulator.failure} and the `failed` event give it:
 * - `init/error` / `restore/error`: the runtime posted one (see {@link RuntimeApiEmulator.errors});
 * - `timeout`: an invocation ran past its deadline. Lambda then stops the runtime and starts a new
 *   environment for the next event; the emulator answers no more events, and its `failed` event is the
 *   owner's cue to stop the runtime process.
 */
export interface EnvironmentFailure {
  /** What failed the environment. */
  readonly reason: 'init/error' | 'restore/error' | 'timeout';
  /** One line saying so, used in the errors of the waiting calls that it settles. */
  readonly message: string;
  /** The invocation that timed out, for `timeout`. */
  readonly requestId?: string;
  /** When, in ms since the emulator started. */
  readonly at: number;
}

/**
 * A fault to inject into the emulator's answer to one endpoint:
 * - `status`: answer at once with this status (and body/headers) instead of the normal answer —
 *   e.g. 500 or 403 on `restore/next`, or a 200 with a garbage body;
 * - `reset`: destroy the connection without answering (a reset mid-request);
 * - `garbage`: write these raw bytes instead of an HTTP answer, then close the connection
 *   (a peer that does not speak HTTP);
 * - `delay`: handle the request normally but only after `ms`;
 * - `omitHeaders` (`invocation/next` only): deliver the next event without these headers;
 * - `rawEvent` (`invocation/next` only): deliver the next event with this raw body (e.g. invalid JSON).
 */
export type FaultAction =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'garbage'; bytes: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'omitHeaders'; headers: string[] }
  | { kind: 'rawEvent'; body: string };

/** Options of {@link RuntimeApiEmulator.inject}. */
export interface FaultOptions {
  /** How many requests the fault applies to (an integer >= 1, or `Infinity` for all). Default `1`. */
  times?: number;
}

/** One request the emulator received, with timestamps. */
export interface RecordedRequest {
  /** 1-based order in which requests were complete (body read). */
  seq: number;
  /** HTTP method. */
  method: string;
  /** The full request path, as sent. */
  path: string;
  /** The endpoint, or `undefined` for an unknown path. */
  endpoint: Endpoint | undefined;
  /** The request id in the path of invocation posts (percent-decoded). */
  requestId?: string;
  /** The client's source port: requests sharing a keep-alive connection share it. */
  remotePort: number | undefined;
  /** Request headers (lower-case names). */
  headers: IncomingHttpHeaders;
  /** Trailers sent after a chunked body (lower-case names); empty for most requests. */
  trailers: Record<string, string | undefined>;
  /** Request body text (at most the size limit of the endpoint; see `bodyBytes`). */
  body: string;
  /** The size of the whole body in bytes, including what was over the limit and not kept. */
  bodyBytes: number;
  /** Arrival of the request head, in ms since the epoch. */
  receivedAt: number;
  /** Arrival of the request head, in ms since the emulator started (monotonic). */
  at: number;
  /** When the body was read to its end, in ms since the emulator started. */
  completedAt: number;
  /** The status answered, once answered (`undefined` while pending or after a reset). */
  status?: number;
  /** When the answer was sent, in ms since the emulator started. */
  respondedAt?: number;
  /** The kind of fault applied to this request, if any. */
  fault?: FaultAction['kind'];
}

/** An error the runtime posted to `init/error` or `restore/error`. */
export interface PostedLifecycleError {
  /** Which endpoint it was posted to. */
  endpoint: 'init/error' | 'restore/error';
  /** The `Lambda-Runtime-Function-Error-Type` header if valid, else `Runtime.Unknown` (`Function.Unknown` for a `Function.` prefix). */
  errorType: string;
  /** The header exactly as sent (`undefined` when missing). */
  rawErrorType: string | undefined;
  /** The body, parsed as JSON when possible, else the text. */
  body: unknown;
  /** When it arrived, in ms since the emulator started. */
  at: number;
}

/** Options of {@link RuntimeApiEmulator.invoke}. Every id is sent as a header, so it must be a valid header value. */
export interface InvokeOptions {
  /** The request id. Default: a random UUID. */
  requestId?: string;
  /**
   * The function timeout in ms (an integer from 1 to 2147483647): `Lambda-Runtime-Deadline-Ms` is the
   * delivery time plus this, and an invocation still running then ends as Lambda's `Sandbox.Timedout`
   * error. Default `3000`, Lambda's default.
   */
  timeout?: number;
  /** Sent as `Lambda-Runtime-Trace-Id`. Default: a generated X-Ray trace header. */
  traceId?: string;
  /** Sent as `Lambda-Runtime-Aws-Tenant-Id` (tenant isolation mode). Default: none. */
  tenantId?: string;
  /** Sent as JSON in `Lambda-Runtime-Client-Context`. Default: none. */
  clientContext?: unknown;
  /** Sent as JSON in `Lambda-Runtime-Cognito-Identity`. Default: none. */
  cognitoIdentity?: unknown;
}

/** One piece of a streamed response, as it arrived. */
export interface ResponseChunk {
  /** The invocation it belongs to. */
  requestId: string;
  /** Arrival, in ms since the emulator started. */
  at: number;
  /** Its size in bytes. */
  bytes: number;
}

/**
 * The metadata prelude of a streamed `application/vnd.awslambda.http-integration-response`
 * (`awslambda.HttpResponseStream.from(stream, prelude)`): JSON, then 8 NUL bytes, then the body.
 */
export interface HttpIntegrationPrelude {
  /** The HTTP status the function set. */
  statusCode?: number;
  /** The HTTP headers the function set. */
  headers?: Record<string, string>;
  /** The cookies the function set. */
  cookies?: string[];
}

/** The outcome of one invocation: the runtime's response or error, or Lambda's own error for it. */
export interface InvocationResult {
  /** The request id. */
  requestId: string;
  /** `true` for a posted response, `false` for an error (posted, streamed, or Lambda's own). */
  ok: boolean;
  /** The body, parsed as JSON when possible, else the text. For a timeout or an oversized response, Lambda's error body. */
  body: unknown;
  /** The body text. */
  rawBody: string;
  /**
   * For errors: the validated error type (`Runtime.Unknown` if missing or invalid), or Lambda's own:
   * `Sandbox.Timedout` (past the deadline), `Function.ResponseSizeTooLarge` (over the size limit),
   * `Runtime.InvalidResponseModeHeader` (a response mode other than `streaming`).
   */
  errorType?: string;
  /** `true` when the runtime streamed the response (`Lambda-Runtime-Function-Response-Mode: streaming`). */
  streamed?: boolean;
  /** For a streamed response: each chunk as it arrived. */
  chunks?: ResponseChunk[];
  /** For a streamed HTTP-integration response: the prelude (the body is what follows it). */
  http?: HttpIntegrationPrelude;
  /** The response's content type, when the runtime sent one. */
  contentType?: string;
  /** When the event was delivered, in ms since the emulator started. */
  deliveredAt: number;
  /** When the invocation ended (the response or error fully read, or the deadline), in ms since the emulator started. */
  completedAt: number;
  /** `completedAt - deliveredAt`. */
  durationMs: number;
}

/** An event handed to the runtime's `invocation/next`. */
export interface Delivery {
  /** The request id. */
  requestId: string;
  /** When, in ms since the emulator started. */
  at: number;
  /** The deadline sent, in ms since the epoch. */
  deadline: number;
}

/**
 * The emulator's events, with their arguments: `emulator.on('result', (result) => ...)`.
 * Listeners run synchronously, in the emulator's own call; one that throws is the caller's bug and
 * propagates, as with any emitter.
 */
export interface EmulatorEvents {
  /** A request was read to its end (before it is answered). */
  request: [request: RecordedRequest];
  /** The lifecycle state changed. */
  state: [state: EmulatorState];
  /** An event was delivered to the runtime. */
  delivered: [delivery: Delivery];
  /** A chunk of a streamed response arrived. */
  chunk: [chunk: ResponseChunk];
  /** An invocation ended (also in {@link RuntimeApiEmulator.results}). */
  result: [result: InvocationResult];
  /** The environment failed (also {@link RuntimeApiEmulator.failure}). */
  failed: [failure: EnvironmentFailure];
}

/** Options of {@link RuntimeApiEmulator.start}. */
export interface EmulatorOptions {
  /** Host to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; `0` (default) picks a free one. */
  port?: number;
  /** The initialization type the environment reports. Default `snap-start`. */
  initType?: InitializationType;
  /** Restore as soon as the runtime reaches the snapshot point. Default `false`: call `restore()`. */
  autoRestore?: boolean;
  /** Function name (in the ARN and the runtime environment). Default `snapstart-function`. */
  functionName?: string;
  /** Region in the ARN. Default `us-east-1`. */
  region?: string;
  /**
   * How many `invocation/next` polls may wait at once, and so how many events may be in flight: a
   * runtime serving concurrent invocations (Lambda Managed Instances) polls once per worker. Above 1,
   * `runtimeEnv()` sets `AWS_LAMBDA_MAX_CONCURRENCY` and a timeout no longer resets the environment.
   * Default `1`.
   */
  maxConcurrency?: number;
  /**
   * Largest buffered response in bytes; a larger one is answered 413 and ends the invocation as
   * `Function.ResponseSizeTooLarge`. Default 6 291 556 (6 MiB + 100 bytes), Lambda's limit.
   */
  maxResponseBytes?: number;
  /** Largest streamed response in bytes, treated the same way. Default 209 715 200 (200 MiB), Lambda's limit. */
  maxStreamedResponseBytes?: number;
}
