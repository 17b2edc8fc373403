/**
 * An event made ready for `invocation/next` at the moment `invoke()` is called: every argument
 * checked and serialised there, so a value that cannot be sent is refused at the call and never
 * reaches the server (where it would wedge the queue or throw out of a request handler).
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describeThrown } from '../util/thrown.js';
import { MAX_TIMER_DELAY } from '../util/timers.js';
import { checkHeaderValue, checkInteger, readOptions } from '../validate.js';
import type { FaultBook } from './faults.js';
import type { InvokeOptions, RecordedRequest } from './types.js';
import { HEADER } from './wire.js';

/** Lambda's default function timeout. */
export const DEFAULT_FUNCTION_TIMEOUT = 3_000;

const INVOKE_OPTIONS = ['requestId', 'timeout', 'traceId', 'tenantId', 'clientContext', 'cognitoIdentity'] as const;

/** An event ready to be delivered. */
export interface PreparedEvent {
  readonly requestId: string;
  /** The event as JSON text. */
  readonly body: string;
  /** The delivery headers, except the deadline (set at delivery). */
  readonly headers: Readonly<Record<string, string>>;
  /** The function timeout in ms. */
  readonly timeout: number;
}

/**
 * Checks and serialises an `invoke()` call.
 *
 * @throws TypeError or RangeError naming the argument that cannot be sent.
 */
export function prepareEvent(event: unknown, options: InvokeOptions | undefined, functionArn: string): PreparedEvent {
  // Own properties only, each read once: what is checked below is what is sent.
  const given = readOptions('options', options, INVOKE_OPTIONS) as Readonly<InvokeOptions>;
  const { requestId = randomUUID(), timeout = DEFAULT_FUNCTION_TIMEOUT, traceId, tenantId } = given;
  checkHeaderValue('options.requestId', requestId);
  checkInteger('options.timeout', timeout, 1, MAX_TIMER_DELAY);
  checkHeaderValue('options.traceId', traceId);
  checkHeaderValue('options.tenantId', tenantId);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [HEADER.requestId]: requestId,
    [HEADER.functionArn]: functionArn,
    [HEADER.traceId]: traceId ?? traceHeader(),
  };
  if (tenantId !== undefined) headers[HEADER.tenantId] = tenantId;
  if (given.clientContext !== undefined) {
    headers[HEADER.clientContext] = headerJson('options.clientContext', given.clientContext);
  }
  if (given.cognitoIdentity !== undefined) {
    headers[HEADER.cognitoIdentity] = headerJson('options.cognitoIdentity', given.cognitoIdentity);
  }
  // An undefined event is sent as null, as Lambda sends an empty payload.
  return { requestId, body: event === undefined ? 'null' : toJson('event', event), headers, timeout };
}

/**
 * The answer to the `invocation/next` poll `record` that delivers `event`: its headers (with the
 * deadline, now + the timeout) and body, after the poll's `omitHeaders` and `rawEvent` faults.
 */
export function deliveryAnswer(
  event: PreparedEvent,
  faults: FaultBook,
  record: RecordedRequest,
): { deadline: number; headers: Record<string, string>; body: string } {
  const deadline = Date.now() + event.timeout;
  const headers: Record<string, string> = { ...event.headers, [HEADER.deadline]: String(deadline) };
  let body = event.body;
  const omit = faults.take('invocation/next', ['omitHeaders']);
  if (omit?.kind === 'omitHeaders') {
    for (const name of omit.headers) delete headers[name];
    record.fault = 'omitHeaders';
  }
  const raw = faults.take('invocation/next', ['rawEvent']);
  if (raw?.kind === 'rawEvent') {
    body = raw.body;
    record.fault = 'rawEvent';
  }
  return { deadline, headers, body };
}

/**
 * `value` as JSON text.
 *
 * @throws TypeError for what JSON cannot carry (a BigInt, a circular structure, a function, a Symbol,
 * a throwing `toJSON`), RangeError for a structure too deep to serialise.
 */
export function toJson(name: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    const reason = `${name} cannot be sent as JSON: ${describeThrown(error)}`;
    throw error instanceof RangeError ? new RangeError(reason) : new TypeError(reason);
  }
  if (json === undefined) throw new TypeError(`${name} cannot be sent as JSON: ${typeof value} has no JSON form`);
  return json;
}

/** JSON for a header: every character outside printable ASCII escaped, so any value is a valid header. */
function headerJson(name: string, value: unknown): string {
  return toJson(name, value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A fresh X-Ray trace header, as Lambda sends one. */
function traceHeader(): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
