/**
 * Calling a (non-streaming) handler and waiting for its answer, in the programming model of AWS's
 * Node.js runtime: returned promise, `callback`, `context.done/succeed/fail`, and
 * `callbackWaitsForEmptyEventLoop`.
 *
 * @module
 */
import type { Context, Handler } from 'aws-lambda';
import { isThenable } from '../util/promise.js';
import { type ContextCompletion, FAIL_WITHOUT_ERROR } from './context.js';
import { whenEventLoopEmpty } from './event-loop.js';
import { NodeJsExitError } from './invocation-errors.js';

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
 * Calls `handler(event, context)` and awaits what it returns, as AWS's Node.js runtime for concurrent
 * invocations (Lambda Managed Instances) does: a plain return value answers too, and there is no
 * callback (callback-style handlers are refused before the first invocation).
 */
export async function callConcurrentHandler(
  handler: Handler,
  event: unknown,
  context: Context,
): Promise<HandlerOutcome> {
  try {
    return { ok: true, value: await (handler as (event: unknown, context: Context) => unknown)(event, context) };
  } catch (error) {
    return { ok: false, error };
  }
}
