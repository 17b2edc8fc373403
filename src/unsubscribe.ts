/**
 * The {@link Unsubscribe} functions that registrations return: callable, and disposable by `using`.
 *
 * @module
 */
import type { Unsubscribe } from './types.js';

/** `Symbol.dispose`: Node 20 defines it as `Symbol.for('nodejs.dispose')`, as the fallback does. */
const DISPOSE: typeof Symbol.dispose = Symbol.dispose ?? (Symbol.for('nodejs.dispose') as typeof Symbol.dispose);

/** Makes `remove` an {@link Unsubscribe}: callable, and disposable by `using`. */
export function unsubscriber(remove: () => void): Unsubscribe {
  const off = (): void => remove();
  (off as Unsubscribe)[DISPOSE] = off;
  return off as Unsubscribe;
}
