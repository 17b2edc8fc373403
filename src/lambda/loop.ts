/**
 * The invocation loop of a custom runtime: next event → handler → response or error, forever; one
 * invocation at a time, or up to `concurrency` at once.
 *
 * @module
 */
import type { Handler } from 'aws-lambda';
import { checkFunction, checkInteger, checkOptionsObject, readOptions, show } from '../validate.js';
import { MAX_CONCURRENCY, type NextInvocation, RuntimeApiClient } from './client.js';
import { createConcurrentContext, createContext } from './context.js';
import { functionErrorType, RuntimeApiError, withAwsClassName } from './errors.js';
import { publishInvocation, runInInvocationScope } from './invocation-scope.js';
import {
  type Answered,
  callConcurrentHandler,
  callHandler,
  type ErrorLogger,
  type HandlerOutcome,
  type InvocationFailure,
  lineErrorLogger,
  postAnswer,
  serializeResult,
} from './invoke.js';

/** A handler marked for streaming with a mode other than `'response'` (reported at init). */
export class MalformedStreamingHandlerError extends Error {}
MalformedStreamingHandlerError.prototype.name = 'Runtime.MalformedStreamingHandler';
withAwsClassName(MalformedStreamingHandlerError, 'MalformedStreamingHandler');

/** The mark `streamifyResponse` sets on a handler (the same registry symbol as AWS's, so either marks it). */
export const STREAMING_MARK = Symbol.for('aws.lambda.runtime.handler.streaming');

/** Where `streamifyResponse` keeps the `highWaterMark` option (AWS's registry symbol). */
export const HIGH_WATER_MARK_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

/** The one streaming mode Lambda has. */
export const RESPONSE_STREAMING = 'response';

type Marked = { [STREAMING_MARK]?: unknown; [HIGH_WATER_MARK_MARK]?: unknown };

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

/** A callback-style handler where invocations are served concurrently (reported at init). */
export class CallbackHandlerNotSupportedError extends Error {}
CallbackHandlerNotSupportedError.prototype.name = 'Runtime.CallbackHandlerDeprecated';
// The class name of AWS's runtime for Managed Instances (4.x client), which refuses these handlers.
withAwsClassName(CallbackHandlerNotSupportedError, 'CallbackHandlerDeprecatedError');

/** The outcome of one served invocation, as passed to `onInvocation`. */
export interface InvocationRecord {
  /** The request id. */
  requestId: string;
  /** `true` when a response was posted, `false` when an error was posted. */
  ok: boolean;
  /** The error type posted (`Function.*` or `Runtime.*`; a streamed error's trailer type), for failed invocations. */
  errorType?: string;
  /** Time from receiving the event to the end of the post, in ms. */
  durationMs: number;
}

/** Options of {@link runInvocationLoop}. */
export interface InvocationLoopOptions {
  /** The Runtime API client. */
  client: RuntimeApiClient;
  /** The function handler: async, callback style, or streaming (`awslambda.streamifyResponse`). */
  handler: Handler;
  /** Environment the `context` is built from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * How many invocations to serve at once (`AWS_LAMBDA_MAX_CONCURRENCY` on Lambda Managed Instances),
   * an integer from 1 to 100 000. With more than 1, that many `/next` polls stay open, each invocation
   * runs in its own invocation scope, `_X_AMZN_TRACE_ID` is left alone, and the programming model is
   * that of AWS's runtime for Managed Instances: the handler's return value (or promise) answers, the
   * context has no `done/succeed/fail`, and a callback-style handler (3 parameters) is refused. Default: `1`.
   */
  concurrency?: number;
  /** Stop after this many invocations (mainly for tests). Default: `Infinity`, i.e. serve forever. */
  maxInvocations?: number;
  /** Called when an event arrives, before the handler runs. */
  onEvent?: (invocation: NextInvocation) => void;
  /** Called after each invocation was answered. */
  onInvocation?: (record: InvocationRecord) => void;
  /** Where runtime diagnostics go. Default: `console.error`. */
  log?: (message: string) => void;
  /**
   * Logs a failed invocation as AWS's runtime does (`Invoke Error` and the error). Default: a line
   * through `log` with the request id, `ERROR`, the label and the error body.
   */
  logError?: (label: string, error: unknown) => void;
}

/**
 * Checks, before the first poll, that `handler` can be served at `concurrency`, and how.
 *
 * @throws MalformedStreamingHandlerError (`Runtime.MalformedStreamingHandler`) for an unknown streaming mark.
 * @throws CallbackHandlerNotSupportedError (`Runtime.CallbackHandlerDeprecated`) for a callback-style
 *   handler (3 or more parameters, not streaming) served concurrently, as AWS's runtime refuses it on
 *   Lambda Managed Instances.
 */
export function checkHandlerForConcurrency(handler: Handler, concurrency: number): StreamingMode {
  const mode = streamingModeOf(handler);
  if (concurrency > 1 && !mode.streaming && handler.length >= 3) {
    throw new CallbackHandlerNotSupportedError(
      `A callback-style handler (3 parameters) cannot serve concurrent invocations (concurrency ${concurrency}, from AWS_LAMBDA_MAX_CONCURRENCY), as on Lambda Managed Instances: make it an async handler that returns its result`,
    );
  }
  return mode;
}

const LOOP_OPTIONS = [
  'client',
  'handler',
  'env',
  'concurrency',
  'maxInvocations',
  'onEvent',
  'onInvocation',
  'log',
  'logError',
] as const;

/**
 * Serves invocations: `GET /runtime/invocation/next` (no timeout), calls the handler with the parsed
 * event and a Lambda `context` (in an invocation scope: see `currentInvocation()`), and posts the
 * result as JSON to `/invocation/{id}/response`, or the error to `/invocation/{id}/error`. One at a
 * time, `_X_AMZN_TRACE_ID` is set for each event, and handlers follow AWS's Node.js programming model
 * (callbacks, `context.succeed/done/fail`, `callbackWaitsForEmptyEventLoop`): see `callHandler`. A
 * streaming handler answers through a streamed post. A failed invocation does not stop the loop. An
 * event that is not JSON is answered with `Runtime.UnmarshalError`, a result that cannot be
 * serialised with `Runtime.MarshalError` ("Unable to stringify response body").
 *
 * @returns the number of invocations served, once `maxInvocations` is reached.
 * @throws TypeError or RangeError for bad options; the errors of {@link checkHandlerForConcurrency}.
 * @throws RuntimeApiError when the Runtime API cannot be reached (the runtime should then exit).
 *
 * @example
 * ```ts no-run
 * await runInvocationLoop({ client, handler: async (event) => ({ statusCode: 200 }), concurrency: 4 });
 * ```
 */
export async function runInvocationLoop(options: InvocationLoopOptions): Promise<number> {
  if (options === undefined) throw new TypeError('runInvocationLoop(options) must be an object, got undefined');
  // Own properties only, each read once: what is checked is what is used.
  const given = readOptions('runInvocationLoop(options)', options, LOOP_OPTIONS) as InvocationLoopOptions;
  const { client, handler, env = process.env, concurrency = 1, onEvent, onInvocation } = given;
  const maxInvocations = given.maxInvocations ?? Number.POSITIVE_INFINITY;
  if (!(client instanceof RuntimeApiClient)) {
    throw new TypeError(`runInvocationLoop(options): options.client must be a RuntimeApiClient, got ${show(client)}`);
  }
  checkFunction('runInvocationLoop(options): options.handler', handler);
  checkInteger('runInvocationLoop(options): options.concurrency', concurrency, 1, MAX_CONCURRENCY);
  if (maxInvocations !== Number.POSITIVE_INFINITY) {
    checkInteger('runInvocationLoop(options): options.maxInvocations', maxInvocations, 0, Number.MAX_SAFE_INTEGER);
  }
  checkOptionsObject('runInvocationLoop(options): options.env', env);
  for (const key of ['onEvent', 'onInvocation', 'log', 'logError'] as const) {
    if (given[key] !== undefined) checkFunction(`runInvocationLoop(options): options.${key}`, given[key]);
  }
  const mode = checkHandlerForConcurrency(handler, concurrency);
  const log = given.log ?? ((message: string) => console.error(message));
  const logError = given.logError ?? lineErrorLogger(log);
  const concurrent = concurrency > 1;

  const serveNext = async (): Promise<void> => {
    const invocation = await nextUsable(client, log);
    onEvent?.(invocation);
    const started = performance.now();
    const { requestId, tenantId, traceId } = invocation;
    const answered = await runInInvocationScope(
      { requestId, tenantId, traceId },
      () => serve({ client, handler, env, log, logError, mode, concurrent }, invocation),
      concurrent,
    );
    onInvocation?.({ requestId, ...answered, durationMs: performance.now() - started });
  };

  if (concurrent) {
    const { runInSlots } = await import('./concurrency.js');
    return runInSlots(concurrency, maxInvocations, serveNext);
  }
  let served = 0;
  while (served < maxInvocations) {
    await serveNext();
    served++;
  }
  return served;
}

/** The next invocation that carries a request id. */
async function nextUsable(client: RuntimeApiClient, log: (message: string) => void): Promise<NextInvocation> {
  for (;;) {
    try {
      return await client.nextInvocation();
    } catch (error) {
      // A 2xx answer we could not use (no request id): nothing can be posted for it, wait for the next one.
      if (error instanceof RuntimeApiError && error.status !== undefined && error.status < 300) {
        log(`snapstart-runtime: ignoring unusable invocation: ${error.message}`);
        continue;
      }
      throw error;
    }
  }
}

interface Serving {
  readonly client: RuntimeApiClient;
  readonly handler: Handler;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (message: string) => void;
  readonly logError: ErrorLogger;
  readonly mode: StreamingMode;
  readonly concurrent: boolean;
}

/** Serves one invocation and posts its answer. */
async function serve(serving: Serving, invocation: NextInvocation): Promise<Answered> {
  const { client, handler, env, log, logError, mode, concurrent } = serving;
  const { requestId } = invocation;
  // One process-wide variable cannot describe concurrent invocations: AWS leaves it alone then too.
  if (!concurrent) {
    if (invocation.traceId === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = invocation.traceId;
    publishInvocation(invocation);
  }
  if (mode.streaming) {
    // Loaded on first use: a function that does not stream pays nothing for it at import.
    const { serveStreamingInvocation } = await import('./streaming/serve.js');
    return serveStreamingInvocation({
      client,
      handler: handler as never,
      requestId,
      rawEvent: invocation.rawEvent,
      // The 4.x context when served concurrently, the 3.x one (without done/succeed/fail) otherwise.
      makeContext: () => (concurrent ? createConcurrentContext(invocation, env) : createContext(invocation, env)),
      highWaterMark: mode.highWaterMark,
      concurrent,
      log,
      logError,
    });
  }
  let event: unknown;
  try {
    event = JSON.parse(invocation.rawEvent);
  } catch (error) {
    return postAnswer(client, requestId, { error, errorType: 'Runtime.UnmarshalError' }, log, logError);
  }
  // Concurrently served, the context has no done/succeed/fail, as in AWS's runtime for Managed Instances.
  const outcome: HandlerOutcome = concurrent
    ? await callConcurrentHandler(handler, event, () => createConcurrentContext(invocation, env))
    : await callHandler(handler, event, (complete) => createContext(invocation, env, complete));
  return postAnswer(client, requestId, toAnswer(outcome), log, logError);
}

/** The post for a handler's outcome: its JSON body, or the error with its type. */
function toAnswer(outcome: HandlerOutcome): { body: string } | InvocationFailure {
  if (!outcome.ok) return { error: outcome.error, errorType: functionErrorType(outcome.error) };
  const serialised = serializeResult(outcome.value);
  return serialised.ok ? { body: serialised.body } : { error: serialised.error, errorType: 'Runtime.MarshalError' };
}
