/**
 * snapstart-hooks/v8: the bridge between Node's V8 startup snapshots (`node --build-snapshot`,
 * `node --snapshot-blob`) and the SnapStart lifecycle hooks of `snapStartBus`.
 *
 * @packageDocumentation
 */

export { refreshRandomCaches } from '../fresh-randomness.js';
export { BUILD_REPORT_ENV, type BuildReport } from './build-report.js';
export { diagnoseOpenHandle, OPEN_HANDLE_CURE } from './open-handles.js';
export {
  SnapshotExitCode,
  type SnapshotMainContext,
  type SnapshotMainFunction,
  type SnapshotMainOptions,
  snapshotMain,
} from './snapshot-main.js';
