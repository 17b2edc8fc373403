/**
 * What the V8 bridge needs from the process it runs in: Node's startup-snapshot API, `exit` and
 * stderr. One seam, so the bridge's decisions can also be checked in-process.
 *
 * @module
 */
import { startupSnapshot } from 'node:v8';

/** The process services the V8 snapshot bridge uses. */
export interface SnapshotHost {
  /** `true` while `node --build-snapshot` runs the entry. */
  isBuildingSnapshot(): boolean;
  /** Runs `callback` just before the heap is serialized (build only). */
  addSerializeCallback(callback: () => void): void;
  /** Makes `main` the code every process restored from the snapshot runs (build only). */
  setDeserializeMainFunction(main: () => void): void;
  /** Ends the process now with `code`; when building, no snapshot is written. */
  exit(code: number): void;
  /** Writes diagnostics (stderr). */
  writeError(text: string): void;
}

/** The real process: Node's `v8.startupSnapshot`, `process.exit` and `process.stderr`. */
export const nodeHost: SnapshotHost = {
  // Node 20 returns a number here, hence the Boolean().
  isBuildingSnapshot: () => Boolean(startupSnapshot.isBuildingSnapshot()),
  addSerializeCallback: (callback) => startupSnapshot.addSerializeCallback(callback),
  setDeserializeMainFunction: (main) => startupSnapshot.setDeserializeMainFunction(main),
  exit: (code) => process.exit(code),
  writeError: (text) => {
    process.stderr.write(text);
  },
};
