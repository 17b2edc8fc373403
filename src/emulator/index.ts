/**
 * `snapstart-hooks/emulator`: a local AWS Lambda Runtime API with SnapStart restore, and the simulator
 * behind `snapstart simulate`.
 *
 * @packageDocumentation
 */

export { type FormatSimulationOptions, formatSimulation } from './format.js';
export { RuntimeApiEmulator } from './server.js';
export {
  MAX_TIMEOUT_MS,
  type SimulatedInvocation,
  type SimulateOptions,
  type Simulation,
  simulate,
  type TimelineSpan,
} from './simulate.js';
// A runtime re-export (not `export type`) so the types module is part of the loaded graph.
export * from './types.js';
