/**
 * `snapstart check`: the restore-twice check. Runs a module through init once and N restores, calls
 * the handler or a probe after each, and reports the values that are the same after every restore
 * but should differ per environment.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatCheckReport } from '../check/report.js';
import { runCheck } from '../check/run.js';
import { parseValuePath, type ValuePath } from '../check/values.js';
import { parseHandlerName, resolveHandlerFile } from '../lambda/handler.js';
import { MAX_TIMER_DELAY } from '../util/timers.js';
import { checkInteger, checkOneOf } from '../validate.js';
import { parseCommandArgs, pathKind, usageError as reportUsageError } from './args.js';
import type { Command } from './commands.js';

const USAGE = `Usage: snapstart check --handler <file.export> [--event event.json] [options]
       snapstart check <module> (--handler <export> | --probe <export> | --value <name>)... [options]

Runs the module through init once, then restores it N times and calls the handler (or a probe)
after each restore: a value that is the same after every restore but looks like it should differ
per environment (a UUID, token, hex or base64 id, timestamp, random number) was made at init, and
every environment restored from one snapshot would share it. A second, independent init runs as a
control, so a constant that merely looks random is not reported.

Options:
  --handler <file.export>  the Lambda handler as in _HANDLER, relative to the current directory
                           (with <module>: the export name); called as handler(event, context)
  --probe <export>         with <module>: an exported function returning the values to compare,
                           called with the event
  --event <file.json>      the event (default {} for a handler, none for a probe)
  --value <path>           a top-level value of the module to compare, exported or not, e.g.
                           requestSalt or config["request-id"]; repeatable
  --restores <n>           restores to compare, from 2 to 50 (default 3)
  --mode <mode>            v8: processes restored from a real V8 startup snapshot (needs esbuild);
                           process: init once and the afterRestore phase N times in one process;
                           auto (default): v8 when the module bundles and snapshots, else process
  --timeout <ms>           how long each process may run (default 30000)
  --node-arg <arg>         an extra node argument in process mode, repeatable (TypeScript
                           modules get --import tsx when it is installed)
  --json                   print the report as JSON
  -h, --help               this text

Exit code: 0 nothing found, 1 values found, 2 bad usage, 3 the check could not run (the module
failed to load, a hook or the call threw, a process timed out, or --mode v8 could not snapshot).`;

/** The `check` subcommand. */
export const checkCommand: Command = {
  summary: 'find values made at init that every restored environment would share',
  run: (argv) => runCheckCommand(argv),
};

export default checkCommand;

/** Runs `snapstart check` with `argv`; resolves the exit code (0, 1, 2 or 3). */
export async function runCheckCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: Awaited<ReturnType<typeof checkOptions>>;
  try {
    options = await checkOptions(values, positionals);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const report = await runCheck(options);
  if (report.error?.stage === 'usage') return usageError(report.error.message);
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatCheckReport(report)}\n`);
  if (report.error !== undefined) return 3;
  return report.findings.length > 0 ? 1 : 0;
}

function parse(argv: string[]) {
  return parseCommandArgs(argv, {
    handler: { type: 'string' },
    probe: { type: 'string' },
    event: { type: 'string' },
    value: { type: 'string', multiple: true },
    restores: { type: 'string' },
    mode: { type: 'string' },
    timeout: { type: 'string' },
    'node-arg': { type: 'string', multiple: true },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
}

type Values = ReturnType<typeof parse>['values'];

/** Turns the command line into check options; throws an Error whose message names the bad argument. */
async function checkOptions(values: Values, positionals: string[]) {
  if (positionals.length > 1) throw new Error(`expected at most one <module>, got ${positionals.length}`);
  const [modulePath] = positionals;
  if (values.probe !== undefined && values.handler !== undefined) throw new Error('use --handler or --probe, not both');
  if (values.probe !== undefined && modulePath === undefined) throw new Error('--probe needs a <module>');
  const paths = (values.value ?? []).map(valuePath);
  if (values.handler === undefined && values.probe === undefined && paths.length === 0) {
    throw new Error('name what to compare: --handler, --probe or --value');
  }
  let module: string;
  let exportPath: string[] | undefined;
  if (modulePath !== undefined) {
    module = path.resolve(modulePath);
    if ((await pathKind(module)) !== 'file') throw new Error(`<module> ${JSON.stringify(modulePath)} is not a file`);
    const name = values.handler ?? values.probe;
    exportPath =
      name === undefined ? undefined : exportName(values.handler !== undefined ? '--handler' : '--probe', name);
  } else {
    const handler = parseHandler(values.handler as string);
    module = await findHandlerModule(values.handler as string);
    exportPath = handler.exportPath;
  }
  const kind = values.probe !== undefined ? ('probe' as const) : ('handler' as const);
  if (values.event !== undefined && exportPath === undefined) throw new Error('--event needs --handler or --probe');
  const event = values.event === undefined ? (kind === 'handler' ? {} : undefined) : await readEvent(values.event);
  const mode = values.mode ?? 'auto';
  checkOneOf('--mode', mode, ['auto', 'v8', 'process'] as const);
  return {
    module,
    spec: { ...(exportPath ? { call: { kind, exportPath } } : {}), event, values: paths },
    restores: integerOption('--restores', values.restores, 3, 2, 50),
    mode,
    timeout: integerOption('--timeout', values.timeout, 30_000, 1, MAX_TIMER_DELAY),
    nodeArgs: values['node-arg'] ?? [],
  };
}

function valuePath(text: string): ValuePath {
  try {
    const parsed = parseValuePath(text);
    if (parsed.root === '$') throw new RangeError('$ stands for the result of the call; name a variable of the module');
    return parsed;
  } catch (error) {
    throw new Error(`--value ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
}

function exportName(flag: string, name: string): string[] {
  const parts = name.split('.');
  if (parts.some((part) => !/^[A-Za-z_$][\w$]*$/.test(part))) {
    throw new Error(`${flag} ${JSON.stringify(name)} is not an export name (e.g. handler, or handlers.main)`);
  }
  return parts;
}

/** The handler's module file, relative to the current directory, trying Lambda's extensions. */
/** `_HANDLER` split as the runtime splits it, with the runtime's message and what was expected. */
function parseHandler(handler: string): ReturnType<typeof parseHandlerName> {
  try {
    return parseHandlerName(handler);
  } catch (error) {
    throw new Error(
      `--handler ${JSON.stringify(handler)}: ${(error as Error).message}; expected "file.export" inside the working directory, e.g. "index.handler"`,
    );
  }
}

async function findHandlerModule(handler: string): Promise<string> {
  try {
    return await resolveHandlerFile(process.cwd(), handler);
  } catch {
    throw new Error(`--handler: cannot find the module of ${JSON.stringify(handler)} in ${process.cwd()}`);
  }
}

async function readEvent(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`--event: cannot read JSON from ${JSON.stringify(file)}: ${(error as Error).message}`);
  }
}

/** An integer option within `[min, max]`, named in the error with the text it got. */
function integerOption(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  try {
    checkInteger(flag, value, min, max);
  } catch {
    throw new RangeError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function usageError(message: string): number {
  return reportUsageError('check', message, USAGE);
}
