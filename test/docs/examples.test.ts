import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const quickstart = fileURLToPath(new URL('../../examples/quickstart.ts', import.meta.url));

t.test('examples/quickstart.ts - init, before-snapshot, after-restore, invocation, in that order', async (t) => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', quickstart], { encoding: 'utf8', timeout: 60_000 });
  t.equal(child.status, 0, child.stderr);
  const steps = [
    'Config loaded: local_test_config',
    'Database connected: hello from db, connection #1',
    'Executing beforeSnapshotHook: closing DB connection.',
    'beforeSnapshot ok in',
    'Executing afterRestoreHook: re-establishing resources.',
    'Database connected: hello from db, connection #2',
    'afterRestore ok in',
    'Handler executed with config: local_test_config and db: open',
    "body: 'Function executed successfully!'",
  ];
  let from = 0;
  for (const step of steps) {
    const at = child.stdout.indexOf(step, from);
    t.ok(at >= 0, `prints "${step}" after the previous step`);
    if (at >= 0) from = at + step.length;
  }
  t.match(child.stdout, /afterRestoreHook +p0 fulfilled/, 'the phase report names the hook');
});
