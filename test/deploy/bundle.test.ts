/**
 * `snapstart bundle`: its options and failures in-process, then what it writes run exactly as Lambda
 * runs a custom runtime (the `bootstrap` started with the task root as working directory and Lambda's
 * variables, nothing inherited): as a layer that brings its own node (in /opt), and as a .zip function
 * that finds node on the PATH.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { BUNDLE_FILES, type EsmBundler, loadEsbuild, nodeMajor, runBundle } from '../../src/cli/bundle.js';
import { main } from '../../src/cli/commands.js';
import { nodeBinary, repoRoot, runLifecycle } from './lifecycle.js';

const work = realpathSync(mkdtempSync(path.join(tmpdir(), 'snapstart-bundle-')));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const fixture = path.join(repoRoot, 'test/deploy/fixtures/bundled-app.ts');
const major = nodeMajor(process.version) as number;

/** Runs `fn` in-process, capturing what it writes to stdout and stderr. */
async function captured(t: Test, fn: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const restore = () =>
    Object.assign(process.stdout, { write: writes.stdout }) && Object.assign(process.stderr, { write: writes.stderr });
  t.teardown(restore);
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  try {
    return { code: await fn(), stdout: out.join(''), stderr: err.join('') };
  } finally {
    restore();
  }
}

const bundle = (t: Test, argv: string[], load?: () => Promise<EsmBundler>) => captured(t, () => runBundle(argv, load));

t.test('--help, and `snapstart --help` lists the command', async (t) => {
  const help = await bundle(t, ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^Usage: snapstart bundle --out <dir>/);
  t.match(help.stdout, /<dir>\/bootstrap/);
  const top = await captured(t, () => main(['--help']));
  t.match(top.stdout, /\n {2}bundle {5}Write snapstart-runtime as one file with a bootstrap/);
  const dispatched = await captured(t, () => main(['bundle', '-h']));
  t.equal(dispatched.code, 0);
  t.match(dispatched.stdout, /^Usage: snapstart bundle/);
});

t.test('bad usage exits 2 naming the option, before bundling anything', async (t) => {
  const file = path.join(work, 'a-file');
  writeFileSync(file, 'not a node binary');
  const cases: [string[], RegExp][] = [
    [[], /--out <dir> is required/],
    [['--out', file], /--out ".*a-file" exists and is not a directory/],
    [['--out', work, '--handler', path.join(work, 'missing.ts')], /--handler ".*missing\.ts" is not a file/],
    [['--out', work, '--node', path.join(work, 'missing-node')], /--node ".*missing-node" is not a file/],
    [['--out', work, '--node-major', 'x'], /--node-major must be an integer >= 1, got "x"/],
    [['--out', work, '--node-major', '0'], /--node-major must be an integer >= 1, got "0"/],
    [['--out', work, '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [argv, message] of cases) {
    const run = await bundle(t, argv, () => Promise.reject(new Error('esbuild must not load')));
    t.equal(run.code, 2, argv.join(' '));
    t.match(run.stderr, message);
    t.match(run.stderr, /Usage: snapstart bundle/);
  }
});

t.test('an output that is an input is refused before anything is written (real paths compared)', async (t) => {
  const dir = path.join(work, 'clash');
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const app = path.join(dir, 'app.mjs');
  const named = path.join(dir, 'snapstart-runtime.mjs');
  const node = path.join(dir, 'bin', 'node');
  for (const file of [app, named, node]) writeFileSync(file, 'export const handler = async () => 1;\n');
  const elsewhere = path.join(work, 'clash-elsewhere');
  mkdirSync(elsewhere, { recursive: true });
  writeFileSync(path.join(elsewhere, 'snapstart-runtime.ts'), 'export {};\n');
  symlinkSync(dir, path.join(work, 'clash-link'));
  const rows: [string, string[], RegExp][] = [
    [
      'the handler bundle over its entry',
      ['--out', dir, '--handler', app],
      /the handler bundle ".*app\.mjs", which is the --handler entry/,
    ],
    ['through ./ and ..', ['--out', `${dir}/bin/../.`, '--handler', app], /which is the --handler entry/],
    [
      'through a symbolic link',
      ['--out', path.join(work, 'clash-link'), '--handler', app],
      /which is the --handler entry/,
    ],
    [
      'the runtime over the entry',
      ['--out', dir, '--handler', named],
      /the runtime ".*snapstart-runtime\.mjs", which is the --handler entry/,
    ],
    [
      'the node binary over itself',
      ['--out', dir, '--node', node],
      /the node binary ".*bin\/node", which is the --node binary/,
    ],
    [
      'two outputs on one file',
      ['--out', path.join(work, 'clash-out'), '--handler', path.join(elsewhere, 'snapstart-runtime.ts')],
      /would write the runtime and the handler bundle to the same file/,
    ],
  ];
  for (const [what, argv, message] of rows) {
    const run = await bundle(t, [...argv, '--node-major', '20'], () =>
      Promise.reject(new Error('esbuild must not load')),
    );
    t.equal(run.code, 1, what);
    t.match(run.stderr, message, what);
  }
  t.equal(readFileSync(app, 'utf8'), 'export const handler = async () => 1;\n', 'nothing was overwritten');
  t.equal(readFileSync(node, 'utf8'), 'export const handler = async () => 1;\n');
  t.notOk(existsSync(path.join(dir, BUNDLE_FILES.bootstrap)), 'nothing was written');
});

t.test('a --node that does not run here needs --node-major', async (t) => {
  const file = path.join(work, 'not-runnable');
  writeFileSync(file, 'not a node binary');
  const run = await bundle(t, ['--out', path.join(work, 'unused'), '--node', file]);
  t.equal(run.code, 1);
  t.match(
    run.stderr,
    /cannot run .*not-runnable to read its version \(another architecture\?\): pass --node-major <n>/,
  );
});

t.test('esbuild missing, failing, throwing a non-Error, or warning', async (t) => {
  const out = path.join(work, 'failures');
  const missing = await bundle(t, ['--out', out], () => loadEsbuild('snapstart-no-such-bundler'));
  t.equal(missing.code, 1);
  t.match(missing.stderr, 'could not be found: install it with `npm install --save-dev esbuild`');
  const inner = path.join(work, 'inner.mjs');
  writeFileSync(inner, `throw new Error("Cannot find module 'a-dependency-of-the-bundler'");\n`);
  await t.rejects(loadEsbuild(inner), { message: "Cannot find module 'a-dependency-of-the-bundler'" });

  const unresolved = await bundle(t, ['--out', out, '--handler', fixture]);
  t.equal(unresolved.code, 1, 'greeting cannot be bundled: it is not installed');
  t.match(
    unresolved.stderr,
    /bundling .*bundled-app\.ts failed:\n {2}.*bundled-app\.ts:\d+: Could not resolve "greeting"/,
  );

  const unlocated = await bundle(t, ['--out', out], async () => ({
    build: () => Promise.reject({ errors: [{ text: 'Could not resolve "left-pad"', location: null }] }),
  }));
  t.match(unlocated.stderr, /failed:\n {2}Could not resolve "left-pad"\n/);
  const nothing = await bundle(t, ['--out', out], async () => ({ build: () => Promise.reject(undefined) }));
  t.match(nothing.stderr, /failed:\n {2}non-Error value undefined\n/);
  const odd = await bundle(t, ['--out', out], async () => ({ build: () => Promise.reject('out of memory') }));
  t.equal(odd.code, 1);
  t.match(odd.stderr, /failed:\n {2}non-Error value out of memory\n/);
  const warned = await bundle(t, ['--out', out, '--node-major', '22'], async () => ({
    build: async () => ({ warnings: [{ text: 'something odd' }] }),
  }));
  t.equal(warned.code, 0);
  t.match(warned.stderr, 'snapstart bundle: esbuild warning: something odd');
  t.match(readFileSync(path.join(out, BUNDLE_FILES.bootstrap), 'utf8'), '/nodejs/node22/node_modules:');
  const blocked = path.join(work, 'a-file-in-the-way');
  writeFileSync(blocked, '');
  const unwritable = await bundle(t, ['--out', path.join(blocked, 'sub')]);
  t.equal(unwritable.code, 1);
  t.match(unwritable.stderr, /cannot write .*a-file-in-the-way\/sub: ENOTDIR/);
});

t.test('nodeMajor() reads the major of a version string', async (t) => {
  t.equal(nodeMajor('v22.1.0'), 22);
  t.equal(nodeMajor('20.20.2\n'), 20);
  t.equal(nodeMajor('node'), undefined);
});

/** The execution environment's folders: /opt (layers), /var/task, /var/runtime. */
const root = path.join(work, 'lambda');
const opt = path.join(root, 'opt');
const task = path.join(root, 'var/task');
const runtimeDir = path.join(root, 'var/runtime');
const LAMBDA = { LANG: 'en_US.UTF-8', TZ: ':UTC', LAMBDA_RUNTIME_DIR: runtimeDir, LAMBDA_TASK_ROOT: task };

t.test(
  'a layer with its own node: /opt/bootstrap runs the bundled handler through the SnapStart lifecycle',
  async (t) => {
    const layer = await bundle(t, ['--out', opt, '--node', nodeBinary]);
    t.equal(layer.code, 0, layer.stderr);
    for (const file of Object.values(BUNDLE_FILES)) t.match(layer.stdout, path.join(opt, file));
    t.equal(statSync(path.join(opt, BUNDLE_FILES.bootstrap)).mode & 0o777, 0o755, 'bootstrap is executable');
    t.equal(statSync(path.join(opt, BUNDLE_FILES.node)).mode & 0o777, 0o755, 'bin/node is executable');
    // A second layer with a CommonJS module, in the folder the managed runtime's NODE_PATH names.
    mkdirSync(path.join(opt, 'nodejs/node_modules/greeting'), { recursive: true });
    writeFileSync(
      path.join(opt, 'nodejs/node_modules/greeting/index.js'),
      "exports.greet = (name) => 'hello ' + name;\n",
    );
    // The function package, bundled apart (as SAM or the CDK would): the handler only.
    const build = path.join(work, 'function-build');
    const fn = await bundle(t, ['--out', build, '--handler', fixture, '--external', 'greeting']);
    t.equal(fn.code, 0, fn.stderr);
    mkdirSync(task, { recursive: true });
    mkdirSync(runtimeDir, { recursive: true });
    writeFileSync(path.join(task, 'bundled-app.mjs'), readFileSync(path.join(build, 'bundled-app.mjs')));

    const run = await runLifecycle({
      argv: [path.join(opt, 'bootstrap')],
      cwd: task,
      env: { ...LAMBDA, _HANDLER: 'bundled-app.handler', PATH: `/usr/local/bin:/usr/bin/:/bin:${opt}/bin` },
      events: [{ name: 'layer' }],
    });
    t.equal(run.sequence[0], 'GET restore/next');
    const body = run.results[0]?.body as Record<string, unknown>;
    t.strictSame(
      body.lifecycle,
      ['init', 'beforeSnapshot', 'afterRestore'],
      'the bundled hooks ran on the runtime bus',
    );
    t.equal(body.greeting, 'hello layer', "require() found the layer's module");
    t.equal(body.execPath, path.join(opt, BUNDLE_FILES.node), "the layer's node runs the runtime");
    t.equal(
      body.nodePath,
      `${opt}/nodejs/node${major}/node_modules:${opt}/nodejs/node_modules:${runtimeDir}/node_modules:${runtimeDir}:${task}`,
      "NODE_PATH as the managed runtime's",
    );
    t.equal(body.cwd, task);
  },
);

t.test('a .zip function with the runtime inside: node from the PATH, NODE_PATH kept when set', async (t) => {
  const zip = path.join(work, 'zip-task');
  const made = await bundle(t, ['--out', zip, '--handler', fixture, '--external', 'greeting', '--minify']);
  t.equal(made.code, 0, made.stderr);
  mkdirSync(path.join(zip, 'node_modules/greeting'), { recursive: true });
  writeFileSync(path.join(zip, 'node_modules/greeting/index.js'), "exports.greet = (name) => 'hi ' + name;\n");
  const run = await runLifecycle({
    argv: [path.join(zip, 'bootstrap')],
    cwd: zip,
    env: {
      ...LAMBDA,
      LAMBDA_TASK_ROOT: zip,
      _HANDLER: 'bundled-app.handler',
      NODE_PATH: '/set/by/the/function',
      PATH: `${path.dirname(nodeBinary)}:/usr/bin:/bin`,
    },
    events: [{ name: 'zip' }],
    initType: 'on-demand',
  });
  t.strictSame(
    run.sequence.slice(0, 2),
    ['GET invocation/next', 'POST invocation/response'],
    'on-demand: no restore/next',
  );
  const body = run.results[0]?.body as Record<string, unknown>;
  t.strictSame(body.lifecycle, ['init'], 'no snapshot, no hooks');
  t.equal(body.greeting, 'hi zip');
  t.equal(body.execPath, realpathSync(nodeBinary), "the PATH's node");
  t.equal(body.nodePath, '/set/by/the/function');
});

t.test('a bootstrap that finds no node says so and exits 127', async (t) => {
  const bin = path.join(work, 'no-node-bin');
  mkdirSync(bin);
  const dirname = spawnSync('sh', ['-c', 'command -v dirname'], { encoding: 'utf8' }).stdout.trim();
  symlinkSync(dirname, path.join(bin, 'dirname'));
  const only = path.join(work, 'no-node');
  t.equal((await bundle(t, ['--out', only])).code, 0);
  const run = spawnSync(path.join(only, 'bootstrap'), [], {
    cwd: only,
    env: { LAMBDA_TASK_ROOT: only, PATH: bin },
    encoding: 'utf8',
  });
  t.equal(run.status, 127);
  t.match(run.stderr, 'snapstart bootstrap: no node: add a Node.js layer (bin/node), or bundle with --node');
});
