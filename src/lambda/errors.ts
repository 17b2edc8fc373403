/**
 * Errors of the Lambda bridge, and the JSON error body the Runtime API receives.
 *
 * @module
 */
import { inspectThrown, isError, renderValue } from '../util/thrown.js';

/**
 * The JSON body of every error post to the Runtime API, in the shape AWS's Node.js runtime writes:
 * `errorType` is the error's `name` (`TypeError`, `Runtime.ImportModuleError`, ...), or for a thrown
 * value that is not an Error its `typeof` (`"string"`, `"object"`); `trace` is the stack split into
 * lines, its first line `Name: message`.
 */
export interface LambdaErrorBody {
  /** The error's `name`, or the `typeof` of a thrown value that is not an Error. */
  errorType: string;
  /** The error's message, or the thrown value as text. */
  errorMessage: string;
  /** The stack, one line per entry: `["Name: message", "    at ..."]`; empty for values without one. */
  trace: string[];
}

/** A Runtime API request that failed: a non-2xx answer, a network error, or an unreadable answer. */
export class RuntimeApiError extends Error {
  /** The HTTP method of the failed request. */
  readonly method: string;
  /** The request path, e.g. `/2018-06-01/runtime/restore/next`. */
  readonly path: string;
  /** The `host:port` of the Runtime API, when known. */
  readonly endpoint: string | undefined;
  /** The HTTP status of the answer, or `undefined` when no answer came (network error). */
  readonly status: number | undefined;
  /** The body of the answer, when there was one. */
  readonly body: string | undefined;

  /**
   * @param method - HTTP method.
   * @param path - request path.
   * @param detail - what went wrong: a status with its body, or the network error.
   * @param endpoint - the `host:port` of the Runtime API, named in the message (e.g. for a refused connection).
   */
  constructor(
    method: string,
    path: string,
    detail: { status: number; body: string } | { cause: unknown },
    endpoint?: string,
  ) {
    const what =
      'status' in detail
        ? `answered ${detail.status}${detail.body ? `: ${detail.body.slice(0, 200)}` : ''}`
        : `failed: ${describeCause(detail.cause)}`;
    const url = endpoint === undefined ? path : `http://${endpoint}${path}`;
    super(`Runtime API ${method} ${url} ${what}`, 'cause' in detail ? { cause: detail.cause } : undefined);
    this.name = 'RuntimeApiError';
    this.method = method;
    this.path = path;
    this.endpoint = endpoint;
    this.status = 'status' in detail ? detail.status : undefined;
    this.body = 'status' in detail ? detail.body : undefined;
  }
}

/** A network error's message; a nameless one (the AggregateError of a dual-stack connect) gives its code. */
function describeCause(cause: unknown): string {
  const parts = inspectThrown(cause);
  return parts.isError ? parts.message || String(parts.code) : parts.message;
}

/**
 * Gives `errorClass` the class name AWS's Node.js runtime gives the class of that error (`NodeJsExit`
 * for `Runtime.NodeJsExit`): a JSON log record shows an error's class name (`constructor.name`) as its
 * `errorType`, so the runtime's own errors must carry AWS's names there too.
 *
 * @returns `errorClass`, renamed.
 */
export function withAwsClassName<T extends abstract new (...args: never[]) => Error>(errorClass: T, name: string): T {
  Object.defineProperty(errorClass, 'name', { value: name, configurable: true });
  return errorClass;
}

/** One subclass per class and `Runtime.*` type, named as AWS names that error's class (see `RuntimeError`). */
const awsNamedClasses = new WeakMap<object, Map<string, object>>();

function awsNamedClass(base: abstract new (...args: never[]) => Error, errorType: string): object {
  let byType = awsNamedClasses.get(base);
  if (byType === undefined) {
    byType = new Map();
    awsNamedClasses.set(base, byType);
  }
  let named = byType.get(errorType);
  if (named === undefined) {
    const subclass = class extends (base as unknown as typeof Error) {};
    named = withAwsClassName(subclass, errorType.replace(/^Runtime\./, '').replace(/[^\w$]/g, '') || base.name);
    byType.set(errorType, named);
  }
  return named;
}

/**
 * An error the runtime itself reports, named by its `Runtime.*` type as AWS's runtime names them:
 * `name` and `errorType` are both e.g. `Runtime.ImportModuleError`, so the posted body keeps the prefix,
 * and its class is named as AWS's (`ImportModuleError`: the `errorType` of a JSON log record). No field
 * of its own is enumerable, as none of AWS's is: logged as JSON, it shows what AWS's shows.
 */
export class RuntimeError extends Error {
  /** The `Runtime.*` error type, e.g. `Runtime.InvalidConfiguration`. */
  declare readonly errorType: string;

  /**
   * @param errorType - the `Runtime.*` error type; it becomes the error's `name`.
   * @param message - what failed.
   * @param options - the underlying `cause`, if any.
   */
  constructor(errorType: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Still `instanceof` this class (and `new.target`), under AWS's class name for the type.
    Object.setPrototypeOf(this, (awsNamedClass(new.target, errorType) as { prototype: object }).prototype);
    Object.defineProperty(this, 'errorType', { value: errorType, configurable: true });
    // An own property, so the stack's first line already reads `Runtime.X: message`.
    Object.defineProperty(this, 'name', { value: errorType, configurable: true, writable: true });
    // The stack was captured under the inherited name `Error`; write its first line(s) with the real one.
    const head = errorHeadline('Error', message);
    const stack = this.stack;
    if (typeof stack === 'string' && stack.startsWith(head)) {
      this.stack = errorHeadline(errorType, message) + stack.slice(head.length);
    }
  }
}

/** The `Runtime.*` types of a handler that cannot be loaded, as AWS's Node.js runtime names them. */
export type HandlerLoadErrorType =
  | 'Runtime.ImportModuleError'
  | 'Runtime.HandlerNotFound'
  | 'Runtime.MalformedHandlerName'
  | 'Runtime.UserCodeSyntaxError';

/**
 * Thrown by `loadHandler` when `_HANDLER` cannot be served: malformed, its module missing or not
 * valid JavaScript, or no function exported under that name. Any other error the handler module
 * throws while it loads is passed through unchanged, as AWS's runtime does.
 */
export class HandlerLoadError extends RuntimeError {
  declare readonly errorType: HandlerLoadErrorType;

  /**
   * @param errorType - the `Runtime.*` type, also the error's `name`.
   * @param message - what failed, as AWS's runtime words it.
   * @param cause - the underlying error, if any.
   */
  constructor(errorType: HandlerLoadErrorType, message: string, cause?: unknown) {
    super(errorType, message, cause === undefined ? undefined : { cause });
  }
}

/**
 * Builds the Runtime API error body for any thrown value, as AWS's Node.js runtime does: an Error (or
 * an object with string `name`, `message` and `stack`) gives its `name`, `message` and stack lines;
 * any other value gives its `typeof` and its text (`String(value)`). The DEL character is written
 * `%7F`, as AWS writes it. Never throws: a class field that left `name` undefined gives the class
 * name, a throwing getter or `toString` an inspected rendering.
 *
 * @example
 * ```ts
 * toErrorBody(new TypeError('bad')); // { errorType: 'TypeError', errorMessage: 'bad', trace: ['TypeError: bad', '    at ...'] }
 * toErrorBody('plain'); // { errorType: 'string', errorMessage: 'plain', trace: [] }
 * ```
 */
export function toErrorBody(error: unknown): LambdaErrorBody {
  const parts = isError(error) ? inspectThrown(error) : errorLikeParts(error);
  if (parts !== undefined) {
    const { name, message, stack } = parts;
    const lines = stack === undefined ? [errorHeadline(name, message)] : stack.split('\n');
    return { errorType: escapeDel(name), errorMessage: escapeDel(message), trace: lines.map(escapeDel) };
  }
  return { errorType: typeof error, errorMessage: escapeDel(valueText(error)), trace: [] };
}

/** `Name: message`, as `Error.prototype.toString` writes it (the stack's first line). */
export function errorHeadline(name: string, message: string): string {
  if (message === '') return name;
  if (name === '') return message;
  return `${name}: ${message}`;
}

/**
 * A thrown value as `String(value)` writes it (an Error as `Name: message`, a plain object as
 * `[object Object]`, as AWS's runtime reports them), without ever throwing: a value whose conversion
 * throws, or that has no `toString` (a null-prototype object), is rendered by inspection instead.
 */
export function valueText(value: unknown): string {
  if (isError(value)) {
    const { name, message } = inspectThrown(value);
    return errorHeadline(name, message);
  }
  try {
    return String(value);
  } catch {
    // a null-prototype object, a throwing toString or Symbol.toPrimitive, a revoked Proxy
    return renderValue(value);
  }
}

/**
 * The `Lambda-Runtime-Function-Error-Type` header of an invocation error: `Function.` followed by the
 * error's class name reduced to letters (the emulator accepts `(Runtime|Function)\.[A-Z][a-zA-Z]+`).
 */
export function functionErrorType(error: unknown): string {
  const name = isError(error) ? inspectThrown(error).name : '';
  const letters = name.replace(/[^a-zA-Z]/g, '');
  const type = letters ? letters.charAt(0).toUpperCase() + letters.slice(1) : 'Error';
  return `Function.${type}`;
}

/** AWS's duck test for an error: `name`, `message` and `stack` all non-empty strings; their values, if so. */
function errorLikeParts(value: unknown): { name: string; message: string; stack: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    const { name, message, stack } = value as Record<string, unknown>;
    if (typeof name !== 'string' || typeof message !== 'string' || typeof stack !== 'string') return undefined;
    return name !== '' && message !== '' && stack !== '' ? { name, message, stack } : undefined;
  } catch {
    return undefined;
  }
}

function escapeDel(text: string): string {
  return text.includes('\x7F') ? text.replaceAll('\x7F', '%7F') : text;
}
