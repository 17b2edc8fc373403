/**
 * LifecycleBus: registration (on/once/off, copy-on-write lists in schedule order) and `emit`.
 *
 * @module
 */
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
  TieOrder,
  Unsubscribe,
} from './types.js';
import {
  checkBoolean,
  checkConcurrency,
  checkDuration,
  checkEventName,
  checkFinite,
  checkFunction,
  checkName,
  checkOptionsObject,
  checkSignal,
  show,
} from './validate.js';

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
  #sequence = 0;

  /**
   * @param options - defaults for every phase of this bus; see {@link BusOptions}.
   * @throws TypeError or RangeError naming the bad option.
   */
  constructor(options: BusOptions<Events> = {}) {
    checkOptionsObject('options', options);
    checkConcurrency('options.concurrency', options.concurrency);
    checkDuration('options.timeout', options.timeout);
    checkBoolean('options.failFast', options.failFast);
    checkOptionsObject('options.order', options.order);
    const order = new Map<string, TieOrder>();
    for (const [event, value] of Object.entries({ ...options.order })) {
      if (value === undefined) continue;
      if (value !== 'fifo' && value !== 'lifo') {
        throw new RangeError(`options.order.${event} must be 'fifo' or 'lifo', got ${show(value)}`);
      }
      order.set(event, value);
    }
    this.#concurrency = options.concurrency ?? 1;
    this.#timeout = options.timeout === Number.POSITIVE_INFINITY ? undefined : options.timeout;
    this.#failFast = options.failFast ?? false;
    this.#registry = new Registry(order);
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
    checkEventName('event', event);
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
    if (event !== undefined) checkEventName('event', event);
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
    if (event !== undefined) checkEventName('event', event);
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
    checkEventName('event', event);
    const [payload, options = {} as EmitOptions] = args as [unknown, EmitOptions | undefined];
    checkOptionsObject('options', options);
    checkConcurrency('options.concurrency', options.concurrency);
    checkBoolean('options.failFast', options.failFast);
    checkDuration('options.deadline', options.deadline);
    checkSignal('options.signal', options.signal);
    const deadline = options.deadline === Number.POSITIVE_INFINITY ? undefined : options.deadline;
    return runPhase(event, payload, this.#registry.snapshot(event), {
      concurrency: options.concurrency ?? this.#concurrency,
      failFast: options.failFast ?? this.#failFast,
      timeout: this.#timeout,
      deadline,
      signal: options.signal,
    });
  }

  /**
   * Registers `hook` for `event`; `key` is what `off()` matches (the hook, or the function the hook
   * calls); a `once` hook unsubscribes itself as it starts.
   */
  #register(event: string, hook: unknown, options: HookOptions | undefined, once: boolean, key: unknown): Unsubscribe {
    checkEventName('event', event);
    checkFunction('hook', hook);
    checkOptionsObject('options', options);
    const { priority = 0, timeout, name, signal } = options ?? {};
    checkFinite('options.priority', priority);
    checkDuration('options.timeout', timeout);
    checkName('options.name', name);
    checkSignal('options.signal', signal);
    const sequence = ++this.#sequence;
    if (signal?.aborted) return unsubscriber(NOTHING);

    const unsubscribe = (): void => {
      if (!registration.active) return;
      signal?.removeEventListener('abort', unsubscribe);
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
      name: name ?? (hook.name || `hook#${sequence}`),
      active: true,
      key,
      unsubscribe,
    };
    this.#registry.insert(event, registration);
    signal?.addEventListener('abort', unsubscribe, { once: true });
    return unsubscriber(unsubscribe);
  }
}
