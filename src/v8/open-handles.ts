/**
 * Diagnosis of the most common snapshot build failure: a handle (socket, server, timer) still open
 * when the heap is about to be serialized.
 *
 * @module
 */

/** The cure, in one sentence, printed with every open-handle failure. */
export const OPEN_HANDLE_CURE =
  'Close it in a beforeSnapshot hook and reopen it in afterRestore, e.g. ' +
  "snapStartBus.on('beforeSnapshot', () => socket.destroy()); snapStartBus.on('afterRestore', () => connect()).";

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
