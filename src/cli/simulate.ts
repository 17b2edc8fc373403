/**
 * `snapstart simulate`: run a handler through init → snapshot → restore → invocations locally.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatSimulation } from '../emulator/format.js';
import { MAX_TIMEOUT_MS, simulate } from '../emulator/simulate.js';
import { parseCommandArgs, pathKind, usageError as reportUsageError } from './args.js';
import type { Command } from './commands.js';

const HELP = `Usage: snapstart simulate <task-root> --handler file.export [options]

Starts a local Runtime API, spawns snapstart-runtime against it and takes the function through
init → before-snapshot hooks → snapshot → restore → after-restore hooks → N invocations,
then prints the timeline of every phase and hook and the invocation results.

Options:
  --handler <file.export>   the handler, as in _HANDLER (required), e.g. index.handler
  --event <file.json>       the event sent to each invocation (default {})
  --invocations <n>         invocations after the restore (default 1)
  --init-type <type>        snap-start (default) or on-demand (no hooks, no restore)
  --node-arg <arg>          extra argument for node, repeatable; for TypeScript handlers: --node-arg=--import=tsx
  --env <KEY=VALUE>         extra environment variable for the runtime, repeatable
  --timeout <ms>            give up after this long (default 60000, at most 2147483647)
  --json                    print the timeline and results as JSON
  --no-color                never colour the output
  -h, --help                this text

Exit code: 0 when every phase and invocation succeeded, 1 otherwise, 2 for bad usage.`;

/** The `simulate` subcommand. */
export const simulateCommand: Command = {
  summary: 'run a Lambda handler through init, snapshot, restore and invocations locally',
  async run(argv) {
    let values: ReturnType<typeof parse>['values'];
    let positionals: string[];
    try {
      ({ values, positionals } = parse(argv));
    } catch (error) {
      return usageError((error as Error).message);
    }
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const [taskRoot, ...extra] = positionals;
    if (taskRoot === undefined) return usageError('missing <task-root>');
    if (extra.length > 0) return usageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    if ((await pathKind(taskRoot)) !== 'directory')
      return usageError(`<task-root> ${JSON.stringify(taskRoot)} is not a directory`);
    if (values.handler === undefined) return usageError('missing --handler file.export');
    const invocations = Number(values.invocations ?? '1');
    if (!/^\d+$/.test(values.invocations ?? '1')) {
      return usageError(`--invocations must be an integer >= 0, got ${JSON.stringify(values.invocations)}`);
    }
    const initType = values['init-type'] ?? 'snap-start';
    if (initType !== 'snap-start' && initType !== 'on-demand') {
      return usageError(`--init-type must be snap-start or on-demand, got ${JSON.stringify(initType)}`);
    }
    const timeoutMs = Number(values.timeout ?? '60000');
    if (!/^\d+$/.test(values.timeout ?? '60000') || !(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
      return usageError(
        `--timeout must be a number of ms > 0, got ${JSON.stringify(values.timeout)} (whole ms, at most ${MAX_TIMEOUT_MS})`,
      );
    }
    const env: Record<string, string> = {};
    for (const pair of values.env ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return usageError(`--env must be KEY=VALUE, got ${JSON.stringify(pair)}`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    let event: unknown = {};
    if (values.event !== undefined) {
      try {
        event = JSON.parse(await readFile(values.event, 'utf8'));
      } catch (error) {
        return usageError(`cannot read the event from ${values.event}: ${(error as Error).message}`);
      }
    }
    const simulation = await simulate({
      taskRoot: path.resolve(taskRoot),
      handler: values.handler,
      event,
      invocations,
      initType,
      nodeArgs: values['node-arg'] ?? [],
      env,
      timeoutMs,
    });
    const color = !values['no-color'] && !values.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(
      values.json ? `${JSON.stringify(simulation, null, 2)}\n` : `${formatSimulation(simulation, { color })}\n`,
    );
    return simulation.ok ? 0 : 1;
  },
};

function parse(argv: string[]) {
  return parseCommandArgs(argv, {
    handler: { type: 'string' },
    event: { type: 'string' },
    invocations: { type: 'string' },
    'init-type': { type: 'string' },
    'node-arg': { type: 'string', multiple: true },
    env: { type: 'string', multiple: true },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
}

function usageError(message: string): number {
  return reportUsageError('simulate', message, HELP);
}

export default simulateCommand;
