/**
 * The `awslambda` global of AWS's Node.js runtime: `streamifyResponse` marks a handler as streaming,
 * `HttpResponseStream` writes the status, headers and cookies of a streamed HTTP response (function
 * URLs, API Gateway) as a JSON prelude before the body. Loaded when the runtime starts.
 *
 * @module
 */
import { checkFunction, show } from '../../validate.js';
import { HIGH_WATER_MARK_MARK, RESPONSE_STREAMING, STREAMING_MARK } from '../loop.js';

/** Set to `1` or `true` to keep the runtime from defining the `awslambda` global, as on AWS. */
export const NO_GLOBAL_AWSLAMBDA_ENV = 'AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA';

/** Options of {@link streamifyResponse}. */
export interface StreamifyOptions {
  /** The response stream's buffer size in bytes, over which `write()` returns `false`. */
  highWaterMark?: number;
}

/**
 * Marks `handler` as a streaming handler: it is then called as `handler(event, responseStream,
 * context)`, must return a promise, and answers by writing to and ending `responseStream`.
 *
 * @returns `handler` itself.
 * @throws TypeError when `handler` is not a function.
 * @throws RangeError when `options.highWaterMark` is a number that is not finite and >= 0 (other
 *   types are ignored, as on AWS).
 *
 * @example
 * ```ts no-run
 * export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
 *   responseStream.setContentType('text/plain');
 *   responseStream.write('Hello, ');
 *   responseStream.end('world');
 * });
 * ```
 */
export function streamifyResponse<T>(handler: T, options?: StreamifyOptions): T {
  checkFunction('streamifyResponse(handler)', handler);
  const highWaterMark = (options as StreamifyOptions | undefined)?.highWaterMark;
  if (typeof highWaterMark === 'number' && !(Number.isFinite(highWaterMark) && highWaterMark >= 0)) {
    throw new RangeError(
      `streamifyResponse(handler, options): options.highWaterMark must be a finite number of bytes >= 0, got ${show(highWaterMark)}`,
    );
  }
  const marked = handler as { [STREAMING_MARK]?: unknown; [HIGH_WATER_MARK_MARK]?: unknown };
  marked[STREAMING_MARK] = RESPONSE_STREAMING;
  if (typeof highWaterMark === 'number') marked[HIGH_WATER_MARK_MARK] = Math.trunc(highWaterMark);
  return handler;
}

/**
 * Defines `globalThis.awslambda` (`streamifyResponse`, `HttpResponseStream`), keeping what another
 * copy put there, unless `AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA` is `1` or `true`. The runtime calls
 * this before it imports the handler, whose top level uses the global.
 *
 * @returns whether the global was defined.
 */
export function installAwsLambdaGlobal(env: NodeJS.ProcessEnv = process.env): boolean {
  const opt = env[NO_GLOBAL_AWSLAMBDA_ENV];
  if (opt === '1' || opt === 'true') return false;
  const scope = globalThis as { awslambda?: unknown };
  const existing = typeof scope.awslambda === 'object' && scope.awslambda !== null ? scope.awslambda : {};
  scope.awslambda = { ...existing, streamifyResponse, HttpResponseStream };
  return true;
}

/** The content type that tells Lambda's HTTP integrations a prelude comes first. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** The NUL bytes between the JSON prelude and the body. */
export const PRELUDE_DELIMITER_LENGTH = 8;

/** The prelude of an HTTP integration response. */
export interface HttpResponseMetadata {
  /** The HTTP status code. Default (Lambda's): 200. */
  statusCode?: number;
  /** Response headers. */
  headers?: Record<string, string>;
  /** `Set-Cookie` values. */
  cookies?: string[];
  /** Anything else is passed on as JSON. */
  [key: string]: unknown;
}

/** What {@link HttpResponseStream.from} needs of a stream: a response stream of this runtime (or AWS's). */
interface PreludeTarget {
  setContentType(contentType: string): void;
  _onBeforeFirstWrite: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
}

/**
 * Implements the `application/vnd.awslambda.http-integration-response` content type, as on AWS.
 *
 * @example
 * ```ts no-run
 * export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
 *   const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'x-a': '1' } });
 *   stream.end('created');
 * });
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: AWS's API is a class with a static `from`.
export class HttpResponseStream {
  /**
   * Sets the stream's content type to {@link HTTP_INTEGRATION_CONTENT_TYPE} and arranges for the JSON
   * of `prelude` and 8 NUL bytes to go out right before the body (also when the body is empty: an
   * `end()` without any write still sends them, unlike AWS's runtime, which then drops the status).
   *
   * @returns `underlyingStream` itself.
   * @throws TypeError when `underlyingStream` is not a response stream, or `prelude` has no JSON form.
   * @throws Error `Runtime.InvalidStreamingOperation` when the stream was already written to.
   */
  static from<T extends object>(underlyingStream: T, prelude: HttpResponseMetadata): T {
    const target = underlyingStream as unknown as PreludeTarget;
    if (typeof target?.setContentType !== 'function') {
      throw new TypeError(
        'HttpResponseStream.from(underlyingStream, prelude): underlyingStream must be the response stream the handler received',
      );
    }
    const text = preludeText(prelude);
    target.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    target._onBeforeFirstWrite = (write) => {
      write(text);
      write(new Uint8Array(PRELUDE_DELIMITER_LENGTH));
    };
    return underlyingStream;
  }
}

function preludeText(prelude: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(prelude);
  } catch (cause) {
    throw new TypeError('HttpResponseStream.from(underlyingStream, prelude): prelude cannot be written as JSON', {
      cause,
    });
  }
  if (text === undefined) {
    throw new TypeError(
      'HttpResponseStream.from(underlyingStream, prelude): prelude must be an object such as { statusCode: 200 }',
    );
  }
  return text;
}
