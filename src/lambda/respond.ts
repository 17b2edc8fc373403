/**
 * Answering one invocation: the handler's result as the JSON body AWS's runtime posts, or its error.
 *
 * @module
 */
import type { RuntimeApiClient } from './client.js';
import { RuntimeApiError, toErrorBody } from './errors.js';
import { currentInvocation } from './invocation-scope.js';

/** The message of the error posted when a result cannot be written as JSON, as AWS's runtime words it. */
export const UNSERIALISABLE_RESULT = 'Unable to stringify response body';

/** A failed invocation: the thrown value and the `Runtime.*`/`Function.*` type it is reported with. */
export interface InvocationFailure {
  /** What was thrown or reported (any value). */
  readonly error: unknown;
  /** The error type of the post, e.g. `Function.TypeError` or `Runtime.MarshalError`. */
  readonly errorType: string;
}

/** How one invocation ended, as `onInvocation` reports it. */
export interface Answered {
  /** `true` when a response was posted, `false` when an error was. */
  readonly ok: boolean;
  /** The error type posted, for failed invocations. */
  readonly errorType?: string;
}

/**
 * The JSON text posted for a handler's result, as AWS's Node.js runtime writes it: `undefined` is
 * `null`. A result JSON cannot write is an error, never an empty or partial body posted as success:
 * `JSON.stringify` throwing (a BigInt, a circular object, a throwing `toJSON` or getter) gives an
 * `Error` "Unable to stringify response body" (its `cause` is the original error), as on AWS; a result
 * that serialises to nothing (a function, a symbol, an object whose `toJSON()` returns `undefined`)
 * gives a `TypeError` saying which.
 *
 * @example
 * ```ts no-run
 * serializeResult({ ok: true }); // { ok: true, body: '{"ok":true}' }
 * serializeResult(1n);           // { ok: false, error: Error('Unable to stringify response body') }
 * ```
 */
export function serializeResult(value: unknown): { ok: true; body: string } | { ok: false; error: Error } {
  let body: string | undefined;
  try {
    body = JSON.stringify(value === undefined ? null : value);
  } catch (cause) {
    return { ok: false, error: new Error(UNSERIALISABLE_RESULT, { cause }) };
  }
  if (body !== undefined) return { ok: true, body };
  const what =
    typeof value === 'function'
      ? 'a function'
      : typeof value === 'symbol'
        ? 'a symbol'
        : 'a value whose toJSON() returns undefined';
  return {
    ok: false,
    error: new TypeError(`${UNSERIALISABLE_RESULT}: the handler's result is ${what}, which JSON cannot represent`),
  };
}

/** Logs a failed invocation: the label (`Invoke Error`) and the thrown value. */
export type ErrorLogger = (label: string, error: unknown) => void;

/**
 * The error logger used when none is given: one line through `log` with the request id in flight (from
 * the invocation scope, so concurrent invocations are told apart), `ERROR`, the label and the error body.
 */
export function lineErrorLogger(log: (message: string) => void): ErrorLogger {
  return (label, error) =>
    log(`${currentInvocation()?.requestId ?? ''}\tERROR\t${label}\t${JSON.stringify(toErrorBody(error))}`);
}

/**
 * Posts the response `body`, or the `failure` (logged first; `errorType` is only recorded). An answer the Runtime API refuses (e.g.
 * 413 for a response over the size limit) is logged and reported as a failed invocation; the loop goes on.
 *
 * @throws RuntimeApiError when no answer came (the Runtime API is gone).
 */
export async function postAnswer(
  client: RuntimeApiClient,
  requestId: string,
  answer: { body: string } | InvocationFailure,
  log: (message: string) => void,
  logError: ErrorLogger,
): Promise<Answered> {
  try {
    if ('body' in answer) {
      await client.postInvocationResponse(requestId, answer.body);
      return { ok: true };
    }
    logError('Invoke Error', answer.error);
    // As AWS's Node.js runtime: the body says what failed; no error-type header.
    await client.postInvocationError(requestId, answer.error);
    return { ok: false, errorType: answer.errorType };
  } catch (error) {
    return refused(error, log, 'errorType' in answer ? answer.errorType : undefined);
  }
}

/** A post the Runtime API answered with a refusal is logged and the loop goes on; no answer at all is rethrown. */
export function refused(error: unknown, log: (message: string) => void, errorType: string | undefined): Answered {
  if (error instanceof RuntimeApiError && error.status !== undefined) {
    log(`snapstart-runtime: ${error.message}`);
    return { ok: false, errorType: errorType ?? 'Runtime.ResponseRejected' };
  }
  throw error;
}
