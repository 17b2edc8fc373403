/**
 * What runs inside the checked process after each restore: call the handler (with the event and a
 * Lambda context) or the probe, and read the named top-level values.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createContext } from '../lambda/context.js';
import { isThenable } from '../util/promise.js';
import { describeThrown, inspectThrown, isError } from '../util/thrown.js';
import { publishedReader } from './inject.js';
import { type Plain, toPlain, UNDEFINED, type ValuePath } from './values.js';

/** Where a check run failed. `usage`: the module lacks what the command line named. */
export type FailureStage =
  | 'usage'
  | 'init'
  | 'beforeSnapshot'
  | 'afterRestore'
  | 'probe'
  | 'bundle'
  | 'build'
  | 'timeout';

/** What to call and read in the checked module. */
export interface ProbeSpec {
  /** The export to call after each restore: a Lambda handler or a probe returning values to compare. */
  readonly call?: { readonly kind: 'handler' | 'probe'; readonly exportPath: readonly string[] };
  /** The handler's event (the probe's only argument). */
  readonly event: unknown;
  /** Top-level bindings to read after each restore. */
  readonly values: readonly ValuePath[];
}

/** What one restore showed. */
export interface Observation {
  /** What the call returned, when there is a call. */
  output?: Plain;
  /** Each `--value`, by its path text. */
  values: Record<string, Plain>;
}

/** A failure of the checked module, with the stage it happened in. */
export class CheckRunError extends Error {
  readonly stage: FailureStage;

  constructor(stage: FailureStage, message: string) {
    super(message);
    this.name = 'CheckRunError';
    this.stage = stage;
  }
}

/** A thrown value as `Name: message` (or `non-Error value ...`), bounded. */
export function describeFailure(error: unknown, maxLength = 1_000): string {
  const parts = inspectThrown(error);
  const message = describeThrown(error, maxLength);
  return parts.isError && parts.name !== '' ? `${parts.name}: ${message}` : message;
}

/** A failed run's result for whatever was thrown (a {@link CheckRunError} keeps its stage). */
export function failureOf(error: unknown): { ok: false; stage: FailureStage; message: string } {
  if (isError(error) && error instanceof CheckRunError)
    return { ok: false, stage: error.stage, message: error.message };
  return { ok: false, stage: 'probe', message: describeFailure(error) };
}

/** The function to call, looked up in the module's exports (and, for CommonJS, its `default`). */
export function findCallable(namespace: unknown, spec: ProbeSpec): ((...args: unknown[]) => unknown) | undefined {
  if (spec.call === undefined) return undefined;
  const path = spec.call.exportPath;
  const found = lookup(namespace, path) ?? lookup(lookup(namespace, ['default']), path);
  if (typeof found !== 'function') {
    const flag = spec.call.kind === 'handler' ? '--handler' : '--probe';
    throw new CheckRunError('usage', `${flag}: the module has no function export ${JSON.stringify(path.join('.'))}`);
  }
  return found as (...args: unknown[]) => unknown;
}

/** Calls the handler or probe once and reads the values. */
export async function observe(
  fn: ((...args: unknown[]) => unknown) | undefined,
  spec: ProbeSpec,
): Promise<Observation> {
  const observation: Observation = { values: readValues(spec.values) };
  if (fn !== undefined && spec.call !== undefined) {
    try {
      const result = spec.call.kind === 'handler' ? await invokeHandler(fn, spec.event) : await fn(spec.event);
      observation.output = toPlain(result);
    } catch (error) {
      throw new CheckRunError('probe', `${spec.call.exportPath.join('.')} threw ${describeFailure(error)}`);
    }
  }
  return observation;
}

/** Reads each `--value` from the module's top level. */
export function readValues(paths: readonly ValuePath[]): Record<string, Plain> {
  const values: Record<string, Plain> = {};
  if (paths.length === 0) return values;
  const read = publishedReader();
  if (read === undefined) throw new CheckRunError('usage', 'could not read the values: the module was not extended');
  for (const path of paths) {
    let value: unknown;
    try {
      value = read(path.root);
    } catch (error) {
      const reason =
        isError(error) && error instanceof ReferenceError
          ? 'there is no such binding at its top level'
          : describeFailure(error);
      throw new CheckRunError('usage', `--value ${path.text}: ${reason}`);
    }
    values[path.text] = path.keys.length === 0 ? toPlain(value) : readKeys(value, path.keys);
  }
  return values;
}

function readKeys(value: unknown, keys: readonly (string | number)[]): Plain {
  try {
    return toPlain(lookup(value, keys.map(String)));
  } catch {
    return UNDEFINED;
  }
}

/** Calls a Lambda handler the way the runtime does: `(event, context)`, or with a callback when it takes one. */
function invokeHandler(handler: (...args: unknown[]) => unknown, event: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const settle = (error: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    const context = createContext(
      {
        requestId: randomUUID(),
        deadlineMs: Date.now() + 30_000,
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:snapstart-check',
        traceId: undefined,
        clientContext: undefined,
        cognitoIdentity: undefined,
        rawEvent: '',
      },
      {
        AWS_LAMBDA_FUNCTION_NAME: 'snapstart-check',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      },
      settle,
    );
    const returned = handler.length >= 3 ? handler(event, context, settle) : handler(event, context);
    if (handler.length < 3 || isThenable(returned)) Promise.resolve(returned).then(resolve, reject);
  });
}

function lookup(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if ((typeof current !== 'object' && typeof current !== 'function') || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
