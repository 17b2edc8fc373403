import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { typescriptLoader } from '../../src/check/process-mode.js';
import { runV8Mode, type V8RunOptions } from '../../src/check/v8-mode.js';

async function options(t: Test): Promise<V8RunOptions> {
  const workDir = await mkdtemp(join(tmpdir(), 'snapstart-v8-mode-test-'));
  t.teardown(() => rm(workDir, { recursive: true, force: true }));
  const module = join(workDir, 'app.mjs');
  await writeFile(module, 'export const probe = () => 1;\n');
  return { module, spec: { event: undefined, values: [] }, restores: 2, timeout: 30_000, workDir };
}

/** A stand-in for esbuild that writes `code` as the bundle. */
const writesBundle = (code: string) => async () => ({
  build: async (build: { outfile: string }) => {
    await writeFile(build.outfile, code);
    return { warnings: [] };
  },
});

t.test('runV8Mode() - without esbuild, or when bundling fails: no snapshot, and why', async (t) => {
  const missing = async () => {
    throw new Error('snapstart snapshot needs esbuild, and "esbuild" could not be found');
  };
  t.same(await runV8Mode(await options(t), missing), {
    unavailable: 'the V8 mode needs esbuild, and "esbuild" could not be found',
    stage: 'bundle',
  });
  const failing = async () => ({
    build: async () => {
      throw new Error('disk full');
    },
  });
  t.same(await runV8Mode(await options(t), failing), {
    unavailable: 'the module could not be bundled into one file: disk full',
    stage: 'bundle',
  });
});

t.test('runV8Mode() - a bundle whose snapshot build fails', async (t) => {
  const outcome = await runV8Mode(await options(t), writesBundle("throw new Error('init exploded');\n"));
  t.match(outcome, {
    stage: 'build',
    unavailable: /^the V8 snapshot could not be built \(exit code 1\): .*init exploded/,
  });
});

t.test("runV8Mode() - a restore that fails is the run's result", async (t) => {
  const bundle = `
    const v8 = require('node:v8');
    const fs = require('node:fs');
    const write = (result) => fs.writeFileSync(process.env.SNAPSTART_CHECK_RESULT, JSON.stringify(result));
    if (v8.startupSnapshot.isBuildingSnapshot()) {
      v8.startupSnapshot.setDeserializeMainFunction(() => write({ ok: false, stage: 'afterRestore', message: 'reconnect failed' }));
    } else {
      write({ ok: true, atInit: {}, restores: [] });
    }
  `;
  t.same(await runV8Mode(await options(t), writesBundle(bundle)), {
    main: { ok: false, stage: 'afterRestore', message: 'reconnect failed' },
    control: { ok: true, atInit: {}, restores: [] },
  });
});

t.test('typescriptLoader() - tsx for TypeScript, unless a loader is given', async (t) => {
  t.same(typescriptLoader('/app/handler.mjs', [], '/pkg/runner.js'), []);
  t.match(typescriptLoader('/app/handler.ts', [], '/pkg/runner.js'), ['--import', /^file:.*tsx/]);
  t.match(typescriptLoader('/app/handler.mjs', [], '/pkg/runner.ts'), ['--import', /^file:.*tsx/]);
  t.same(typescriptLoader('/app/handler.ts', ['--import=tsx'], '/pkg/runner.js'), []);
  t.same(typescriptLoader('/app/handler.mts', ['--experimental-strip-types'], '/pkg/runner.js'), []);
  const elsewhere = await mkdtemp(join(tmpdir(), 'snapstart-no-tsx-'));
  t.teardown(() => rm(elsewhere, { recursive: true, force: true }));
  t.same(typescriptLoader('/app/handler.ts', [], '/pkg/runner.js', elsewhere), ['--import', 'tsx']);
});
