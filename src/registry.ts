/**
 * The hooks of a bus, per event, kept in schedule order at registration (priority descending, then
 * FIFO or LIFO among equal priorities), copy on write: a phase keeps the list it started with while
 * registration goes on in place, with no copy per `on()`.
 *
 * @module
 */
import type { ScheduledHook } from './schedule/index.js';
import type { TieOrder } from './types.js';

/** One registration of a hook, as the bus stores it. */
export interface Registration extends ScheduledHook {
  /** Cleared when the hook is unsubscribed. */
  active: boolean;
  /** The function `off()` matches: the hook itself, or the function a registration calls for it. */
  readonly key: unknown;
  /** Unsubscribes this registration (idempotent). */
  readonly unsubscribe: () => void;
}

/** The event whose equal-priority hooks run newest first unless `order` says otherwise. */
const LIFO_BY_DEFAULT = 'beforeSnapshot';

const EMPTY: readonly Registration[] = Object.freeze([]);

/** The registrations of one event, and whether a phase holds the list (then it is copied before a change). */
interface EventHooks {
  list: Registration[];
  shared: boolean;
}

/** Registrations per event, in schedule order. */
export class Registry {
  private readonly byEvent = new Map<string, EventHooks>();
  private readonly order: ReadonlyMap<string, TieOrder>;

  /** @param order - the tie order per event, where it differs from the default. */
  constructor(order: ReadonlyMap<string, TieOrder>) {
    this.order = order;
  }

  /** Inserts in schedule order: priority descending, then FIFO or LIFO among equal priorities. */
  insert(event: string, registration: Registration): void {
    let hooks = this.byEvent.get(event);
    if (hooks === undefined) {
      hooks = { list: [], shared: false };
      this.byEvent.set(event, hooks);
    }
    const list = writable(hooks);
    const lifo = (this.order.get(event) ?? (event === LIFO_BY_DEFAULT ? 'lifo' : 'fifo')) === 'lifo';
    const { priority } = registration;
    // Binary search for the first index whose entry must come after the new one.
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = (list[middle] as Registration).priority;
      const goesAfter = lifo ? other <= priority : other < priority;
      if (goesAfter) high = middle;
      else low = middle + 1;
    }
    list.splice(low, 0, registration);
  }

  /** Removes `registration` from `event` (it must still be active) and marks it inactive. */
  remove(event: string, registration: Registration): void {
    registration.active = false;
    const hooks = this.byEvent.get(event);
    if (hooks === undefined) return;
    const list = writable(hooks);
    const index = list.indexOf(registration);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.byEvent.delete(event);
  }

  /** The registrations of `event` for a phase: this list is never changed afterwards. */
  snapshot(event: string): readonly Registration[] {
    const hooks = this.byEvent.get(event);
    if (hooks === undefined) return EMPTY;
    hooks.shared = true;
    return hooks.list;
  }

  /** The registrations of `event` whose key is `key`. */
  matching(event: string, key: unknown): Registration[] {
    return this.all(event).filter((registration) => registration.key === key);
  }

  /** How many registrations `event` has, or all events when it is omitted. */
  count(event?: string): number {
    if (event !== undefined) return this.byEvent.get(event)?.list.length ?? 0;
    let count = 0;
    for (const hooks of this.byEvent.values()) count += hooks.list.length;
    return count;
  }

  /** The events that have at least one registration. */
  events(): string[] {
    return [...this.byEvent.keys()];
  }

  /** Every registration of `event`. */
  all(event: string): readonly Registration[] {
    return this.byEvent.get(event)?.list ?? EMPTY;
  }
}

/** The list of `hooks`, copied first if a phase holds it. */
function writable(hooks: EventHooks): Registration[] {
  if (hooks.shared) {
    hooks.list = hooks.list.slice();
    hooks.shared = false;
  }
  return hooks.list;
}
