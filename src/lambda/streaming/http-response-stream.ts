/**
 * `awslambda.HttpResponseStream`: the status, headers and cookies of a streamed HTTP response (Lambda
 * function URLs, API Gateway), written as a JSON prelude before the body.
 *
 * @module
 */

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
