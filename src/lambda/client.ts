/**
 * A client of the AWS Lambda Runtime API (version 2018-06-01) on `node:http`.
 *
 * @module
 */
import http from 'node:http';
import { type LambdaErrorBody, RuntimeApiError, toErrorBody } from './errors.js';
import { xrayErrorCause } from './xray-cause.js';

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
  /** The event, as the raw body text; the loop parses it. */
  rawEvent: string;
}

/** Options of {@link RuntimeApiClient}. */
export interface RuntimeApiClientOptions {
  /** The `http.Agent` to use. Default: a keep-alive agent owned (and closed) by the client. */
  agent?: http.Agent;
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
    this.#ownsAgent = options.agent === undefined;
    this.#agent = options.agent ?? new http.Agent({ keepAlive: true, maxSockets: 1 });
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
    const header = (name: string): string | undefined => answer.headers[name] as string | undefined;
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
      rawEvent: answer.body,
    };
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
      const fail = (cause: unknown): void => reject(new RuntimeApiError(method, url, { cause }, this.endpoint));
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
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            // Always set on a client response (it is `undefined` only for server-side messages).
            const status = response.statusCode as number;
            const text = Buffer.concat(chunks).toString('utf8');
            if (status < 200 || status > 299)
              reject(new RuntimeApiError(method, url, { status, body: text }, this.endpoint));
            else resolve({ status, headers: response.headers, body: text });
          });
        },
      );
      request.on('error', fail);
      request.end(body);
    });
  }
}

/** A header value Node will send: characters outside printable ASCII (a thrown value's `typeof` never has any, a class name may) become `?`. */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}
