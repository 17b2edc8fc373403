/**
 * The one safe reading of a thrown value. Anything can be thrown: an Error whose `name` a class field
 * left `undefined`, a `message` getter that throws, a null-prototype or circular object, a revoked
 * Proxy. Every place that turns a thrown value into text or JSON goes through here, and nothing here
 * can throw.
 *
 * @module
 */
import { loadBuiltin } from './builtin.js';
import { boundText } from './text.js';

type Inspect = typeof import('node:util').inspect;
/** `util.inspect`, loaded on first use (see builtin.ts): most processes never render a value with it. */
let inspect: Inspect | undefined;

/** What can be read of a thrown value, each part already a string (or `undefined`). */
export interface ThrownParts {
  /** `true` for an `Error` (by prototype chain); `false` for any other value. */
  readonly isError: boolean;
  /**
   * The class name: the `name` property when it is a non-empty string, else the constructor's name,
   * else `'Error'`. For a value that is not an Error, its `typeof` (`'string'`, `'object'`, ...).
   */
  readonly name: string;
  /** The message: an Error's `message` as text (`''` when missing); any other value rendered as text. */
  readonly message: string;
  /** The stack, when it is a string. */
  readonly stack: string | undefined;
  /** The `code` property (e.g. `'ECONNREFUSED'`), when it is a string or a number. */
  readonly code: string | number | undefined;
}

/**
 * Reads a thrown value without ever throwing: every property access and conversion is guarded.
 *
 * @example
 * ```ts
 * class HttpError extends Error { name!: string } // a class field leaves `name` undefined
 * inspectThrown(new HttpError('nope')); // { isError: true, name: 'HttpError', message: 'nope', ... }
 * ```
 */
export function inspectThrown(value: unknown): ThrownParts {
  if (!isError(value)) {
    return { isError: false, name: typeOf(value), message: renderValue(value), stack: undefined, code: undefined };
  }
  const name = read(value, 'name');
  const message = read(value, 'message');
  const stack = read(value, 'stack');
  const code = read(value, 'code');
  return {
    isError: true,
    name: typeof name === 'string' && name !== '' ? name : constructorName(value),
    message: typeof message === 'string' ? message : message === undefined ? '' : renderValue(message),
    stack: typeof stack === 'string' ? stack : undefined,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
  };
}

/**
 * A one-line reason for a thrown value, as error messages show it: an Error's message (else its code,
 * else its name); any other value as `non-Error value <text>`. Control characters are escaped and the
 * text is cut at `maxLength` characters (never inside a surrogate pair), so a hostile value cannot
 * break a log line or a terminal.
 *
 * @example
 * ```ts
 * describeThrown(new Error('ECONNREFUSED 127.0.0.1:5432')); // 'ECONNREFUSED 127.0.0.1:5432'
 * describeThrown({ status: 500 }); // 'non-Error value {"status":500}'
 * ```
 */
export function describeThrown(value: unknown, maxLength = 200): string {
  const parts = inspectThrown(value);
  const text = parts.isError
    ? parts.message.split('\n', 1)[0] || (parts.code === undefined ? '' : String(parts.code)) || parts.name
    : `non-Error value ${parts.message}`;
  return boundText(text, maxLength);
}

/**
 * Any value as text, never throwing: a string as itself, JSON where it can be written, else Node's
 * `util.inspect` (circular and null-prototype objects, BigInt, functions, symbols), else a placeholder.
 */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try {
      const json = JSON.stringify(value);
      if (typeof json === 'string') return json;
    } catch {
      // circular, a BigInt inside, a throwing toJSON or getter: inspect instead
    }
  }
  try {
    inspect ??= loadBuiltin<typeof import('node:util')>('node:util').inspect;
    return inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY, customInspect: false });
  } catch {
    return '[a value that cannot be rendered]';
  }
}

/** `value instanceof Error`, without throwing (a revoked Proxy throws on the prototype walk). */
export function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** Reads `object[key]`; a throwing getter or Proxy trap reads as `undefined`. */
function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function constructorName(value: object): string {
  const ctor = read(value, 'constructor');
  const name = typeof ctor === 'function' ? read(ctor, 'name') : undefined;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

function typeOf(value: unknown): string {
  return value === null ? 'object' : typeof value;
}
