/**
 * Lambda's lifecycle as a pure state machine: given the environment's state and what just happened,
 * the next state, or Lambda's refusal. No I/O, no clock: the emulator feeds it and carries out the answer.
 * Each rule says why, citing what Lambda (and its Runtime Interface Emulator, "RIE") does.
 *
 * @module
 */
import type { InitializationType } from '../runtime-api.js';
import type { EmulatorState } from './types.js';
import { methodOf, type ParsedPath } from './wire.js';

/** What the machine needs to know besides the state. */
export interface LifecycleContext {
  readonly initType: InitializationType;
  /** How many `invocation/next` polls may wait at once. */
  readonly maxConcurrency: number;
  /** How many wait now. */
  readonly pendingPolls: number;
  /** Events in flight (delivered, not ended). */
  readonly inFlight: number;
  /** Whether a `restore/next` poll waits to be answered. */
  readonly restorePollWaiting: boolean;
}

/**
 * Where a posted request id stands:
 * `in-flight`; `timed-out` (ended at its deadline); `answered-last` (answered, and the runtime has not
 * polled since: the classic runtime is still in Lambda's "response sent" state); `answered` (longer
 * ago); `unknown` (never delivered).
 */
export type InvocationStanding = 'in-flight' | 'timed-out' | 'answered-last' | 'answered' | 'unknown';

/** What happened. */
export type LifecycleInput =
  | { readonly type: 'restore/next' }
  | { readonly type: 'invocation/next' }
  | { readonly type: 'invocation/post'; readonly standing: InvocationStanding }
  | { readonly type: 'init/error' }
  | { readonly type: 'restore/error' }
  | { readonly type: 'restore' }
  | { readonly type: 'delivered' }
  | { readonly type: 'ended' }
  | { readonly type: 'timed-out' };

/** Lambda's answer to a request it will not serve. */
export interface Refusal {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/** The machine's answer. */
export interface Transition {
  /** The state after the input (unchanged on a refusal). */
  readonly state: EmulatorState;
  /** Set when the request is refused. */
  readonly refusal?: Refusal;
  /** Set when the input is the snapshot point. */
  readonly snapshot?: true;
}

/** Whether Lambda runs several invocations at once in this environment (Lambda Managed Instances). */
export function isConcurrent(context: Pick<LifecycleContext, 'initType' | 'maxConcurrency'>): boolean {
  return context.maxConcurrency > 1 || context.initType === 'lambda-managed-instances';
}

function refuse(state: EmulatorState, status: number, errorType: string, message: string): Transition {
  return { state, refusal: { status, errorType, message } };
}

function invalidTransition(state: EmulatorState, target: string): Transition {
  return refuse(state, 403, 'InvalidStateTransition', `State transition from ${state} to ${target} is not allowed`);
}

/**
 * Lambda's answer to a request that names no endpoint it serves, or `undefined` for one it does: an
 * unknown path is 404, a request id with a malformed percent-escape 400, a wrong method 405.
 */
export function refuseRequest(method: string, path: string, parsed: ParsedPath): Refusal | undefined {
  if (parsed.endpoint === undefined) {
    return parsed.problem === 'malformed-id'
      ? { status: 400, errorType: 'InvalidRequestID', message: `Malformed percent-escape in the request id of ${path}` }
      : { status: 404, errorType: 'NotFound', message: `Unknown Runtime API path ${path}` };
  }
  const expected = methodOf(parsed.endpoint);
  if (method === expected) return undefined;
  return { status: 405, errorType: 'MethodNotAllowed', message: `${parsed.endpoint} takes ${expected}, got ${method}` };
}

/** The next state of an environment in `state` after `input`. Pure. */
export function transition(state: EmulatorState, input: LifecycleInput, context: LifecycleContext): Transition {
  // Nothing moves a closed emulator; the transport drops what still arrives.
  if (state === 'closed') return refuse(state, 503, 'Closed', 'The emulator is closed');
  switch (input.type) {
    case 'restore/next':
      // Only a SnapStart environment has a snapshot point, once, at the end of init: the RIE allows
      // RestoreReady from its Started state only. Anywhere else it answers 403 InvalidStateTransition.
      if (context.initType !== 'snap-start' || state !== 'init') return invalidTransition(state, 'restore/next');
      return { state: 'snapshot', snapshot: true };

    case 'invocation/next':
      // A failed environment serves nothing more (Lambda stops its runtime); a runtime "frozen" in
      // restore/next cannot ask for an event.
      if (state === 'failed' || state === 'snapshot') return invalidTransition(state, 'invocation/next');
      // One poll per worker: at most maxConcurrency (1 outside Managed Instances) may wait at once.
      if (context.pendingPolls >= context.maxConcurrency) {
        return refuse(
          state,
          403,
          'InvalidStateTransition',
          `State transition from ${state} to invocation/next is not allowed: ${context.pendingPolls} of at most ${context.maxConcurrency} invocation/next polls already wait`,
        );
      }
      // A SnapStart runtime without hooks never calls restore/next: the RIE's Started.Ready walks the
      // restore gate too, so Lambda snapshots it at its first invocation/next.
      if (state === 'init' && context.initType === 'snap-start') return { state: 'snapshot', snapshot: true };
      // Init (or the after-restore hooks) ended when the runtime first asks for an event.
      if (state === 'init' || state === 'restoring') return { state: context.inFlight > 0 ? 'invoking' : 'ready' };
      return { state };

    case 'invocation/post':
      switch (input.standing) {
        case 'in-flight':
          return { state };
        case 'timed-out':
          // Too late: the RIE (Managed Instances) answers 410 InvokeTimeout to a post after the deadline.
          return refuse(state, 410, 'InvokeTimeout', 'Invoke timeout');
        case 'answered-last':
          // A second response or error for the same id: a classic runtime is in Lambda's "response
          // sent" state, which allows no response, hence 403; with concurrency the RIE answers 400.
          if (!isConcurrent(context)) return invalidTransition(state, 'invocation response');
          return refuse(state, 400, 'InvalidRequestID', 'Invalid request ID');
        default:
          // An id that is not (or no longer) current: 400 InvalidRequestID.
          return refuse(state, 400, 'InvalidRequestID', 'Invalid request ID');
      }

    case 'init/error':
      // Lambda takes an init error until the snapshot is restored; it ends the environment.
      if (state !== 'init' && state !== 'snapshot') return invalidTransition(state, 'init/error');
      return { state: 'failed' };

    case 'restore/error':
      // Only while the after-restore hooks run; it ends the environment.
      if (state !== 'restoring') return invalidTransition(state, 'restore/error');
      return { state: 'failed' };

    case 'restore':
      // The snapshot is restored: restore/next is answered (after-restore hooks run), or, for a runtime
      // snapshotted at invocation/next, the environment is ready at once.
      if (state !== 'snapshot') return { state };
      return { state: context.restorePollWaiting ? 'restoring' : 'ready' };

    case 'delivered':
      return { state: 'invoking' };

    case 'ended':
      return { state: state === 'invoking' && context.inFlight === 0 ? 'ready' : state };

    case 'timed-out':
      // Lambda stops a runtime whose invocation timed out and starts a new environment for the next
      // event. With concurrency (Managed Instances) the other invocations go on: only that one ends.
      if (!isConcurrent(context)) return { state: 'failed' };
      return { state: state === 'invoking' && context.inFlight === 0 ? 'ready' : state };
  }
}
