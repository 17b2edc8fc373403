/**
 * Regression: a phase deadline reached in front of hooks that were all unsubscribed during the emit
 * rejected the emit ("phase deadline reached; 1 skipped", no errors) although no hook that would
 * have run was kept out. Found by test/core/property-schedule.test.ts.
 */
import t from 'tap';
import { LifecycleBus, LifecycleError } from '../../src/index.js';

/** Blocks the thread, so the deadline passes while a sync hook runs, whatever the machine's speed. */
function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

for (const concurrency of [1, 2]) {
  t.test(
    `emit() - deadline passed before an unsubscribed hook only: resolves (concurrency ${concurrency})`,
    async (t) => {
      const bus = new LifecycleBus<{ e: void }>({ concurrency });
      let offLater = (): void => {};
      bus.on(
        'e',
        () => {
          offLater();
          busyWait(30);
        },
        { priority: 1, name: 'slow' },
      );
      offLater = bus.on('e', () => t.fail('unsubscribed hook ran'), { name: 'later' });
      const report = await bus.emit('e', undefined, { deadline: 10 });
      t.same(
        report.hooks.map((hook) => [hook.name, hook.status]),
        [
          ['slow', 'fulfilled'],
          ['later', 'skipped'],
        ],
      );
    },
  );

  t.test(`emit() - deadline passed before a hook that would run: rejects (concurrency ${concurrency})`, async (t) => {
    const bus = new LifecycleBus<{ e: void }>({ concurrency });
    bus.on('e', () => busyWait(30), { priority: 1, name: 'slow' });
    bus.on('e', () => t.fail('hook started after the deadline'), { name: 'later' });
    const error = await bus.emit('e', undefined, { deadline: 10 }).catch((caught: unknown) => caught);
    t.type(error, LifecycleError);
    t.match((error as LifecycleError).message, /phase deadline of 10 ms reached; 1 skipped/);
    t.equal((error as LifecycleError).report.hooks[1]?.status, 'skipped');
  });
}
