/**
 * The process mode of the check: the runner in one child process (init once, N restores), and a
 * second one, at another time, as the control init. Both run at once.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readResult, runNode } from './child.js';
import { CONTROL_OFFSET_MS } from './clock.js';
import type { ProbeSpec } from './probe.js';
import { RUNNER_ENV, type RunnerConfig, type RunResult } from './runner.js';

/** What one process-mode run needs. */
export interface ProcessRunOptions {
  module: string;
  spec: ProbeSpec;
  restores: number;
  timeout: number;
  /** Extra arguments for `node` (a loader for TypeScript, flags). */
  nodeArgs: readonly string[];
  workDir: string;
}

const RUNNER = fileURLToPath(new URL(`./runner${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const TYPESCRIPT = /\.[cm]?tsx?$/;

/** Runs the lifecycle and the control, each in its own child process. */
export async function runProcessMode(options: ProcessRunOptions): Promise<{ main: RunResult; control: RunResult }> {
  const nodeArgs = [...typescriptLoader(options.module, options.nodeArgs), ...options.nodeArgs, RUNNER];
  const run = async (name: string, restores: number, clockOffset: number): Promise<RunResult> => {
    const resultFile = join(options.workDir, `${name}.json`);
    const config: RunnerConfig = { module: options.module, spec: options.spec, restores, clockOffset, resultFile };
    const exit = await runNode(nodeArgs, { [RUNNER_ENV]: JSON.stringify(config) }, options.timeout);
    return readResult(resultFile, exit, options.timeout, 'init');
  };
  const [main, control] = await Promise.all([run('main', options.restores, 0), run('control', 1, CONTROL_OFFSET_MS)]);
  return { main, control };
}

/**
 * `--import tsx` when a TypeScript file (the module, or this package's runner when it runs from
 * source) needs a loader and no `--node-arg` names one. tsx is resolved from `cwd`, where
 * `node --import tsx` would look for it; when it is not there, the plain name lets Node say so.
 */
export function typescriptLoader(
  module: string,
  nodeArgs: readonly string[],
  runner = RUNNER,
  cwd = process.cwd(),
): string[] {
  const needed = TYPESCRIPT.test(module) || TYPESCRIPT.test(runner);
  if (!needed || nodeArgs.some((arg) => arg.includes('tsx') || arg.includes('--experimental-strip-types'))) return [];
  try {
    return ['--import', pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve('tsx')).href];
  } catch {
    return ['--import', 'tsx'];
  }
}
