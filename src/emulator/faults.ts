/**
 * Fault injection: the faults waiting to be applied, per endpoint, in the order injected.
 *
 * @module
 */
import { ENDPOINTS, type Endpoint } from '../runtime-api.js';
import { checkHeaderValue, checkInteger, checkKnownKeys, checkOneOf, checkOptionsObject, show } from '../validate.js';
import type { FaultAction, FaultOptions } from './types.js';

/** The fault kinds, in the order {@link FaultAction} documents them. */
const KINDS = ['status', 'reset', 'garbage', 'delay', 'omitHeaders', 'rawEvent'] as const;

/** The kinds applied to the answer of a request (the transport's business) and to a delivered event. */
export const ANSWER_FAULTS: readonly FaultAction['kind'][] = ['status', 'reset', 'garbage', 'delay'];

interface Fault {
  readonly endpoint: Endpoint;
  readonly action: FaultAction;
  remaining: number;
}

/** The injected faults. */
export class FaultBook {
  readonly #faults: Fault[] = [];

  /**
   * Adds a fault, after checking it: the endpoint, the action's kind and fields, and `options.times`.
   *
   * @returns a function that removes it (a no-op once it is used up or removed).
   * @throws TypeError or RangeError naming the bad argument.
   */
  add(endpoint: Endpoint, action: FaultAction, options: FaultOptions | undefined): () => void {
    checkOneOf('endpoint', endpoint, ENDPOINTS);
    if (endpoint === undefined) throw new TypeError('endpoint must be one of the Runtime API endpoints, got undefined');
    checkOptionsObject('options', options);
    checkKnownKeys('options', options, ['times']);
    const times = options?.times ?? 1;
    if (times !== Number.POSITIVE_INFINITY) checkInteger('options.times', times, 1, Number.MAX_SAFE_INTEGER);
    const checked = checkAction(action);
    if ((checked.kind === 'omitHeaders' || checked.kind === 'rawEvent') && endpoint !== 'invocation/next') {
      throw new RangeError(`fault ${checked.kind} applies to invocation/next only, got ${endpoint}`);
    }
    const fault: Fault = { endpoint, action: checked, remaining: times };
    this.#faults.push(fault);
    return () => {
      const index = this.#faults.indexOf(fault);
      if (index !== -1) this.#faults.splice(index, 1);
    };
  }

  /** Takes one use of the first fault on `endpoint` of one of `kinds`, or returns `undefined`. */
  take(endpoint: Endpoint, kinds: readonly FaultAction['kind'][]): FaultAction | undefined {
    const fault = this.#faults.find((entry) => entry.endpoint === endpoint && kinds.includes(entry.action.kind));
    if (fault === undefined) return undefined;
    if (--fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    return fault.action;
  }
}

/** Checks an action and returns a copy of it, so a later change to the caller's object changes nothing. */
function checkAction(action: FaultAction): FaultAction {
  if (typeof action !== 'object' || action === null) {
    throw new TypeError(`action must be an object, got ${show(action)}`);
  }
  const kind: unknown = action.kind;
  checkOneOf('action.kind', kind, KINDS);
  switch (action.kind) {
    case 'status': {
      checkInteger('action.status', action.status, 100, 599);
      if (action.status === undefined) throw new TypeError('action.status must be a number, got undefined');
      if (action.body !== undefined && typeof action.body !== 'string') {
        throw new TypeError(`action.body must be a string, got ${show(action.body)}`);
      }
      checkOptionsObject('action.headers', action.headers);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(action.headers ?? {})) {
        checkHeaderValue(`action.headers.${name}`, value);
        headers[name] = value;
      }
      return { kind: 'status', status: action.status, body: action.body ?? '', headers };
    }
    case 'garbage':
      if (typeof action.bytes !== 'string')
        throw new TypeError(`action.bytes must be a string, got ${show(action.bytes)}`);
      return { kind: 'garbage', bytes: action.bytes };
    case 'delay':
      checkInteger('action.ms', action.ms, 0, 2_147_483_647);
      if (action.ms === undefined) throw new TypeError('action.ms must be a number, got undefined');
      return { kind: 'delay', ms: action.ms };
    case 'omitHeaders':
      if (!Array.isArray(action.headers) || !action.headers.every((name) => typeof name === 'string')) {
        throw new TypeError(`action.headers must be an array of header names, got ${show(action.headers)}`);
      }
      return { kind: 'omitHeaders', headers: action.headers.map((name) => name.toLowerCase()) };
    case 'rawEvent':
      if (typeof action.body !== 'string')
        throw new TypeError(`action.body must be a string, got ${show(action.body)}`);
      return { kind: 'rawEvent', body: action.body };
    default:
      return { kind: 'reset' };
  }
}
