/**
 * LifecycleBus: the registry of hooks per event, kept in schedule order, and `emit`.
 *
 * @module
 */
import { type Registration, runPhase } from './schedule.js';
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

/** The event whose equal-priority hooks run newest first unless `order` says otherwise. */
const LIFO_BY_DEFAULT = 'beforeSnapshot';

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
  /** Per event, registrations in schedule order. */
  readonly #hooks = new Map<string, Registration[]>();
  /**
   * Lists that a phase is iterating: copied before their next change (copy on write), so a phase
   * keeps its snapshot while registration stays in place, with no copy per `on()`.
   */
  readonly #shared = new WeakSet<Registration[]>();
  readonly #concurrency: number;
  readonly #timeout: number | undefined;
  readonly #failFast: boolean;
  readonly #order: Readonly<Record<string, TieOrder | undefined>>;
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
    const order: Record<string, TieOrder | undefined> = { ...options.order };
    for (const [event, value] of Object.entries(order)) {
      if (value !== undefined && value !== 'fifo' && value !== 'lifo') {
        throw new RangeError(`options.order.${event} must be 'fifo' or 'lifo', got ${show(value)}`);
      }
    }
    this.#concurrency = options.concurrency ?? 1;
    this.#timeout = options.timeout === Number.POSITIVE_INFINITY ? undefined : options.timeout;
    this.#failFast = options.failFast ?? false;
    this.#order = order;
  }

  /**
   * Registers `hook` for `event`.
   *
   * @returns a function that unsubscribes this registration (idempotent).
   * @throws TypeError or RangeError naming the bad argument.
   *
   * @example
   * ```ts
   * const off = bus.on('afterRestore', async (ctx) => reconnect(ctx.signal), { priority: 10, timeout: 2_000, name: 'db' });
   * off(); // unsubscribed
   * ```
   */
  on<E extends EventName<Events>>(event: E, hook: Hook<Events[E], E>, options?: HookOptions): () => void {
    return this.#register(event, hook, options, false);
  }

  /**
   * Like {@link LifecycleBus.on}, but the hook runs at most once: it is unsubscribed as it starts.
   *
   * @example
   * ```ts
   * bus.once('afterRestore', () => console.log('first restore only'));
   * ```
   */
  once<E extends EventName<Events>>(event: E, hook: Hook<Events[E], E>, options?: HookOptions): () => void {
    return this.#register(event, hook, options, true);
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
    const registrations = this.#hooks.get(event) ?? [];
    const removed = registrations.filter((registration) => registration.hook === hook);
    for (const registration of removed) registration.remove();
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
    if (event !== undefined) {
      checkEventName('event', event);
      return this.#hooks.get(event)?.length ?? 0;
    }
    let count = 0;
    for (const registrations of this.#hooks.values()) count += registrations.length;
    return count;
  }

  /** The events that have at least one hook. */
  eventNames(): EventName<Events>[] {
    return [...this.#hooks.keys()] as EventName<Events>[];
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
    const events = event === undefined ? [...this.#hooks.keys()] : [event];
    for (const name of events) {
      const registrations = this.#hooks.get(name) ?? [];
      this.#hooks.delete(name);
      for (const registration of registrations) registration.remove();
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
    const registrations = this.#hooks.get(event) ?? [];
    this.#shared.add(registrations);
    return runPhase(event, payload, registrations, {
      concurrency: options.concurrency ?? this.#concurrency,
      failFast: options.failFast ?? this.#failFast,
      timeout: this.#timeout,
      deadline,
      signal: options.signal,
    });
  }

  #register(event: string, hook: unknown, options: HookOptions | undefined, once: boolean): () => void {
    checkEventName('event', event);
    checkFunction('hook', hook);
    checkOptionsObject('options', options);
    const { priority = 0, timeout, name, signal } = options ?? {};
    checkFinite('options.priority', priority);
    checkDuration('options.timeout', timeout);
    checkName('options.name', name);
    checkSignal('options.signal', signal);
    const sequence = ++this.#sequence;
    if (signal?.aborted) return () => {};

    const detach = (): void => signal?.removeEventListener('abort', remove);
    const remove = (): void => {
      if (!registration.active) return;
      registration.active = false;
      detach();
      const list = this.#writable(event);
      if (list === undefined) return;
      const index = list.indexOf(registration);
      if (index >= 0) list.splice(index, 1);
      if (list.length === 0) this.#hooks.delete(event);
    };
    const registration: Registration = {
      hook: hook as Hook<unknown, string>,
      priority,
      timeout, // Infinity stays: it overrides the bus default with "none"
      name: name ?? (hook.name || `hook#${sequence}`),
      once,
      active: true,
      remove,
    };
    this.#insert(event, registration);
    signal?.addEventListener('abort', remove, { once: true });
    return remove;
  }

  /** Inserts in schedule order: priority descending, then FIFO or LIFO among equal priorities. */
  #insert(event: string, registration: Registration): void {
    const current = this.#writable(event) ?? [];
    const lifo = (this.#order[event] ?? (event === LIFO_BY_DEFAULT ? 'lifo' : 'fifo')) === 'lifo';
    const { priority } = registration;
    // Binary search for the first index whose entry must come after the new one.
    let low = 0;
    let high = current.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = (current[middle] as Registration).priority;
      const goesAfter = lifo ? other <= priority : other < priority;
      if (goesAfter) high = middle;
      else low = middle + 1;
    }
    current.splice(low, 0, registration);
    this.#hooks.set(event, current);
  }

  /** The list of `event`, copied first if a phase holds it. */
  #writable(event: string): Registration[] | undefined {
    const list = this.#hooks.get(event);
    if (list === undefined || !this.#shared.has(list)) return list;
    const copy = list.slice();
    this.#hooks.set(event, copy);
    return copy;
  }
}
