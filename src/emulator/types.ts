/**
 * Public types of the Runtime API emulator.
 *
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';

/** `AWS_LAMBDA_INITIALIZATION_TYPE` values. */
export type InitializationType = 'snap-start' | 'on-demand' | 'provisioned-concurrency';

/**
 * Where the emulated execution environment is in Lambda's lifecycle:
 * - `init`: the runtime is loading the handler / running before-snapshot hooks;
 * - `snapshot`: the runtime reached the snapshot point (`restore/next`, or a first `invocation/next`
 *   under `snap-start`) and waits for {@link RuntimeApiEmulator.restore};
 * - `restoring`: `restore/next` was answered, after-restore hooks run;
 * - `ready`: between invocations; `invoking`: an event is in flight;
 * - `failed`: an init or restore error was posted; `closed`: the emulator stopped.
 */
export type EmulatorState = 'init' | 'snapshot' | 'restoring' | 'ready' | 'invoking' | 'failed' | 'closed';

/** The Runtime API endpoints, named without the version prefix and with `{id}` elided. */
export type Endpoint =
  | 'restore/next'
  | 'invocation/next'
  | 'invocation/response'
  | 'invocation/error'
  | 'init/error'
  | 'restore/error';

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
  /** How many requests the fault applies to (>= 1, `Infinity` for all). Default `1`. */
  times?: number;
}

/** One request the emulator received, with timestamps. */
export interface RecordedRequest {
  /** 1-based arrival order. */
  seq: number;
  /** HTTP method. */
  method: string;
  /** The full request path. */
  path: string;
  /** The endpoint, or `undefined` for an unknown path. */
  endpoint: Endpoint | undefined;
  /** The request id in the path of invocation posts. */
  requestId?: string;
  /** The client's source port: requests sharing a keep-alive connection share it. */
  remotePort: number | undefined;
  /** Request headers (lower-case names). */
  headers: IncomingHttpHeaders;
  /** Request body text. */
  body: string;
  /** Arrival, in ms since the epoch. */
  receivedAt: number;
  /** Arrival, in ms since the emulator started (monotonic). */
  at: number;
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
  /** The `Lambda-Runtime-Function-Error-Type` header if valid, else `Runtime.Unknown`. */
  errorType: string;
  /** The header exactly as sent (`undefined` when missing). */
  rawErrorType: string | undefined;
  /** The body, parsed as JSON when possible, else the text. */
  body: unknown;
  /** When it arrived, in ms since the emulator started. */
  at: number;
}

/** Options of {@link RuntimeApiEmulator.invoke}. */
export interface InvokeOptions {
  /** The request id. Default: a random UUID. */
  requestId?: string;
  /** Function timeout: `Lambda-Runtime-Deadline-Ms` is delivery time + this. Default `3000`. Not enforced. */
  timeoutMs?: number;
  /** Sent as `Lambda-Runtime-Trace-Id`. Default: a generated X-Ray trace header. */
  traceId?: string;
  /** Sent as JSON in `Lambda-Runtime-Client-Context`. Default: none. */
  clientContext?: unknown;
  /** Sent as JSON in `Lambda-Runtime-Cognito-Identity`. Default: none. */
  cognitoIdentity?: unknown;
}

/** The outcome of one invocation, once the runtime posted its response or error. */
export interface InvocationResult {
  /** The request id. */
  requestId: string;
  /** `true` for a posted response, `false` for a posted error. */
  ok: boolean;
  /** The posted body, parsed as JSON when possible, else the text. */
  body: unknown;
  /** The posted body text. */
  rawBody: string;
  /** For errors: the validated error-type header (`Runtime.Unknown` if missing or invalid). */
  errorType?: string;
  /** When the event was delivered, in ms since the emulator started. */
  deliveredAt: number;
  /** When the response or error arrived, in ms since the emulator started. */
  completedAt: number;
  /** `completedAt - deliveredAt`. */
  durationMs: number;
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
  /** Largest accepted response body in bytes; larger ones get 413. Default 6 MB, as Lambda. */
  maxResponseBytes?: number;
}
