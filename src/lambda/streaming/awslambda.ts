/**
 * The `awslambda` global of AWS's Node.js runtime: `streamifyResponse` marks a handler as streaming,
 * `HttpResponseStream` writes HTTP metadata before the body.
 *
 * @module
 */
import { checkFunction, show } from '../../validate.js';
import { HttpResponseStream } from './http-response-stream.js';

/** A handler marked for streaming with a mode other than `'response'` (reported at init). */
export class MalformedStreamingHandlerError extends Error {}
MalformedStreamingHandlerError.prototype.name = 'Runtime.MalformedStreamingHandler';

/** The mark `streamifyResponse` sets on a handler (the same registry symbol as AWS's, so either marks it). */
export const STREAMING_MARK = Symbol.for('aws.lambda.runtime.handler.streaming');

/** Where `streamifyResponse` keeps the `highWaterMark` option (AWS's registry symbol). */
export const HIGH_WATER_MARK_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

/** The one streaming mode Lambda has. */
const RESPONSE_STREAMING = 'response';

/** Set to `1` or `true` to keep the runtime from defining the `awslambda` global, as on AWS. */
export const NO_GLOBAL_AWSLAMBDA_ENV = 'AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA';

/** Options of {@link streamifyResponse}. */
export interface StreamifyOptions {
  /** The response stream's buffer size in bytes, over which `write()` returns `false`. */
  highWaterMark?: number;
}

type Marked = { [STREAMING_MARK]?: unknown; [HIGH_WATER_MARK_MARK]?: unknown };

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
  const marked = handler as Marked;
  marked[STREAMING_MARK] = RESPONSE_STREAMING;
  if (typeof highWaterMark === 'number') marked[HIGH_WATER_MARK_MARK] = Math.trunc(highWaterMark);
  return handler;
}

/** How a loaded handler is served: buffered, or streamed with an optional buffer size. */
export type StreamingMode =
  | { readonly streaming: false }
  | { readonly streaming: true; readonly highWaterMark?: number };

/**
 * Reads the streaming mark of a loaded handler.
 *
 * @throws MalformedStreamingHandlerError (`Runtime.MalformedStreamingHandler`) for a mark other than
 *   `'response'`, as on AWS.
 */
export function streamingModeOf(handler: unknown): StreamingMode {
  const { [STREAMING_MARK]: mark, [HIGH_WATER_MARK_MARK]: highWaterMark } = handler as Marked;
  if (mark === undefined || mark === null || mark === false) return { streaming: false };
  if (mark !== RESPONSE_STREAMING) throw new MalformedStreamingHandlerError('Only response streaming is supported.');
  return typeof highWaterMark === 'number' && highWaterMark >= 0
    ? { streaming: true, highWaterMark: Math.trunc(highWaterMark) }
    : { streaming: true };
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
