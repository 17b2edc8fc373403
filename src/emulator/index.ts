/**
 * `snapstart-hooks/emulator`: a local AWS Lambda Runtime API with SnapStart restore, and the simulator
 * behind `snapstart simulate`.
 *
 * @packageDocumentation
 */

export { RuntimeApiEmulator } from './emulator.js';
export { type FormatSimulationOptions, formatSimulation, formatSimulationEvent } from './simulate/format.js';
export {
  type SimulatedInvocation,
  type SimulateOptions,
  type Simulation,
  type SimulationEvent,
  simulate,
  type TimelineSpan,
} from './simulate/index.js';
// A runtime re-export (not `export type`) so the types module is part of the loaded graph.
export * from './types.js';
