/**
 * Fault injection: the faults waiting to be applied, per endpoint, in the order injected.
 *
 * @module
 */
import { ENDPOINTS, type Endpoint } from '../runtime-api.js';
import {
  checkHeaderName,
  checkHeaderValue,
  checkInteger,
  checkOneOf,
  readArray,
  readOptions,
  readRecord,
  show,
} from '../validate.js';
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
    const times = readOptions('options', options, ['times']).times ?? 1;
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

/** The keys each kind of action has (`kind` included). */
const ACTION_KEYS: Readonly<Record<FaultAction['kind'], readonly string[]>> = {
  status: ['kind', 'status', 'body', 'headers'],
  reset: ['kind'],
  garbage: ['kind', 'bytes'],
  delay: ['kind', 'ms'],
  omitHeaders: ['kind', 'headers'],
  rawEvent: ['kind', 'body'],
};

/**
 * Checks an action and returns a copy of it, so a later change to the caller's object changes nothing.
 * Own properties only, each read once (a getter cannot pass the check with one value and be used with
 * another); a key the kind does not have is refused.
 */
function checkAction(action: FaultAction): FaultAction {
  if (typeof action !== 'object' || action === null) {
    throw new TypeError(`action must be an object, got ${show(action)}`);
  }
  const all = readRecord('action', action) as Readonly<Record<string, unknown>>;
  const kind = all.kind;
  checkOneOf('action.kind', kind, KINDS);
  if (kind === undefined) throw new TypeError(`action.kind must be one of ${KINDS.join(', ')}, got undefined`);
  // `all` is a plain copy (each own key read once): reading it again to refuse keys reads no getter twice.
  const given = readOptions('action', all, ACTION_KEYS[kind]) as Readonly<Record<string, unknown>>;
  switch (kind) {
    case 'status': {
      const { status, body } = given;
      checkInteger('action.status', status, 100, 599);
      if (status === undefined) throw new TypeError('action.status must be a number, got undefined');
      if (body !== undefined && typeof body !== 'string') {
        throw new TypeError(`action.body must be a string, got ${show(body)}`);
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(readRecord('action.headers', given.headers) ?? {})) {
        checkHeaderName(`action.headers key ${show(name)}`, name);
        checkHeaderValue(`action.headers.${name}`, value);
        if (value !== undefined) headers[name] = value;
      }
      return { kind, status, body: body ?? '', headers };
    }
    case 'garbage':
      if (typeof given.bytes !== 'string')
        throw new TypeError(`action.bytes must be a string, got ${show(given.bytes)}`);
      return { kind, bytes: given.bytes };
    case 'delay':
      checkInteger('action.ms', given.ms, 0, 2_147_483_647);
      if (given.ms === undefined) throw new TypeError('action.ms must be a number, got undefined');
      return { kind, ms: given.ms };
    case 'omitHeaders': {
      const names = Array.isArray(given.headers) ? readArray('action.headers', given.headers) : undefined;
      if (names === undefined || !names.every((name) => typeof name === 'string')) {
        throw new TypeError(`action.headers must be an array of header names, got ${show(given.headers)}`);
      }
      return { kind, headers: names.map((name) => name.toLowerCase()) };
    }
    case 'rawEvent':
      if (typeof given.body !== 'string') throw new TypeError(`action.body must be a string, got ${show(given.body)}`);
      return { kind, body: given.body };
    default:
      return { kind: 'reset' };
  }
}
