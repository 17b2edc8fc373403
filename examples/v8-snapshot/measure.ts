/**
 * Measures the example's start-up side by side: the same bundled app started cold (`node app.cjs`)
 * and restored from its snapshot (`node --snapshot-blob app.blob`), plus an empty Node as the
 * floor. Runs alternate between variants so both see the same machine load; prints medians.
 *
 * Run: npx tsx examples/v8-snapshot/measure.ts [runs]   (default 30 runs per variant)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPriceService } from './server.js';

const runs = Number(process.argv[2] ?? 30);
const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const app = fileURLToPath(new URL('./app.ts', import.meta.url));

/** Runs `node ...args` to completion and resolves its wall time in ms (spawn to exit). */
function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}`));
      else resolve({ ms: performance.now() - started, stdout });
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

const service = await startPriceService();
const dir = await mkdtemp(join(tmpdir(), 'snapstart-v8-example-'));
try {
  const env = { ...process.env, PRICE_SERVICE_PORT: String(service.port) };
  const blob = join(dir, 'app.blob');
  const bundle = join(dir, 'app.cjs');
  const build = await timeRun(['--import', 'tsx', cli, 'snapshot', app, '--out', blob, '--bundle', bundle], env);
  process.stdout.write(`${build.stdout}\n`);

  const variants = [
    { label: 'empty Node (`node -e 0`), the floor', args: ['-e', '0'] },
    { label: 'cold start (`node app.cjs`)', args: [bundle, 'oak'] },
    { label: 'restored (`node --snapshot-blob app.blob`)', args: ['--snapshot-blob', blob, 'oak'] },
  ];
  const times = variants.map(() => [] as number[]);
  for (const variant of variants) await timeRun(variant.args, env); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const [index, variant] of variants.entries()) times[index]?.push((await timeRun(variant.args, env)).ms);
  }
  process.stdout.write(
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${runs} runs each, alternating\n\n`,
  );
  process.stdout.write('| start-up, spawn to exit | median | p10 | p90 |\n|---|---:|---:|---:|\n');
  for (const [index, variant] of variants.entries()) {
    const sorted = [...(times[index] ?? [])].sort((a, b) => a - b);
    const cell = (value: number): string => `${value.toFixed(1)} ms`;
    process.stdout.write(
      `| ${variant.label} | ${cell(percentile(sorted, 0.5))} | ${cell(percentile(sorted, 0.1))} | ${cell(percentile(sorted, 0.9))} |\n`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  await service.close();
}
