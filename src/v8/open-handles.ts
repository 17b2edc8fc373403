/**
 * Diagnosis of the most common snapshot build failure: a handle (socket, server, timer) still open
 * when the heap is about to be serialized.
 *
 * @module
 */

/** The cure for a socket, server or other handle left open, printed with every open-handle failure. */
export const OPEN_HANDLE_CURE =
  'Close it in a beforeSnapshot hook and reopen it in afterRestore, e.g. ' +
  "snapStartBus.on('beforeSnapshot', () => socket.destroy()); snapStartBus.on('afterRestore', () => connect()).";

/**
 * The cure for a pending `setTimeout` / `setInterval` (Node names it `Timeout`). `unref()` is not one:
 * Node 20 serializes a pending timer with the heap, and a restored process then fails to arm its own
 * later timers (a `setTimeout` of 1 s set in `main` never fired; the process exited with code 0).
 */
export const TIMER_CURE =
  "Clear it in a beforeSnapshot hook and start it again in afterRestore, e.g. snapStartBus.on('beforeSnapshot', () => clearInterval(timer)); " +
  "snapStartBus.on('afterRestore', () => { timer = setInterval(tick, 1000); }). Do not just unref() it: the build would finish, " +
  'but a timer still pending when the heap is serialized stays in the snapshot, and restored processes may then never run their own later timers.';

/** Node's name for a pending timer in `process.getActiveResourcesInfo()`. */
export const TIMER_RESOURCE = 'Timeout';

/** The cure for what `resources` lists: the timer cure, the handle cure, or both. */
export function cureFor(resources: readonly string[]): string {
  const timers = resources.includes(TIMER_RESOURCE);
  const others = resources.some((resource) => resource !== TIMER_RESOURCE);
  if (timers && others) return `Handles: ${OPEN_HANDLE_CURE} Timers: ${TIMER_CURE}`;
  return timers ? TIMER_CURE : OPEN_HANDLE_CURE;
}

/**
 * Counts resource types, e.g. `['TCPSocketWrap', 'Timeout', 'Timeout']` becomes
 * `'TCPSocketWrap, 2 × Timeout'`; an empty list becomes `'a handle Node does not name'`.
 */
export function describeResources(resources: readonly string[]): string {
  if (resources.length === 0) return 'a handle Node does not name';
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource, (counts.get(resource) ?? 0) + 1);
  return [...counts].map(([type, count]) => (count === 1 ? type : `${count} × ${type}`)).join(', ');
}

/** The resource type Node lists for a stdio stream of each kind (files are not listed). */
const STDIO_RESOURCE: Record<string, string> = { pipe: 'PipeWrap', tty: 'TTYWrap' };

/**
 * The resources keeping the event loop alive, without the ones of stdout and stderr: Node lists a
 * piped or terminal stdout as active, but it never stops a build from serializing.
 *
 * @param resources - from `process.getActiveResourcesInfo()`.
 * @param streams - the stdio streams to discount (Node's own, by default).
 */
export function resourcesKeepingLoopAlive(
  resources: readonly string[],
  streams: readonly object[] = [process.stdout, process.stderr],
): string[] {
  const rest = [...resources];
  for (const stream of streams) {
    // `_type` is how Node's stdio streams record what they write to: 'pipe', 'tty', 'fs', ...
    const type = (stream as { _type?: unknown })._type;
    const at = rest.indexOf(STDIO_RESOURCE[String(type)] ?? '');
    if (at !== -1) rest.splice(at, 1);
  }
  return rest;
}

/**
 * Reads what Node printed for a failed build and, when the failure is an open handle, returns a
 * message naming it and the cure. Node 20 aborts with "global handle not serialized" followed by a
 * dump of the object, whose `owner_symbol` names the JavaScript class (`Server`, `Socket`, ...).
 *
 * @returns the explanation, or `undefined` when the output shows no open-handle failure.
 */
export function diagnoseOpenHandle(output: string): string | undefined {
  if (!output.includes('global handle not serialized')) return undefined;
  const owners = [...output.matchAll(/owner_symbol>: 0x[0-9a-f]+ <(\w+)/g)].map((match) => match[1] as string);
  const what = owners.length > 0 ? `an open ${describeResources(owners)} handle` : 'an open handle';
  return `the snapshot failed because ${what} was still alive at snapshot time (an unref()'d handle does not stop the build, but it cannot be serialized). ${OPEN_HANDLE_CURE}`;
}
