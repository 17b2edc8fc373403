import t from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import { LifecycleBus, type SnapStartEvents } from '../../src/index.js';
import { RuntimeApiClient, runSnapStartPhases } from '../../src/lambda/index.js';

// Cached random bytes are only observable across a real restore (test/v8/snapshot.test.ts proves
// refreshRandomCaches() on real blobs); here we check *when* the Lambda bridge runs its restore step.
t.test('runSnapStartPhases() - onRestored runs after restore/next answered, before after-restore hooks', async (t) => {
  const emulator = await RuntimeApiEmulator.start({ autoRestore: true });
  const client = new RuntimeApiClient(emulator.address);
  t.teardown(async () => {
    client.close();
    await emulator.close();
  });
  const order: string[] = [];
  const bus = new LifecycleBus<SnapStartEvents>();
  bus.on('beforeSnapshot', () => void order.push(`beforeSnapshot (${emulator.state})`));
  bus.on('afterRestore', () => void order.push('afterRestore'));
  await runSnapStartPhases({ client, bus, onRestored: () => order.push(`restored (${emulator.state})`) });
  t.same(order, ['beforeSnapshot (init)', 'restored (restoring)', 'afterRestore']);
});

t.test(
  'refreshRandomCaches() - loads node:crypto on first use, also where process.getBuiltinModule is missing (Node < 20.16)',
  async (t) => {
    const getBuiltinModule = process.getBuiltinModule;
    // A fresh instance of the module (its own crypto slot), loaded while the newer API is absent.
    Reflect.deleteProperty(process, 'getBuiltinModule');
    t.teardown(() => {
      process.getBuiltinModule = getBuiltinModule;
    });
    const fresh = (await import(`../../src/fresh-randomness.js?no-builtin-module=${Date.now()}`)) as {
      refreshRandomCaches: () => void;
    };
    t.doesNotThrow(() => fresh.refreshRandomCaches(), 'crypto reached through createRequire');
    process.getBuiltinModule = getBuiltinModule;
    const second = (await import(`../../src/fresh-randomness.js?builtin-module=${Date.now()}`)) as {
      refreshRandomCaches: () => void;
    };
    t.doesNotThrow(() => second.refreshRandomCaches(), 'crypto reached through process.getBuiltinModule');
  },
);
