/** Test helper: collects the process's unhandled rejections for the duration of one test. */

/** Starts collecting unhandled rejections; stops at the test's teardown. Returns the live list. */
export function collectUnhandledRejections(t: { teardown(fn: () => void): void }): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  return unhandled;
}
