/**
 * The `context` object a handler receives with each event.
 *
 * @module
 */
import type { ClientContext, CognitoIdentity, Context } from 'aws-lambda';
import type { NextInvocation } from './client.js';
import { valueText } from './errors.js';

/**
 * Receives what a handler reports through `context.done/succeed/fail`: an `error` that is neither
 * `null` nor `undefined` fails the invocation, anything else succeeds with `result`.
 */
export type ContextCompletion = (error: unknown, result?: unknown) => void;

/** What `context.fail()` reports when called without an error, as AWS's Node.js runtime does. */
export const FAIL_WITHOUT_ERROR = 'handled';

/**
 * Builds the Lambda `context` of one invocation from its Runtime API headers and the function's
 * environment, with the fields, values and key order of AWS's Node.js runtime (3.x, one invocation at a
 * time): `callbackWaitsForEmptyEventLoop`, `succeed`, `fail`, `done`, then `functionVersion`,
 * `functionName`, `memoryLimitInMB`, `logGroupName`, `logStreamName` (from `AWS_LAMBDA_FUNCTION_VERSION`,
 * `AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, `AWS_LAMBDA_LOG_GROUP_NAME`,
 * `AWS_LAMBDA_LOG_STREAM_NAME`, `undefined` when unset, as on AWS), then `clientContext`, `identity`,
 * `invokedFunctionArn`, `awsRequestId`, `tenantId`, `getRemainingTimeInMillis`.
 *
 * `complete` receives the deprecated `done`/`succeed`/`fail` calls, so old-style handlers still work:
 * `succeed(result)` is `complete(null, result)`, `done(error, result)` passes both on, and `fail(error)`
 * without an error reports the string `'handled'` (an error, as on AWS). Without `complete` (the
 * context of a streaming handler) the three methods are absent, as on AWS.
 *
 * `clientContext` and `identity` are the parsed `Lambda-Runtime-Client-Context` and
 * `Lambda-Runtime-Cognito-Identity` headers (`undefined` when absent or empty). `tenantId` is
 * `Lambda-Runtime-Aws-Tenant-Id` (`undefined` without tenant isolation).
 * `callbackWaitsForEmptyEventLoop` starts `true`; the runtime reads it when the callback is called.
 * `getRemainingTimeInMillis()` counts down to `Lambda-Runtime-Deadline-Ms` (never below 0), or
 * returns `Infinity` when the Runtime API gave no deadline.
 *
 * @throws Error `Cannot parse ClientContext as json: <the SyntaxError>` (or `CognitoIdentity`) for a
 *   header that is not JSON: the invocation fails with it, as on AWS.
 *
 * @example
 * ```ts no-run
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
  const head = { callbackWaitsForEmptyEventLoop: true };
  // A streaming handler's context has no completion methods on AWS either.
  const methods =
    complete === undefined
      ? {}
      : {
          succeed: (result: unknown) => complete(null, result),
          fail: (error?: unknown) => complete(error === undefined || error === null ? FAIL_WITHOUT_ERROR : error),
          done: (error?: unknown, result?: unknown) => complete(error, result),
        };
  return Object.assign(head, methods, environmentFields(env), headerFields(invocation)) as unknown as Context;
}

/**
 * The `context` of an invocation served concurrently (`AWS_LAMBDA_MAX_CONCURRENCY` > 1), as AWS's
 * runtime for Lambda Managed Instances (the 4.x client) builds it: the header fields, with
 * `xRayTraceId` (`Lambda-Runtime-Trace-Id`: `_X_AMZN_TRACE_ID` is not set in that mode), then the
 * environment fields; no `callbackWaitsForEmptyEventLoop` and no `done/succeed/fail` (no callbacks there).
 *
 * @throws Error for a client context or identity header that is not JSON, as {@link createContext}.
 */
export function createConcurrentContext(invocation: NextInvocation, env: NodeJS.ProcessEnv): Context {
  const { getRemainingTimeInMillis, ...headers } = headerFields(invocation);
  const withTrace = { ...headers, xRayTraceId: invocation.traceId, getRemainingTimeInMillis };
  return Object.assign(withTrace, environmentFields(env, 'concurrent')) as unknown as Context;
}

/** The context fields read from the function's environment, in AWS's order for each kind of context. */
function environmentFields(env: NodeJS.ProcessEnv, kind: 'classic' | 'concurrent' = 'classic') {
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME;
  const functionVersion = env.AWS_LAMBDA_FUNCTION_VERSION;
  const rest = {
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
  return kind === 'classic' ? { functionVersion, functionName, ...rest } : { functionName, functionVersion, ...rest };
}

/** The context fields read from the invocation's headers. */
function headerFields(invocation: NextInvocation) {
  const { deadlineMs } = invocation;
  return {
    clientContext: parseJson<ClientContext>(invocation.clientContext, 'ClientContext'),
    identity: parseJson<CognitoIdentity>(invocation.cognitoIdentity, 'CognitoIdentity'),
    invokedFunctionArn: invocation.invokedFunctionArn,
    awsRequestId: invocation.requestId,
    tenantId: invocation.tenantId,
    getRemainingTimeInMillis: () =>
      deadlineMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadlineMs - Date.now()),
  };
}

/** Parses an optional JSON header (absent or empty: `undefined`); one that is not JSON fails the invocation, as on AWS. */
function parseJson<T>(text: string | undefined, name: string): T | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`Cannot parse ${name} as json: ${valueText(error)}`);
  }
}
