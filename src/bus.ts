/**
 * LifecycleBus: registration (on/once/off, copy-on-write lists in schedule order) and `emit`.
 *
 * @module
 */
import { Observers } from './observe.js';
import { readBusOptions, readEmitOptions, readHookOptions } from './options.js';
import { type Registration, Registry } from './registry.js';
import { addResource } from './resource.js';
import { runPhase } from './schedule/index.js';
import type {
  BusOptions,
  EmitArgs,
  EmitOptions,
  EventMap,
  EventName,
  Hook,
  HookOptions,
  PhaseObserver,
  PhaseReport,
  ResourceHooks,
  ResourceOptions,
  Unsubscribe,
} from './types.js';
import { unsubscriber } from './unsubscribe.js';
import { onAbort } from './util/abort.js';
import { checkEventName, checkFunction, nameOf } from './validate.js';

const NOTHING = (): void => {};

/**
 * The method that registers a hook calling one function under another (`off(event, key)` finds it):
 * the seed-compatible functions register `() => fn(...args)` under `fn`. Keyed by a global symbol, so
 * that it works on the `snapStartBus` of another copy of this package too. Internal.
 */
export const REGISTER_CALLING: unique symbol = Symbol.for('snapstart-hooks.registerCalling') as never;

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
  readonly #timing: boolean;
  /** The events this bus accepts, when its options named them. */
  readonly #events: readonly string[] | undefined;
  /** Created by the first `observe()`: a bus nobody observes has none. */
  #observers: Observers | undefined = undefined;
  #sequence = 0;

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
    this.#timing = settings.timing;
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
      timing: given.timing ?? this.#timing,
      timeout: this.#timeout,
      deadline: given.deadline,
      signal: given.signal,
      observers: this.#observers,
    });
  }

  /**
   * Observes every phase of this bus that starts from now on: `observer`'s methods `phaseStart`,
   * `hookStart`, `hookEnd` and `phaseEnd` (any of them) are called synchronously as it runs, for
   * telemetry: one span per phase and a child span per hook, or per-hook timing records. An observer
   * that throws does not affect the phase: its first error is reported as a process warning (code
   * `SNAPSTART_HOOKS_OBSERVER`), later ones are ignored. A bus nobody observes builds no event.
   *
   * @returns a function (also `Disposable`) that stops observing.
   * @throws TypeError when `observer` has none of the four methods, or one is not a function.
   *
   * @example
   * ```ts
   * const off = bus.observe({
   *   hookEnd: ({ event, name, status, durationMs }) => console.log(`${event} ${name} ${status} ${durationMs} ms`),
   *   phaseEnd: ({ report }) => console.log(`${report.event} ${report.ok ? 'ok' : 'failed'} in ${report.durationMs} ms`),
   * });
   * ```
   */
  observe(observer: PhaseObserver<Events>): Unsubscribe {
    this.#observers ??= new Observers();
    return this.#observers.add(observer);
  }

  /**
   * Registers a resource: `hooks.beforeSnapshot` closes it before the snapshot and
   * `hooks.afterRestore` reopens it after each restore, both named `name`, with the same priority and
   * timeout. With the default tie orders (beforeSnapshot newest first, afterRestore oldest first) a
   * resource registered later closes earlier and reopens later than the others of its priority, as
   * CRaC orders its resources; across priorities, the higher runs first in both phases. An `order`
   * option that gives both events the same tie order applies to resources too.
   *
   * @returns one function (also `Disposable`) that unsubscribes both hooks.
   * @throws TypeError or RangeError naming the bad argument; then neither hook is registered.
   *
   * @example
   * ```ts
   * const off = bus.resource('db', {
   *   beforeSnapshot: () => pool.end(),
   *   afterRestore: () => { pool = createPool(); },
   * }, { priority: 10, timeout: 2_000 });
   * ```
   */
  resource(name: string, hooks: ResourceHooks<Events>, options?: ResourceOptions): Unsubscribe {
    return addResource(this as unknown as LifecycleBus<EventMap>, name, hooks, options);
  }

  /**
   * Registers on `event` a hook that calls `call`, unsubscribed by `off(event, key)`; see
   * {@link REGISTER_CALLING}.
   *
   * @internal
   */
  [REGISTER_CALLING](event: string, call: Hook<unknown, string>, key: (...args: never[]) => unknown): Unsubscribe {
    return this.#register(event, call, undefined, false, key);
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
