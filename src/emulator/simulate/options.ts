/**
 * The first step of `simulate()`: every option checked, and defaults filled in, before anything starts.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { guardCallback } from '../../observe.js';
import { MAX_TIMER_DELAY } from '../../util/timers.js';
import {
  checkFunction,
  checkInteger,
  checkName,
  checkOneOf,
  checkProcessText,
  readArray,
  readOptions,
  readRecord,
  show,
} from '../../validate.js';
import { DEFAULT_FUNCTION_TIMEOUT, toJson } from '../delivery.js';
import type { SimulateOptions, SimulationEvent } from './types.js';

/** The most invocations one simulation runs. */
export const MAX_INVOCATIONS = 100_000;

const KNOWN = [
  'taskRoot',
  'handler',
  'event',
  'invocations',
  'initType',
  'nodeArgs',
  'env',
  'timeout',
  'functionTimeout',
  'onEvent',
] as const;

/** Checked options with every default filled in. */
export interface SimulationPlan {
  readonly taskRoot: string;
  readonly handler: string;
  readonly event: unknown;
  readonly invocations: number;
  readonly initType: 'snap-start' | 'on-demand';
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeout: number;
  readonly functionTimeout: number;
  readonly onEvent: (event: SimulationEvent) => void;
}

/**
 * Checks `options`, naming the first bad one.
 *
 * @throws TypeError or RangeError: a wrong type or value; a string a child process cannot carry (NUL);
 * an event JSON cannot carry; a task root that is not a directory.
 */
export function planSimulation(options: SimulateOptions): SimulationPlan {
  if (options === undefined) throw new TypeError('options must be an object, got undefined');
  // Own properties only, each read once, and arrays and records copied before they are checked: what
  // is checked is what reaches the child process.
  const given = readOptions('options', options, KNOWN) as Readonly<SimulateOptions>;
  const { taskRoot, handler, invocations = 1, initType = 'snap-start' } = given;
  const { timeout = 60_000, functionTimeout = DEFAULT_FUNCTION_TIMEOUT, onEvent = () => {} } = given;
  checkProcessText('options.taskRoot', taskRoot);
  if (taskRoot === undefined || !isDirectory(taskRoot)) {
    throw new TypeError(`options.taskRoot must be an existing directory, got ${show(taskRoot)}`);
  }
  checkName('options.handler', handler);
  checkProcessText('options.handler', handler);
  if (handler === undefined) throw new TypeError('options.handler must be a string, got undefined');
  const event = given.event === undefined ? {} : given.event;
  toJson('options.event', event);
  checkInteger('options.invocations', invocations, 0, MAX_INVOCATIONS);
  checkOneOf('options.initType', initType, ['snap-start', 'on-demand']);
  const nodeArgs = readArray('options.nodeArgs', given.nodeArgs) ?? [];
  for (const [index, arg] of nodeArgs.entries()) checkProcessText(`options.nodeArgs[${index}]`, arg);
  const env = readRecord('options.env', given.env) ?? {};
  for (const [key, value] of Object.entries(env)) {
    checkProcessText(`options.env key ${JSON.stringify(key)}`, key);
    if (key === '' || key.includes('='))
      throw new RangeError(`options.env key must be a name without "=", got ${show(key)}`);
    checkProcessText(`options.env.${key}`, value);
  }
  checkInteger('options.timeout', timeout, 1, MAX_TIMER_DELAY);
  checkInteger('options.functionTimeout', functionTimeout, 1, MAX_TIMER_DELAY);
  checkFunction('options.onEvent', onEvent);
  return {
    taskRoot,
    handler,
    event,
    invocations,
    initType,
    nodeArgs: nodeArgs as string[],
    env: { ...(env as Record<string, string>) },
    timeout,
    functionTimeout,
    // Thrown from the runtime's output or an emulator event, its error would be uncaught: one warning instead.
    onEvent: guardCallback('simulate() options.onEvent', onEvent),
  };
}

function isDirectory(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false;
  }
}
