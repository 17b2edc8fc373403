import t from 'tap';
import { LifecycleBus } from '../src/index.js';

t.test('emit() - runs a hook', async (t) => {
  const bus = new LifecycleBus<{ a: void }>();
  let ran = 0;
  bus.on('a', () => {
    ran++;
  });
  const report = await bus.emit('a');
  t.equal(ran, 1);
  t.equal(report.ok, true);
});
