/**
 * Shared argument handling of the `snapstart` subcommands: `node:util` `parseArgs` with errors that
 * name the bad value, path checks and the usage-error exit.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { checkInteger } from '../validate.js';

/** The option declarations `parseArgs` takes. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** What {@link parseCommandArgs} returns for `options`: `parseArgs`'s own result type. */
export type ParsedCommandArgs<T extends CommandOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/**
 * Parses `argv` strictly with `parseArgs`. Its errors are kept, on one line, except the "ambiguous"
 * one (`--invocations -1`: a value that looks like an option), which is rewritten to name the value
 * and how to pass it.
 *
 * @throws Error with a one-line message for an unknown option, a missing or ambiguous value.
 *
 * @example
 * ```ts
 * const { values } = parseCommandArgs(['--out', 'a.blob'], { out: { type: 'string' } });
 * ```
 */
export function parseCommandArgs<T extends CommandOptions>(argv: string[], options: T): ParsedCommandArgs<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const ambiguous = /^Option '(-[^' ]+)' argument is ambiguous/.exec(message);
    if (ambiguous === null) throw new Error(message.split('\n')[0]);
    const flag = ambiguous[1] as string;
    const value = argv[argv.indexOf(flag) + 1] as string;
    // A short flag is ambiguous only when it was declared: its long name exists.
    const short = Object.entries(options).find(([, option]) => option.short === flag.slice(1));
    const long = flag.startsWith('--') ? flag : `--${(short as [string, unknown])[0]}`;
    throw new Error(
      `${flag} got ${JSON.stringify(value)}, which looks like an option; to pass it as the value write ${long}=${value}`,
    );
  }
}

/** What is at `path`: `'file'`, `'directory'`, `'other'`, or `undefined` when nothing is (or it cannot be read). */
export async function pathKind(path: string): Promise<'file' | 'directory' | 'other' | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  } catch {
    return undefined;
  }
}

/** Writes `snapstart <command>: <message>` and the command's usage to stderr; returns exit code 2. */
export function usageError(command: string, message: string, usage: string): number {
  process.stderr.write(`snapstart ${command}: ${message}\n\n${usage}\n`);
  return 2;
}

/**
 * Reads a whole-number flag: decimal digits become a number, anything else stays text, and
 * `checkInteger` names the flag and the value either way (`--invocations must be a number, got "two"`).
 *
 * @throws TypeError or RangeError naming the flag.
 */
export function integerFlag(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value: unknown = /^[+-]?\d+(?:\.\d+)?$/.test(text) ? Number(text) : text;
  checkInteger(flag, value, min, max);
  return value as number;
}
