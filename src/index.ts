/**
 * snapstart-hooks: run code before a process snapshot and after every restore.
 *
 * @packageDocumentation
 */
export { LifecycleBus } from './bus.js';
export { HookTimeoutError, LifecycleError, type PhaseFailure } from './errors.js';
export { refreshRandomCaches } from './fresh-randomness.js';
export { type FormatOptions, formatReport } from './report.js';
export {
  registerAfterRestore,
  registerBeforeSnapshot,
  registerResource,
  type SnapStartEvents,
  snapStartBus,
} from './snapstart.js';
export type {
  BusOptions,
  EmitArgs,
  EmitOptions,
  EventMap,
  EventName,
  Hook,
  HookContext,
  HookEndEvent,
  HookOptions,
  HookOutcome,
  HookStartEvent,
  HookStatus,
  PhaseEndEvent,
  PhaseObserver,
  PhaseReport,
  PhaseStartEvent,
  ResourceEvent,
  ResourceHooks,
  ResourceOptions,
  TieOrder,
  Unsubscribe,
} from './types.js';
