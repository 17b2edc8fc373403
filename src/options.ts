/**
 * Reading the options of the bus, its hooks and its emits: own properties only, each read once,
 * unknown keys refused, every value checked (see `readOptions` in validate.ts).
 *
 * @module
 */
import { NAME_LENGTH } from './errors.js';
import type { TieOrder } from './types.js';
import { boundText } from './util/text.js';
import {
  checkBoolean,
  checkConcurrency,
  checkDuration,
  checkEventName,
  checkFinite,
  checkName,
  checkOptionsObject,
  checkSignal,
  readOptions,
  show,
} from './validate.js';

/** The options of `new LifecycleBus()`, checked. */
export interface BusSettings {
  readonly concurrency: number;
  /** Default per-hook timeout in ms (`undefined`: none). */
  readonly timeout: number | undefined;
  readonly failFast: boolean;
  /** Whether hooks are timed. */
  readonly timing: boolean;
  readonly order: ReadonlyMap<string, TieOrder>;
  /** The events the bus accepts (`undefined`: any). */
  readonly events: readonly string[] | undefined;
}

/** The options of `on()` and `once()`, checked. */
export interface HookSettings {
  readonly priority: number;
  /** The hook's own timeout in ms; `Infinity` overrides the bus default with "none". */
  readonly timeout: number | undefined;
  readonly name: string | undefined;
  readonly signal: AbortSignal | undefined;
}

/** The options of `emit()`, checked; `undefined` where the bus's setting applies. */
export interface EmitSettings {
  readonly concurrency: number | undefined;
  readonly failFast: boolean | undefined;
  readonly timing: boolean | undefined;
  /** The phase deadline in ms (`undefined`: none). */
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Reads the options of `new LifecycleBus()`. */
export function readBusOptions(options: unknown): BusSettings {
  const given = readOptions('options', options, ['concurrency', 'timeout', 'failFast', 'timing', 'order', 'events']);
  checkConcurrency('options.concurrency', given.concurrency);
  checkDuration('options.timeout', given.timeout);
  checkBoolean('options.failFast', given.failFast);
  checkBoolean('options.timing', given.timing);
  const events = readEvents(given.events);
  return {
    concurrency: given.concurrency ?? 1,
    timeout: given.timeout === Number.POSITIVE_INFINITY ? undefined : given.timeout,
    failFast: given.failFast ?? false,
    timing: given.timing ?? true,
    order: readOrder(given.order, events),
    events,
  };
}

/** Reads the options of `on()` and `once()`. */
export function readHookOptions(options: unknown): HookSettings {
  const given = readOptions('options', options, ['priority', 'timeout', 'name', 'signal']);
  checkFinite('options.priority', given.priority);
  checkDuration('options.timeout', given.timeout);
  checkName('options.name', given.name);
  checkSignal('options.signal', given.signal);
  return { priority: given.priority ?? 0, timeout: given.timeout, name: given.name, signal: given.signal };
}

/** The settings of an `emit()` without options: every one from the bus. */
const NO_EMIT_OPTIONS: EmitSettings = Object.freeze({
  concurrency: undefined,
  failFast: undefined,
  timing: undefined,
  deadline: undefined,
  signal: undefined,
});

/** Reads the options of `emit()`. */
export function readEmitOptions(options: unknown): EmitSettings {
  if (options === undefined) return NO_EMIT_OPTIONS;
  const given = readOptions('options', options, ['concurrency', 'failFast', 'timing', 'deadline', 'signal']);
  checkConcurrency('options.concurrency', given.concurrency);
  checkBoolean('options.failFast', given.failFast);
  checkBoolean('options.timing', given.timing);
  checkDuration('options.deadline', given.deadline);
  checkSignal('options.signal', given.signal);
  return {
    concurrency: given.concurrency,
    failFast: given.failFast,
    timing: given.timing,
    deadline: given.deadline === Number.POSITIVE_INFINITY ? undefined : given.deadline,
    signal: given.signal,
  };
}

/** Reads the `events` option: a non-empty list of event names, or `undefined` for any. */
function readEvents(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`options.events must be an array of event names, got ${show(value)}`);
  const events: string[] = [];
  for (let index = 0, length = value.length; index < length; index++) {
    const event = Object.hasOwn(value, index) ? value[index] : undefined;
    checkEventName(`options.events[${index}]`, event);
    events.push(event);
  }
  if (events.length === 0) throw new RangeError('options.events must name at least one event, got an empty array');
  return Object.freeze(events);
}

/** Reads the `order` option: own keys only, each read once; with `events`, keys must be among them. */
function readOrder(value: unknown, events: readonly string[] | undefined): Map<string, TieOrder> {
  checkOptionsObject('options.order', value);
  const order = new Map<string, TieOrder>();
  if (value === undefined) return order;
  for (const event of Object.keys(value as object)) {
    const tie = (value as Record<string, unknown>)[event];
    if (tie === undefined) continue;
    if (events !== undefined && !events.includes(event)) {
      throw new RangeError(`options.order has an unknown event ${show(event)}; the events are ${events.join(', ')}`);
    }
    if (tie !== 'fifo' && tie !== 'lifo') {
      throw new RangeError(`options.order.${boundText(event, NAME_LENGTH)} must be 'fifo' or 'lifo', got ${show(tie)}`);
    }
    order.set(event, tie);
  }
  return order;
}
