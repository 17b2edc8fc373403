/**
 * The last step of a snapshot build: wait until nothing but stdio keeps the event loop alive, so
 * that Node serializes the heap, and give up after `drainTimeout` ms.
 *
 * Why a short timer that always fires, and not one watchdog timer cleared at serialize time: Node 20
 * keeps the expiry of its next timer in the JavaScript heap. A timer cleared before it fired leaves
 * that expiry behind, and once serialized it stops every restored process from arming a timer that
 * expires later (a restored `setTimeout(fn, 3000)` never fired; the process just exited). A timer
 * that fires makes Node recompute it, so the build ends on a fired timer and restored processes
 * start with working timers. This also heals what a phase timer of the bus (cleared when its hooks
 * finish early) left behind.
 *
 * @module
 */
import type { SnapshotHost } from './host.js';
import { resourcesKeepingLoopAlive, TIMER_RESOURCE } from './open-handles.js';

/** How often the build checks whether the loop may drain, in ms. */
export const DRAIN_POLL_MS = 5;

/**
 * Polls what keeps the loop alive until nothing does (the loop then drains and Node serializes the
 * heap), or calls `onTimeout` with what is still open once `drainTimeout` ms have passed.
 * `Infinity` waits for ever.
 */
export function awaitDrain(host: SnapshotHost, drainTimeout: number, onTimeout: (open: string[]) => void): void {
  const started = performance.now();
  const poll = (): void => {
    const open = resourcesKeepingLoopAlive(host.activeResources());
    // The timer running this check is listed too until it returns.
    const own = open.indexOf(TIMER_RESOURCE);
    if (own !== -1) open.splice(own, 1);
    if (open.length === 0) return;
    if (performance.now() - started >= drainTimeout) onTimeout(open);
    else setTimeout(poll, DRAIN_POLL_MS);
  };
  setTimeout(poll, 1);
}
