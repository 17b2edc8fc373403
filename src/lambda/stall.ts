/**
 * Noticing that a step of init waits on a promise nothing can settle any more: a handler module's
 * top-level `await`, or a SnapStart hook, pending while the event loop has nothing left to run. Node
 * would end the process (exit 13, or 0) in the middle of init, with nothing posted and nothing printed.
 *
 * @module
 */
import { deferred } from '../util/promise.js';

/** A watch installed by {@link watchForStall}. */
export interface StallWatch {
  /** Resolves once the watched step can no longer settle; never settles otherwise. */
  readonly stalled: Promise<void>;
  /** Stops watching (call it when the step settles). */
  dispose(): void;
}

/** Options of {@link watchForStall}. */
export interface StallWatchOptions {
  /**
   * `true` when the step keeps one timer of its own alive until its deadline (a bus phase with a
   * `deadline`). That timer alone would keep the event loop from draining, so the watch also looks,
   * every `pollInterval` ms, for the moment it is the only thing left that keeps the loop alive.
   */
  deadlineTimer?: boolean;
  /** How often to look when `deadlineTimer` is set, in ms. Default: 100. */
  pollInterval?: number;
  /** Where the loop's live resources are read. Default: `process.getActiveResourcesInfo`. */
  activeResources?: () => string[];
}

/**
 * Watches the current step for a stall: the event loop drained (`beforeExit`) while the step was
 * pending, or only the step's own deadline timer is left keeping it alive. A `beforeExit` followed
 * by new work (another listener flushing something) is not a stall: the check runs one turn later
 * and only fires when nothing but stdio is alive.
 *
 * @example
 * ```ts
 * const watch = watchForStall();
 * try {
 *   await Promise.race([importHandler(), watch.stalled.then(() => { throw new Error('stalled'); })]);
 * } finally {
 *   watch.dispose();
 * }
 * ```
 */
export function watchForStall(options: StallWatchOptions = {}): StallWatch {
  const activeResources = options.activeResources ?? (() => process.getActiveResourcesInfo());
  const stalled = deferred();
  let done = false;
  let poller: NodeJS.Timeout | undefined;
  const fire = (): void => {
    if (done) return;
    dispose();
    stalled.resolve();
  };
  const onBeforeExit = (): void => {
    setImmediate(() => {
      if (!done && loopKeepers(activeResources()).length === 0) fire();
    });
  };
  const dispose = (): void => {
    done = true;
    process.off('beforeExit', onBeforeExit);
    if (poller !== undefined) clearInterval(poller);
  };
  process.on('beforeExit', onBeforeExit);
  if (options.deadlineTimer === true) {
    poller = setInterval(() => {
      const keepers = loopKeepers(activeResources());
      if (keepers.length === 1 && keepers[0] === 'Timeout') fire();
    }, options.pollInterval ?? 100);
    poller.unref();
  }
  return { stalled: stalled.promise, dispose };
}

/** The resource type Node lists for a stdio stream of each kind (files are not listed). */
const STDIO_RESOURCE: Readonly<Record<string, string>> = { pipe: 'PipeWrap', tty: 'TTYWrap' };

/**
 * The live resources that keep the event loop alive, without stdout's and stderr's (Node lists a
 * piped or terminal stdio stream, but it never settles anyone's promise).
 */
export function loopKeepers(resources: readonly string[]): string[] {
  const rest = [...resources];
  for (const stream of [process.stdout, process.stderr]) {
    // `_type` is how Node's stdio streams record what they write to: 'pipe', 'tty', 'fs', ...
    const type = (stream as { _type?: unknown })._type;
    const at = rest.indexOf(STDIO_RESOURCE[String(type)] ?? '');
    if (at !== -1) rest.splice(at, 1);
  }
  return rest;
}
