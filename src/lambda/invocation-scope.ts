/**
 * The one owner of "which invocation is this code running for". The invocation loop enters a scope
 * per event; logging, error reports and process-level failure handling ask here. An
 * `AsyncLocalStorage` keeps concurrent invocations apart; code that runs outside any scope (a timer
 * armed at init that fires mid-invocation) sees the invocation started last, as AWS's runtime does.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What is known of the invocation a piece of code runs for. */
export interface InvocationScope {
  /** `Lambda-Runtime-Aws-Request-Id`. */
  readonly requestId: string;
  /** `Lambda-Runtime-Aws-Tenant-Id`, when Lambda sent one. */
  readonly tenantId?: string | undefined;
  /** `Lambda-Runtime-Trace-Id`, when Lambda sent one. */
  readonly traceId?: string | undefined;
}

const storage = new AsyncLocalStorage<InvocationScope>();
/** Scopes entered and not yet left, in start order. */
const open = new Set<InvocationScope>();

/**
 * Runs `fn` inside `scope`; the scope is left when the returned promise settles. With `isolated`
 * (invocations served concurrently), the scope follows `fn`'s async context. Without it (one
 * invocation at a time) no async context is entered: code that runs for an earlier invocation (a
 * callback it left behind) sees the open one, as with AWS's runtime (one process-wide request id), and
 * Node's per-promise async-context bookkeeping stays off (it slows every `await` of the function).
 */
export async function runInInvocationScope<T>(
  scope: InvocationScope,
  fn: () => Promise<T>,
  isolated: boolean,
): Promise<T> {
  open.add(scope);
  try {
    return await (isolated ? storage.run(scope, fn) : fn());
  } finally {
    open.delete(scope);
  }
}

/**
 * The invocation the calling code runs for: its own async context's, else the open invocation
 * started last, else `undefined` (init, or between invocations).
 */
export function currentInvocation(): InvocationScope | undefined {
  const own = storage.getStore();
  if (own !== undefined) return own;
  let last: InvocationScope | undefined;
  for (const scope of open) last = scope;
  return last;
}

/** Every invocation in flight, in start order (for reporting a process-level failure to each). */
export function openInvocations(): readonly InvocationScope[] {
  return [...open];
}

/** The global symbol under which AWS's runtime (3.x) publishes the current request id for libraries to read. */
export const REQUEST_ID_GLOBAL = Symbol.for('aws.lambda.runtime.requestId');
/** The global symbol under which AWS's runtime (3.x) publishes the current tenant id (`undefined` without one). */
export const TENANT_ID_GLOBAL = Symbol.for('aws.lambda.runtime.tenantId');

/**
 * Publishes an invocation served one at a time as AWS's runtime does: its request and tenant ids on
 * the global symbols {@link REQUEST_ID_GLOBAL} and {@link TENANT_ID_GLOBAL}, left in place after it
 * (so code running between invocations sees the last one, in logs too).
 */
export function publishInvocation(scope: InvocationScope): void {
  const global = globalThis as Record<symbol, unknown>;
  global[REQUEST_ID_GLOBAL] = scope.requestId;
  global[TENANT_ID_GLOBAL] = scope.tenantId;
}

/**
 * The invocation a log record belongs to, as AWS's runtime names it: {@link currentInvocation}, else
 * the invocation last published (between invocations served one at a time), else `undefined` (init).
 */
export function loggedInvocation(): InvocationScope | undefined {
  const current = currentInvocation();
  if (current !== undefined) return current;
  const global = globalThis as Record<symbol, unknown>;
  const requestId = global[REQUEST_ID_GLOBAL];
  if (typeof requestId !== 'string') return undefined;
  const tenantId = global[TENANT_ID_GLOBAL];
  return { requestId, tenantId: typeof tenantId === 'string' ? tenantId : undefined };
}
