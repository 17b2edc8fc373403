#!/usr/bin/env node
// The JavaScript half of `npm run build` (tsc writes only the declarations): every module of src/
// compiled to dist/ one file each, as tsc would lay it out; then the package's public entry files
// and the runtime bin replaced by esbuild bundles that share their common code through chunks in
// dist/chunks/. Importing an entry then reads a few files instead of one per module, and a class
// such as LifecycleError, or the snapStartBus, stays one across entries. The other modules (the CLI,
// `snapstart check`'s child scripts, which are located by path) stay one file each. Dynamic imports
// stay lazy: each becomes a chunk of its own. Source maps point into src/.
//
// Import cost over bare `node` (median of 30 runs, main's dist at 58182b4 and this one interleaved
// run by run, Node 20.20, 2 shared cores, 2026-11-28; an empty ES module costs +8 to +9 ms):
//   import 'snapstart-hooks'          +48.3 ms -> +26.6 ms   (files read from dist/: 28 -> 11)
//   import 'snapstart-hooks/lambda'   +64.2 ms -> +49.0 ms   (39 -> 15)
//
// All of it is printed as tsx prints each module for the in-process tests (esbuild, `keepNames`,
// `minifyWhitespace`). Coverage merges what tests run in-process (src/ through tsx) with what child
// processes run (dist/) by each function's position in src/. Printed otherwise, the positions part:
// tsc's maps put an `export function` at column 6 where tsx's put it at 7, and unminified esbuild
// starts `(x) =>` at the parenthesis where tsx's `x=>` starts at `x`. c8 then counts each such
// function twice, and the copy a child process loads but never calls shows as uncovered (functions
// fell to 93.7 %; printed alike, no function of src/ is counted twice). `keepNames` also keeps the
// `name` of functions and classes the bundle renames to avoid collisions (stack traces, `error.name`).
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
