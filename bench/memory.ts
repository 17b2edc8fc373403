/**
 * Memory per registered hook: the heap retained by registering `count` hooks, divided by
 * `count`, measured in a fresh child process per variant (with `--expose-gc`), several times,
 * median kept. The peers are measured the same way for comparison.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './dist.js';
import { median } from './stats.js';

/** Bytes retained per registered hook, per variant. */
export interface MemoryResult {
  readonly count: number;
  readonly repeats: number;
  readonly variants: Array<{ id: string; label: string; bytesPerHook: number }>;
}

const VARIANTS: Array<{ id: string; label: string }> = [
  { id: 'bus-default', label: 'bus.on(event, hook)' },
  { id: 'bus-options', label: 'bus.on(event, hook, { priority, timeout, name })' },
  { id: 'emittery', label: 'emittery on' },
  { id: 'hookable', label: 'hookable hook' },
  { id: 'tapable', label: 'tapable tapPromise (named)' },
  { id: 'node-events', label: 'node:events on' },
];

const CHILD = join(ROOT, 'bench', 'memory-child.ts');

/** Runs the memory bench. */
export function runMemory(options: { count: number; repeats: number }): MemoryResult {
  return {
    count: options.count,
    repeats: options.repeats,
    variants: VARIANTS.map(({ id, label }) => {
      const samples: number[] = [];
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const output = execFileSync(
          process.execPath,
          ['--expose-gc', '--import', 'tsx', CHILD, id, String(options.count)],
          { encoding: 'utf8' },
        );
        samples.push((JSON.parse(output) as { bytesPerHook: number }).bytesPerHook);
      }
      return { id, label, bytesPerHook: median(samples) };
    }),
  };
}
