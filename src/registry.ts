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

/** Registrations per event, in schedule order. */
export class Registry {
  private readonly lists = new Map<string, Registration[]>();
  /** Lists a phase is iterating: copied before their next change. */
  private readonly shared = new WeakSet<Registration[]>();
  private readonly order: ReadonlyMap<string, TieOrder>;

  /** @param order - the tie order per event, where it differs from the default. */
  constructor(order: ReadonlyMap<string, TieOrder>) {
    this.order = order;
  }

  /** Inserts in schedule order: priority descending, then FIFO or LIFO among equal priorities. */
  insert(event: string, registration: Registration): void {
    const list = this.writable(event) ?? [];
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
    this.lists.set(event, list);
  }

  /** Removes `registration` from `event` (it must still be active) and marks it inactive. */
  remove(event: string, registration: Registration): void {
    registration.active = false;
    const list = this.writable(event);
    if (list === undefined) return;
    const index = list.indexOf(registration);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.lists.delete(event);
  }

  /** The registrations of `event` for a phase: this list is never changed afterwards. */
  snapshot(event: string): readonly Registration[] {
    const list = this.lists.get(event);
    if (list === undefined) return EMPTY;
    this.shared.add(list);
    return list;
  }

  /** The registrations of `event` whose key is `key`. */
  matching(event: string, key: unknown): Registration[] {
    return (this.lists.get(event) ?? EMPTY).filter((registration) => registration.key === key);
  }

  /** How many registrations `event` has, or all events when it is omitted. */
  count(event?: string): number {
    if (event !== undefined) return this.lists.get(event)?.length ?? 0;
    let count = 0;
    for (const list of this.lists.values()) count += list.length;
    return count;
  }

  /** The events that have at least one registration. */
  events(): string[] {
    return [...this.lists.keys()];
  }

  /** Every registration of `event`. */
  all(event: string): readonly Registration[] {
    return this.lists.get(event) ?? EMPTY;
  }

  /** The list of `event`, copied first if a phase holds it. */
  private writable(event: string): Registration[] | undefined {
    const list = this.lists.get(event);
    if (list === undefined || !this.shared.has(list)) return list;
    const copy = list.slice();
    this.lists.set(event, copy);
    return copy;
  }
}
