/**
 * `snapstart snapshot <entry> --out app.blob`: bundles an entry into one CommonJS file with esbuild,
 * builds a V8 startup snapshot from it with the running Node, and reports how long each step took.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { formatReport } from '../report.js';
import { preciseNow } from '../util/timers.js';
import { BUILD_REPORT_ENV, type BuildReport } from '../v8/build-report.js';
import { diagnoseOpenHandle } from '../v8/open-handles.js';
import { parseCommandArgs, pathKind, usageError as reportUsageError } from './args.js';
import type { Command } from './commands.js';
import { importEsbuild } from './esbuild.js';
import { outputClash, unwritableTarget } from './output-paths.js';

const USAGE = `Usage: snapstart snapshot <entry> [--out app.blob] [--bundle entry.cjs]

Bundles <entry> (JavaScript or TypeScript, with its dependencies and snapstart-hooks) into one
CommonJS file with esbuild, then builds a V8 startup snapshot from it with this Node:
  node --snapshot-blob <out> --build-snapshot <bundle>
Start processes from it with: node --snapshot-blob <out>

Options:
  -o, --out <file>     where to write the snapshot blob (default: snapshot.blob)
      --bundle <file>  also keep the bundled CommonJS entry there
  -h, --help           show this help

Needs esbuild (an optional peer dependency): npm install --save-dev esbuild`;

/** The part of esbuild's API the command uses. */
export interface Bundler {
  build(options: {
    entryPoints: string[];
    outfile: string;
    bundle: true;
    platform: 'node';
    format: 'cjs';
    target: string;
    logLevel: 'silent';
    metafile: true;
  }): Promise<{ warnings: { text: string }[]; metafile?: { inputs: Record<string, unknown> } }>;
}

/** What a failed bundle rejects with (esbuild's `BuildFailure`, in part). */
interface BundleFailure {
  errors?: { text: string; location?: { file: string; line: number; column: number } | null }[];
}

/** Loads esbuild (an optional peer dependency) when the command runs; a missing one gets an install hint. */
export function loadBundler(specifier = 'esbuild'): Promise<Bundler> {
  return importEsbuild<Bundler>('snapstart snapshot', specifier);
}

/** The `snapshot` subcommand. */
export const snapshotCommand: Command = {
  summary: 'Build a V8 startup snapshot blob from an entry (bundled with esbuild)',
  run: (argv) => runSnapshot(argv),
};

export default snapshotCommand;

/**
 * Runs `snapstart snapshot` with `argv` and resolves the exit code: `0` when the blob was written,
 * `2` for bad usage, the build's own exit code when the build failed (64: a `beforeSnapshot` hook
 * failed, 66: open handles, ...), `1` for other failures.
 */
export async function runSnapshot(argv: string[], load: () => Promise<Bundler> = loadBundler): Promise<number> {
  let values: { out?: string | undefined; bundle?: string | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseCommandArgs(argv, {
      out: { type: 'string', short: 'o' },
      bundle: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }));
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) return usageError(`expected one entry file, got ${positionals.length}`);
  const entry = resolve(positionals[0] as string);
  const outArg = values.out ?? 'snapshot.blob';
  const out = resolve(outArg);
  if ((await pathKind(entry)) !== 'file') return failure(`entry ${JSON.stringify(positionals[0])} is not a file`);
  // Checked before the (slow) build, so a typo in a path fails at once and names the flag.
  for (const [flag, target] of [
    ['--out', outArg],
    ['--bundle', values.bundle],
  ] as const) {
    const problem = target === undefined ? undefined : await unwritableTarget(target);
    if (problem !== undefined) return failure(`${flag} ${JSON.stringify(target)}: ${problem}`);
  }
  // Never write over what is read: an output that is the entry (or the other output) is refused.
  const clash = await outputClash(out, values.bundle, [entry], 'the entry');
  if (clash !== undefined) return failure(clash);

  const workDir = await mkdtemp(join(tmpdir(), 'snapstart-snapshot-'));
  try {
    return await bundleAndBuild(entry, out, values.bundle, workDir, load);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function bundleAndBuild(
  entry: string,
  out: string,
  keepBundle: string | undefined,
  workDir: string,
  load: () => Promise<Bundler>,
): Promise<number> {
  let bundler: Bundler;
  try {
    bundler = await load();
  } catch (error) {
    return failure((error as Error).message);
  }
  const bundlePath = join(workDir, `${basename(entry).replace(/\.[cm]?[jt]sx?$/, '')}.cjs`);
  const bundleStart = preciseNow();
  try {
    const result = await bundler.build({
      entryPoints: [entry],
      outfile: bundlePath,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node}`,
      logLevel: 'silent',
      metafile: true,
    });
    // Every file the bundle read is an input too (esbuild names them relative to the working directory).
    const inputs = Object.keys(result.metafile?.inputs ?? {}).map((input) => resolve(input));
    const clash = await outputClash(out, keepBundle, inputs, 'an input of the bundle');
    if (clash !== undefined) return failure(clash);
    for (const warning of result.warnings)
      process.stderr.write(`snapstart snapshot: esbuild warning: ${warning.text}\n`);
  } catch (error) {
    return failure(`bundling ${entry} failed:\n${describeBundleFailure(error)}`);
  }
  const bundleMs = preciseNow() - bundleStart;
  if (keepBundle !== undefined) await copyFile(bundlePath, resolve(keepBundle));

  const blobPath = join(workDir, 'snapshot.blob');
  const reportPath = join(workDir, 'build-report.json');
  const build = await runBuild(blobPath, bundlePath, reportPath);
  if (build.code !== 0 || (await pathKind(blobPath)) !== 'file') {
    const diagnosis = diagnoseOpenHandle(build.output);
    if (diagnosis !== undefined) process.stderr.write(`snapstart snapshot: ${diagnosis}\n`);
    const how = build.code === null ? `was killed by ${build.signal}` : `exited with code ${build.code}`;
    process.stderr.write(`snapstart snapshot: the snapshot build ${how}; no blob was written\n`);
    return build.code === null || build.code === 0 ? 1 : build.code;
  }
  // The blob is written beside the bundle first, so a failed build never leaves a partial blob at --out.
  await copyFile(blobPath, out);
  const report = await readBuildReport(reportPath);
  process.stdout.write(
    `${describeBuild(out, (await stat(out)).size, bundleMs, (await stat(bundlePath)).size, report, build.endedAt)}\n`,
  );
  return 0;
}

interface BuildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr of the build. */
  output: string;
  endedAt: number;
}

/** Runs `node --snapshot-blob <blob> --build-snapshot <bundle>`, passing its output through. */
function runBuild(blobPath: string, bundlePath: string, reportPath: string): Promise<BuildResult> {
  return new Promise((resolveBuild, reject) => {
    const child = spawn(process.execPath, ['--snapshot-blob', blobPath, '--build-snapshot', bundlePath], {
      env: { ...process.env, [BUILD_REPORT_ENV]: reportPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Node prints some failures (the dump of an object it cannot serialize) on stdout: keep both.
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk);
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output.push(chunk);
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolveBuild({ code, signal, output: Buffer.concat(output).toString('utf8'), endedAt: preciseNow() }),
    );
  });
}

async function readBuildReport(path: string): Promise<BuildReport | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as BuildReport;
  } catch {
    return undefined;
  }
}

function describeBuild(
  out: string,
  blobBytes: number,
  bundleMs: number,
  bundleBytes: number,
  report: BuildReport | undefined,
  endedAt: number,
): string {
  const lines = [`snapstart snapshot: wrote ${out} (${megabytes(blobBytes)}) with Node ${process.version}`];
  lines.push(row('bundle (esbuild)', bundleMs, `one CommonJS file, ${kilobytes(bundleBytes)}`));
  if (report === undefined) {
    lines.push(
      '  warning: the entry did not call snapshotMain() from snapstart-hooks/v8, so no init or beforeSnapshot timings were recorded and no hooks run on restore',
    );
  } else {
    const hooks = report.beforeSnapshot.hooks.length;
    lines.push(row('init', report.initMs));
    lines.push(row('beforeSnapshot', report.beforeSnapshot.durationMs, `${hooks} ${hooks === 1 ? 'hook' : 'hooks'}`));
    lines.push(
      row('serialization', Math.max(0, endedAt - report.serializeStartedAt), 'heap to blob, until the build exited'),
    );
    if (hooks > 0) lines.push('', formatReport(report.beforeSnapshot));
  }
  lines.push('', `Start a process from it: node --snapshot-blob ${out}`);
  return lines.join('\n');
}

function row(label: string, ms: number, note = ''): string {
  return `  ${label.padEnd(18)} ${`${ms.toFixed(1)} ms`.padStart(10)}${note ? `  ${note}` : ''}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function describeBundleFailure(error: unknown): string {
  const errors = (error as BundleFailure).errors;
  if (!Array.isArray(errors) || errors.length === 0) return `  ${(error as Error).message ?? String(error)}`;
  return errors
    .map((message) => {
      const where = message.location
        ? `${message.location.file}:${message.location.line}:${message.location.column}: `
        : '';
      const hint = /top-level await/i.test(message.text)
        ? ' (a snapshot entry is CommonJS: move async init work into snapshotMain(main, { init }))'
        : '';
      return `  ${where}${message.text}${hint}`;
    })
    .join('\n');
}

function usageError(message: string): number {
  return reportUsageError('snapshot', message, USAGE);
}

function failure(message: string): number {
  process.stderr.write(`snapstart snapshot: ${message}\n`);
  return 1;
}
