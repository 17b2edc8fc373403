/**
 * `snapstart bundle --out <dir>`: writes `snapstart-runtime` as one file with a `bootstrap` that starts
 * it, for .zip functions and layers on `provided.al2023`, where there is no `node_modules` (SAM and the
 * CDK bundle Node.js functions by default) and no `node` either unless a layer brings it.
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeThrown } from '../util/thrown.js';
import { parseCommandArgs, pathKind, usageError as reportUsageError } from './args.js';
import type { Command } from './commands.js';
import { importEsbuild } from './esbuild.js';
import { bundleClash } from './output-paths.js';

const USAGE = `Usage: snapstart bundle --out <dir> [--handler <entry>] [--node <path>] [options]

Writes a Lambda custom runtime that needs no node_modules, for a .zip function or a layer
(provided.al2023):
  <dir>/bootstrap               what Lambda starts: finds node, sets NODE_PATH as the managed
                                Node.js runtime does, then runs snapstart-runtime.mjs
  <dir>/snapstart-runtime.mjs   snapstart-runtime in one file
  <dir>/bin/node                with --node: that Node.js binary, so a layer brings its own node
  <dir>/<name>.mjs              with --handler: your handler and its imports in one file

Zip <dir> as a layer (Lambda mounts it at /opt and runs /opt/bootstrap) or as the function's
package (/var/task/bootstrap).

Options:
  -o, --out <dir>         where to write (created if missing)
      --handler <entry>   also bundle this handler entry (JavaScript or TypeScript) to <dir>/<name>.mjs
      --external <module> leave this module out of the handler bundle (repeatable), e.g. @aws-sdk/*
      --node <path>       copy this Node.js binary (Linux, the function's architecture) to <dir>/bin/node
      --node-major <n>    the Node.js major version for NODE_PATH's /opt/nodejs/node<n>/node_modules
                          (default: the --node binary's when it runs here, else this Node's)
      --minify            minify the bundles
  -h, --help              show this help

Needs esbuild (an optional peer dependency): npm install --save-dev esbuild`;

/** The part of esbuild's API the command uses. */
export interface EsmBundler {
  build(options: {
    entryPoints: string[];
    outfile: string;
    bundle: true;
    platform: 'node';
    format: 'esm';
    target: string;
    minify: boolean;
    define?: Record<string, string>;
    banner?: { js: string };
    external?: string[];
    logLevel: 'silent';
  }): Promise<{ warnings: { text: string }[] }>;
}

/** The file names the command writes in `--out`. */
export const BUNDLE_FILES = { bootstrap: 'bootstrap', runtime: 'snapstart-runtime.mjs', node: 'bin/node' } as const;

/** The `bundle` subcommand. */
export const bundleCommand: Command = {
  summary: 'Write snapstart-runtime as one file with a bootstrap, for .zip functions and layers',
  run: (argv) => runBundle(argv),
};

/**
 * Runs `snapstart bundle` with `argv` and resolves the exit code: `0` when everything was written, `2`
 * for bad usage, `1` when a bundle or a copy failed.
 *
 * @param load - loads esbuild (an optional peer dependency); replaceable for tests.
 */
export async function runBundle(argv: string[], load: () => Promise<EsmBundler> = loadEsbuild): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.out === undefined) return usageError('--out <dir> is required');
  const out = resolve(values.out);
  const outKind = await pathKind(out);
  if (outKind !== undefined && outKind !== 'directory') {
    return usageError(`--out ${JSON.stringify(values.out)} exists and is not a directory`);
  }
  const handler = values.handler === undefined ? undefined : resolve(values.handler);
  if (handler !== undefined && (await pathKind(handler)) !== 'file') {
    return usageError(`--handler ${JSON.stringify(values.handler)} is not a file`);
  }
  const node = values.node === undefined ? undefined : resolve(values.node);
  if (node !== undefined && (await pathKind(node)) !== 'file') {
    return usageError(`--node ${JSON.stringify(values.node)} is not a file`);
  }
  const runtime = join(out, BUNDLE_FILES.runtime);
  const handlerTarget = handler && join(out, `${basename(handler, extname(handler))}.mjs`);
  const outputs = [
    ['the runtime', runtime],
    ['the bootstrap', join(out, BUNDLE_FILES.bootstrap)],
  ] as [string, string][];
  if (handlerTarget !== undefined) outputs.push(['the handler bundle', handlerTarget]);
  if (node !== undefined) outputs.push(['the node binary', join(out, BUNDLE_FILES.node)]);
  // Never write over what is read (compared as real paths): refused before anything is written.
  const clash = await bundleClash(outputs, [
    ['the --handler entry', handler],
    ['the --node binary', node],
  ]);
  if (clash !== undefined) return failure(clash);
  let major: number;
  if (values['node-major'] !== undefined) {
    major = Number(values['node-major']);
    if (!Number.isInteger(major) || major < 1) {
      return usageError(`--node-major must be an integer >= 1, got ${JSON.stringify(values['node-major'])}`);
    }
  } else {
    const found = node === undefined ? nodeMajor(process.version) : majorOf(node);
    if (found === undefined) {
      return failure(`cannot run ${node} to read its version (another architecture?): pass --node-major <n>`);
    }
    major = found;
  }

  let esbuild: EsmBundler;
  try {
    esbuild = await load();
  } catch (error) {
    return failure((error as Error).message);
  }
  const version = await packageVersion();
  const written: string[] = [];
  const entry = await runtimeEntry();
  try {
    await mkdir(out, { recursive: true });
    await build(esbuild, {
      entryPoints: [entry],
      outfile: runtime,
      define: { SNAPSTART_HOOKS_BUNDLED_VERSION: JSON.stringify(version) },
      minify: values.minify === true,
    });
    written.push(runtime);
    if (handler !== undefined && handlerTarget !== undefined) {
      const target = handlerTarget;
      await build(esbuild, {
        entryPoints: [handler],
        outfile: target,
        // Bundled CommonJS dependencies call require(); give the ES module one, which also honours NODE_PATH.
        banner: { js: REQUIRE_BANNER },
        external: values.external ?? [],
        minify: values.minify === true,
      });
      written.push(target);
    }
    const bootstrap = join(out, BUNDLE_FILES.bootstrap);
    await writeFile(bootstrap, bootstrapScript(major, version), { mode: 0o755 });
    await chmod(bootstrap, 0o755); // the mode of an existing file is kept by writeFile
    written.push(bootstrap);
    if (node !== undefined) {
      const target = join(out, BUNDLE_FILES.node);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(node, target);
      await chmod(target, 0o755);
      written.push(target);
    }
  } catch (error) {
    return failure(error instanceof BundleError ? error.message : `cannot write ${out}: ${describeThrown(error)}`);
  }
  for (const file of written) process.stdout.write(`${file}  ${kilobytes((await stat(file)).size)}\n`);
  return 0;
}

function parse(argv: string[]) {
  return parseCommandArgs(argv, {
    out: { type: 'string', short: 'o' },
    handler: { type: 'string' },
    external: { type: 'string', multiple: true },
    node: { type: 'string' },
    'node-major': { type: 'string' },
    minify: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
}

const REQUIRE_BANNER =
  "import { createRequire as __snapstartCreateRequire } from 'node:module'; const require = __snapstartCreateRequire(import.meta.url);";

/** A failed esbuild run; its message names the entry and each error. */
class BundleError extends Error {}

async function build(
  esbuild: EsmBundler,
  options: Pick<
    Parameters<EsmBundler['build']>[0],
    'entryPoints' | 'outfile' | 'define' | 'banner' | 'external' | 'minify'
  >,
): Promise<void> {
  let result: Awaited<ReturnType<EsmBundler['build']>>;
  try {
    result = await esbuild.build({
      ...options,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
  } catch (error) {
    throw new BundleError(`bundling ${options.entryPoints.join(', ')} failed:\n${describeBuildError(error)}`);
  }
  for (const warning of result.warnings) process.stderr.write(`snapstart bundle: esbuild warning: ${warning.text}\n`);
}

/**
 * The `bootstrap` Lambda runs, as a POSIX shell script. Lambda starts `/var/task/bootstrap` (a .zip
 * function) or `/opt/bootstrap` (a layer); either way the runtime file sits next to it.
 */
export function bootstrapScript(major: number, version: string): string {
  return `#!/bin/sh
# Lambda custom runtime bootstrap, written by \`snapstart bundle\` (snapstart-hooks ${version}).
# Lambda runs it as /var/task/bootstrap (a .zip function) or /opt/bootstrap (a layer).
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
task=$(CDPATH='' cd -- "\${LAMBDA_TASK_ROOT:-/var/task}" 2>/dev/null && pwd -P)
# Layers are extracted to /opt: when this file is not in the task root, it is in the layers' folder.
if [ "$here" = "$task" ]; then layers=/opt; else layers=$here; fi

# node: a layer's bin/node, then one beside this file, then the PATH.
if [ -x "$layers/bin/node" ]; then node=$layers/bin/node
elif [ -x "$here/bin/node" ]; then node=$here/bin/node
elif node=$(command -v node); then :
else
  echo "snapstart bootstrap: no node: add a Node.js layer (bin/node), or bundle with --node" >&2
  exit 127
fi

# Where require() looks for modules, as the managed nodejs${major}.x runtime sets it (unless set already).
if [ -z "\${NODE_PATH:-}" ]; then
  runtime_dir=\${LAMBDA_RUNTIME_DIR:-/var/runtime}
  NODE_PATH="$layers/nodejs/node${major}/node_modules:$layers/nodejs/node_modules:$runtime_dir/node_modules:$runtime_dir:\${LAMBDA_TASK_ROOT:-/var/task}"
  export NODE_PATH
fi

exec "$node" "$here/${BUNDLE_FILES.runtime}" "$@"
`;
}

/** The major version in a `process.version`-style string (`v22.1.0` → 22), or `undefined`. */
export function nodeMajor(version: string): number | undefined {
  const match = /^v?(\d+)\./.exec(version.trim());
  return match === null ? undefined : Number(match[1]);
}

function majorOf(node: string): number | undefined {
  const result = spawnSync(node, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 ? nodeMajor(result.stdout) : undefined;
}

/** The runtime's entry: the built bin next to this module, or its TypeScript source when run from `src/`. */
async function runtimeEntry(): Promise<string> {
  const built = fileURLToPath(new URL('../lambda/bin.js', import.meta.url));
  return (await pathKind(built)) === 'file' ? built : built.replace(/\.js$/, '.ts');
}

async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(manifest.version);
}

/** Loads esbuild (an optional peer dependency) when the command runs; a missing one gets an install hint. */
export function loadEsbuild(specifier = 'esbuild'): Promise<EsmBundler> {
  return importEsbuild<EsmBundler>('snapstart bundle', specifier);
}

/** esbuild's `BuildFailure` lists each error and where it is; anything else is described by its one-line reason. */
function describeBuildError(error: unknown): string {
  const errors = (error as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return `  ${describeThrown(error)}`;
  return (errors as { text: string; location?: { file: string; line: number } | null }[])
    .map(({ text, location }) => `  ${location ? `${location.file}:${location.line}: ` : ''}${text}`)
    .join('\n');
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

function usageError(message: string): number {
  return reportUsageError('bundle', message, USAGE);
}

function failure(message: string): number {
  process.stderr.write(`snapstart bundle: ${message}\n`);
  return 1;
}
