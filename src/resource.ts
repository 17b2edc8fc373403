/**
 * Paired resources: one registration that closes a resource before the snapshot and reopens it after
 * each restore, as CRaC's `Resource` does, with one unsubscribe for both halves.
 *
 * @module
 */
import type { Hook, ResourceEvent, Unsubscribe } from './types.js';
import { unsubscriber } from './unsubscribe.js';
import { checkFunction, checkOptionsObject, readOptions, show } from './validate.js';

/** The part of a bus a resource needs: `on()`. */
interface Registrar {
  on(event: string, hook: Hook<unknown, string>, options?: object): Unsubscribe;
}

const HALVES: readonly ResourceEvent[] = ['beforeSnapshot', 'afterRestore'];

/**
 * Registers the halves of resource `name` on `bus`: each as a hook of its event named `name`, with
 * the same priority, timeout and signal. Either both register or, on a bad argument, neither.
 *
 * @returns one function (also `Disposable`) that unsubscribes both.
 */
export function addResource(bus: Registrar, name: unknown, hooks: unknown, options: unknown): Unsubscribe {
  if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${show(name)}`);
  if (name.length === 0) throw new RangeError('name must not be empty, got ""');
  if (hooks === undefined) throw new TypeError('hooks must be an object, got undefined');
  checkOptionsObject('hooks', hooks);
  const halves = readOptions('hooks', hooks, HALVES);
  const given = HALVES.filter((event) => halves[event] !== undefined);
  for (const event of given) checkFunction(`hooks.${event}`, halves[event]);
  if (given.length === 0) throw new TypeError('hooks must have beforeSnapshot, afterRestore or both, got neither');
  const { priority, timeout, signal } = readOptions('options', options, ['priority', 'timeout', 'signal']);
  const hookOptions = { name, priority, timeout, signal };
  const offs: Unsubscribe[] = [];
  try {
    for (const event of given) offs.push(bus.on(event, halves[event] as Hook<unknown, string>, hookOptions));
  } catch (error) {
    for (const off of offs) off(); // a bus that refuses the second event keeps neither half
    throw error;
  }
  return unsubscriber(() => {
    for (const off of offs) off();
  });
}
