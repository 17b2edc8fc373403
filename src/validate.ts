/**
 * Argument checks shared by the bus and the bridges. Each throws a TypeError for a wrong type and a
 * RangeError for a value out of range, naming the argument and the value it got.
 *
 * @module
 */
import { truncate } from './util/text.js';

/** Renders a bad value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** Checks that `value` is a function. */
export function checkFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function, got ${show(value)}`);
}

/** Checks that `value` is a string naming an event. */
export function checkEventName(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${show(value)}`);
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

/** Checks an optional AbortSignal. */
export function checkSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new TypeError(`${name} must be an AbortSignal, got ${show(value)}`);
  }
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

/** Checks that `value` has no own keys but `known` (a typo'd option is refused instead of ignored). */
export function checkKnownKeys(name: string, value: object | undefined, known: readonly string[]): void {
  if (value === undefined) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`${name}.${key} is not an option; the options are ${known.join(', ')}`);
    }
  }
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
