/**
 * Runs the bench in a plain `node` process. `npm run bench` starts under tsx, whose loader (a
 * hooks thread, source maps) should not share the CPU and the process with what is measured, so
 * `run.ts` bundles itself with esbuild (packages stay external and load from node_modules as
 * users load them) and re-runs the bundle with plain `node`; the latency cases then run in
 * children of that process, the same script again.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { ROOT } from './dist.js';

/** Set in the re-run process. */
const PLAIN_ENV = 'SNAPSTART_BENCH_PLAIN';

/** Whether this process is the plain-node re-run. */
export function isPlainRun(): boolean {
  return process.env[PLAIN_ENV] === '1';
}

/**
 * Bundles `entry` into `bench/results/.build/` (ignored by git and Biome) and runs it with plain
 * `node` and the same arguments, inheriting stdio.
 *
 * @returns the child's exit code.
 */
export function rerunPlain(entry: string, args: readonly string[]): number {
  const outfile = join(ROOT, 'bench', 'results', '.build', 'run.mjs');
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    logLevel: 'warning',
  });
  const child = spawnSync(process.execPath, [outfile, ...args], {
    stdio: 'inherit',
    env: { ...process.env, [PLAIN_ENV]: '1' },
  });
  if (child.error !== undefined) throw child.error;
  return child.status ?? 1;
}
