/**
 * The process-wide SnapStart bus and the `snapshot-restore-py`-compatible registration functions.
 *
 * @module
 */
import { LifecycleBus, REGISTER_CALLING } from './bus.js';
import { addResource } from './resource.js';
import type { EventMap, ResourceHooks, ResourceOptions, Unsubscribe } from './types.js';
import { checkFunction, nameOf } from './validate.js';

/** The two lifecycle events of a snapshot-restored process. */
export type SnapStartEvents = {
  /** Runs once, before the process is snapshotted. Equal priorities run newest first (LIFO). */
  beforeSnapshot: void;
  /** Runs in every restored process, before it serves work. Equal priorities run oldest first (FIFO). */
  afterRestore: void;
};

const GLOBAL_KEY = Symbol.for('snapstart-hooks.snapStartBus');
const globalSlot = globalThis as { [GLOBAL_KEY]?: LifecycleBus<SnapStartEvents> };

/**
 * The bus that the runtime bridges (Lambda, V8 snapshots) emit on. It lives on `globalThis`, so a
 * runtime and the handler it loads share it even when each resolved its own copy of this package.
 * It knows its two events: any other name is refused with a RangeError naming them.
 *
 * @example
 * ```ts
 * snapStartBus.on('afterRestore', async ({ signal }) => { await db.connect({ signal }); }, { timeout: 2_000 });
 * ```
 */
globalSlot[GLOBAL_KEY] ??= new LifecycleBus<SnapStartEvents>({ events: ['beforeSnapshot', 'afterRestore'] });
export const snapStartBus: LifecycleBus<SnapStartEvents> = globalSlot[GLOBAL_KEY];

/**
 * Registers `fn` to run before the snapshot, called as `fn(...args)`, like
 * `snapshot_restore_py.register_before_snapshot`. Hooks registered later run first.
 * `snapStartBus.off('beforeSnapshot', fn)` unsubscribes it.
 *
 * @returns `fn`, so it can be used on a function declaration's value.
 *
 * @example
 * ```ts
 * registerBeforeSnapshot(closeConnection, 'primary', { force: true });
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: any[] lets Parameters<Fn> check the arguments against fn.
export function registerBeforeSnapshot<Fn extends (...args: any[]) => unknown>(fn: Fn, ...args: Parameters<Fn>): Fn {
  return register('beforeSnapshot', fn, args);
}

/**
 * Registers `fn` to run after each restore, called as `fn(...args)`, like
 * `snapshot_restore_py.register_after_restore`. Hooks run in registration order.
 * `snapStartBus.off('afterRestore', fn)` unsubscribes it.
 *
 * @returns `fn`.
 *
 * @example
 * ```ts
 * registerAfterRestore(connectToDb, process.env.DB_HOST);
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: any[] lets Parameters<Fn> check the arguments against fn.
export function registerAfterRestore<Fn extends (...args: any[]) => unknown>(fn: Fn, ...args: Parameters<Fn>): Fn {
  return register('afterRestore', fn, args);
}

/**
 * Registers a resource on {@link snapStartBus}: `hooks.beforeSnapshot` closes it before the snapshot,
 * `hooks.afterRestore` reopens it after each restore, as one registration (see
 * {@link LifecycleBus.resource}). Among resources of one priority, the last registered closes first
 * and reopens last, as in CRaC.
 *
 * @returns one function (also `Disposable`) that unsubscribes both hooks.
 *
 * @example
 * ```ts
 * import { Agent } from 'node:http';
 * import { registerResource } from 'snapstart-hooks';
 *
 * export let agent = new Agent({ keepAlive: true });
 * registerResource('http-agent', {
 *   beforeSnapshot: () => agent.destroy(), // no socket survives into the snapshot
 *   afterRestore: () => {
 *     agent = new Agent({ keepAlive: true });
 *   },
 * });
 * ```
 */
export function registerResource(
  name: string,
  hooks: ResourceHooks<SnapStartEvents>,
  options?: ResourceOptions,
): Unsubscribe {
  // Through on(): the bus on globalThis may come from another copy of this package, without resource().
  return addResource(snapStartBus as unknown as LifecycleBus<EventMap>, name, hooks, options);
}

/** Registers `() => fn(...args)` for `event`, named after `fn` and unsubscribed by `off(event, fn)`. */
function register<Fn extends (...args: never[]) => unknown>(event: keyof SnapStartEvents, fn: Fn, args: unknown[]): Fn {
  checkFunction('fn', fn);
  const call = (): unknown => fn(...(args as never[]));
  const bus = snapStartBus as Partial<Pick<LifecycleBus, typeof REGISTER_CALLING>> & LifecycleBus<SnapStartEvents>;
  // The bus on globalThis may come from an older copy of this package, without the method: then
  // the hook is registered by on(), under its own function.
  if (typeof bus[REGISTER_CALLING] === 'function') bus[REGISTER_CALLING](event, call, fn);
  else bus.on(event, call, { name: nameOf(fn) });
  return fn;
}
