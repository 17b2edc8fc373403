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
