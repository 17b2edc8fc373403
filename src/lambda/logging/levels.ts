/**
 * Log levels and formats of AWS's Node.js runtime (`AWS_LAMBDA_LOG_LEVEL`, `AWS_LAMBDA_LOG_FORMAT`).
 *
 * @module
 */

/** One log level: its name, its rank for filtering, and its bits in a telemetry frame's type. */
export interface LogLevel {
  /** `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR` or `FATAL`, as written in each record. */
  readonly name: LogLevelName;
  /** Higher is more severe; a record is written when its rank is at least the configured level's. */
  readonly rank: number;
  /** The level's bits in the type word of a telemetry frame (`0xa55a0003 | mask`). */
  readonly frameMask: number;
}

/** The names of the log levels. */
export type LogLevelName = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** The levels, least severe first, with the frame bits Lambda's telemetry reader expects. */
export const LOG_LEVELS: Readonly<Record<LogLevelName, LogLevel>> = Object.freeze({
  TRACE: { name: 'TRACE', rank: 1, frameMask: 0b00100 },
  DEBUG: { name: 'DEBUG', rank: 2, frameMask: 0b01000 },
  INFO: { name: 'INFO', rank: 3, frameMask: 0b01100 },
  WARN: { name: 'WARN', rank: 4, frameMask: 0b10000 },
  ERROR: { name: 'ERROR', rank: 5, frameMask: 0b10100 },
  FATAL: { name: 'FATAL', rank: 6, frameMask: 0b11000 },
});

/** The record formats: tab-separated text lines, or one JSON object per record. */
export type LogFormat = 'TEXT' | 'JSON';

/**
 * The minimum level from `AWS_LAMBDA_LOG_LEVEL` (any case). Unset or unknown means `TRACE`: every
 * record is written, as AWS's runtime does.
 */
export function logLevelFrom(value: string | undefined): LogLevel {
  const name = value?.toUpperCase();
  return name !== undefined && Object.hasOwn(LOG_LEVELS, name) ? LOG_LEVELS[name as LogLevelName] : LOG_LEVELS.TRACE;
}

/** The format from `AWS_LAMBDA_LOG_FORMAT` (any case): `JSON`, else `TEXT`, as AWS's runtime reads it. */
export function logFormatFrom(value: string | undefined): LogFormat {
  return value?.toUpperCase() === 'JSON' ? 'JSON' : 'TEXT';
}
