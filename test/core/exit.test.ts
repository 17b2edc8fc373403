import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const fixture = fileURLToPath(new URL('../fixtures/long-timeouts.ts', import.meta.url));

t.test('emit() - leaves no timer behind: a process whose hooks had 10-minute timeouts exits at once', async (t) => {
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 60_000 });
  const elapsed = Date.now() - started;
  t.equal(child.status, 0, child.stderr);
  t.same(JSON.parse(child.stdout.trim()), { ok: true, timers: 0 }, 'no Timeout resource is active after emit');
  // Start-up with tsx takes about a second here; 10-minute timers left behind would hold it for 10 minutes.
  t.ok(elapsed < 30_000, `exited after ${elapsed} ms`);
});
