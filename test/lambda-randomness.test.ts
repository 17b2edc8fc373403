import t from 'tap';
import { RuntimeApiEmulator } from '../src/emulator/index.js';
import { LifecycleBus, type SnapStartEvents } from '../src/index.js';

// The cached random bytes are only observable across a real restore (test/v8-snapshot.test.ts proves
// refreshRandomCaches() on real blobs). Here the seam is replaced to check *when* the Lambda bridge
// refreshes them: after restore/next answered, before the first after-restore hook.
t.test('runSnapStartPhases() - refreshes random caches after the restore, before after-restore hooks', async (t) => {
  const order: string[] = [];
  const { runSnapStartPhases, RuntimeApiClient } = await t.mockImport<typeof import('../src/lambda/index.js')>(
    '../src/lambda/index.js',
    { '../src/fresh-randomness.ts': { refreshRandomCaches: () => order.push('refresh') } },
  );
  const bus = new LifecycleBus<SnapStartEvents>();
  bus.on('beforeSnapshot', () => void order.push('beforeSnapshot'));
  bus.on('afterRestore', () => void order.push('afterRestore'));
  for (const freshRandomness of [undefined, false]) {
    const emulator = await RuntimeApiEmulator.start({ autoRestore: true });
    const client = new RuntimeApiClient(emulator.address);
    t.teardown(async () => {
      client.close();
      await emulator.close();
    });
    order.length = 0;
    await runSnapStartPhases({ client, bus, ...(freshRandomness === false ? { freshRandomness } : {}) });
    if (freshRandomness === false) t.same(order, ['beforeSnapshot', 'afterRestore'], 'freshRandomness: false opts out');
    else t.same(order, ['beforeSnapshot', 'refresh', 'afterRestore']);
  }
});
