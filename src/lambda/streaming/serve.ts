/**
 * Serving one invocation of a streaming handler (`awslambda.streamifyResponse`).
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { isThenable } from '../../util/promise.js';
import type { RuntimeApiClient } from '../client.js';
import { toErrorBody } from '../errors.js';
import {
  type Answered,
  type ErrorLogger,
  eventLoopEmpty,
  NodeJsExitError,
  refused,
  whenEventLoopEmpty,
} from '../invoke.js';
import { controlOf, ResponseStream } from './response-stream.js';

/** What {@link serveStreamingInvocation} needs. */
export interface StreamingInvocation {
  readonly client: RuntimeApiClient;
  readonly handler: (event: unknown, responseStream: ResponseStream, context: Context) => unknown;
  readonly requestId: string;
  readonly rawEvent: string;
  /** Builds the handler's context; a throw (a header that is not JSON) fails the invocation, as on AWS. */
  readonly makeContext: () => Context;
  readonly highWaterMark: number | undefined;
  /**
   * `true` when invocations are served concurrently: the event loop then never empties (other polls
   * are open), and the errors the runtime reports are `Error`s, as in AWS's runtime for that mode
   * (one at a time, AWS reports them as plain strings).
   */
  readonly concurrent: boolean;
  readonly log: (message: string) => void;
  readonly logError: ErrorLogger;
}

type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown } | { status: 'drained' };

/**
 * Settles with `promise`, or with `drained` when the event loop empties first (nothing is left that
 * could settle it). Without `watchLoop`, simply awaits it.
 */
function settleOrDrain<T>(promise: PromiseLike<T>, watchLoop: boolean): Promise<Settled<T>> {
  return new Promise<Settled<T>>((resolve) => {
    const stop = watchLoop ? whenEventLoopEmpty(() => resolve({ status: 'drained' })) : () => {};
    promise.then(
      (value) => {
        stop();
        resolve({ status: 'fulfilled', value });
      },
      (reason: unknown) => {
        stop();
        resolve({ status: 'rejected', reason });
      },
    );
  });
}

/**
 * Calls `handler(event, responseStream, context)` as AWS's runtime does, and answers through the stream:
 *
 * - the handler must return a promise ("Streaming does not support non-async handlers." otherwise);
 * - a value it resolves with is ignored, with a warning;
 * - once it resolved, the stream must end ("Response stream is not finished." when the event loop
 *   empties first, where AWS's runtime would wait until the invocation times out);
 * - a throw, a rejection, an event that is not JSON, or a promise that can never settle
 *   (`Runtime.NodeJsExit`) ends the post with the error trailers, after the chunks already written.
 *
 * One invocation at a time, the next poll then waits for the event loop to empty unless the handler
 * set `context.callbackWaitsForEmptyEventLoop = false`, as on AWS.
 */
export async function serveStreamingInvocation(invocation: StreamingInvocation): Promise<Answered> {
  const { client, requestId, concurrent, log } = invocation;
  const stream = new ResponseStream(
    (contentType) => client.openResponseStream(requestId, contentType),
    invocation.highWaterMark,
  );
  const control = controlOf(stream);
  const problem = (message: string): unknown => (concurrent ? new Error(message) : message);
  const watchLoop = !concurrent;
  let failure: { error: unknown } | undefined;
  // Until the context exists, the handler cannot have opted out of waiting for the event loop.
  let context: Pick<Context, 'callbackWaitsForEmptyEventLoop'> = { callbackWaitsForEmptyEventLoop: true };
  try {
    // AWS's order: the context first (a header that is not JSON fails first), then the event.
    context = invocation.makeContext();
    const event = JSON.parse(invocation.rawEvent);
    const returned = invocation.handler(event, stream, context as Context);
    if (!isThenable(returned)) failure = { error: problem('Streaming does not support non-async handlers.') };
    else {
      const outcome = await settleOrDrain(returned, watchLoop);
      if (outcome.status === 'drained') failure = { error: new NodeJsExitError() };
      else if (outcome.status === 'rejected') failure = { error: outcome.reason };
      else {
        if (outcome.value !== undefined) console.warn('Streaming handlers ignore return values.');
        const ended = await settleOrDrain(control.answered, watchLoop);
        if (ended.status === 'drained') failure = { error: problem('Response stream is not finished.') };
        else if (ended.status === 'rejected')
          return await finish(refused(ended.reason, log, undefined), context, watchLoop);
      }
    }
  } catch (error) {
    failure = { error };
  }
  if (failure === undefined) return finish({ ok: true }, context, watchLoop);
  invocation.logError('Invoke Error', failure.error);
  const errorType = toErrorBody(failure.error).errorType; // the trailer's type
  let answered: Answered = { ok: false, errorType };
  try {
    await control.fail(failure.error);
  } catch (error) {
    answered = refused(error, log, errorType);
  }
  return finish(answered, context, watchLoop);
}

/** One at a time, the next poll waits for the handler's leftover work, unless it opted out. */
async function finish(
  answered: Answered,
  context: Pick<Context, 'callbackWaitsForEmptyEventLoop'>,
  watchLoop: boolean,
): Promise<Answered> {
  if (watchLoop && context.callbackWaitsForEmptyEventLoop) await eventLoopEmpty();
  return answered;
}
