/**
 * The process-mode check, run in a child process: init once (import the module), `beforeSnapshot`,
 * then N times move the clock on, refresh Node's random caches, emit `afterRestore` and observe.
 * Values made at init are then the same in every "restore", exactly as on Lambda. Writes a
 * {@link RunResult} to the file the parent named and exits, whatever handles the module left open.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { refreshRandomCaches } from '../fresh-randomness.js';
import { snapStartBus } from '../snapstart.js';
import { DAY_MS, installMovableClock, setClockOffset } from './clock.js';
import { readerSource } from './inject.js';
import {
  CheckRunError,
  describeFailure,
  failureOf,
  findCallable,
  type Observation,
  observe,
  type ProbeSpec,
  readValues,
} from './probe.js';
import type { Plain } from './values.js';

/** The environment variable carrying the runner's {@link RunnerConfig} as JSON. */
export const RUNNER_ENV = 'SNAPSTART_CHECK_RUNNER';

/** What the parent asks of one runner. */
export interface RunnerConfig {
  /** The checked module, an absolute path. */
  module: string;
  spec: ProbeSpec;
  restores: number;
  /** Where the clock stands at init (ms from the real time); restore k runs k days later. */
  clockOffset: number;
  /** Where to write the result. */
  resultFile: string;
}

/** What a run reports: an observation per restore, or where it failed. */
export type RunResult =
  | { ok: true; atInit: Record<string, Plain>; restores: Observation[] }
  | { ok: false; stage: CheckRunError['stage']; message: string };

/** Runs the lifecycle described by `config` and resolves its result (never rejects). */
export async function runLifecycle(config: RunnerConfig): Promise<RunResult> {
  installMovableClock(config.clockOffset);
  const url = pathToFileURL(config.module).href;
  if (config.spec.values.length > 0) {
    const source = readerSource(config.spec.values.map((path) => path.root));
    register(new URL('./loader-hooks.js', import.meta.url), { data: { url, source } });
  }
  try {
    let namespace: unknown;
    try {
      namespace = await import(url);
    } catch (error) {
      throw new CheckRunError('init', `importing the module failed: ${describeFailure(error)}`);
    }
    const fn = findCallable(namespace, config.spec);
    const atInit = readValues(config.spec.values);
    await phase('beforeSnapshot');
    const restores: Observation[] = [];
    for (let restore = 1; restore <= config.restores; restore++) {
      setClockOffset(config.clockOffset + restore * DAY_MS);
      refreshRandomCaches();
      await phase('afterRestore');
      restores.push(await observe(fn, config.spec));
    }
    return { ok: true, atInit, restores };
  } catch (error) {
    return failureOf(error);
  }
}

async function phase(event: 'beforeSnapshot' | 'afterRestore'): Promise<void> {
  try {
    await snapStartBus.emit(event);
  } catch (error) {
    throw new CheckRunError(event, `${event} failed: ${describeFailure(error)}`);
  }
}

const configText = process.env[RUNNER_ENV];
if (
  configText !== undefined &&
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  const config = JSON.parse(configText) as RunnerConfig;
  const result = await runLifecycle(config);
  writeFileSync(config.resultFile, JSON.stringify(result));
  // The module may leave sockets or timers open (the very bugs the lint reports): the run is over.
  process.exit(0);
}
