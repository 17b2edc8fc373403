/**
 * Values as the check compares them: turned into JSON-safe data in the checked process
 * ({@link toPlain}), then flattened into leaves by path in the checking one ({@link flatten}):
 * `$.body.id`, `$.headers["x-id"]`, `config.items[0]`. A string that holds JSON (a Lambda `body`) is
 * parsed and flattened too.
 *
 * @module
 */

/** A value that has no JSON form, written as a tagged object. */
export type Tagged =
  | { $snapstart: 'bigint'; value: string }
  | { $snapstart: 'bytes'; hex: string; length: number }
  | { $snapstart: 'undefined' }
  | { $snapstart: 'number'; value: string };

/** JSON-safe data. */
export type Plain = null | boolean | number | string | Tagged | Plain[] | { [key: string]: Plain };

/** One compared value: a primitive or a tagged value. */
export type Leaf = null | boolean | number | string | Tagged;

const MAX_DEPTH = 12;
const MAX_ENTRIES = 1_000;
const MAX_STRING = 100_000;
const MAX_BYTES = 4_096;

/** `undefined` as plain data. */
export const UNDEFINED: Tagged = { $snapstart: 'undefined' };

/**
 * Turns any value into JSON-safe data: bigints, bytes, `undefined` and non-finite numbers become
 * tagged objects, dates ISO strings, maps objects, sets arrays; functions, symbols, cycles and
 * getters that throw are left out. Bounded in depth, entries and string length.
 */
export function toPlain(value: unknown, depth = 0, seen = new Set<object>()): Plain {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING ? value.slice(0, MAX_STRING) : value;
    case 'number':
      return Number.isFinite(value) ? value : { $snapstart: 'number', value: String(value) };
    case 'bigint':
      return { $snapstart: 'bigint', value: value.toString() };
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      try {
        return objectToPlain(value, depth, seen);
      } catch {
        return UNDEFINED; // a revoked Proxy, a throwing trap: left out, as a throwing getter is
      }
    default:
      return UNDEFINED;
  }
}

function objectToPlain(value: object, depth: number, seen: Set<object>): Plain {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    const bytes = ArrayBuffer.isView(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      : new Uint8Array(value);
    const hex = Buffer.from(bytes.subarray(0, MAX_BYTES)).toString('hex');
    return { $snapstart: 'bytes', hex, length: bytes.byteLength };
  }
  if (value instanceof RegExp || value instanceof URL) return String(value);
  if (depth >= MAX_DEPTH || seen.has(value)) return UNDEFINED;
  seen.add(value);
  try {
    if (value instanceof Error) return { name: value.name, message: String(value.message) };
    if (Array.isArray(value) || value instanceof Set) {
      return [...value].slice(0, MAX_ENTRIES).map((item) => toPlain(item, depth + 1, seen));
    }
    const entries: [string, unknown][] =
      value instanceof Map ? [...value].map(([key, item]) => [String(key), item]) : readEntries(value);
    const plain: Record<string, Plain> = {};
    for (const [key, item] of entries.slice(0, MAX_ENTRIES)) {
      if (typeof item === 'function' || typeof item === 'symbol') continue;
      plain[key] = toPlain(item, depth + 1, seen);
    }
    return plain;
  } finally {
    seen.delete(value);
  }
}

/** Own enumerable string-keyed entries; a getter that throws is skipped. */
function readEntries(value: object): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const key of Object.keys(value)) {
    try {
      entries.push([key, (value as Record<string, unknown>)[key]]);
    } catch {
      // a throwing getter has no value to compare
    }
  }
  return entries;
}

/** Whether `value` is one of the tagged forms. */
export function isTagged(value: unknown): value is Tagged {
  return (
    typeof value === 'object' && value !== null && typeof (value as { $snapstart?: unknown }).$snapstart === 'string'
  );
}

/** Appends a key to a path: `.id`, `["x-id"]`, or `[0]` for an array index. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Every leaf of `value` by path, under `root` (`$` for a probe's result, the name for a `--value`). */
export function flatten(value: Plain, root: string, into = new Map<string, Leaf>()): Map<string, Leaf> {
  if (typeof value === 'string') {
    const parsed = parseJsonContainer(value);
    if (parsed === undefined) into.set(root, value);
    else flatten(parsed, root, into);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      flatten(item, childPath(root, index), into);
    });
  } else if (value !== null && typeof value === 'object' && !isTagged(value)) {
    for (const [key, item] of Object.entries(value)) flatten(item, childPath(root, key), into);
  } else {
    into.set(root, value);
  }
  return into;
}

/** The object or array a string holds as JSON, or `undefined`. */
function parseJsonContainer(text: string): Plain | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    // Text starting with `{` or `[` that parses is an object or an array.
    return JSON.parse(text) as Plain;
  } catch {
    return undefined;
  }
}

/** A `--value` path: a top-level binding of the module and the keys below it. */
export interface ValuePath {
  /** As the user wrote it, e.g. `config.requestId`. */
  readonly text: string;
  /** The module-scope binding, e.g. `config`. */
  readonly root: string;
  readonly keys: readonly (string | number)[];
}

const RESERVED = new Set(
  'await break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof let new null return static super switch this throw true try typeof var void while with yield arguments eval'.split(
    ' ',
  ),
);

/**
 * Parses `name`, `name.key`, `name[0]`, `name["x-id"]`.
 *
 * @throws RangeError naming the path and what is wrong with it.
 */
export function parseValuePath(text: string): ValuePath {
  const head = /^[A-Za-z_$][\w$]*/.exec(text);
  if (head === null) throw new RangeError(`${JSON.stringify(text)} does not start with a variable name`);
  const root = head[0];
  if (RESERVED.has(root)) throw new RangeError(`${JSON.stringify(text)} starts with the reserved word ${root}`);
  const keys: (string | number)[] = [];
  const segment = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  segment.lastIndex = root.length;
  while (segment.lastIndex < text.length) {
    const at = segment.lastIndex;
    const match = segment.exec(text);
    if (match === null)
      throw new RangeError(`${JSON.stringify(text)} has an unexpected ${JSON.stringify(text.slice(at))}`);
    keys.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : (JSON.parse(match[3] as string) as string)));
  }
  return { text, root, keys };
}
