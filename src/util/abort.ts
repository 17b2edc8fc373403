/**
 * Listening to a caller's `AbortSignal` without piling listeners on it. A signal shared by many
 * registrations or emits (one `AbortController` for a whole app is common) would otherwise collect
 * one listener per caller, and Node warns (`MaxListenersExceededWarning`) past 10. Here each signal
 * gets a single listener, however many callers wait on it.
 *
 * @module
 */

/** The callers waiting on each signal, and the one listener each signal has. */
const waiting = new WeakMap<AbortSignal, { readonly callbacks: Set<() => void>; readonly listener: () => void }>();

/**
 * Calls `callback` once, when `signal` aborts. The signal must not be aborted yet.
 *
 * @returns a function that stops waiting (idempotent).
 *
 * @example
 * ```ts
 * const stop = onAbort(signal, () => console.log('aborted'));
 * stop(); // no longer waiting
 * ```
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let entry = waiting.get(signal);
  if (entry === undefined) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      waiting.delete(signal);
      let failure: { error: unknown } | undefined;
      for (const waiter of [...callbacks]) {
        try {
          waiter();
        } catch (error) {
          failure ??= { error };
        }
      }
      // Every waiter ran; the first error surfaces as a listener's error would.
      if (failure !== undefined) throw failure.error;
    };
    entry = { callbacks, listener };
    waiting.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  // A wrapper per call, so the same callback may wait twice and stop once.
  const waiter = (): void => callback();
  const { callbacks, listener } = entry;
  callbacks.add(waiter);
  return () => {
    if (!callbacks.delete(waiter) || callbacks.size > 0 || waiting.get(signal) !== entry) return;
    waiting.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}
