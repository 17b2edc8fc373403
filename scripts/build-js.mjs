#!/usr/bin/env node
// The JavaScript half of `npm run build` (tsc writes only the declarations): every module of src/
// compiled to dist/ one file each, as tsc would lay it out; then the package's public entry files
// and the runtime bin replaced by esbuild bundles that share their common code through chunks in
// dist/chunks/. Importing an entry then reads a few files instead of one per module, and a class
// such as LifecycleError, or the snapStartBus, stays one across entries. The other modules (the CLI,
// `snapstart check`'s child scripts, which are located by path) stay one file each. Dynamic imports
// stay lazy: each becomes a chunk of its own. Source maps point into src/.
//
// Import cost over bare `node` (median of 30 interleaved runs, main's dist and this one side by
// side, Node 20.20, 2 shared cores; an empty ES module costs +FIGURE_EMPTY ms):
//   import 'snapstart-hooks'          FIGURE_ROOT
//   import 'snapstart-hooks/lambda'   FIGURE_LAMBDA
//
// All of it is printed exactly as tsx prints each module for the in-process tests (esbuild, with
// `keepNames` and `minifyWhitespace`). Coverage merges what tests run in-process (src/ through tsx)
// with what child processes run (dist/) by each function's position in src/. Printed otherwise
// (as tsc does, or esbuild without these two), V8 starts some functions at another token
// (`function` after `export `, `x=>` against `(x) =>`), the source maps place them one column
// apart, and c8 counts each such function twice: the copy a child loads but never calls shows as
// uncovered. `keepNames` also keeps the `name` of functions and classes the bundle renames to avoid
// collisions (stack traces, `error.name`).
import { readdirSync, rmSync } from 'node:fs';
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
await build({
  ...printing,
  entryPoints,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Dependencies and optional peers are imported at run time, as tsc's output does.
  packages: 'external',
});
