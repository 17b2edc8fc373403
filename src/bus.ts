/**
 * LifecycleBus: registration (on/once/off, copy-on-write lists in schedule order) and `emit`.
 *
 * @module
 */
import { readBusOptions, readEmitOptions, readHookOptions } from './options.js';
import { type Registration, Registry } from './registry.js';
import { runPhase } from './schedule/index.js';
import type {
  BusOptions,
  EmitArgs,
  EmitOptions,
  EventMap,
  EventName,
  Hook,
  HookOptions,
  PhaseReport,
  Unsubscribe,
} from './types.js';
import { onAbort } from './util/abort.js';
import { checkEventName, checkFunction, nameOf } from './validate.js';

/** `Symbol.dispose`: Node 20 defines it as `Symbol.for('nodejs.dispose')`, as the fallback does. */
const DISPOSE: typeof Symbol.dispose = Symbol.dispose ?? (Symbol.for('nodejs.dispose') as typeof Symbol.dispose);

/** Makes `remove` an {@link Unsubscribe}: callable, and disposable by `using`. */
export function unsubscriber(remove: () => void): Unsubscribe {
  const off = (): void => remove();
  (off as Unsubscribe)[DISPOSE] = off;
  return off as Unsubscribe;
}

const NOTHING = (): void => {};

/**
 * Registers on `bus` a hook that calls `call`, matched by `off(event, key)`: the seed-compatible
 * functions register `() => fn(...args)` under `fn`. Internal: not exported by the package.
 */
export function registerCalling(
  bus: LifecycleBus<EventMap>,
  event: string,
  call: Hook<unknown, string>,
  key: (...args: never[]) => unknown,
): Unsubscribe {
  return registerWithKey(bus, event, call, key);
}

let registerWithKey: (
  bus: LifecycleBus<EventMap>,
  event: string,
  call: Hook<unknown, string>,
  key: unknown,
) => Unsubscribe;

/**
 * A typed lifecycle event bus. `emit` runs the hooks of one event as a phase: in priority tiers
 * (higher first), each tier after the previous one settled, up to `concurrency` hooks at once inside
 * a tier, each within its timeout, and resolves a {@link PhaseReport} or rejects with a
 * {@link LifecycleError}.
 *
 * @typeParam Events - maps event names to payload types (`void` for none).
 *
 * @example
 * ```ts
 * type Events = { beforeSnapshot: void; afterRestore: void };
 * const bus = new LifecycleBus<Events>({ timeout: 2_000 });
 * bus.on('afterRestore', async ({ signal }) => { await pool.reconnect({ signal }); }, { name: 'db' });
 * const report = await bus.emit('afterRestore');
 * ```
 */
export class LifecycleBus<Events extends EventMap = EventMap> {
  readonly #registry: Registry;
  readonly #concurrency: number;
  readonly #timeout: number | undefined;
  readonly #failFast: boolean;
  /** The events this bus accepts, when its options named them. */
  readonly #events: readonly string[] | undefined;
  #sequence = 0;

  static {
    registerWithKey = (bus, event, call, key) => {
      // A bus made by another copy of this package (the snapStartBus lives on globalThis) has no #register.
      const target = bus;
      if (#register in bus) return bus.#register(event, call, undefined, false, key);
      return target.on(event, call, { name: nameOf(key) });
    };
  }

  /**
   * @param options - defaults for every phase of this bus; see {@link BusOptions}.
   * @throws TypeError or RangeError naming the bad option.
   */
  constructor(options?: BusOptions<Events>) {
    const settings = readBusOptions(options);
    this.#events = settings.events;
    this.#registry = new Registry(settings.order);
    this.#concurrency = settings.concurrency;
    this.#timeout = settings.timeout;
    this.#failFast = settings.failFast;
  }

  /**
   * Registers `hook` for `event`.
   *
   * @returns a function that unsubscribes this registration (idempotent), also `Disposable`.
   * @throws TypeError or RangeError naming the bad argument.
   *
   * @example
   * ```ts
   * const off = bus.on('afterRestore', async (ctx) => reconnect(ctx.signal), { priority: 10, timeout: 2_000, name: 'db' });
   * off(); // unsubscribed
   * ```
   */
  on<E extends EventName<Events>>(event: E, hook: Hook<Events[E], E>, options?: HookOptions): Unsubscribe {
    return this.#register(event, hook, options, false, hook);
  }

  /**
   * Like {@link LifecycleBus.on}, but the hook runs at most once: it is unsubscribed as it starts.
   *
   * @example
   * ```ts
   * bus.once('afterRestore', () => console.log('first restore only'));
   * ```
   */
  once<E extends EventName<Events>>(event: E, hook: Hook<Events[E], E>, options?: HookOptions): Unsubscribe {
    return this.#register(event, hook, options, true, hook);
  }

  /**
   * Unsubscribes every registration of `hook` for `event`.
   *
   * @returns `true` if at least one registration was removed.
   *
   * @example
   * ```ts
   * bus.on('beforeSnapshot', closePool);
   * bus.off('beforeSnapshot', closePool); // true
   * ```
   */
  off<E extends EventName<Events>>(event: E, hook: Hook<Events[E], E>): boolean {
    checkEventName('event', event, this.#events);
    checkFunction('hook', hook);
    const removed = this.#registry.matching(event, hook);
    for (const registration of removed) registration.unsubscribe();
    return removed.length > 0;
  }

  /**
   * How many hooks are registered for `event`, or for all events when it is omitted.
   *
   * @example
   * ```ts
   * bus.listenerCount('afterRestore'); // 1
   * ```
   */
  listenerCount(event?: EventName<Events>): number {
    if (event !== undefined) checkEventName('event', event, this.#events);
    return this.#registry.count(event);
  }

  /** The events that have at least one hook. */
  eventNames(): EventName<Events>[] {
    return this.#registry.events() as EventName<Events>[];
  }

  /**
   * Unsubscribes every hook of `event`, or of every event when it is omitted.
   *
   * @example
   * ```ts
   * bus.clear('afterRestore');
   * ```
   */
  clear(event?: EventName<Events>): void {
    if (event !== undefined) checkEventName('event', event, this.#events);
    const events = event === undefined ? this.#registry.events() : [event];
    for (const name of events) {
      for (const registration of this.#registry.all(name).slice()) registration.unsubscribe();
    }
  }

  /**
   * Runs one phase: every hook registered for `event` when the call starts, in priority tiers.
   * The payload may be omitted for `void` events.
   *
   * @returns the phase report, when no hook failed or timed out.
   * @throws LifecycleError (as a rejection) when a hook failed or timed out, the deadline was
   *   reached, or `signal` aborted; TypeError or RangeError (synchronously) for bad arguments.
   *
   * @example
   * ```ts
   * const report = await bus.emit('afterRestore', undefined, { deadline: 9_000, concurrency: 4 });
   * console.log(report.hooks.map((hook) => `${hook.name} ${hook.status} ${hook.durationMs} ms`));
   * ```
   */
  emit<E extends EventName<Events>>(event: E, ...args: EmitArgs<Events[E]>): Promise<PhaseReport<E>> {
    checkEventName('event', event, this.#events);
    const [payload, options] = args as [unknown, EmitOptions | undefined];
    const given = readEmitOptions(options);
    return runPhase(event, payload, this.#registry.snapshot(event), {
      concurrency: given.concurrency ?? this.#concurrency,
      failFast: given.failFast ?? this.#failFast,
      timeout: this.#timeout,
      deadline: given.deadline,
      signal: given.signal,
    });
  }

  /**
   * Registers `hook` for `event`; `key` is what `off()` matches (the hook, or the function the hook
   * calls); a `once` hook unsubscribes itself as it starts.
   */
  #register(event: string, hook: unknown, options: HookOptions | undefined, once: boolean, key: unknown): Unsubscribe {
    checkEventName('event', event, this.#events);
    checkFunction('hook', hook);
    const { priority, timeout, name, signal } = readHookOptions(options);
    const sequence = ++this.#sequence;
    if (signal?.aborted) return unsubscriber(NOTHING);

    let detach: (() => void) | undefined;
    const unsubscribe = (): void => {
      if (!registration.active) return;
      detach?.();
      this.#registry.remove(event, registration);
    };
    const run = hook as Hook<unknown, string>;
    const registration: Registration = {
      hook: once
        ? (ctx) => {
            unsubscribe();
            return run(ctx);
          }
        : run,
      priority,
      timeout, // Infinity stays: it overrides the bus default with "none"
      name: name ?? nameOf(key) ?? `hook#${sequence}`,
      active: true,
      key,
      unsubscribe,
    };
    this.#registry.insert(event, registration);
    // One listener per signal, however many hooks it unsubscribes.
    if (signal !== undefined) detach = onAbort(signal, unsubscribe);
    return unsubscriber(unsubscribe);
  }
}
