/**
 * What a response or error post means for its invocation: a buffered or streamed response, an error
 * (posted, or sent in the trailers of a stream), or one of Lambda's own errors (too large, a bad
 * response mode), and what the runtime is answered.
 *
 * @module
 */
import type { Refusal } from './lifecycle.js';
import type { HttpIntegrationPrelude, RecordedRequest } from './types.js';
import {
  HEADER,
  HTTP_INTEGRATION_CONTENT_TYPE,
  headerValue,
  PRELUDE_DELIMITER_BYTES,
  parseBody,
  STREAMING_MODE,
  validErrorType,
} from './wire.js';

/** Body size limits, in bytes. */
export interface ResponseLimits {
  readonly buffered: number;
  readonly streamed: number;
}

/** How a post ends its invocation, and what the runtime is told. */
export interface PostOutcome {
  readonly ok: boolean;
  readonly body: unknown;
  readonly rawBody: string;
  readonly errorType?: string;
  readonly streamed: boolean;
  readonly contentType?: string;
  readonly http?: HttpIntegrationPrelude;
  /** The answer to the runtime when it is not 202 Accepted. */
  readonly refusal?: Refusal;
}

/** Whether a post's head asks for a streamed response. */
function isStreamed(headers: RecordedRequest['headers']): boolean {
  return headerValue(headers, HEADER.responseMode) === STREAMING_MODE;
}

/** The body limit of a post to `invocation/response` or `invocation/error`. */
export function limitFor(headers: RecordedRequest['headers'], limits: ResponseLimits): number {
  return isStreamed(headers) ? limits.streamed : limits.buffered;
}

/** Lambda's own error as an invocation outcome (and, when given, the runtime's answer). */
function lambdaError(errorType: string, errorMessage: string, streamed: boolean, refusal?: Refusal): PostOutcome {
  const rawBody = JSON.stringify({ errorMessage, errorType });
  return { ok: false, body: JSON.parse(rawBody), rawBody, errorType, streamed, ...(refusal ? { refusal } : {}) };
}

/** Lambda's end of an invocation still running at its deadline: `Sandbox.Timedout`. */
export function timeoutOutcome(requestId: string, timeout: number): PostOutcome {
  const seconds = (timeout / 1000).toFixed(2);
  return lambdaError(
    'Sandbox.Timedout',
    `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`,
    false,
  );
}

/** What `record`, a post to `invocation/response` or `invocation/error`, means for its invocation. */
export function interpretPost(record: RecordedRequest, limits: ResponseLimits): PostOutcome {
  const isResponse = record.endpoint === 'invocation/response';
  const mode = headerValue(record.headers, HEADER.responseMode);
  const streamed = isResponse && mode === STREAMING_MODE;
  if (isResponse && mode !== undefined && !streamed) {
    // The RIE fails the invocation with Runtime.InvalidResponseModeHeader and answers 400.
    return lambdaError('Runtime.InvalidResponseModeHeader', `Invalid response mode ${JSON.stringify(mode)}`, false, {
      status: 400,
      errorType: 'InvalidFunctionResponseMode',
      message: 'Invalid function response mode',
    });
  }
  const limit = streamed ? limits.streamed : limits.buffered;
  if (record.bodyBytes > limit) {
    // Lambda ends the invocation as Function.ResponseSizeTooLarge and answers the runtime 413.
    return lambdaError(
      'Function.ResponseSizeTooLarge',
      `Response payload size (${record.bodyBytes} bytes) exceeded maximum allowed payload size (${limit} bytes).`,
      streamed,
      {
        status: 413,
        errorType: 'RequestEntityTooLarge',
        message: `Exceeded maximum allowed payload size (${limit} bytes).`,
      },
    );
  }
  const contentType = headerValue(record.headers, 'content-type');
  const typed = contentType === undefined ? {} : { contentType };
  if (!isResponse) {
    const errorType = validErrorType(headerValue(record.headers, HEADER.errorType));
    return { ok: false, body: parseBody(record.body), rawBody: record.body, errorType, streamed: false, ...typed };
  }
  const trailerType = record.trailers[HEADER.errorType];
  if (streamed && trailerType !== undefined) {
    // A stream that failed midway: the error travels in the trailers, its body base64-encoded JSON.
    const rawBody = Buffer.from(record.trailers[HEADER.errorBody] ?? '', 'base64').toString('utf8');
    return { ok: false, body: parseBody(rawBody), rawBody, errorType: validErrorType(trailerType), streamed, ...typed };
  }
  if (streamed && contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
    const split = splitPrelude(record.body);
    if (split !== undefined) {
      return { ok: true, body: parseBody(split.body), rawBody: split.body, streamed, ...typed, http: split.prelude };
    }
  }
  return { ok: true, body: parseBody(record.body), rawBody: record.body, streamed, ...typed };
}

const DELIMITER = '\u0000'.repeat(PRELUDE_DELIMITER_BYTES);

/** Splits an HTTP-integration body into its JSON prelude and the body after the 8 NUL bytes. */
function splitPrelude(text: string): { prelude: HttpIntegrationPrelude; body: string } | undefined {
  const end = text.indexOf(DELIMITER);
  if (end === -1) return undefined;
  const prelude = parseBody(text.slice(0, end));
  if (prelude === null || typeof prelude !== 'object' || Array.isArray(prelude)) return undefined;
  const { statusCode, headers, cookies } = prelude as Record<string, unknown>;
  return {
    prelude: {
      ...(typeof statusCode === 'number' ? { statusCode } : {}),
      ...(isStringRecord(headers) ? { headers } : {}),
      ...(Array.isArray(cookies) && cookies.every((c) => typeof c === 'string')
        ? { cookies: cookies as string[] }
        : {}),
    },
    body: text.slice(end + PRELUDE_DELIMITER_BYTES),
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}
