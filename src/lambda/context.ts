/**
 * The `context` object a handler receives with each event.
 *
 * @module
 */
import type { ClientContext, CognitoIdentity, Context } from 'aws-lambda';
import type { NextInvocation } from './client.js';

/**
 * Builds the Lambda `context` of one invocation from its Runtime API headers and the function's
 * environment (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_VERSION`,
 * `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, `AWS_LAMBDA_LOG_GROUP_NAME`, `AWS_LAMBDA_LOG_STREAM_NAME`).
 *
 * `settle` receives the deprecated `done`/`succeed`/`fail` calls, so old-style handlers still work.
 * `getRemainingTimeInMillis()` counts down to `Lambda-Runtime-Deadline-Ms` (never below 0), or
 * returns `Infinity` when the Runtime API gave no deadline.
 *
 * @example
 * ```ts
 * const context = createContext(invocation, process.env, () => {});
 * context.getRemainingTimeInMillis(); // e.g. 2997
 * ```
 */
export function createContext(
  invocation: NextInvocation,
  env: NodeJS.ProcessEnv,
  settle: (error: unknown, result?: unknown) => void,
): Context {
  const { deadlineMs } = invocation;
  const context: Context = {
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
    getRemainingTimeInMillis: () =>
      deadlineMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadlineMs - Date.now()),
    done: (error?: Error, result?: unknown) => settle(error ?? null, result),
    fail: (error: Error | string) => settle(error),
    succeed: (result: unknown) => settle(null, result),
  };
  return context;
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
