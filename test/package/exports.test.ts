import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entries = ['snapstart-hooks', 'snapstart-hooks/lambda', 'snapstart-hooks/emulator', 'snapstart-hooks/v8'];

// The built package as users load it (self-reference through package.json "exports"); npm test builds first.
t.test(
  'package - every entry loads with import() and require(), with the same exports',
  { skip: !existsSync(`${root}dist/index.js`) && 'dist/ is not built' },
  async (t) => {
    const script = `
    const out = {};
    for (const entry of ${JSON.stringify(entries)}) {
      const esm = await import(entry);
      const cjs = require(entry);
      out[entry] = { esm: Object.keys(esm).sort(), cjs: Object.keys(cjs).sort() };
    }
    const { snapStartBus: viaImport } = await import('snapstart-hooks');
    out.sameBus = viaImport === require('snapstart-hooks').snapStartBus;
    process.stdout.write(JSON.stringify(out));
  `;
    const child = spawnSync(
      process.execPath,
      [
        '--no-warnings',
        '--input-type=commonjs',
        '-e',
        `(async () => { ${script} })().catch((e) => { console.error(e); process.exit(1); })`,
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    t.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as Record<string, { esm: string[]; cjs: string[] }> & { sameBus: boolean };
    for (const entry of entries) {
      t.ok(out[entry]?.esm.length, `${entry} has exports`);
      t.same(out[entry]?.cjs, out[entry]?.esm, `${entry}: require() sees what import sees`);
    }
    t.same(out['snapstart-hooks']?.esm, [
      'HookTimeoutError',
      'LifecycleBus',
      'LifecycleError',
      'formatReport',
      'refreshRandomCaches',
      'registerAfterRestore',
      'registerBeforeSnapshot',
      'registerResource',
      'snapStartBus',
    ]);
    t.equal(out.sameBus, true, 'one snapStartBus for both module systems');
  },
);
