/**
 * Argument checks shared by the bus and the bridges. Each throws a TypeError for a wrong type and a
 * RangeError for a value out of range, naming the argument and the value it got.
 *
 * @module
 */
import { boundText, truncate } from './util/text.js';

/** The longest a string value is shown in an error message (control characters escaped first). */
const SHOWN_LENGTH = 100;

/** Renders a bad value for an error message: bounded, on one line, and never throwing. */
export function show(value: unknown): string {
  if (typeof value === 'string') return boundText(JSON.stringify(value), SHOWN_LENGTH);
  if (typeof value === 'function') return `function ${boundText(nameOf(value) ?? '(anonymous)', SHOWN_LENGTH)}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return boundText(value.toString(), SHOWN_LENGTH);
  if (isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * The name of a function, when it is a non-empty string; `undefined` otherwise, also when reading it
 * throws (a getter, a revoked Proxy).
 */
export function nameOf(fn: unknown): string | undefined {
  try {
    const name = (fn as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** `Array.isArray`, which throws for a revoked Proxy: that is not an array here. */
function isArray(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null));

/**
 * Reads an options argument: `undefined` is no options; anything else must be an object whose own
 * enumerable keys are all among `keys` (a typo such as `timeOut` is refused, naming the known keys).
 * Each option is read once, as an own property, never through the prototype chain (a polluted
 * `Object.prototype` changes nothing); that one value is what the caller checks and uses.
 *
 * @returns a null-prototype record of the options given.
 */
export function readOptions<Key extends string>(
  name: string,
  value: unknown,
  keys: readonly Key[],
): { readonly [K in Key]?: unknown } {
  if (value === undefined) return NO_OPTIONS as { readonly [K in Key]?: unknown };
  checkOptionsObject(name, value);
  for (const key of Object.keys(value as object)) {
    if (!(keys as readonly string[]).includes(key)) {
      throw new TypeError(`${name} has an unknown key ${show(key)}; the known keys are ${keys.join(', ')}`);
    }
  }
  const options: Record<string, unknown> = Object.create(null);
  for (const key of keys) {
    if (Object.hasOwn(value as object, key)) options[key] = (value as Record<string, unknown>)[key];
  }
  return options as { readonly [K in Key]?: unknown };
}

/** Checks that `value` is a function. */
export function checkFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function, got ${show(value)}`);
}

/**
 * Checks that `value` is a string naming an event; when the bus knows its events (`known`), one of
 * them (a RangeError names them otherwise).
 */
export function checkEventName(name: string, value: unknown, known?: readonly string[]): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${show(value)}`);
  if (known !== undefined) checkOneOf(name, value, known);
}

/** Checks that `value` is an options object, or undefined. */
export function checkOptionsObject(name: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new TypeError(`${name} must be an object, got ${show(value)}`);
  }
}

/** Checks an optional finite number (a priority). */
export function checkFinite(name: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${show(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${show(value)}`);
}

/** Checks an optional duration in ms: a number > 0 (`Infinity` allowed, meaning none). */
export function checkDuration(name: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number of ms, got ${show(value)}`);
  if (!(value > 0)) throw new RangeError(`${name} must be greater than 0 ms, got ${show(value)}`);
}

/** Checks an optional concurrency: an integer >= 1 or `Infinity`. */
export function checkConcurrency(name: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${show(value)}`);
  if (!(value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1))) {
    throw new RangeError(`${name} must be an integer >= 1 or Infinity, got ${show(value)}`);
  }
}

/** Checks an optional boolean flag. */
export function checkBoolean(name: string, value: unknown): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean, got ${show(value)}`);
  }
}

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get;

/**
 * Checks an optional AbortSignal: a real one, not an object that only looks like one (one made with
 * `Object.create(AbortSignal.prototype)` passes `instanceof` but fails later, when it is used).
 */
export function checkSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  if (value === undefined) return;
  if (value !== null && typeof value === 'object') {
    try {
      abortedGetter?.call(value); // throws unless `value` is an AbortSignal made by the runtime
      return;
    } catch {
      // not a real AbortSignal
    }
  }
  throw new TypeError(`${name} must be an AbortSignal, got ${show(value)}`);
}

/** Checks an optional non-empty string. */
export function checkName(name: string, value: unknown): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${show(value)}`);
  if (value.length === 0) throw new RangeError(`${name} must not be empty, got ${show(value)}`);
}

/** Checks an optional integer within `[min, max]` (bounds inclusive). */
export function checkInteger(
  name: string,
  value: unknown,
  min: number,
  max: number,
): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${show(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
}

/** Checks an optional value that must be one of `allowed`, naming them when it is not. */
export function checkOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T | undefined {
  if (value === undefined || (allowed as readonly unknown[]).includes(value)) return;
  const list = allowed.map((entry) => `'${entry}'`).join(', ');
  if (typeof value !== 'string') throw new TypeError(`${name} must be one of ${list}, got ${show(value)}`);
  throw new RangeError(`${name} must be one of ${list}, got ${show(value)}`);
}

/**
 * Copies an optional array once: each own index read once, so a Proxy or a getter cannot change an
 * element between its check and its use. Holes read as `undefined`.
 *
 * @returns the copy, or `undefined` for `undefined`.
 */
export function readArray(name: string, value: unknown): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!isArray(value)) throw new TypeError(`${name} must be an array, got ${show(value)}`);
  const array = value as unknown[];
  const copy: unknown[] = [];
  for (let index = 0, length = array.length; index < length; index++) {
    copy.push(Object.hasOwn(array, index) ? array[index] : undefined);
  }
  return copy;
}

/**
 * Copies an optional record of strings (an environment, headers) once: own enumerable string keys
 * only, each value read once, into a null-prototype object.
 *
 * @returns the copy, or `undefined` for `undefined`.
 */
export function readRecord(name: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  checkOptionsObject(name, value);
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value as object)) copy[key] = (value as Record<string, unknown>)[key];
  return copy;
}

/** Checks an optional string that can be passed to a child process: no NUL character (the OS cannot carry one). */
export function checkProcessText(name: string, value: unknown): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${show(value)}`);
  const at = value.indexOf('\u0000');
  if (at !== -1) throw new RangeError(`${name} must not contain a NUL character, got one at index ${at}`);
}

// What an HTTP header value may hold (RFC 9110 field-value: visible characters, spaces and tabs inside,
// obs-text), minus tabs, and without surrounding blanks, which a receiver trims away.
const HEADER_VALUE = /^[\u0021-\u007e\u00a0-\u00ff](?:[\u0020-\u007e\u00a0-\u00ff]*[\u0021-\u007e\u00a0-\u00ff])?$/;

/**
 * Checks an optional value sent as an HTTP header: a non-empty string of printable Latin-1 characters
 * (no CR, LF or other control character, nothing above U+00FF) without leading or trailing spaces.
 */
export function checkHeaderValue(name: string, value: unknown): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${show(value)}`);
  if (!HEADER_VALUE.test(value)) {
    throw new RangeError(
      `${name} must be sent as an HTTP header: printable Latin-1 characters, no control characters and no surrounding spaces, got ${JSON.stringify(truncate(value, 80))}`,
    );
  }
}

// An HTTP field name (RFC 9110 token): what Node accepts in setHeader.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Checks a string used as an HTTP header name: a non-empty token (no spaces, CR, LF or other separators). */
export function checkHeaderName(name: string, value: string): void {
  if (!HEADER_NAME.test(value)) {
    throw new RangeError(
      `${name} must be an HTTP header name (letters, digits and !#$%&'*+-.^_\`|~), got ${show(value)}`,
    );
  }
}
