/**
 * The V8 mode of the check: bundle the module with a generated entry (esbuild, as `snapstart
 * snapshot` does), build a real V8 startup snapshot through the V8 bridge, start N processes from it
 * and one plain process as the control.
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundler } from '../cli/snapshot.js';
import { diagnoseOpenHandle } from '../v8/open-handles.js';
import { type ChildExit, readResult, runNode } from './child.js';
import { CONTROL_OFFSET_MS, DAY_MS } from './clock.js';
import { readerSource } from './inject.js';
import type { ProbeSpec } from './probe.js';
import type { RunResult } from './runner.js';
import { CLOCK_ENV, RESULT_ENV } from './v8-entry.js';

/** What one V8-mode run needs. */
export interface V8RunOptions {
  module: string;
  spec: ProbeSpec;
  restores: number;
  /** Per process, in ms. */
  timeout: number;
  workDir: string;
}

/** The runs' results, or why there is no snapshot to restore (esbuild missing, bundling or build failed). */
export type V8Outcome = { main: RunResult; control: RunResult } | { unavailable: string; stage: 'bundle' | 'build' };

/** The part of esbuild's API this mode uses (with a plugin, which `snapstart snapshot` does not need). */
interface PluginBundler {
  build(options: Record<string, unknown>): Promise<unknown>;
}

interface OnLoadBuild {
  onLoad(
    options: { filter: RegExp },
    callback: (args: { path: string }) => Promise<{ contents: string; loader: string; resolveDir: string }>,
  ): void;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));
const RESTORE_CONCURRENCY = 2;

/** Runs the check on a real V8 startup snapshot. */
export async function runV8Mode(options: V8RunOptions, load: () => Promise<unknown> = loadBundler): Promise<V8Outcome> {
  let bundler: PluginBundler;
  try {
    bundler = (await load()) as PluginBundler;
  } catch (error) {
    return {
      unavailable: (error as Error).message.replace(/^snapstart snapshot needs/, 'the V8 mode needs'),
      stage: 'bundle',
    };
  }
  const bundle = join(options.workDir, 'check-entry.cjs');
  try {
    await bundler.build({
      entryPoints: [await writeEntry(options)],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node}`,
      logLevel: 'silent',
      plugins: [readerPlugin(options)],
    });
  } catch (error) {
    const errors = (error as { errors?: { text: string }[] }).errors;
    const reason = errors?.map((message) => message.text).join('; ') ?? (error as Error).message;
    return { unavailable: `the module could not be bundled into one file: ${reason}`, stage: 'bundle' };
  }
  const blob = join(options.workDir, 'check.blob');
  const build = await runNode(['--snapshot-blob', blob, '--build-snapshot', bundle], {}, options.timeout);
  if (build.code !== 0) return { unavailable: describeBuildFailure(build, options.timeout), stage: 'build' };

  const run = async (args: string[], clock: number, name: string): Promise<RunResult> => {
    const resultFile = join(options.workDir, `${name}.json`);
    const exit = await runNode(args, { [CLOCK_ENV]: String(clock), [RESULT_ENV]: resultFile }, options.timeout);
    return readResult(resultFile, exit, options.timeout, 'probe');
  };
  const controlRun = run([bundle], CONTROL_OFFSET_MS, 'control');
  const restores: RunResult[] = [];
  for (let first = 1; first <= options.restores; first += RESTORE_CONCURRENCY) {
    const batch = [];
    for (let k = first; k < first + RESTORE_CONCURRENCY && k <= options.restores; k++) {
      batch.push(run(['--snapshot-blob', blob], k * DAY_MS, `restore-${k}`));
    }
    restores.push(...(await Promise.all(batch)));
  }
  const control = await controlRun;
  const failed = restores.find((result) => !result.ok);
  if (failed !== undefined) return { main: failed, control };
  const observations = (restores as Extract<RunResult, { ok: true }>[]).flatMap((result) => result.restores);
  return { main: { ok: true, atInit: {}, restores: observations }, control };
}

/** Writes the entry: the clock first, then the checked module, then the observing main. */
async function writeEntry(options: V8RunOptions): Promise<string> {
  const own = (name: string) => JSON.stringify(join(HERE, `${name}${OWN_EXTENSION}`));
  const prelude = join(options.workDir, 'check-prelude.mjs');
  await writeFile(prelude, `import { prepareClock } from ${own('v8-entry')};\nprepareClock();\n`);
  const entry = join(options.workDir, 'check-entry.mjs');
  await writeFile(
    entry,
    [
      `import ${JSON.stringify(prelude)};`,
      `import * as checked from ${JSON.stringify(options.module)};`,
      `import { observeAfterRestore } from ${own('v8-entry')};`,
      `observeAfterRestore(checked, ${JSON.stringify(options.spec)});`,
      '',
    ].join('\n'),
  );
  return entry;
}

/** Appends the binding reader to the checked module as esbuild loads it. */
function readerPlugin(options: V8RunOptions): { name: string; setup(build: OnLoadBuild): void } {
  const source = readerSource(options.spec.values.map((path) => path.root));
  const filter = new RegExp(`^${options.module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return {
    name: 'snapstart-check-reader',
    setup(build) {
      build.onLoad({ filter }, async (args) => ({
        contents: `${await readFile(args.path, 'utf8')}${options.spec.values.length > 0 ? source : ''}`,
        loader: loaderFor(args.path),
        resolveDir: dirname(args.path),
      }));
    },
  };
}

/** esbuild's loader for a module file: `.mjs`/`.cjs` are `js`, `.mts`/`.cts` are `ts`, `.tsx`/`.jsx` themselves. */
function loaderFor(path: string): string {
  return extname(path).slice(1).replace(/^[cm]/, '');
}

/** Why a snapshot build failed, in one sentence. */
export function describeBuildFailure(build: ChildExit, timeout: number): string {
  if (build.timedOut) return `the snapshot build did not finish within ${timeout} ms`;
  // Node warns about each built-in module its snapshots do not support yet (http, https, ...).
  const unsupported = [...build.output.matchAll(/whether built-in module "([^"]+)" works in user snapshot/g)].map(
    (match) => match[1],
  );
  if (unsupported.length > 0) {
    const modules = [...new Set(unsupported)].join(', ');
    return `the module loads ${modules}, which V8 startup snapshots of Node ${process.version} do not support`;
  }
  const diagnosis = diagnoseOpenHandle(build.output);
  const lines = build.output.trim().split('\n');
  const reason = diagnosis ?? lines.find((line) => line.includes('snapstart-hooks/v8:')) ?? lines.slice(-3).join(' ');
  const how = build.code === null ? `killed by ${build.signal}` : `exit code ${build.code}`;
  return `the V8 snapshot could not be built (${how}): ${reason.trim()}`;
}
