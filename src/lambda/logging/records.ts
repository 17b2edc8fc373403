/**
 * One log record as text: the tab-separated line or the JSON object AWS's Node.js runtime writes.
 *
 * @module
 */
import { format } from 'node:util';
import { isError, renderValue } from '../../util/thrown.js';
import type { LogLevel } from './levels.js';

/** What a record is about: when, at which level, for which invocation, and the console arguments. */
export interface LogRecord {
  /** When it was written. */
  readonly time: Date;
  /** Its level. */
  readonly level: LogLevel;
  /** The request id of the invocation it belongs to; `undefined` during init (and between concurrently served invocations). */
  readonly requestId: string | undefined;
  /** The tenant id of that invocation, when Lambda sent one. */
  readonly tenantId: string | undefined;
  /** The console call's arguments: the message first (possibly `undefined`), then its parameters. */
  readonly args: readonly unknown[];
}

/**
 * `timestamp<TAB>requestId<TAB>LEVEL<TAB>message`, the message formatted as `console.log` formats its
 * arguments. Without a request id (during init) it reads `undefined`, as in AWS's runtime.
 *
 * @example
 * ```ts
 * textRecord({ time, level: LOG_LEVELS.INFO, requestId: 'abc', tenantId: undefined, args: ['n=%d', 1] });
 * // '2024-01-01T00:00:00.000Z\tabc\tINFO\tn=1'
 * ```
 */
export function textRecord(record: LogRecord): string {
  return `${record.time.toISOString()}\t${record.requestId}\t${record.level.name}\t${formatArgs(record.args)}`;
}

/**
 * `{"timestamp","level","requestId","tenantId"?,"message",...}` as AWS's runtime writes it. A single
 * argument is kept as a JSON value (an Error becomes `{errorType, errorMessage, stackTrace, ...its own
 * fields}`); several arguments are formatted into one `message` string, and the first Error among them
 * adds `errorType`, `errorMessage` and `stackTrace` to the record. A value JSON cannot carry (circular,
 * BigInt) is formatted as text instead.
 */
export function jsonRecord(record: LogRecord): string {
  const base: Record<string, unknown> = {
    timestamp: record.time.toISOString(),
    level: record.level.name,
    requestId: record.requestId,
  };
  if (record.tenantId !== undefined && record.tenantId !== null) base.tenantId = record.tenantId;
  const { args } = record;
  if (args.length === 1) {
    try {
      return JSON.stringify({ ...base, message: args[0] }, replaceErrors);
    } catch {
      return JSON.stringify({ ...base, message: formatArgs(args) });
    }
  }
  const result: Record<string, unknown> = { ...base, message: formatArgs(args) };
  const error = args.find(isError);
  if (error !== undefined) {
    try {
      result.errorType = error.constructor?.name ?? 'UnknownError';
      result.errorMessage = error.message;
      result.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
    } catch {
      // a throwing getter: the formatted message already carries what could be read
    }
  }
  return JSON.stringify(result);
}

/** `JSON.stringify` replacer: an Error as `{ errorType, errorMessage, stackTrace, ...own fields }`. */
function replaceErrors(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return {
    errorType: value.constructor?.name ?? 'UnknownError',
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    ...value,
  };
}

/** `util.format` of the arguments; never throws (a hostile value is rendered on its own instead). */
export function formatArgs(args: readonly unknown[]): string {
  try {
    return format(...args);
  } catch {
    return args.map((arg) => (typeof arg === 'string' ? arg : renderValue(arg))).join(' ');
  }
}
