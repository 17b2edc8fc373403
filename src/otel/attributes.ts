/**
 * The span attributes `instrumentBus` sets, named like OpenTelemetry's semantic conventions under a
 * `snapstart.` prefix. Times are in ms.
 *
 * @module
 */

/** Every attribute name `instrumentBus` uses. */
export const SnapStartAttributes = Object.freeze({
  /** The event emitted (`beforeSnapshot`, `afterRestore`, ...): on phase and hook spans. */
  EVENT: 'snapstart.event',
  /** How many hooks the phase runs (those registered when it started). */
  PHASE_HOOK_COUNT: 'snapstart.phase.hook_count',
  /** Hooks of one tier running at once (absent for `Infinity`). */
  PHASE_CONCURRENCY: 'snapstart.phase.concurrency',
  /** The phase deadline in ms (absent for none). */
  PHASE_DEADLINE_MS: 'snapstart.phase.deadline_ms',
  /** Whether every hook succeeded (set when the phase ends). */
  PHASE_OK: 'snapstart.phase.ok',
  /** The phase's duration in ms, as its report says (set when the phase ends). */
  PHASE_DURATION_MS: 'snapstart.phase.duration_ms',
  /** How many hooks failed: rejected or timed out (set when the phase ends). */
  PHASE_FAILED_COUNT: 'snapstart.phase.failed_count',
  /** How many hooks never started (set when the phase ends). */
  PHASE_SKIPPED_COUNT: 'snapstart.phase.skipped_count',
  /** The hook's name. */
  HOOK_NAME: 'snapstart.hook.name',
  /** The hook's place in the phase's schedule (0 first). */
  HOOK_INDEX: 'snapstart.hook.index',
  /** The hook's priority. */
  HOOK_PRIORITY: 'snapstart.hook.priority',
  /** The hook's timeout in ms, its own or the bus default (absent for none). */
  HOOK_TIMEOUT_MS: 'snapstart.hook.timeout_ms',
  /** `fulfilled`, `rejected`, `timedOut` or `skipped` (set when the hook ends). */
  HOOK_STATUS: 'snapstart.hook.status',
  /** The hook's duration in ms, as the report says (set when the hook ends). */
  HOOK_DURATION_MS: 'snapstart.hook.duration_ms',
  /** `true` on spans ended because `instrumentBus`'s unsubscribe was called while they were open. */
  UNOBSERVED: 'snapstart.unobserved',
} as const);
