/**
 * Serving several invocations at once (Lambda Managed Instances): the bound from
 * `AWS_LAMBDA_MAX_CONCURRENCY`, and the slots that keep that many `/next` polls open.
 *
 * @module
 */
import { deferred } from '../util/promise.js';
import { MAX_CONCURRENCY } from './client.js';

/** The variable Lambda Managed Instances set to the number of invocations an environment may serve at once. */
export const MAX_CONCURRENCY_ENV = 'AWS_LAMBDA_MAX_CONCURRENCY';

/**
 * The number of invocations to serve at once, from `AWS_LAMBDA_MAX_CONCURRENCY`: unset or empty is 1;
 * an integer from 1 to {@link MAX_CONCURRENCY} (decimal digits only) is itself. Anything else is served
 * as 1 after a warning naming the variable and its value: a runtime that refused to start over it
 * would fail every cold start, and AWS's own runtime clients fall back the same way (aws-lambda-go
 * and the Swift runtime serve one at a time).
 *
 * @example
 * ```ts
 * import { maxConcurrencyFromEnv } from 'snapstart-hooks/lambda';
 *
 * console.log(maxConcurrencyFromEnv({ AWS_LAMBDA_MAX_CONCURRENCY: '8' }, console.warn)); // 8
 * ```
 */
export function maxConcurrencyFromEnv(env: NodeJS.ProcessEnv, warn: (message: string) => void): number {
  const raw = env[MAX_CONCURRENCY_ENV];
  if (raw === undefined || raw === '') return 1;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (value >= 1 && value <= MAX_CONCURRENCY) return value;
  warn(
    `snapstart-runtime: warning: ${MAX_CONCURRENCY_ENV} must be an integer from 1 to ${MAX_CONCURRENCY}, got ${JSON.stringify(raw)}; serving one invocation at a time`,
  );
  return 1;
}

/**
 * Runs `task` `total` times (`Infinity`: until one fails), at most `concurrency` at once, with
 * `p-limit` holding the slots: each task takes a slot, queues its successor, then polls for an event
 * and serves it, so `concurrency` polls stay open and a freed slot starts the next poll at once.
 *
 * @returns the number of tasks run, once all `total` finished.
 * @throws the first task's error (the Runtime API is gone); queued tasks are dropped.
 */
export async function runInSlots(concurrency: number, total: number, task: () => Promise<void>): Promise<number> {
  // Loaded only here: serving one invocation at a time costs no import.
  const { default: pLimit } = await import('p-limit');
  const limit = pLimit(concurrency);
  const done = deferred<number>();
  let queued = 0;
  let finished = 0;
  const queue = (): void => {
    if (queued >= total) return;
    queued++;
    limit(() => {
      // Queued here, outside the invocation this task is about to serve, so it inherits no invocation scope.
      queue();
      return task();
    }).then(
      () => {
        if (++finished === total) done.resolve(finished);
      },
      (error: unknown) => {
        limit.clearQueue();
        done.reject(error);
      },
    );
  };
  queue();
  return done.promise;
}
