/**
 * `snapstart-hooks/emulator`: a local AWS Lambda Runtime API with SnapStart restore, and the simulator
 * behind `snapstart simulate`.
 *
 * @packageDocumentation
 */

export { type FormatSimulationOptions, formatSimulation } from './format.js';
export { RuntimeApiEmulator } from './server.js';
export {
  type SimulatedInvocation,
  type SimulateOptions,
  type Simulation,
  simulate,
  type TimelineSpan,
} from './simulate.js';
export type {
  EmulatorOptions,
  EmulatorState,
  Endpoint,
  FaultAction,
  FaultOptions,
  InitializationType,
  InvocationResult,
  InvokeOptions,
  PostedLifecycleError,
  RecordedRequest,
} from './types.js';
