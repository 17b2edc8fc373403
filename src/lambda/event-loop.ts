/**
 * Waiting for Node's event loop to run out of work, as AWS's Node.js runtime does for callback-style
 * handlers (`callbackWaitsForEmptyEventLoop`) and for handlers that never answer.
 *
 * Node emits `beforeExit` when no timer, socket or pending I/O is left that could run more code. While
 * a handler runs, the runtime itself holds nothing that keeps the loop alive (its idle keep-alive
 * sockets are unreferenced), so `beforeExit` then means: the handler's own pending work is done.
 *
 * @module
 */

const waiters = new Set<() => void>();

function onBeforeExit(): void {
  const due = [...waiters];
  waiters.clear();
  process.off('beforeExit', onBeforeExit);
  // One turn later, as AWS does: work that another `beforeExit` listener schedules (a log flush) runs first.
  setImmediate(() => {
    for (const waiter of due) waiter();
  });
}

/**
 * Calls `waiter` once, one turn after the event loop next runs out of work. Returns a function that
 * cancels the wait (a no-op once it fired).
 *
 * Only meaningful while the runtime has no request of its own open (one invocation at a time): a
 * pending `/next` poll keeps the loop alive, so with concurrent invocations the loop never empties.
 *
 * @example
 * ```ts no-run
 * const cancel = whenEventLoopEmpty(() => answer(null));
 * ```
 */
export function whenEventLoopEmpty(waiter: () => void): () => void {
  const entry = (): void => waiter();
  if (waiters.size === 0) process.on('beforeExit', onBeforeExit);
  waiters.add(entry);
  return () => {
    if (waiters.delete(entry) && waiters.size === 0) process.off('beforeExit', onBeforeExit);
  };
}

/** Resolves one turn after the event loop next runs out of work. */
export function eventLoopEmpty(): Promise<void> {
  return new Promise((resolve) => whenEventLoopEmpty(resolve));
}
