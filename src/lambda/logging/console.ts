/**
 * The `console` of a Lambda function, as AWS's Node.js runtime patches it: every call is one record
 * with a timestamp, the request id and a level, in text or JSON, filtered by `AWS_LAMBDA_LOG_LEVEL`.
 *
 * @module
 */

import { inspectThrown, isError } from '../../util/thrown.js';
import { toErrorBody, valueText } from '../errors.js';
import { loggedInvocation } from '../invocation-scope.js';
import { LOG_LEVELS, type LogFormat, type LogLevel, type LogLevelName, logFormatFrom, logLevelFrom } from './levels.js';
import { jsonRecord, type LogRecord, textRecord } from './records.js';
import { type LogSink, stdoutSink, telemetrySink } from './sinks.js';

/** The environment variable Lambda uses to hand the runtime its telemetry log descriptor. */
export const TELEMETRY_FD_ENV = '_LAMBDA_TELEMETRY_LOG_FD';

/** Options of {@link patchConsole}. */
export interface PatchConsoleOptions {
  /**
   * Where `AWS_LAMBDA_LOG_FORMAT`, `AWS_LAMBDA_LOG_LEVEL` and `_LAMBDA_TELEMETRY_LOG_FD` are read
   * (the last is removed from it, as AWS's runtime removes it). Default: `process.env`.
   */
  env?: NodeJS.ProcessEnv;
  /** The console to patch. Default: the global `console`. */
  console?: Console;
  /** Where records go. Default: the telemetry descriptor when one is set, else stdout. */
  sink?: LogSink;
  /** The clock. Default: `() => new Date()`. */
  now?: () => Date;
}

/** A patched console: its settings, the runtime's error logger, and the way back. */
export interface LambdaConsole {
  /** The record format in use. */
  readonly format: LogFormat;
  /** The minimum level written (`FATAL` records are always written). */
  readonly level: LogLevelName;
  /** The telemetry descriptor records are framed onto, or `undefined` for stdout. */
  readonly telemetryFd: number | undefined;
  /**
   * Logs a failure the way AWS's runtime does (`Invoke Error`, `Uncaught Exception`, ...): in text,
   * `label` then a tab and the error as JSON; in JSON, the error as the record's message. Never throws.
   */
  logError(label: string, error: unknown): void;
  /**
   * Writes one record at `level` whose message is `message`, exactly as a console call with that one
   * argument would (the level filter and the telemetry descriptor apply; in JSON an object stays a JSON
   * value). For the runtime's own structured records; it bypasses whatever replaced `console`'s methods.
   */
  record(level: LogLevelName, message: unknown): void;
  /** Puts the original console methods back (`console.fatal` is removed again). */
  restore(): void;
}

type ConsoleMethod = 'trace' | 'debug' | 'info' | 'log' | 'warn' | 'error' | 'fatal';

const METHOD_LEVELS: Readonly<Record<ConsoleMethod, LogLevelName>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  log: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
};

/**
 * Replaces `console.trace/debug/info/log/warn/error` and adds `console.fatal`, as AWS's Node.js
 * runtime does before it loads the handler:
 *
 * - text (default): `timestamp<TAB>requestId<TAB>LEVEL<TAB>message`, one line per call;
 * - `AWS_LAMBDA_LOG_FORMAT=JSON`: one JSON object per call, `{timestamp, level, requestId, message}`;
 * - `AWS_LAMBDA_LOG_LEVEL` (`TRACE` … `FATAL`): calls below it do nothing (`console.fatal` always writes);
 * - `_LAMBDA_TELEMETRY_LOG_FD`: records are framed onto that descriptor instead of stdout.
 *
 * `console.log` is `console.info`; `console.trace` writes a `TRACE` record without a stack. The
 * request id is the invocation the calling code runs for, else the last one served one at a time
 * (`undefined` during init), as in AWS's runtime.
 *
 * @example
 * ```ts
 * const lambdaConsole = patchConsole();
 * console.log('ready'); // 2024-01-01T00:00:00.000Z	undefined	INFO	ready
 * lambdaConsole.restore();
 * ```
 */
export function patchConsole(options: PatchConsoleOptions = {}): LambdaConsole {
  const env = options.env ?? process.env;
  const target = (options.console ?? console) as unknown as Record<string, unknown>;
  const now = options.now ?? (() => new Date());
  const format = logFormatFrom(env.AWS_LAMBDA_LOG_FORMAT);
  const minimum = logLevelFrom(env.AWS_LAMBDA_LOG_LEVEL);
  const telemetryFd = takeTelemetryFd(env);
  const sink = options.sink ?? (telemetryFd === undefined ? stdoutSink() : telemetrySink(telemetryFd, format));
  const render = format === 'JSON' ? jsonRecord : textRecord;

  const write = (level: LogLevel, args: unknown[]): void => {
    const invocation = loggedInvocation();
    const time = now();
    const record: LogRecord = { time, level, requestId: invocation?.requestId, tenantId: invocation?.tenantId, args };
    sink(level, render(record), time);
  };

  const originals = new Map<ConsoleMethod, unknown>();
  const hadFatal = Object.hasOwn(target, 'fatal');
  for (const method of Object.keys(METHOD_LEVELS) as ConsoleMethod[]) {
    originals.set(method, target[method]);
    const level = LOG_LEVELS[METHOD_LEVELS[method]];
    target[method] =
      method === 'log'
        ? target.info // the same function, as in AWS's runtime
        : level.rank >= minimum.rank || method === 'fatal'
          ? (message?: unknown, ...params: unknown[]) => write(level, [message, ...params])
          : () => {};
  }

  return {
    format,
    level: minimum.name,
    telemetryFd,
    logError: (label, error) => {
      try {
        const logToError = target.error as (...args: unknown[]) => void;
        if (format === 'JSON') logToError(asError(error));
        else logToError(label, formatError(asError(error)));
      } catch {
        // the console was replaced by something that throws: nothing left to log to
      }
    },
    record: (name, message) => {
      const level = LOG_LEVELS[name];
      if (level.rank >= minimum.rank) write(level, [message]);
    },
    restore: () => {
      for (const [method, original] of originals) target[method] = original;
      if (!hadFatal) delete target.fatal;
    },
  };
}

/**
 * Reads `_LAMBDA_TELEMETRY_LOG_FD` and removes it from `env` (so the function's code and its child
 * processes never see it). An unset or non-numeric value means no descriptor.
 */
function takeTelemetryFd(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[TELEMETRY_FD_ENV];
  if (raw === undefined) return undefined;
  delete env[TELEMETRY_FD_ENV];
  const fd = Number.parseInt(raw, 10);
  return Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}

/** A thrown value as an Error, as AWS logs it: an Error as itself, anything else wrapped (`undefined` with no message, as `new Error(undefined)`). */
function asError(value: unknown): Error {
  if (isError(value)) return value;
  return new Error(value === undefined ? '' : valueText(value));
}

/**
 * An error as AWS's runtime writes it after the label in text logs: a tab, then JSON with `errorType`,
 * `errorMessage`, `code`, the error's own fields and its `stack` as lines. An error JSON cannot carry
 * is written as its Runtime API error body instead.
 */
export function formatError(error: Error): string {
  try {
    return `\t${JSON.stringify(error, (_key, value: unknown) => (isError(value) ? withErrorFields(value) : value))}`;
  } catch {
    return `\t${JSON.stringify(toErrorBody(error))}`;
  }
}

function withErrorFields(error: Error): Record<string, unknown> {
  const { name, message, stack, code } = inspectThrown(error);
  const fields: Record<string, unknown> = { errorType: name, errorMessage: message, code, ...error };
  if (stack !== undefined) fields.stack = stack.split('\n');
  return fields;
}
