/**
 * `snapstart check`'s engine: run the module through init once and N restores (a real V8 snapshot
 * where the module bundles into one file, else one process), plus a control init, and compare.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Comparison, compareRestores, type Finding } from './compare.js';
import type { FailureStage, ProbeSpec } from './probe.js';
import { runProcessMode } from './process-mode.js';
import type { RunResult } from './runner.js';
import { runV8Mode } from './v8-mode.js';

/** How to restore: a V8 startup snapshot, one process, or V8 when possible. */
export type CheckMode = 'auto' | 'v8' | 'process';

/** What to check. */
export interface CheckOptions {
  /** The module, an absolute path. */
  module: string;
  spec: ProbeSpec;
  /** How many restores to compare (>= 2). */
  restores: number;
  mode: CheckMode;
  /** How long each process may run, in ms. */
  timeout: number;
  /** Extra `node` arguments for the process mode. */
  nodeArgs: readonly string[];
}

/** The outcome of a check. */
export interface CheckReport {
  /** No finding and no failure. */
  ok: boolean;
  /** The mode that ran. */
  mode: 'v8' | 'process';
  /** Why `auto` fell back to the process mode. */
  fallback?: string;
  module: string;
  /** `handler` or `probe`, and the export called; absent when only values are read. */
  call?: { kind: 'handler' | 'probe'; export: string };
  restores: number;
  /** How many values were compared. */
  compared: number;
  findings: Finding[];
  /** Whether a control init ran (without it, a constant that looks random could be reported). */
  controlled: boolean;
  /** Set when the check could not run to the end. */
  error?: { stage: FailureStage; message: string };
}

/** Runs the check; never rejects for a failure of the checked module (see `error`). */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const initTime = Date.now();
  const workDir = await mkdtemp(join(tmpdir(), 'snapstart-check-'));
  const base = {
    module: options.module,
    restores: options.restores,
    ...(options.spec.call
      ? { call: { kind: options.spec.call.kind, export: options.spec.call.exportPath.join('.') } }
      : {}),
  };
  try {
    let fallback: string | undefined;
    if (options.mode !== 'process') {
      const v8 = await runV8Mode({ ...options, workDir });
      if (!('unavailable' in v8)) return verdict({ ...base, mode: 'v8' }, v8.main, v8.control, initTime, false);
      if (options.mode === 'v8') {
        return failed({ ...base, mode: 'v8' }, { ok: false, stage: v8.stage, message: v8.unavailable });
      }
      fallback = v8.unavailable;
    }
    const { main, control } = await runProcessMode({ ...options, workDir });
    return verdict({ ...base, mode: 'process', ...(fallback ? { fallback } : {}) }, main, control, initTime, true);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

type ReportBase = Omit<CheckReport, 'ok' | 'compared' | 'findings' | 'controlled' | 'error'>;

function verdict(
  base: ReportBase,
  main: RunResult,
  control: RunResult,
  initTime: number,
  inProcess: boolean,
): CheckReport {
  if (!main.ok) return failed(base, main);
  const { compared, findings }: Comparison = compareRestores(main, control, initTime, inProcess);
  return { ...base, ok: findings.length === 0, compared, findings, controlled: control.ok };
}

function failed(base: ReportBase, failure: Extract<RunResult, { ok: false }>): CheckReport {
  return {
    ...base,
    ok: false,
    compared: 0,
    findings: [],
    controlled: false,
    error: { stage: failure.stage, message: failure.message },
  };
}
