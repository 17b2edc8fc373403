/**
 * The verdict: a value is reported when it is the same after every restore, looks like it should
 * differ per environment, and was not the same in the control init (which would make it a constant,
 * however random it looks).
 *
 * @module
 */
import { uniqueKind } from './looks-unique.js';
import type { Observation } from './probe.js';
import type { RunResult } from './runner.js';
import { flatten, type Leaf } from './values.js';

/** One value made at init that every restored environment shares. */
export interface Finding {
  /** `$.body.id` for the call's result (`$` is the result), `requestSalt` / `config.id` for a `--value`. */
  path: string;
  /** What it looks like: `UUID`, `hex id`, `timestamp`, `random-looking number`, ... */
  kind: string;
  /** The value, the same in every restore. */
  value: Leaf;
}

/** What the comparison saw. */
export interface Comparison {
  /** How many values were compared. */
  compared: number;
  findings: Finding[];
}

/** The leaves of one observation: the result under `$`, each value under its own name. */
export function leavesOf(observation: Observation): Map<string, Leaf> {
  const leaves = new Map<string, Leaf>();
  if (observation.output !== undefined) flatten(observation.output, '$', leaves);
  for (const [name, value] of Object.entries(observation.values)) flatten(value, name, leaves);
  return leaves;
}

/**
 * Compares the restores of `main`.
 *
 * @param atInitMatters - process mode: a named value must also equal what it was right after init.
 *   One held as `undefined` at init and filled at the first call is made per environment on Lambda,
 *   and only repeats here because every "restore" shares one process.
 */
export function compareRestores(
  main: Extract<RunResult, { ok: true }>,
  control: RunResult | undefined,
  initTime: number,
  atInitMatters: boolean,
): Comparison {
  const restores = main.restores.map(leavesOf);
  const first = restores[0] ?? new Map<string, Leaf>();
  const controlLeaves = control?.ok === true && control.restores[0] ? leavesOf(control.restores[0]) : undefined;
  const atInit = leavesOf({ values: main.atInit });
  const named = new Set(leavesOf({ values: main.restores[0]?.values ?? {} }).keys());
  const findings: Finding[] = [];
  for (const [path, value] of first) {
    const key = JSON.stringify(value);
    if (restores.some((leaves) => !leaves.has(path) || JSON.stringify(leaves.get(path)) !== key)) continue;
    const kind = uniqueKind(value, initTime);
    if (kind === undefined) continue;
    if (controlLeaves?.has(path) && JSON.stringify(controlLeaves.get(path)) === key) continue;
    if (atInitMatters && named.has(path) && JSON.stringify(atInit.get(path)) !== key) continue;
    findings.push({ path, kind, value });
  }
  return { compared: first.size, findings };
}
