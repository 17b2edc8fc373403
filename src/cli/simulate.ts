/**
 * `snapstart simulate`: run a handler through init → snapshot → restore → invocations locally,
 * printing each step as it happens, then the waterfall.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatSimulation, formatSimulationEvent } from '../emulator/simulate/format.js';
import { simulate } from '../emulator/simulate/index.js';
import { MAX_INVOCATIONS, planSimulation } from '../emulator/simulate/options.js';
import type { SimulateOptions } from '../emulator/simulate/types.js';
import { describeThrown } from '../util/thrown.js';
import { MAX_TIMER_DELAY } from '../util/timers.js';
import { checkOneOf } from '../validate.js';
import { integerFlag, parseCommandArgs, pathKind, usageError as reportUsageError } from './args.js';
import type { Command } from './commands.js';

const HELP = `Usage: snapstart simulate <task-root> --handler file.export [options]

Starts a local Runtime API, spawns snapstart-runtime against it and takes the function through
init → before-snapshot hooks → snapshot → restore → after-restore hooks → N invocations,
printing each step as it happens, then the timeline of every phase and hook and the results.

Options:
  --handler <file.export>     the handler, as in _HANDLER (required), e.g. index.handler
  --event <file.json>         the event sent to each invocation, any JSON value (default {})
  --invocations <n>           invocations after the restore (default 1, at most ${MAX_INVOCATIONS})
  --init-type <type>          snap-start (default) or on-demand (no hooks, no restore)
  --node-arg <arg>            extra argument for node, repeatable; for TypeScript handlers: --node-arg=--import=tsx
  --env <KEY=VALUE>           extra environment variable for the runtime, repeatable
  --function-timeout <ms>     the function timeout: an invocation still running then fails as
                              Sandbox.Timedout and the runtime is stopped, as on Lambda (default 3000)
  --timeout <ms>              give up after this long (default 60000, at most ${MAX_TIMER_DELAY})
  --json                      print the timeline and results as JSON (and nothing while it runs)
  --no-color                  never colour the output
  -h, --help                  this text

Exit code: 0 when every phase and invocation succeeded, 1 otherwise, 2 for bad usage.`;

/** The `simulate` subcommand. */
export const simulateCommand: Command = {
  summary: 'run a Lambda handler through init, snapshot, restore and invocations locally',
  async run(argv) {
    let options: SimulateOptions;
    let json: boolean;
    let color: boolean;
    try {
      const { values, positionals } = parse(argv);
      if (values.help) {
        process.stdout.write(`${HELP}\n`);
        return 0;
      }
      json = values.json === true;
      color = !values['no-color'] && !json && process.stdout.isTTY === true && !process.env.NO_COLOR;
      options = await readOptions(values, positionals);
      planSimulation(options); // what simulate() would refuse is bad usage here
    } catch (error) {
      return usageError(describeThrown(error, 500));
    }
    const simulation = await simulate({
      ...options,
      ...(json ? {} : { onEvent: (event) => process.stdout.write(`${formatSimulationEvent(event, { color })}\n`) }),
    });
    process.stdout.write(
      json ? `${JSON.stringify(simulation, null, 2)}\n` : `\n${formatSimulation(simulation, { color, logs: false })}\n`,
    );
    return simulation.ok ? 0 : 1;
  },
};

type Values = ReturnType<typeof parse>['values'];

/** The flags as `simulate()` options; throws with a message naming the bad flag. */
async function readOptions(values: Values, positionals: string[]): Promise<SimulateOptions> {
  const [taskRoot, ...extra] = positionals;
  if (taskRoot === undefined) throw new Error('missing <task-root>');
  if (extra.length > 0) throw new Error(`unexpected argument ${JSON.stringify(extra[0])}`);
  if ((await pathKind(taskRoot)) !== 'directory') {
    throw new Error(`<task-root> ${JSON.stringify(taskRoot)} is not a directory`);
  }
  if (values.handler === undefined) throw new Error('missing --handler file.export');
  const initType = values['init-type'] ?? 'snap-start';
  checkOneOf('--init-type', initType, ['snap-start', 'on-demand'] as const);
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--env must be KEY=VALUE, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const options: SimulateOptions = {
    taskRoot: path.resolve(taskRoot),
    handler: values.handler,
    invocations: integerFlag('--invocations', values.invocations, 1, 0, MAX_INVOCATIONS),
    initType,
    nodeArgs: values['node-arg'] ?? [],
    env,
    timeout: integerFlag('--timeout', values.timeout, 60_000, 1, MAX_TIMER_DELAY),
    functionTimeout: integerFlag('--function-timeout', values['function-timeout'], 3_000, 1, MAX_TIMER_DELAY),
  };
  if (values.event !== undefined) {
    try {
      // Any JSON value is an event, `null` included.
      options.event = JSON.parse(await readFile(values.event, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read the event from ${values.event}: ${describeThrown(error)}`);
    }
  }
  return options;
}

function parse(argv: string[]) {
  return parseCommandArgs(argv, {
    handler: { type: 'string' },
    event: { type: 'string' },
    invocations: { type: 'string' },
    'init-type': { type: 'string' },
    'node-arg': { type: 'string', multiple: true },
    env: { type: 'string', multiple: true },
    'function-timeout': { type: 'string' },
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
