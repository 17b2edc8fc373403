/**
 * One phase of an event: picks the strategy (serial for concurrency 1, tiers otherwise), runs it
 * under the emit's signal, and turns a failed report into the {@link LifecycleError}.
 *
 * @module
 */
import { LifecycleError } from '../errors.js';
import type { PhaseReport } from '../types.js';
import { onAbort } from '../util/abort.js';
import { buildReport, phaseFailure } from './build-report.js';
import { Phase, type PhaseSettings, type ScheduledHook } from './phase.js';
import { runSerial } from './serial.js';
import { runTiers } from './tiers.js';

export type { PhaseSettings, ScheduledHook } from './phase.js';

/**
 * Runs one phase of `event` over `registrations` (already in schedule order) and resolves its
 * report, or rejects with a {@link LifecycleError}.
 */
export async function runPhase<E extends string>(
  event: E,
  payload: unknown,
  registrations: readonly ScheduledHook[],
  settings: PhaseSettings,
): Promise<PhaseReport<E>> {
  const phase = new Phase(event, payload, registrations, settings);
  const { signal } = settings;
  if (signal?.aborted) {
    phase.abortBeforeStart(signal.reason);
  } else {
    // One listener per signal, however many phases share it.
    const detach = signal === undefined ? undefined : onAbort(signal, () => phase.abort());
    try {
      await (settings.concurrency === 1 ? runSerial(phase) : runTiers(phase));
    } finally {
      detach?.();
      phase.close();
    }
  }
  const report = buildReport<E>(phase, phase.now());
  const error = report.ok ? undefined : new LifecycleError(report, phaseFailure(phase));
  phase.channel?.phaseEnd(report, error);
  if (error !== undefined) throw error;
  return report;
}
