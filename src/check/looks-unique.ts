/**
 * Whether a value looks like it should differ from one environment to the next: a UUID, a token, a
 * hex or base64 id, a timestamp near the check's own init, a random-looking number. Constants a
 * program legitimately keeps — `'ok'`, `200`, small integers, round numbers, simple fractions, ARNs,
 * URLs, words and identifiers, dates far from now — are not.
 *
 * @module
 */
import type { Leaf } from './values.js';

/** How far from the init a timestamp may be and still count as "made at init": two days. */
const NEAR_MS = 2 * 24 * 60 * 60 * 1000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const NIL_OR_MAX_UUID = /^(?:0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;
const JWT = /^[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}$/;
const ULID = /(?:^|[^0-9A-Z])([0-9A-HJKMNP-TV-Z]{26})(?:$|[^0-9A-Z])/;
const ISO_TIME = /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g;
const HEX_RUN = /(?:0x)?([0-9a-f]{16,}|[0-9A-F]{16,})/g;
const TOKEN_RUN = /[A-Za-z0-9+/_-]{10,}={0,2}/g;
const WELL_KNOWN = [Math.PI, Math.E, Math.LN2, Math.LN10, Math.LOG2E, Math.LOG10E, Math.SQRT2, Math.SQRT1_2];

/**
 * What kind of per-environment value `leaf` looks like, or `undefined` when it looks like a constant.
 *
 * @param initTime - when the checked module was initialised, in ms since the epoch: timestamps count
 *   only near it, so a fixed date in a config is not taken for one.
 */
export function uniqueKind(leaf: Leaf, initTime: number): string | undefined {
  if (typeof leaf === 'string') return stringKind(leaf, initTime);
  if (typeof leaf === 'number') return numberKind(leaf, initTime);
  if (leaf === null || typeof leaf !== 'object') return undefined;
  if (leaf.$snapstart === 'bigint') return digitsKind(String(leaf.value).replace(/^-/, ''), initTime);
  if (leaf.$snapstart === 'bytes') return bytesKind(String(leaf.hex));
  return undefined;
}

function stringKind(text: string, initTime: number): string | undefined {
  if (text.length < 8 || text.length > 65_536) return undefined;
  const uuid = UUID.exec(text);
  if (uuid !== null && !NIL_OR_MAX_UUID.test(uuid[0])) return 'UUID';
  if (JWT.test(text)) return 'JWT';
  const ulid = ULID.exec(text)?.[1];
  if (ulid !== undefined && count(ulid, /\d/g) >= 4 && count(ulid, /[A-Z]/g) >= 4) return 'ULID';
  if (/^\d+(?:\.\d+)?$/.test(text)) return numberKind(Number(text), initTime) ?? digitsKind(text, initTime);
  if (isTimestampText(text, initTime)) return 'timestamp';
  for (const match of text.matchAll(HEX_RUN)) {
    const hex = match[1] as string;
    if (/\d/.test(hex) && /[a-f]/i.test(hex) && new Set(hex.toLowerCase()).size >= 6) return 'hex id';
  }
  for (const match of text.matchAll(TOKEN_RUN)) if (isRandomToken(match[0])) return 'random token';
  return undefined;
}

/** An ISO date-time (or a `Date#toString`/`toUTCString` text) within two days of init. */
function isTimestampText(text: string, initTime: number): boolean {
  for (const match of text.matchAll(ISO_TIME)) {
    const time = Date.parse(match[0]);
    if (Number.isFinite(time) && Math.abs(time - initTime) <= NEAR_MS) return true;
  }
  if (!/\b(?:19|20)\d{2}\b/.test(text) || !/\b\d{1,2}:\d{2}\b/.test(text)) return false;
  const time = Date.parse(text);
  return Number.isFinite(time) && Math.abs(time - initTime) <= NEAR_MS;
}

/**
 * A run of base64/base62 characters that looks random: long enough, letters and digits mixed, high
 * entropy, and not made of words (`ApplicationLoadBalancer01`, `DB_Connection_to_localhost`).
 */
function isRandomToken(run: string): boolean {
  const body = run.replace(/=+$/, '');
  const digits = count(body, /\d/g);
  const letters = count(body, /[A-Za-z]/g);
  if (digits === 0 || letters === 0) return false;
  if (body.split(/[/_\-.+]+/).every(isWordLike)) return false;
  if (body.length >= 16) return entropy(body) >= 3.3;
  const alternations = count(body, /[A-Za-z](?=\d)|\d(?=[A-Za-z])/g);
  return alternations >= 3 && digits >= 2 && letters >= 2 && entropy(body) >= 2.9;
}

/**
 * Whether a part of a run reads as words and numbers (`Connection`, `v1`, `ApplicationLoadBalancer01`)
 * rather than noise: its camel-case words and digit groups are long on average.
 */
function isWordLike(part: string): boolean {
  if (part.length <= 3) return true;
  // A part of a token run is letters and digits only, so it has at least one segment.
  const segments = part.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g) as RegExpMatchArray;
  return part.length / segments.length >= 3;
}

function numberKind(value: number, initTime: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const magnitude = Math.abs(value);
  if (Math.abs(value - initTime) <= NEAR_MS) return 'timestamp (ms since the epoch)';
  if (Math.abs(value * 1000 - initTime) <= NEAR_MS) return 'timestamp (s since the epoch)';
  if (Number.isInteger(value))
    return magnitude <= Number.MAX_SAFE_INTEGER ? digitsKind(String(magnitude), initTime) : undefined;
  return isRandomFraction(value) ? 'random-looking number' : undefined;
}

/** A long integer (as a string of digits) whose digits look random: not round, not a power of two, not a pattern. */
function digitsKind(digits: string, initTime: number): string | undefined {
  if (digits.length >= 12 && digits.length <= 16) {
    const asNumber = Number(digits);
    if (Math.abs(asNumber - initTime) <= NEAR_MS) return 'timestamp (ms since the epoch)';
  }
  if (digits.length < 7 || /000$/.test(digits) || new Set(digits).size < 4) return undefined;
  if ('0123456789'.includes(digits) || '9876543210'.includes(digits)) return undefined;
  const value = BigInt(digits);
  for (let bits = 20n; bits <= 128n; bits++) {
    const power = 1n << bits;
    if (value >= power - 1n && value <= power + 1n) return undefined;
  }
  return 'random-looking integer';
}

/** A fraction with many significant digits that is neither a simple ratio nor a well-known constant. */
function isRandomFraction(value: number): boolean {
  const mantissa = value.toExponential().split('e')[0] as string;
  const significant = mantissa.replace(/[-.]/g, '').replace(/0+$/, '');
  if (significant.length < 6) return false;
  const tolerance = 1e-9 * Math.max(1, Math.abs(value));
  if (WELL_KNOWN.some((constant) => Math.abs(Math.abs(value) - constant) <= tolerance)) return false;
  for (let denominator = 1; denominator <= 1000; denominator++) {
    if (Math.abs(value - Math.round(value * denominator) / denominator) <= tolerance) return false;
  }
  return true;
}

function bytesKind(hex: string): string | undefined {
  if (hex.length < 16) return undefined;
  return new Set(hex.match(/../g)).size >= 4 ? 'random bytes' : undefined;
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const frequencies = new Map<string, number>();
  for (const char of text) frequencies.set(char, (frequencies.get(char) ?? 0) + 1);
  let bits = 0;
  for (const frequency of frequencies.values()) {
    const p = frequency / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
