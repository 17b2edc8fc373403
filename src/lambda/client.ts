/**
 * A client of the AWS Lambda Runtime API (version 2018-06-01) on `node:http`.
 *
 * @module
 */
import http from 'node:http';
import { deferred } from '../util/promise.js';
import { checkInteger, readOptions, show } from '../validate.js';
import { type LambdaErrorBody, RuntimeApiError, toErrorBody } from './errors.js';
import { xrayErrorCause } from './xray-cause.js';

/** The largest `concurrency` accepted: above any Lambda setting, low enough to catch a typo. */
export const MAX_CONCURRENCY = 100_000;

/** The API version prefix of every Runtime API path. */
export const RUNTIME_API_VERSION = '2018-06-01';

/** The header that carries the `Runtime.*` / `Function.*` error type of an error post. */
export const ERROR_TYPE_HEADER = 'lambda-runtime-function-error-type';

/** The header that carries an invocation error as an X-Ray cause (JSON), as AWS's Node.js runtime sends it. */
export const XRAY_ERROR_CAUSE_HEADER = 'lambda-runtime-function-xray-error-cause';

/** The content type of error posts, as AWS's Node.js runtime sends them. */
export const ERROR_CONTENT_TYPE = 'application/json';

/** One invocation as `GET /runtime/invocation/next` delivered it. */
export interface NextInvocation {
  /** `Lambda-Runtime-Aws-Request-Id`. */
  requestId: string;
  /** `Lambda-Runtime-Deadline-Ms` (epoch ms), or `undefined` when the header is missing or not an integer. */
  deadlineMs: number | undefined;
  /** `Lambda-Runtime-Invoked-Function-Arn` (`''` when missing). */
  invokedFunctionArn: string;
  /** `Lambda-Runtime-Trace-Id`, when present. */
  traceId: string | undefined;
  /** `Lambda-Runtime-Client-Context` (JSON text), when present. */
  clientContext: string | undefined;
  /** `Lambda-Runtime-Cognito-Identity` (JSON text), when present. */
  cognitoIdentity: string | undefined;
  /** `Lambda-Runtime-Aws-Tenant-Id`, when present (functions with tenant isolation). */
  tenantId?: string | undefined;
  /** The event, as the raw body text; the loop parses it. */
  rawEvent: string;
}

/** The header that asks for a streamed (chunked) response post. */
const RESPONSE_MODE_HEADER = 'lambda-runtime-function-response-mode';

/** The trailer that carries the error type of a streamed response that failed after it started. */
export const STREAM_ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';

/** The trailer that carries the base64 JSON error body of a failed streamed response. */
export const STREAM_ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';

/** Options of {@link RuntimeApiClient}. */
export interface RuntimeApiClientOptions {
  /** The `http.Agent` to use. Default: a keep-alive agent owned (and closed) by the client. */
  agent?: http.Agent;
  /**
   * How many invocations the runtime serves at once (`AWS_LAMBDA_MAX_CONCURRENCY`), an integer >= 1.
   * The client's own agent keeps up to `concurrency + 1` sockets: one per invocation (its poll, its
   * response post or its response stream) and a spare, so that an error post is never queued behind a
   * response stream that stays open. Default: `1`.
   */
  concurrency?: number;
}

/** An open streamed response post: see {@link RuntimeApiClient.openResponseStream}. */
export interface ResponseStreamRequest {
  /** The chunked request: write the body to it, end it (with error trailers, if any). */
  readonly request: http.ClientRequest;
  /** Resolves once the Runtime API answered 2xx after the body ended; rejects with a {@link RuntimeApiError}. */
  readonly answered: Promise<void>;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Talks to the Runtime API at `endpoint` (the `host:port` of `AWS_LAMBDA_RUNTIME_API`). Requests use
 * a keep-alive agent and **no timeout**: `restore/next` and `invocation/next` are long polls that
 * may block for hours (across a snapshot, or while the function is idle).
 *
 * Every method rejects with a {@link RuntimeApiError} on a network error or a non-2xx answer.
 *
 * @example
 * ```ts
 * const client = new RuntimeApiClient(process.env.AWS_LAMBDA_RUNTIME_API!);
 * const invocation = await client.nextInvocation();
 * await client.postInvocationResponse(invocation.requestId, { ok: true });
 * ```
 */
export class RuntimeApiClient {
  /** The `host:port` this client talks to. */
  readonly endpoint: string;
  readonly #agent: http.Agent;
  readonly #ownsAgent: boolean;
  readonly #host: string;
  readonly #port: number;

  /**
   * @param endpoint - `host:port` (or `[ipv6]:port`), as in `AWS_LAMBDA_RUNTIME_API`.
   * @param options - see {@link RuntimeApiClientOptions}.
   * @throws TypeError when `endpoint` is not a `host:port` with a port from 1 to 65535.
   */
  constructor(endpoint: string, options: RuntimeApiClientOptions = {}) {
    const match = typeof endpoint === 'string' ? /^(\[[^\]]+\]|[^:/\s]+):(\d{1,5})$/.exec(endpoint) : null;
    const port = Number(match?.[2]);
    if (match === null || port < 1 || port > 65_535) {
      throw new TypeError(
        `Runtime API endpoint must be "host:port", got ${JSON.stringify(endpoint)}: expected a host name or [IPv6] address, a colon and a port from 1 to 65535`,
      );
    }
    this.endpoint = endpoint;
    this.#host = (match[1] as string).replace(/^\[|\]$/g, '');
    this.#port = port;
    // Own properties only, each read once: what is checked is what is used.
    const { agent, concurrency } = readOptions('RuntimeApiClient options', options, ['agent', 'concurrency']);
    checkInteger('RuntimeApiClient options.concurrency', concurrency, 1, MAX_CONCURRENCY);
    if (agent !== undefined && !(agent instanceof http.Agent)) {
      throw new TypeError(`RuntimeApiClient options.agent must be an http.Agent, got ${show(agent)}`);
    }
    this.#ownsAgent = agent === undefined;
    this.#agent = agent ?? new http.Agent({ keepAlive: true, maxSockets: (concurrency ?? 1) + 1 });
  }

  /**
   * `GET /runtime/restore/next`: tells Lambda that before-snapshot work is done. Blocks across the
   * snapshot and resolves in the restored process.
   */
  async restoreNext(): Promise<void> {
    await this.#request('GET', '/runtime/restore/next');
  }

  /** `GET /runtime/invocation/next`: waits (without a timeout) for the next event. */
  async nextInvocation(): Promise<NextInvocation> {
    const path = '/runtime/invocation/next';
    const answer = await this.#request('GET', path);
    // Node joins repeated headers into one string; only set-cookie would arrive as an array.
    // An empty header is an absent one, as AWS's native client reads them (it skips empty values).
    const header = (name: string): string | undefined => (answer.headers[name] as string | undefined) || undefined;
    const requestId = header('lambda-runtime-aws-request-id');
    if (!requestId) {
      throw new RuntimeApiError(
        'GET',
        this.#url(path),
        { status: answer.status, body: 'answer has no Lambda-Runtime-Aws-Request-Id header' },
        this.endpoint,
      );
    }
    const deadline = header('lambda-runtime-deadline-ms');
    return {
      requestId,
      deadlineMs: deadline !== undefined && /^\d+$/.test(deadline) ? Number(deadline) : undefined,
      invokedFunctionArn: header('lambda-runtime-invoked-function-arn') ?? '',
      traceId: header('lambda-runtime-trace-id'),
      clientContext: header('lambda-runtime-client-context'),
      cognitoIdentity: header('lambda-runtime-cognito-identity'),
      tenantId: header('lambda-runtime-aws-tenant-id'),
      rawEvent: answer.body,
    };
  }

  /**
   * Starts a streamed `POST /runtime/invocation/{requestId}/response`: header
   * `Lambda-Runtime-Function-Response-Mode: streaming`, `Transfer-Encoding: chunked`, the
   * `Content-Type` given, and the error trailers declared. Nothing is buffered: each write goes out as
   * a chunk. An error after the body started is reported by ending the request with the trailers
   * {@link STREAM_ERROR_TYPE_TRAILER} and {@link STREAM_ERROR_BODY_TRAILER}.
   */
  openResponseStream(requestId: string, contentType: string): ResponseStreamRequest {
    const path = this.#url(`/runtime/invocation/${encodeURIComponent(requestId)}/response`);
    const answered = deferred<void>();
    const fail = (cause: unknown): void => answered.reject(this.#networkError('POST', path, cause));
    const request = http.request(
      {
        host: this.#host,
        port: this.#port,
        method: 'POST',
        path,
        agent: this.#agent,
        headers: {
          [RESPONSE_MODE_HEADER]: 'streaming',
          'transfer-encoding': 'chunked',
          trailer: `${STREAM_ERROR_TYPE_TRAILER}, ${STREAM_ERROR_BODY_TRAILER}`,
          'content-type': contentType,
        },
      },
      (response) => this.#collect('POST', path, response, answered.reject, () => answered.resolve()),
    );
    request.on('error', fail);
    // The caller may never look at the answer (the process is exiting): never an unhandled rejection.
    answered.promise.catch(() => {});
    return { request, answered: answered.promise };
  }

  /** `POST /runtime/invocation/{requestId}/response` with `body` (already serialised JSON text). */
  async postInvocationResponse(requestId: string, body: string): Promise<void> {
    await this.#request('POST', `/runtime/invocation/${encodeURIComponent(requestId)}/response`, body, {
      'content-type': 'application/json',
    });
  }

  /**
   * `POST /runtime/invocation/{requestId}/error` with the error body of `error` and its X-Ray cause
   * header. Like AWS's Node.js runtime, no error-type header unless `errorType` is given.
   */
  async postInvocationError(requestId: string, error: unknown, errorType?: string): Promise<void> {
    const cause = xrayErrorCause(error);
    await this.#postError(`/runtime/invocation/${encodeURIComponent(requestId)}/error`, error, errorType, {
      ...(cause === '' ? {} : { [XRAY_ERROR_CAUSE_HEADER]: cause }),
    });
  }

  /** `POST /runtime/init/error`, e.g. with `Runtime.BeforeSnapshotError` or `Runtime.ImportModuleError`. */
  async postInitError(error: unknown, errorType: string): Promise<void> {
    await this.#postError('/runtime/init/error', error, errorType);
  }

  /** `POST /runtime/restore/error`, e.g. with `Runtime.AfterRestoreError`. */
  async postRestoreError(error: unknown, errorType: string): Promise<void> {
    await this.#postError('/runtime/restore/error', error, errorType);
  }

  /** Closes the idle keep-alive sockets (when the agent is the client's own). */
  close(): void {
    if (this.#ownsAgent) this.#agent.destroy();
  }

  async #postError(
    path: string,
    error: unknown,
    errorType: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<void> {
    const body: LambdaErrorBody = toErrorBody(error);
    await this.#request('POST', path, JSON.stringify(body), {
      'content-type': ERROR_CONTENT_TYPE,
      ...(errorType === undefined ? {} : { [ERROR_TYPE_HEADER]: headerSafe(errorType) }),
      ...headers,
    });
  }

  #url(path: string): string {
    return `/${RUNTIME_API_VERSION}${path}`;
  }

  #request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
    const url = this.#url(path);
    return new Promise<Answer>((resolve, reject) => {
      const fail = (cause: unknown): void => reject(this.#networkError(method, url, cause));
      const request = http.request(
        {
          host: this.#host,
          port: this.#port,
          method,
          path: url,
          agent: this.#agent,
          headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
          // No `timeout`: long polls must be allowed to block for as long as Lambda keeps them open.
        },
        (response) => this.#collect(method, url, response, reject, resolve),
      );
      request.on('error', fail);
      request.end(body);
    });
  }

  #networkError(method: string, url: string, cause: unknown): RuntimeApiError {
    return new RuntimeApiError(method, url, { cause }, this.endpoint);
  }

  /** Reads an answer to its end: `onAnswer` for a 2xx, `onFailure` with a {@link RuntimeApiError} otherwise. */
  #collect(
    method: string,
    url: string,
    response: http.IncomingMessage,
    onFailure: (error: RuntimeApiError) => void,
    onAnswer: (answer: Answer) => void,
  ): void {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('error', (cause) => onFailure(this.#networkError(method, url, cause)));
    response.on('end', () => {
      // Always set on a client response (it is `undefined` only for server-side messages).
      const status = response.statusCode as number;
      const text = Buffer.concat(chunks).toString('utf8');
      if (status < 200 || status > 299)
        onFailure(new RuntimeApiError(method, url, { status, body: text }, this.endpoint));
      else onAnswer({ status, headers: response.headers, body: text });
    });
  }
}

/** A header value Node will send: characters outside printable ASCII (a thrown value's `typeof` never has any, a class name may) become `?`. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}
