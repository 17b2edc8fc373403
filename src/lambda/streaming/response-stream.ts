/**
 * The `responseStream` a streaming handler writes to: a real `Writable` whose chunks go out as the
 * chunks of a streamed `POST /runtime/invocation/{id}/response`, with backpressure.
 *
 * @module
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import { deferred } from '../../util/promise.js';
import type { ResponseStreamRequest } from '../client.js';
import { STREAM_ERROR_BODY_TRAILER, STREAM_ERROR_TYPE_TRAILER } from '../client.js';
import { toErrorBody, withAwsClassName } from '../errors.js';

/** A response stream was used in a way AWS's runtime refuses (e.g. `setContentType` after the first write). */
export class InvalidStreamingOperationError extends Error {}
InvalidStreamingOperationError.prototype.name = 'Runtime.InvalidStreamingOperation';
withAwsClassName(InvalidStreamingOperationError, 'InvalidStreamingOperation');

/** The content type of a response stream until `setContentType` changes it, as on AWS. */
export const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';

/** Opens the streamed post once the content type is final. */
export type ResponseStreamOpener = (contentType: string) => ResponseStreamRequest;

/** A writer of raw chunks, handed to {@link ResponseStream._onBeforeFirstWrite}. */
export type RawChunkWriter = (chunk: string | Uint8Array) => void;

/** What the runtime (not the handler) does with a response stream. */
export interface ResponseStreamControl {
  /** Settles once the post ended and the Runtime API answered: resolves on a 2xx, rejects with its error. */
  readonly answered: Promise<void>;
  /**
   * Reports `error` in the trailers: the chunks already written go out, then the post ends with
   * `Lambda-Runtime-Function-Error-Type` and `Lambda-Runtime-Function-Error-Body` (base64 JSON). A post
   * not yet started is started with an empty body. Returns {@link answered}.
   */
  fail(error: unknown): Promise<void>;
}

const controls = new WeakMap<ResponseStream, ResponseStreamControl>();

/** The runtime's controls of `stream`. */
export function controlOf(stream: ResponseStream): ResponseStreamControl {
  return controls.get(stream) as ResponseStreamControl;
}

/**
 * A handler's response stream. The post starts lazily, at the first write (or `end()`), so the
 * content type can be set until then; every later write goes out as a chunk when written, and
 * `write()` returns `false` while the Runtime API is not reading (wait for `'drain'`, or use
 * `pipeline`). A chunk that is neither a string nor a `Uint8Array` is written as its JSON text, as on AWS.
 *
 * The stream never emits an unhandled `'error'` (a failed post cannot crash the process): the error
 * reaches write callbacks, `pipeline` and any `'error'` listener.
 */
export class ResponseStream extends Writable {
  /**
   * Called once, right before the first chunk, with a writer of raw chunks. `HttpResponseStream.from`
   * writes its prelude here; the name and behaviour are AWS's.
   */
  _onBeforeFirstWrite: ((write: RawChunkWriter) => void) | undefined = undefined;
  readonly #open: ResponseStreamOpener;
  #contentType = DEFAULT_STREAM_CONTENT_TYPE;
  #started = false;
  #post: ResponseStreamRequest | undefined;
  #failure: { error: unknown } | undefined;
  readonly #answered = deferred<void>();

  /**
   * @param open - starts the post with the final content type.
   * @param highWaterMark - the buffer size (bytes) over which `write()` returns `false`. Default: Node's.
   */
  constructor(open: ResponseStreamOpener, highWaterMark?: number) {
    super({ highWaterMark });
    this.#open = open;
    this.on('error', () => {});
    this.#answered.promise.catch(() => {});
    controls.set(this, { answered: this.#answered.promise, fail: (error) => this.#fail(error) });
  }

  /**
   * Sets the `Content-Type` of the response. Only before the first write.
   *
   * @throws TypeError when `contentType` is not a string or not a valid header value.
   * @throws Error `Runtime.InvalidStreamingOperation` after the first write, as on AWS.
   */
  setContentType(contentType: string): void {
    if (this.#started) throw new InvalidStreamingOperationError('Cannot set content-type, too late.');
    if (typeof contentType !== 'string') {
      throw new TypeError(`setContentType(contentType): contentType must be a string, got ${typeof contentType}`);
    }
    http.validateHeaderValue('content-type', contentType);
    this.#contentType = contentType;
  }

  override write(
    chunk: unknown,
    encoding?: BufferEncoding | ((error: Error | null | undefined) => void),
    callback?: (error: Error | null | undefined) => void,
  ): boolean {
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    this.#beforeFirstWrite();
    return super.write(data, encoding as BufferEncoding, callback);
  }

  override end(chunk?: unknown, encoding?: BufferEncoding | (() => void), callback?: () => void): this {
    let done = callback;
    let data = chunk;
    let textEncoding = encoding;
    if (typeof data === 'function') [done, data] = [data as () => void, undefined];
    else if (typeof textEncoding === 'function') [done, textEncoding] = [textEncoding, undefined];
    if (data !== undefined && data !== null) this.write(data, textEncoding);
    // Without a chunk the prelude still goes out (AWS skips it here, dropping an HttpResponseStream's status).
    else this.#beforeFirstWrite();
    return super.end(done);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const { request } = this.#openPost();
    if (request.write(chunk)) callback();
    else request.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    const { request } = this.#openPost();
    if (this.#failure !== undefined) request.addTrailers(errorTrailers(this.#failure.error));
    request.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const request = this.#post?.request;
    if (request !== undefined && !request.writableEnded) request.destroy(error ?? undefined);
    callback(error);
  }

  #beforeFirstWrite(): void {
    if (this.#started) return;
    this.#started = true;
    const hook = this._onBeforeFirstWrite;
    if (typeof hook === 'function') hook((chunk) => super.write(chunk));
  }

  #openPost(): ResponseStreamRequest {
    if (this.#post === undefined) {
      this.#started = true;
      const post = this.#open(this.#contentType);
      this.#post = post;
      post.answered.then(
        () => this.#answered.resolve(),
        (error: unknown) => {
          this.#answered.reject(error);
          this.destroy(error as Error);
        },
      );
    }
    return this.#post;
  }

  #fail(error: unknown): Promise<void> {
    const answered = this.#answered.promise;
    // Already ended (answered, or failed before): the trailers can no longer be sent.
    if (this.#post?.request.writableEnded) return answered;
    if (this.destroyed) {
      // The handler destroyed the stream: a post it never started still reports the error.
      if (this.#post === undefined) {
        const { request } = this.#openPost();
        request.addTrailers(errorTrailers(error));
        request.end();
      }
      return answered;
    }
    this.#failure = { error };
    // Buffered chunks are written first; then `_final` ends the post with the trailers.
    if (!this.writableEnded) super.end();
    return answered;
  }
}

/** The error trailers of `error`: its type (as a valid header value) and its JSON body in base64. */
function errorTrailers(error: unknown): Record<string, string> {
  const body = toErrorBody(error);
  return {
    [STREAM_ERROR_TYPE_TRAILER]: headerSafe(body.errorType),
    [STREAM_ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(body)).toString('base64'),
  };
}

/** Percent-escapes (as UTF-8) what a header value cannot carry: control characters, non-ASCII, DEL, `%` itself. */
function headerSafe(text: string): string {
  return text.replace(/[^\t\x20-\x24\x26-\x7e]/gu, (character) =>
    Array.from(Buffer.from(character, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(
      '',
    ),
  );
}
