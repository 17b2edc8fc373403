/**
 * What the V8 bridge needs from the process it runs in: Node's startup-snapshot API, the program's
 * arguments, what keeps the event loop alive, the moment it drains, `exit` and stderr. One seam, so
 * every decision of the bridge can also be checked in-process.
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
  /**
   * The process's `argv`, read when asked: a restored process has its own (and no script path in
   * it), not the build's.
   */
  argv(): readonly string[];
  /** What keeps the event loop alive, as `process.getActiveResourcesInfo()` names it. */
  activeResources(): string[];
  /**
   * Calls `listener` when the event loop has drained and the process is about to exit
   * (`process.on('beforeExit')`). Returns the function that removes the listener.
   */
  onBeforeExit(listener: () => void): () => void;
  /** Ends the process now with `code`; when building, no snapshot is written. */
  exit(code: number): void;
  /** Writes diagnostics (stderr). */
  writeError(text: string): void;
}

/**
 * The real process: Node's `v8.startupSnapshot`, `process.argv`, `process.getActiveResourcesInfo()`,
 * `beforeExit`, `process.exit` and `process.stderr`.
 */
export const nodeHost: SnapshotHost = {
  // Node 20 returns a number here, hence the Boolean().
  isBuildingSnapshot: () => Boolean(startupSnapshot.isBuildingSnapshot()),
  addSerializeCallback: (callback) => startupSnapshot.addSerializeCallback(callback),
  setDeserializeMainFunction: (main) => startupSnapshot.setDeserializeMainFunction(main),
  argv: () => process.argv,
  activeResources: () => process.getActiveResourcesInfo(),
  onBeforeExit: (listener) => {
    process.on('beforeExit', listener);
    return () => {
      process.off('beforeExit', listener);
    };
  },
  exit: (code) => process.exit(code),
  writeError: (text) => {
    process.stderr.write(text);
  },
};
