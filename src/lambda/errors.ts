/**
 * Errors of the Lambda bridge, and the JSON error body the Runtime API expects.
 *
 * @module
 */

/** The JSON body of every error post to the Runtime API (`application/vnd.aws.lambda.error+json`). */
export interface LambdaErrorBody {
  /** The error's message. */
  errorMessage: string;
  /** The error's own class name (the `Runtime.*`/`Function.*` type travels in a header). */
  errorType: string;
  /** The stack frames, one per entry, without the message line. */
  stackTrace: string[];
}

/** A Runtime API request that failed: a non-2xx answer, a network error, or an unreadable answer. */
export class RuntimeApiError extends Error {
  /** The HTTP method of the failed request. */
  readonly method: string;
  /** The request path, e.g. `/2018-06-01/runtime/restore/next`. */
  readonly path: string;
  /** The `host:port` of the Runtime API, when known. */
  readonly endpoint: string | undefined;
  /** The HTTP status of the answer, or `undefined` when no answer came (network error). */
  readonly status: number | undefined;
  /** The body of the answer, when there was one. */
  readonly body: string | undefined;

  /**
   * @param method - HTTP method.
   * @param path - request path.
   * @param detail - what went wrong: a status with its body, or the network error.
   * @param endpoint - the `host:port` of the Runtime API, named in the message (e.g. for a refused connection).
   */
  constructor(
    method: string,
    path: string,
    detail: { status: number; body: string } | { cause: unknown },
    endpoint?: string,
  ) {
    const what =
      'status' in detail
        ? `answered ${detail.status}${detail.body ? `: ${detail.body.slice(0, 200)}` : ''}`
        : `failed: ${describeCause(detail.cause)}`;
    const url = endpoint === undefined ? path : `http://${endpoint}${path}`;
    super(`Runtime API ${method} ${url} ${what}`, 'cause' in detail ? { cause: detail.cause } : undefined);
    this.name = 'RuntimeApiError';
    this.method = method;
    this.path = path;
    this.endpoint = endpoint;
    this.status = 'status' in detail ? detail.status : undefined;
    this.body = 'status' in detail ? detail.body : undefined;
  }
}

/** A network error's message; a nameless one (the AggregateError of a dual-stack connect) gives its code. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  return cause.message || String((cause as { code?: unknown }).code);
}

/** Thrown when `_HANDLER` cannot be loaded; `errorType` is the `Runtime.*` type to report. */
export class HandlerLoadError extends Error {
  /** `Runtime.ImportModuleError`, `Runtime.HandlerNotFound` or `Runtime.MalformedHandlerName`. */
  readonly errorType: string;

  /**
   * @param errorType - the `Runtime.*` error type.
   * @param message - what failed, naming the handler.
   * @param cause - the underlying error, if any.
   */
  constructor(errorType: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = errorType.replace(/^Runtime\./, '');
    this.errorType = errorType;
  }
}

/**
 * Builds the Runtime API error body for any thrown value. For an `Error`, `errorType` is its class
 * name and `stackTrace` its stack frames; for anything else, `errorType` is `Error` and the message
 * is the value as text.
 *
 * @example
 * ```ts
 * toErrorBody(new TypeError('bad')); // { errorMessage: 'bad', errorType: 'TypeError', stackTrace: ['at ...'] }
 * ```
 */
export function toErrorBody(error: unknown): LambdaErrorBody {
  if (error instanceof Error) {
    const errorType = error.name || error.constructor?.name || 'Error';
    const frames = (error.stack ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('at '));
    return { errorMessage: error.message, errorType, stackTrace: frames };
  }
  return { errorMessage: describeValue(error), errorType: 'Error', stackTrace: [] };
}

/**
 * The `Lambda-Runtime-Function-Error-Type` header for an invocation error: `Function.` followed by
 * the error's class name reduced to letters (the Runtime API accepts `(Runtime|Function)\.[A-Z][a-zA-Z]+`).
 *
 * @example
 * ```ts
 * functionErrorType(new TypeError('x')); // 'Function.TypeError'
 * ```
 */
export function functionErrorType(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  const letters = name.replace(/[^a-zA-Z]/g, '');
  const type = letters ? letters.charAt(0).toUpperCase() + letters.slice(1) : 'Error';
  return `Function.${type}`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
