/**
 * docs/lambda.md: every shell block says where it runs, and the `sh local` blocks run, in order, as a
 * reader would run them: in a copy of examples/lambda-container/, with `SNAPSTART_HOOKS` (the checkout)
 * and `NODE_BINARY` set, a PATH without node_modules/.bin, no network.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { NPM_OFFLINE } from './dockerfile.js';
import { FOREIGN_SECTIONS, shellBlocks, TAGS } from './guide.js';
import { nodeBinary, repoRoot } from './lifecycle.js';

const blocks = shellBlocks();
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

t.test('every shell block of the guide says where it runs', async (t) => {
  for (const block of blocks) {
    if (FOREIGN_SECTIONS.includes(block.section)) continue;
    t.ok((TAGS as readonly string[]).includes(block.tag), `line ${block.line}: sh ${block.tag || '(no tag)'}`);
  }
  t.ok(blocks.filter((block) => block.tag === 'local').length >= 3, 'the local steps are there');
  t.ok(
    blocks.some((block) => block.tag === 'aws' && block.code.includes('aws lambda publish-version')),
    'publishing a version is shown',
  );
});

/**
 * What each line of a `sh network` block is replaced with here: the test provides the result (the
 * checkout, a node binary, esbuild from the checkout), or the line serves a route the local steps do not
 * take. A new network line must be added here, so no local step can depend on something unprovided.
 */
const NETWORK_STAND_INS: [RegExp, 'provided' | 'esbuild' | 'other route'][] = [
  [/^cd \/path\/to\/checkout && npm ci && npm run build$/, 'provided'], // SNAPSTART_HOOKS: the suite runs on a built checkout
  [/^curl -fsSL https:\/\/nodejs\.org\/dist\/\S+ \| tar -xJ$/, 'provided'], // NODE_BINARY
  [/^NODE_BINARY=/, 'provided'],
  [/^npm install --save-dev esbuild$/, 'esbuild'],
  [/aws-lambda-rie/, 'other route'], // docker
  [/^cd cdk && npm install$/, 'other route'], // test/deploy/cdk.test.ts
];

t.test('the local steps run in order in a copy of the example', async (t) => {
  const work = mkdtempSync(path.join(tmpdir(), 'snapstart-guide-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const folder = path.join(work, 'lambda-container');
  cpSync(path.join(repoRoot, 'examples/lambda-container'), folder, {
    recursive: true,
    filter: (source) => !/[\\/]node_modules$/.test(source),
  });
  const home = path.join(work, 'home');
  mkdirSync(home);
  const env = {
    PATH: `${path.dirname(nodeBinary)}:/usr/bin:/bin`,
    HOME: home,
    LANG: 'C.UTF-8',
    SNAPSTART_HOOKS: repoRoot,
    NODE_BINARY: nodeBinary,
    ...NPM_OFFLINE,
    ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}),
  };
  let output = '';
  for (const block of blocks) {
    if (block.tag === 'network') {
      for (const line of block.code.split('\n').filter((text) => text.trim() !== '')) {
        const standIn = NETWORK_STAND_INS.find(([pattern]) => pattern.test(line.trim()));
        t.ok(standIn, `line ${block.line}: the test knows what stands for \`${line.trim()}\``);
        if (standIn?.[1] === 'esbuild' && !existsSync(path.join(folder, 'node_modules/esbuild'))) {
          // npm install --save-dev esbuild, offline: the checkout's copy.
          symlinkSync(path.join(repoRoot, 'node_modules/esbuild'), path.join(folder, 'node_modules/esbuild'));
        }
      }
      continue;
    }
    if (block.tag !== 'local') continue;
    const run = spawnSync('sh', ['-e', '-c', block.code], { cwd: folder, env, encoding: 'utf8', timeout: 180_000 });
    const step = `line ${block.line}: ${block.code.trim().split('\n').join(' && ')}`;
    t.equal(run.status, 0, step, run.status === 0 ? {} : { stderr: run.stderr, stdout: run.stdout });
    output += run.stdout;
  }

  t.ok(existsSync(path.join(folder, 'snapstart-hooks.tgz')), 'the packed tarball');
  const installed = JSON.parse(readFileSync(path.join(folder, 'node_modules/snapstart-hooks/package.json'), 'utf8'));
  t.equal(installed.version, version, 'snapstart-hooks installed from it');
  t.match(output, `snapstart-runtime ${version} (Node.js ${process.version})`, 'snapstart-runtime --version');
  t.match(output, /closeConnection[\s\S]*reopenConnection/, "simulate drew the example's hooks");
  for (const file of ['layer/bootstrap', 'layer/snapstart-runtime.mjs', 'layer/bin/node', 'function/index.mjs']) {
    t.ok(existsSync(path.join(folder, file)), `snapstart bundle wrote ${file}`);
  }
});
