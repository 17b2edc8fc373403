import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { type Bundler, loadBundler, runSnapshot } from '../../src/cli/snapshot.js';
import { runBuiltCli, runMain, runNode, type Teardown } from '../helpers/cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/v8/${name}`, import.meta.url));

async function tempDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'snapstart-v8-cli-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('snapstart --help - lists the snapshot command', async (t) => {
  const run = await runBuiltCli(t, ['--help']); // the bin itself, once
  t.equal(run.code, 0);
  t.match(run.stdout, /snapshot\s+Build a V8 startup snapshot blob/);
});

t.test('snapstart snapshot --help - prints the usage and exits 0', async (t) => {
  const run = await runMain(['snapshot', '--help']);
  t.equal(run.code, 0);
  t.match(run.stdout, 'Usage: snapstart snapshot <entry> [--out app.blob]');
  t.match(run.stdout, 'npm install --save-dev esbuild');
});

t.test('snapstart snapshot - bad usage exits 2 naming the problem', async (t) => {
  const none = await runMain(['snapshot']);
  t.equal(none.code, 2);
  t.match(none.stderr, 'expected one entry file, got 0');
  const unknown = await runMain(['snapshot', 'entry.ts', '--fast']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, "Unknown option '--fast'");
});

t.test('snapstart snapshot - a missing entry exits 1 naming it', async (t) => {
  const run = await runMain(['snapshot', 'no/such/entry.ts']);
  t.equal(run.code, 1);
  t.match(run.stderr, 'entry "no/such/entry.ts" is not a file');
});

t.test('snapstart snapshot - a bundling failure exits 1 with esbuild errors and a hint', async (t) => {
  const dir = await tempDir(t);
  const blob = join(dir, 'tla.blob');
  const run = await runMain(['snapshot', fixture('top-level-await.ts'), '--out', blob]);
  t.equal(run.code, 1);
  t.match(run.stderr, /bundling .*top-level-await\.ts failed/);
  t.match(
    run.stderr,
    /top-level-await\.ts:2:\d+: Top-level await is currently not supported with the "cjs" output format/,
  );
  t.match(run.stderr, 'move async init work into snapshotMain(main, { init })');
  t.notOk(existsSync(blob));
});

t.test(
  'snapstart snapshot - an entry without snapshotMain() builds, with a warning; --bundle keeps the bundle',
  async (t) => {
    const dir = await tempDir(t);
    const blob = join(dir, 'plain.blob');
    const bundle = join(dir, 'plain.cjs');
    const run = await runMain(['snapshot', fixture('plain-entry.ts'), '--out', blob, '--bundle', bundle]);
    t.equal(run.code, 0, run.stderr);
    t.match(run.stdout, 'warning: the entry did not call snapshotMain()');
    t.match(readFileSync(bundle, 'utf8'), 'setDeserializeMainFunction', 'the bundle was kept');
    const restored = await runNode(t, ['--snapshot-blob', blob]);
    t.equal(restored.stdout, 'built at 1970-01-01T00:00:00.000Z\n');
  },
);

t.test('snapstart snapshot - passes esbuild warnings on and counts one hook', async (t) => {
  const dir = await tempDir(t);
  const blob = join(dir, 'one.blob');
  const run = await runMain(['snapshot', fixture('one-hook-entry.ts'), '--out', blob]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stderr, /snapstart snapshot: esbuild warning: "import\.meta" is not available/);
  t.match(run.stdout, /beforeSnapshot\s+[\d.]+ ms\s+1 hook\n/);
  const restored = await runNode(t, ['--snapshot-blob', blob]);
  t.equal(restored.stdout, 'restored from bundled\n');
});

t.test('loadBundler() - a missing esbuild gives an install hint', async (t) => {
  await t.rejects(loadBundler('snapstart-no-such-bundler'), {
    message:
      /snapstart snapshot needs esbuild, and "snapstart-no-such-bundler" could not be found: install it with `npm install --save-dev esbuild`/,
  });
  t.equal(typeof (await loadBundler()).build, 'function', 'esbuild loads when present');
});

t.test('loadBundler() - other load errors pass through', async (t) => {
  const dir = await tempDir(t);
  const broken = join(dir, 'broken.mjs');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(broken, 'throw new Error("bundler crashed on load");\n');
  await t.rejects(loadBundler(broken), { message: 'bundler crashed on load' });
});

t.test(
  'loadBundler() - a not-found error without a code (as loader hooks deliver it) still gives the hint',
  async (t) => {
    const dir = await tempDir(t);
    const { writeFile } = await import('node:fs/promises');
    const coded = join(dir, 'codeless.mjs');
    await writeFile(
      coded,
      `throw new Error(${JSON.stringify(`Cannot find package '${coded}' imported from here`)});\n`,
    );
    await t.rejects(loadBundler(coded), {
      message: /could not be found: install it with `npm install --save-dev esbuild`/,
    });
    const inner = join(dir, 'inner.mjs');
    await writeFile(inner, `throw new Error("Cannot find module 'some-dependency-of-the-bundler'");\n`);
    await t.rejects(
      loadBundler(inner),
      { message: "Cannot find module 'some-dependency-of-the-bundler'" },
      'a missing dependency of the bundler is not reported as the bundler missing',
    );
  },
);

/** Runs `runSnapshot` in-process, capturing what it writes to stderr. */
async function runCaptured(t: Teardown, argv: string[], bundler: () => Promise<Bundler>): Promise<[number, string]> {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    written.push(chunk);
    return true;
  }) as typeof process.stderr.write;
  t.teardown(() => {
    process.stderr.write = write;
  });
  try {
    return [await runSnapshot(argv, bundler), written.join('')];
  } finally {
    process.stderr.write = write;
  }
}

t.test('runSnapshot() - exits 1 when the bundler cannot be loaded', async (t) => {
  const [code, stderr] = await runCaptured(t, [fixture('plain-entry.ts')], () =>
    loadBundler('snapstart-no-such-bundler'),
  );
  t.equal(code, 1);
  t.match(stderr, 'could not be found: install it with `npm install --save-dev esbuild`');
});

t.test('runSnapshot() - reports bundler failures with or without locations', async (t) => {
  const failing = (thrown: unknown) => async (): Promise<Bundler> => ({
    build: () => Promise.reject(thrown),
  });
  const [located, locatedErr] = await runCaptured(
    t,
    [fixture('plain-entry.ts')],
    failing({ errors: [{ text: 'Could not resolve "left-pad"', location: null }] }),
  );
  t.equal(located, 1);
  t.match(locatedErr, /failed:\n {2}Could not resolve "left-pad"\n/);
  const [plain, plainErr] = await runCaptured(t, [fixture('plain-entry.ts')], failing(new Error('service stopped')));
  t.equal(plain, 1);
  t.match(plainErr, /failed:\n {2}service stopped\n/);
  const [odd, oddErr] = await runCaptured(t, [fixture('plain-entry.ts')], failing('out of memory'));
  t.equal(odd, 1);
  t.match(oddErr, /failed:\n {2}out of memory\n/);
});

t.test('runSnapshot() - refuses an output that is the entry, an input, or the other output', async (t) => {
  const dir = await tempDir(t);
  const entry = join(dir, 'app.mjs');
  const dependency = join(dir, 'lib.mjs');
  const source = "import './lib.mjs';\n";
  writeFileSync(entry, source);
  writeFileSync(dependency, 'export {};\n');
  symlinkSync(entry, join(dir, 'link.mjs'));
  linkSync(entry, join(dir, 'hard.mjs'));
  mkdirSync(join(dir, 'sub'));
  // A bundler that "reads" the entry and its dependency, as esbuild's metafile reports them.
  const bundler = async (): Promise<Bundler> => ({
    build: async (options) => {
      writeFileSync(options.outfile, 'module.exports = {};\n');
      return {
        warnings: [],
        metafile: { inputs: { [relative(process.cwd(), entry)]: {}, [relative(process.cwd(), dependency)]: {} } },
      };
    },
  });
  const rows: [string, string[], RegExp][] = [
    [
      '--out the entry',
      ['--out', entry],
      /--out ".*app\.mjs" is the entry \(.*app\.mjs\); writing it would destroy it/,
    ],
    ['--out the entry through ./ and ..', ['--out', `${dir}/sub/../././app.mjs`], /--out ".*app\.mjs" is the entry/],
    ['--out a symbolic link to the entry', ['--out', join(dir, 'link.mjs')], /--out ".*link\.mjs" is the entry/],
    ['--out a hard link to the entry', ['--out', join(dir, 'hard.mjs')], /--out ".*hard\.mjs" is the entry/],
    ['--bundle the entry', ['--out', join(dir, 'a.blob'), '--bundle', entry], /--bundle ".*app\.mjs" is the entry/],
    [
      '--out and --bundle the same file',
      ['--out', join(dir, 'x'), '--bundle', join(dir, 'sub/../x')],
      /--out and --bundle name the same file/,
    ],
    ['--out an input of the bundle', ['--out', dependency], /--out ".*lib\.mjs" is an input of the bundle/],
    [
      '--bundle an input of the bundle',
      ['--out', join(dir, 'b.blob'), '--bundle', dependency],
      /--bundle ".*lib\.mjs" is an input of the bundle/,
    ],
  ];
  for (const [what, flags, message] of rows) {
    const [code, stderr] = await runCaptured(t, [entry, ...flags], bundler);
    t.equal(code, 1, what);
    t.match(stderr, message, what);
    t.equal(readFileSync(entry, 'utf8'), source, `${what}: the entry is untouched`);
    t.equal(readFileSync(dependency, 'utf8'), 'export {};\n', `${what}: the dependency is untouched`);
  }
});

t.test('snapstart snapshot - bad flags and paths exit non-zero naming the value, before any build', async (t) => {
  const dir = await tempDir(t);
  const entry = fixture('plain-entry.ts');
  const rows: [string[], number, string | RegExp][] = [
    [['snapshot', entry, '--out'], 2, "Option '-o, --out <value>' argument missing"],
    [
      ['snapshot', entry, '-o', '-x.blob'],
      2,
      '-o got "-x.blob", which looks like an option; to pass it as the value write --out=-x.blob',
    ],
    [['snapshot', entry, '--bundle'], 2, "Option '--bundle <value>' argument missing"],
    [['snapshot', entry, entry], 2, 'expected one entry file, got 2'],
    [['snapshot', dir], 1, /entry ".*snapstart-v8-cli-test-[^"]*" is not a file/],
    [
      ['snapshot', entry, '--out', join(dir, 'no/such/dir/app.blob')],
      1,
      /--out ".*app\.blob": its directory .*no\/such\/dir does not exist/,
    ],
    [['snapshot', entry, '--out', dir], 1, /--out ".*": is a directory; name a file/],
    [['snapshot', entry, '--out='], 1, '--out "": the path is empty'],
    [
      ['snapshot', entry, '--out', join(dir, 'a.blob'), '--bundle', join(dir, 'none/b.cjs')],
      1,
      /--bundle ".*b\.cjs": its directory .*none does not exist/,
    ],
    [['snapshot', entry, '--out', entry], 1, /--out ".*plain-entry\.ts" is the entry/],
  ];
  for (const [args, code, message] of rows) {
    const result = await runMain(args);
    t.equal(result.code, code, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
  }
});
