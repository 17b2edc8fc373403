/**
 * Calling a (non-streaming) handler and answering for it, in the programming model of AWS's Node.js
 * runtime: returned promise, `callback`, `context.done/succeed/fail`, `callbackWaitsForEmptyEventLoop`;
 * the result as the JSON body AWS's runtime posts, or the error.
 *
 * @module
 */
import type { Context, Handler } from 'aws-lambda';
import { isThenable } from '../util/promise.js';
import type { RuntimeApiClient } from './client.js';
import { type ContextCompletion, FAIL_WITHOUT_ERROR } from './context.js';
import { RuntimeApiError, toErrorBody, withAwsClassName } from './errors.js';
import { currentInvocation } from './invocation-scope.js';

/*
 * Waiting for the event loop to run out of work. Node emits `beforeExit` when no timer, socket or
 * pending I/O is left that could run more code. While a handler runs (one invocation at a time) the
 * runtime itself holds nothing that keeps the loop alive (its idle keep-alive sockets are
 * unreferenced), so `beforeExit` then means: the handler's own pending work is done.
 */
const waiters = new Set<() => void>();

function onBeforeExit(): void {
  const due = [...waiters];
  waiters.clear();
  process.off('beforeExit', onBeforeExit);
  // One turn later, as AWS does: work that another `beforeExit` listener schedules (a log flush) runs first.
  setImmediate(() => {
    for (const waiter of due) waiter();
  });
}

/**
 * Calls `waiter` once, one turn after the event loop next runs out of work. Returns a function that
 * cancels the wait (a no-op once it fired).
 *
 * Only meaningful while the runtime has no request of its own open (one invocation at a time): a
 * pending `/next` poll keeps the loop alive, so with concurrent invocations the loop never empties.
 *
 * @example
 * ```ts no-run
 * const cancel = whenEventLoopEmpty(() => answer(null));
 * ```
 */
export function whenEventLoopEmpty(waiter: () => void): () => void {
  const entry = (): void => waiter();
  if (waiters.size === 0) process.on('beforeExit', onBeforeExit);
  waiters.add(entry);
  return () => {
    if (waiters.delete(entry) && waiters.size === 0) process.off('beforeExit', onBeforeExit);
  };
}

/** Resolves one turn after the event loop next runs out of work. */
export function eventLoopEmpty(): Promise<void> {
  return new Promise((resolve) => whenEventLoopEmpty(resolve));
}

/** An `async` handler's promise could never settle: the event loop emptied with nothing left to settle it. */
export class NodeJsExitError extends Error {
  constructor() {
    super(
      'The event loop emptied while the async handler had not settled: nothing was left that could settle its promise (a Promise that is never resolved or rejected?). The runtime answers instead of letting Node.js exit.',
    );
  }
}
NodeJsExitError.prototype.name = 'Runtime.NodeJsExit';
withAwsClassName(NodeJsExitError, 'NodeJsExit');

/** What a handler answered: a result to serialise, or an error (any thrown value) to report. */
export type HandlerOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** Whether `handler` was declared `async` (AWS tells the two kinds apart the same way). */
export function isAsyncFunction(handler: unknown): boolean {
  try {
    return typeof handler === 'function' && handler.constructor?.name === 'AsyncFunction';
  } catch {
    return false;
  }
}

/** Whether a reported `error` fails the invocation: anything but `null` and `undefined` does, as on AWS. */
function isFailure(error: unknown): boolean {
  return error !== null && error !== undefined;
}

/**
 * Calls `handler(event, context, callback)` once and resolves with its first answer, exactly as AWS's
 * Node.js runtime (nodejs18.x–22.x) serves one invocation at a time:
 *
 * - a returned promise (any thenable) answers with its value, or fails with its reason (a rejection
 *   without a reason fails with the string `'handled'`);
 * - `context.succeed/done/fail` answer at once;
 * - `callback(error)` fails at once; `callback(null, result)` answers once the event loop is empty of
 *   the handler's pending work (timers, sockets), or at once when the handler set
 *   `context.callbackWaitsForEmptyEventLoop = false`;
 * - a throw is passed to `callback` (so `throw undefined` answers `null`, as on AWS);
 * - only the first of these counts: a second callback, or a promise settling after the callback, is ignored;
 * - a value returned without a promise is ignored. When the event loop empties and nothing answered, an
 *   `async` handler fails with `Runtime.NodeJsExit`, any other handler answers `null`.
 */
export function callHandler(
  handler: Handler,
  event: unknown,
  makeContext: (complete: ContextCompletion) => Context,
): Promise<HandlerOutcome> {
  return new Promise<HandlerOutcome>((resolve) => {
    let answered = false;
    let context: Context | undefined;
    let stopWaiting = whenEventLoopEmpty(() => {
      if (answered) return;
      answered = true;
      resolve(isAsyncFunction(handler) ? { ok: false, error: new NodeJsExitError() } : { ok: true, value: null });
    });
    const settle = (outcome: HandlerOutcome): void => {
      stopWaiting();
      resolve(outcome);
    };
    /** Only the first answer counts, whichever way it comes. */
    const claim = (): boolean => {
      if (answered) return false;
      answered = true;
      return true;
    };
    const complete: ContextCompletion = (error, result) => {
      if (claim()) settle(isFailure(error) ? { ok: false, error } : { ok: true, value: result });
    };
    const callback = (error?: unknown, result?: unknown): void => {
      if (!claim()) return;
      if (isFailure(error) || !(context as Context).callbackWaitsForEmptyEventLoop) {
        settle(isFailure(error) ? { ok: false, error } : { ok: true, value: result });
        return;
      }
      stopWaiting();
      stopWaiting = whenEventLoopEmpty(() => resolve({ ok: true, value: result }));
    };
    try {
      context = makeContext(complete);
      const returned: unknown = handler(event, context, callback);
      if (isThenable(returned)) {
        returned.then(
          (value) => complete(null, value),
          (reason: unknown) => complete(isFailure(reason) ? reason : FAIL_WITHOUT_ERROR),
        );
      }
    } catch (error) {
      callback(error);
    }
  });
}

/**
 * Calls `handler(event, makeContext())` and awaits what it returns, as AWS's Node.js runtime for
 * concurrent invocations (Lambda Managed Instances) does: a plain return value answers too, and there
 * is no callback (callback-style handlers are refused before the first invocation). A context that
 * cannot be built fails the invocation.
 */
export async function callConcurrentHandler(
  handler: Handler,
  event: unknown,
  makeContext: () => Context,
): Promise<HandlerOutcome> {
  try {
    const context = makeContext();
    return { ok: true, value: await (handler as (event: unknown, context: Context) => unknown)(event, context) };
  } catch (error) {
    return { ok: false, error };
  }
}

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
