/**
 * The `context` object a handler receives with each event.
 *
 * @module
 */
import type { ClientContext, CognitoIdentity, Context } from 'aws-lambda';
import type { NextInvocation } from './client.js';

/**
 * Receives what a handler reports through `context.done/succeed/fail`: an `error` that is neither
 * `null` nor `undefined` fails the invocation, anything else succeeds with `result`.
 */
export type ContextCompletion = (error: unknown, result?: unknown) => void;

/** What `context.fail()` reports when called without an error, as AWS's Node.js runtime does. */
export const FAIL_WITHOUT_ERROR = 'handled';

/**
 * Builds the Lambda `context` of one invocation from its Runtime API headers and the function's
 * environment (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_VERSION`,
 * `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, `AWS_LAMBDA_LOG_GROUP_NAME`, `AWS_LAMBDA_LOG_STREAM_NAME`).
 *
 * `complete` receives the deprecated `done`/`succeed`/`fail` calls, so old-style handlers still work:
 * `succeed(result)` is `complete(null, result)`, `done(error, result)` passes both on, and `fail(error)`
 * without an error reports the string `'handled'` (an error, as on AWS). Without `complete` (the
 * context of a streaming handler) the three methods are absent, as on AWS.
 *
 * `tenantId` is `Lambda-Runtime-Aws-Tenant-Id` (`undefined` without tenant isolation).
 * `callbackWaitsForEmptyEventLoop` starts `true`; the runtime reads it when the callback is called.
 * `getRemainingTimeInMillis()` counts down to `Lambda-Runtime-Deadline-Ms` (never below 0), or
 * returns `Infinity` when the Runtime API gave no deadline.
 *
 * @example
 * ```ts
 * import { createContext } from 'snapstart-hooks/lambda';
 *
 * const invocation = { requestId: 'r-1', deadlineMs: Date.now() + 3_000, invokedFunctionArn: '', traceId: undefined,
 *   clientContext: undefined, cognitoIdentity: undefined, tenantId: 'blue', rawEvent: '{}' };
 * const context = createContext(invocation, process.env, () => {});
 * console.log(context.tenantId, context.getRemainingTimeInMillis() <= 3_000); // blue true
 * ```
 */
export function createContext(
  invocation: NextInvocation,
  env: NodeJS.ProcessEnv,
  complete?: ContextCompletion,
): Context {
  const { deadlineMs } = invocation;
  const fields: Omit<Context, 'done' | 'fail' | 'succeed'> = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? '',
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: invocation.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: invocation.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    identity: parseJson<CognitoIdentity>(invocation.cognitoIdentity),
    clientContext: parseJson<ClientContext>(invocation.clientContext),
    tenantId: invocation.tenantId,
    getRemainingTimeInMillis: () =>
      deadlineMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadlineMs - Date.now()),
  };
  // A streaming handler's context has no completion methods on AWS either.
  if (complete === undefined) return fields as Context;
  return Object.assign(fields, {
    done: (error?: unknown, result?: unknown) => complete(error, result),
    fail: (error?: unknown) => complete(error === undefined || error === null ? FAIL_WITHOUT_ERROR : error),
    succeed: (result: unknown) => complete(null, result),
  });
}

/** Parses an optional JSON header; a malformed one is treated as absent rather than failing the invocation. */
function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
