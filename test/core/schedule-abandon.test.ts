/**
 * Abandoned hooks on the scheduler's fast paths: a serial phase carries on after a timed-out or
 * aborted hook in a new loop, late results are ignored, and an abort raised from inside a timeout
 * does not time out the hooks it already settled.
 */
import t from 'tap';
import { HookTimeoutError, LifecycleBus } from '../../src/index.js';
import { failedPhase } from '../helpers/phase.js';
import { collectUnhandledRejections } from '../helpers/unhandled.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

t.test('emit() - serial phase goes on after a timed-out hook and ignores its late rejection', async (t) => {
  const unhandled = collectUnhandledRejections(t);
  const bus = new LifecycleBus<{ phase: void }>();
  const order: string[] = [];
  let lateSignal: AbortSignal | undefined;
  // 'slow' goes on past its timeout until 'next' ran: the order does not depend on the machine's speed.
  let nextRan = (): void => {};
  const afterNext = new Promise<void>((resolve) => (nextRan = resolve));
  bus.on(
    'phase',
    async (ctx) => {
      order.push('slow start');
      lateSignal = ctx.signal;
      await afterNext;
      order.push('slow late');
      throw new Error('too late to matter');
    },
    { name: 'slow', timeout: 15 },
  );
  bus.on('phase', () => new Promise<never>(() => {}), { name: 'hung', timeout: 10 });
  bus.on(
    'phase',
    async () => {
      order.push('next');
      nextRan();
    },
    { name: 'next', timeout: 1_000 },
  );
  const error = await failedPhase(bus.emit('phase'));
  t.same(
    error.report.hooks.map((hook) => [hook.name, hook.status]),
    [
      ['slow', 'timedOut'],
      ['hung', 'timedOut'],
      ['next', 'fulfilled'],
    ],
  );
  t.same(order.slice(0, 2), ['slow start', 'next'], 'the next hooks ran without waiting for the abandoned one');
  t.ok(lateSignal?.aborted, 'the abandoned hook saw its signal abort');
  t.type(lateSignal?.reason, HookTimeoutError);
  for (const hook of error.report.hooks) t.ok(hook.durationMs >= 0, `${hook.name} has a duration`);
  await afterNext;
  await sleep(10);
  t.same(order, ['slow start', 'next', 'slow late']);
  t.same(unhandled, [], 'the late rejection is not unhandled');
});

t.test('emit() - serial phase stops at the deadline and at an abort of its signal', async (t) => {
  const bus = new LifecycleBus<{ phase: void }>();
  for (const name of ['a', 'b', 'c']) bus.on('phase', () => sleep(40), { name });
  const byDeadline = await failedPhase(bus.emit('phase', undefined, { deadline: 20 }));
  t.same(
    byDeadline.report.hooks.map((hook) => hook.status),
    ['timedOut', 'skipped', 'skipped'],
  );
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('stop')), 20);
  const byAbort = await failedPhase(bus.emit('phase', undefined, { signal: controller.signal }));
  t.same(
    byAbort.report.hooks.map((hook) => hook.status),
    ['rejected', 'skipped', 'skipped'],
  );
  t.match(String(byAbort.report.hooks[0]?.error), /stop/);
});

for (const concurrency of [1, 3]) {
  t.test(
    `emit() - an abort raised by a timed-out hook's listener is not turned into timeouts (concurrency ${concurrency})`,
    async (t) => {
      const bus = new LifecycleBus<{ phase: void }>({ concurrency });
      const controller = new AbortController();
      bus.on(
        'phase',
        async (ctx) => {
          ctx.signal.addEventListener('abort', () => controller.abort('phase aborted by h1'));
          await sleep(80);
        },
        { name: 'h1', timeout: 15 },
      );
      bus.on('phase', () => sleep(80), { name: 'h2', timeout: 15 });
      bus.on('phase', () => undefined, { name: 'h3' });
      const error = await failedPhase(bus.emit('phase', undefined, { signal: controller.signal }));
      const statuses = Object.fromEntries(error.report.hooks.map((hook) => [hook.name, hook.status]));
      t.equal(statuses.h1, 'timedOut');
      // Serial: h2 never started. Concurrent: h2 was running and is rejected by the abort.
      t.equal(statuses.h2, concurrency === 1 ? 'skipped' : 'rejected');
      t.equal(statuses.h3, concurrency === 1 ? 'skipped' : 'fulfilled');
    },
  );
}
