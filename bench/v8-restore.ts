/**
 * The V8 bridge's restore path with and without its build-time warm-up, side by side: builds one
 * blob per variant (warm-up on/off × 0/10 no-op afterRestore hooks) from `v8-restore-entry.ts`,
 * then starts them in turn, `runs` times each, and prints the p50 of restore → main-start (wall and
 * CPU time) per variant and the ratio without ÷ with the warm-up.
 *
 * Run: npx tsx bench/v8-restore.ts [runs]   (default 30; needs esbuild, a dev dependency)
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile } from './stats.js';

const runs = Number(process.argv[2] ?? 30);
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be an integer >= 1, got ${process.argv[2]}`);
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const entry = fileURLToPath(new URL('./v8-restore-entry.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

const variants = [0, 10].flatMap((hooks) =>
  [false, true].map((warmUp) => ({ hooks, warmUp, label: `${hooks} hooks, warm-up ${warmUp ? 'on' : 'off'}` })),
);

const dir = mkdtempSync(join(tmpdir(), 'snapstart-v8-restore-'));
try {
  const blobs = variants.map((variant, index) => {
    const blob = join(dir, `${index}.blob`);
    execFileSync(process.execPath, ['--import', tsx, cli, 'snapshot', entry, '--out', blob], {
      env: { ...process.env, V8_BENCH_HOOKS: String(variant.hooks), V8_BENCH_WARM_UP: variant.warmUp ? '1' : '0' },
      stdio: 'ignore',
    });
    return blob;
  });
  type Sample = { wallMs: number; cpuMs: number };
  const restore = (blob: string): Sample =>
    JSON.parse(execFileSync(process.execPath, ['--snapshot-blob', blob], { encoding: 'utf8' })) as Sample;
  for (const blob of blobs) restore(blob); // warm the file cache
  const samples = variants.map(() => [] as Sample[]);
  for (let run = 0; run < runs; run++) {
    for (const [index, blob] of blobs.entries()) samples[index]?.push(restore(blob));
  }
  const column = (index: number, key: keyof Sample): number[] => (samples[index] ?? []).map((sample) => sample[key]);
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  process.stdout.write(
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${runs} runs each, alternating\n\n`,
  );
  process.stdout.write(
    '| afterRestore hooks | warm-up | wall p50 | wall p10 | wall p90 | CPU p50 |\n|---:|:---:|---:|---:|---:|---:|\n',
  );
  for (const [index, variant] of variants.entries()) {
    const wall = column(index, 'wallMs');
    process.stdout.write(
      `| ${variant.hooks} | ${variant.warmUp ? 'on' : 'off'} | ${ms(quantile(wall, 0.5))} | ${ms(quantile(wall, 0.1))} | ${ms(quantile(wall, 0.9))} | ${ms(quantile(column(index, 'cpuMs'), 0.5))} |\n`,
    );
  }
  process.stdout.write('\n');
  for (let index = 0; index < variants.length; index += 2) {
    for (const key of ['wallMs', 'cpuMs'] as const) {
      const off = quantile(column(index, key), 0.5);
      const on = quantile(column(index + 1, key), 0.5);
      process.stdout.write(
        `${variants[index]?.hooks} hooks, ${key === 'wallMs' ? 'wall' : 'CPU'}: without ÷ with the warm-up = ${(off / on).toFixed(2)}× (${ms(off)} → ${ms(on)})\n`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
