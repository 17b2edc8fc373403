/**
 * The Runtime API as it looks on the wire, from Lambda's side: paths, header names, content types and
 * the JSON bodies Lambda answers with. Written out here, apart from the runtime's own copy in `lambda/`:
 * the emulator is the runtime's test oracle, and a shared wrong header name would pass every test.
 *
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Endpoint } from '../runtime-api.js';

/** Every Runtime API path starts with this. */
export const API_PREFIX = '/2018-06-01/runtime/';

/** Header names, lower case as Node gives them. */
export const HEADER = {
  requestId: 'lambda-runtime-aws-request-id',
  deadline: 'lambda-runtime-deadline-ms',
  functionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
  tenantId: 'lambda-runtime-aws-tenant-id',
  errorType: 'lambda-runtime-function-error-type',
  errorBody: 'lambda-runtime-function-error-body',
  responseMode: 'lambda-runtime-function-response-mode',
} as const;

/** The one value `Lambda-Runtime-Function-Response-Mode` may take. */
export const STREAMING_MODE = 'streaming';

/** The content type of a streamed response with an HTTP-integration prelude. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** Length of the run of NUL bytes ending the HTTP-integration prelude. */
export const PRELUDE_DELIMITER_BYTES = 8;

/** The answer to an accepted post. */
export const ACCEPTED_BODY = JSON.stringify({ status: 'OK' });

/** Lambda's error answer body. */
export function errorAnswer(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorMessage, errorType });
}

/** What a request path names: an endpoint (with the request id of invocation posts), or why it names none. */
export type ParsedPath =
  | { endpoint: Endpoint; requestId?: string }
  | { endpoint: undefined; problem: 'unknown' | 'malformed-id' };

/**
 * Parses a request path. Never throws: a request id with a malformed percent-escape (`%E0%A4%A`) is
 * reported as `malformed-id` instead of a `URIError` escaping into the server.
 */
export function parsePath(path: string): ParsedPath {
  if (!path.startsWith(API_PREFIX)) return { endpoint: undefined, problem: 'unknown' };
  const rest = path.slice(API_PREFIX.length);
  if (rest === 'restore/next' || rest === 'invocation/next' || rest === 'init/error' || rest === 'restore/error') {
    return { endpoint: rest };
  }
  const match = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
  if (match === null) return { endpoint: undefined, problem: 'unknown' };
  let requestId: string;
  try {
    requestId = decodeURIComponent(match[1] as string);
  } catch {
    return { endpoint: undefined, problem: 'malformed-id' };
  }
  return { endpoint: match[2] === 'response' ? 'invocation/response' : 'invocation/error', requestId };
}

/** The method an endpoint takes. */
export function methodOf(endpoint: Endpoint): 'GET' | 'POST' {
  return endpoint === 'restore/next' || endpoint === 'invocation/next' ? 'GET' : 'POST';
}

/** A header's value: Node joins a repeated header into one string (only set-cookie arrives as an array). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  return headers[name] as string | undefined;
}

// Lambda's own check of error types (the RIE's GetValidRuntimeOrFunctionErrorType), anchored here so
// that a type is taken whole or not at all.
const ERROR_TYPE_PATTERN = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;

/**
 * The error type Lambda records for a posted `Lambda-Runtime-Function-Error-Type`: the value when it
 * is `(Runtime|Function).Name`, else `Function.Unknown` for a `Function.` prefix and `Runtime.Unknown`
 * otherwise, as the Runtime Interface Emulator does.
 */
export function validErrorType(value: string | undefined): string {
  if (value !== undefined && ERROR_TYPE_PATTERN.test(value)) return value;
  return value?.startsWith('Function.') ? 'Function.Unknown' : 'Runtime.Unknown';
}

/** A body as JSON when it parses, else the text. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
