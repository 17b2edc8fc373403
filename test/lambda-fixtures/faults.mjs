// Handlers for the fault-injection tests (test/lambda-faults.test.ts). No hooks: init goes straight to the loop.

/** Echoes the event. */
export const echo = async (event) => ({ event });

/** Resolves `undefined`: Lambda answers `null`. */
export const nothing = async () => {};

/** Returns a promise that never settles, and holds nothing open: the event loop drains. */
export const neverSettles = () => new Promise(() => {});

/** A callback-style handler that never calls its callback, and holds nothing open. */
export const neverCallsBack = (_event, _context, _callback) => {};

/** Never settles but keeps a timer alive, as a handler stuck on a slow dependency would. */
export const stuck = () => {
  setInterval(() => {}, 1_000);
  return new Promise(() => {});
};

/**
 * Reports the runtime's own heap after a full GC (needs node --expose-gc) and its active resources,
 * so a test can watch for leaks across many invocations.
 */
export const measure = async (event) => {
  if (event?.measure !== true) return { n: event?.n };
  globalThis.gc?.();
  globalThis.gc?.();
  return {
    heapUsed: process.memoryUsage().heapUsed,
    gc: typeof globalThis.gc === 'function',
    resources: process.getActiveResourcesInfo(),
    beforeExitListeners: process.listenerCount('beforeExit'),
  };
};

const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Leaves a rejected promise nobody awaits, then would answer: Node reports an unhandled rejection first. */
export const rejectsUnobserved = async () => {
  Promise.reject(new Error('fire and forget'));
  await tick(200);
  return 'too late';
};

/** Two unobserved rejections at once, the second not even an Error. */
export const rejectsTwice = async () => {
  Promise.reject(new Error('first of two'));
  Promise.reject('second, a plain string');
  await tick(200);
  return 'too late';
};

/** Throws from a timer: an uncaught exception. */
export const throwsInTimer = async () => {
  setTimeout(() => {
    throw new RangeError('thrown in a timer');
  }, 10);
  await tick(200);
  return 'too late';
};
