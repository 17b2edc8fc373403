#!/usr/bin/env node
// The JavaScript half of `npm run build` (tsc writes only the declarations): every module of src/
// compiled to dist/ one file each, as tsc would lay it out; then the package's public entry files
// and the runtime bin replaced by esbuild bundles that share their common code through chunks in
// dist/chunks/. Importing an entry then reads a few files instead of one per module, and a class
// such as LifecycleError, or the snapStartBus, stays one across entries. The other modules (the CLI,
// `snapstart check`'s child scripts, which are located by path) stay one file each. Dynamic imports
// stay lazy: each becomes a chunk of its own. Source maps point into src/.
//
// Import cost over bare `node` (median of 30 runs, interleaved run by run, Node 20.20, 2 shared cores,
// 2026-11-28; an empty ES module costs +6 to +12 ms on this noisy machine): one file per module
// (tsc's layout) +48.3 ms for 'snapstart-hooks' (28 files read) and +64.2 ms for '/lambda' (39);
// split bundles alone +24.8 and +43.7 ms (11 and 15 files); with the core in one file (below)
// +9.5 to +14.6 ms and +35 to +37 ms (2 files for the root entry). bench/README.md has the latest run.
//
// All of it is printed as tsx prints each module for the in-process tests (esbuild, `keepNames`,
// `minifyWhitespace`). Coverage merges what tests run in-process (src/ through tsx) with what child
// processes run (dist/) by each function's position in src/. Printed otherwise, the positions part:
// tsc's maps put an `export function` at column 6 where tsx's put it at 7, and unminified esbuild
// starts `(x) =>` at the parenthesis where tsx's `x=>` starts at `x`. c8 then counts each such
// function twice, and the copy a child process loads but never calls shows as uncovered (functions
// fell to 93.7 %; printed alike, no function of src/ is counted twice). `keepNames` also keeps the
// `name` of functions and classes the bundle renames to avoid collisions (stack traces, `error.name`).
// The price: a module is one long line, which Node prints whole for an uncaught error thrown in it
// when source maps are off. Breaking the lines (esbuild's `lineLimit: 160`) was tried: the ranges'
// ends moved and 45 functions were counted twice again.
import { readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every `exports` entry's module, and the runtime bin (it runs on every cold start). */
const entryPoints = {
  index: 'src/index.ts',
  'lambda/index': 'src/lambda/index.ts',
  'lambda/bin': 'src/lambda/bin.ts',
  'emulator/index': 'src/emulator/index.ts',
  'v8/index': 'src/v8/index.ts',
  'eslint/index': 'src/eslint/index.ts',
  'otel/index': 'src/otel/index.ts',
};

/** What both steps share: the way tsx prints a module (see above). */
const printing = {
  absWorkingDir: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  keepNames: true,
  minifyWhitespace: true,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
};

// Every module, one file each (sorted: the build is deterministic).
const modules = readdirSync(`${root}src`, { recursive: true })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .sort()
  .map((file) => `src/${file}`);
await build({ ...printing, entryPoints: modules, outbase: 'src', outdir: 'dist' });

rmSync(`${root}dist/chunks`, { recursive: true, force: true });

// The core: every module the root entry reaches (the bus, the scheduler, the errors, the SnapStart
// registry), in one file, dist/chunks/core.js, reached as `#core` (package.json "imports", private to
// the package). Every entry imports it whole, so `import 'snapstart-hooks'` reads two files, and the
// classes and the bus stay one across entries. Splitting alone made one chunk per combination of
// entries sharing a module: 11 files for the root entry, +24 ms over bare node against +10 ms for one.
const { metafile } = await build({
  ...printing,
  entryPoints: [entryPoints.index],
  bundle: true,
  packages: 'external',
  write: false,
  metafile: true,
});
const coreModules = Object.keys(metafile.inputs)
  .filter((file) => file.startsWith('src/') && file !== entryPoints.index)
  .sort();
await build({
  ...printing,
  stdin: {
    contents: coreModules.map((file) => `export * from ${JSON.stringify(`./${file}`)};`).join('\n'),
    resolveDir: root,
    sourcefile: 'core.js',
  },
  outfile: 'dist/chunks/core.js',
  bundle: true,
  packages: 'external',
});

/** Resolves every import of a core module to `#core`, so that no entry or chunk has a copy of its own. */
const core = {
  name: 'snapstart-core',
  setup(builder) {
    const isCore = new Set(coreModules.map((file) => resolve(root, file)));
    builder.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      return isCore.has(target) ? { path: '#core', external: true } : undefined;
    });
  },
};

// The root entry on its own: it only re-exports the core, and built with the others it would also
// import their shared chunk of esbuild's helpers, a third file to read.
await build({ ...printing, entryPoints: { index: entryPoints.index }, outdir: 'dist', bundle: true, plugins: [core] });
const { index: _root, ...others } = entryPoints;
await build({
  ...printing,
  entryPoints: others,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Dependencies and optional peers are imported at run time, as tsc's output does.
  packages: 'external',
  plugins: [core],
});
