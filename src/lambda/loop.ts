/**
 * The invocation loop of a custom runtime: next event → handler → response or error, forever.
 *
 * @module
 */
import type { Context, Handler } from 'aws-lambda';
import { isThenable } from '../util/promise.js';
import type { NextInvocation, RuntimeApiClient } from './client.js';
import { createContext } from './context.js';
import { functionErrorType, RuntimeApiError, toErrorBody } from './errors.js';

/** The outcome of one served invocation, as passed to `onInvocation`. */
export interface InvocationRecord {
  /** The request id. */
  requestId: string;
  /** `true` when a response was posted, `false` when an error was posted. */
  ok: boolean;
  /** The error type header posted (`Function.*` or `Runtime.*`), for failed invocations. */
  errorType?: string;
  /** Time from receiving the event to the end of the post, in ms. */
  durationMs: number;
}

/** Options of {@link runInvocationLoop}. */
export interface InvocationLoopOptions {
  /** The Runtime API client. */
  client: RuntimeApiClient;
  /** The function handler: async (returns a promise), sync, or callback style (3 parameters). */
  handler: Handler;
  /** Environment the `context` is built from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Stop after this many invocations (mainly for tests). Default: `Infinity`, i.e. serve forever. */
  maxInvocations?: number;
  /** Called when an event arrives, before the handler runs. */
  onEvent?: (invocation: NextInvocation) => void;
  /** Called after each invocation was answered. */
  onInvocation?: (record: InvocationRecord) => void;
  /** Where runtime diagnostics go. Default: `console.error`. */
  log?: (message: string) => void;
  /** Logs a failed invocation as AWS's runtime does (`Invoke Error` and the error). Default: a line through `log`. */
  logError?: (label: string, error: unknown) => void;
}

/**
 * Serves invocations: `GET /runtime/invocation/next` (no timeout), sets `_X_AMZN_TRACE_ID`, calls the
 * handler with the parsed event and a Lambda `context`, and posts the result as JSON to
 * `/invocation/{id}/response`, or a thrown error to `/invocation/{id}/error` with the header
 * `Function.<ErrorClass>` and the body `{ errorMessage, errorType, stackTrace }`. A failed invocation
 * does not stop the loop. An event that is not JSON is answered with `Runtime.UnmarshalError`, a
 * result that cannot be serialised with `Runtime.MarshalError`.
 *
 * @returns the number of invocations served, once `maxInvocations` is reached.
 * @throws RuntimeApiError when the Runtime API cannot be reached (the runtime should then exit).
 *
 * @example
 * ```ts
 * await runInvocationLoop({ client, handler: async (event) => ({ statusCode: 200 }) });
 * ```
 */
export async function runInvocationLoop(options: InvocationLoopOptions): Promise<number> {
  const {
    client,
    handler,
    env = process.env,
    maxInvocations = Number.POSITIVE_INFINITY,
    onEvent,
    onInvocation,
  } = options;
  if (typeof handler !== 'function')
    throw new TypeError('runInvocationLoop(options): options.handler must be a function');
  const log = options.log ?? ((message: string) => console.error(message));
  const logError =
    options.logError ?? ((label: string, error: unknown) => log(`${label}\t${JSON.stringify(toErrorBody(error))}`));
  // Loaded here, not at import: `node:async_hooks` costs import time of `snapstart-hooks/lambda`.
  const { runInInvocationScope } = await import('./invocation-scope.js');
  let served = 0;
  while (served < maxInvocations) {
    let invocation: NextInvocation;
    try {
      invocation = await client.nextInvocation();
    } catch (error) {
      // A 2xx answer we could not use (no request id): nothing can be posted for it, wait for the next one.
      if (error instanceof RuntimeApiError && error.status !== undefined && error.status < 300) {
        log(`snapstart-runtime: ignoring unusable invocation: ${error.message}`);
        continue;
      }
      throw error;
    }
    served++;
    onEvent?.(invocation);
    const started = performance.now();
    const scope = { requestId: invocation.requestId, traceId: invocation.traceId };
    const record = await runInInvocationScope(scope, () => serve(client, handler, invocation, env, log, logError));
    onInvocation?.({ requestId: invocation.requestId, ...record, durationMs: performance.now() - started });
  }
  return served;
}

async function serve(
  client: RuntimeApiClient,
  handler: Handler,
  invocation: NextInvocation,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
  logError: (label: string, error: unknown) => void,
): Promise<{ ok: boolean; errorType?: string }> {
  const { requestId } = invocation;
  if (invocation.traceId === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = invocation.traceId;

  let failure: { error: unknown; errorType: string } | undefined;
  let body: string | undefined;
  let event: unknown;
  try {
    event = JSON.parse(invocation.rawEvent);
  } catch (error) {
    failure = { error, errorType: 'Runtime.UnmarshalError' };
  }
  if (failure === undefined) {
    const outcome = await callHandler(handler, event, (settle) => createContext(invocation, env, settle));
    if (!outcome.ok)
      failure = { error: outcome.error, errorType: outcome.errorType ?? functionErrorType(outcome.error) };
    else {
      try {
        body = JSON.stringify(outcome.value === undefined ? null : outcome.value);
      } catch (error) {
        failure = { error, errorType: 'Runtime.MarshalError' };
      }
    }
  }

  try {
    if (failure === undefined) {
      await client.postInvocationResponse(requestId, body as string);
      return { ok: true };
    }
    logError('Invoke Error', failure.error);
    // Like AWS's Node.js runtime: the body says what failed, no error-type header.
    await client.postInvocationError(requestId, failure.error);
    return { ok: false, errorType: failure.errorType };
  } catch (error) {
    // The API answered but refused (e.g. 413 for a too large response): report and serve the next event.
    if (error instanceof RuntimeApiError && error.status !== undefined) {
      log(`snapstart-runtime: ${error.message}`);
      return { ok: false, errorType: failure?.errorType ?? 'Runtime.ResponseRejected' };
    }
    throw error;
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown; errorType?: string };

/** The error type posted when a handler's promise can no longer settle (see {@link callHandler}). */
const NEVER_SETTLED = 'Runtime.HandlerNeverSettled';

/**
 * Calls the handler once and settles with its first outcome: returned promise, return value, or callback.
 *
 * If Node's event loop empties while the handler is still pending (no timer, socket or other work is
 * left that could ever settle it), Node would end the process in the middle of the invocation. Instead,
 * as AWS's Node.js runtime does, a callback-style handler that never called back answers `null`; a
 * returned promise that can never settle is an error, `Runtime.HandlerNeverSettled`. A handler still
 * waiting on live work is simply waited for: the invocation's deadline is Lambda's to enforce.
 */
function callHandler(
  handler: Handler,
  event: unknown,
  makeContext: (settle: (error: unknown, value?: unknown) => void) => Context,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    let returnedPromise = false;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      process.off('beforeExit', onEmptyLoop);
      resolve(outcome);
    };
    const settle = (error: unknown, value?: unknown): void =>
      finish(error === null || error === undefined ? { ok: true, value } : { ok: false, error });
    // Deferred by one turn, so work another `beforeExit` listener schedules (a flush) can still settle it.
    const onEmptyLoop = (): void => {
      setImmediate(() => {
        if (!returnedPromise) finish({ ok: true, value: null });
        else
          finish({
            ok: false,
            error: new Error(
              'The handler returned a promise that never settled: the event loop emptied with nothing left to settle it',
            ),
            errorType: NEVER_SETTLED,
          });
      });
    };
    process.on('beforeExit', onEmptyLoop);
    try {
      const returned: unknown = handler(event, makeContext(settle), (error, value) => settle(error ?? null, value));
      if (isThenable(returned)) {
        returnedPromise = true;
        returned.then(
          (value) => settle(null, value),
          (error: unknown) => settle(error ?? new Error('Handler rejected with no reason')),
        );
      } else if (handler.length < 3) settle(null, returned);
    } catch (error) {
      settle(error ?? new Error('Handler threw no reason'));
    }
  });
}
