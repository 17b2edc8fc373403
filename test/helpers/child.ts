/**
 * Test helper: the one way tests watch a child process — its output collected as text as it comes,
 * its exit as a promise, a line awaited, and a bounded wait for it to finish.
 */
import type { ChildProcess } from 'node:child_process';

/** A child being watched. */
export interface WatchedChild {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the child exits. */
  exited: Promise<number | string>;
  /** Everything the child wrote to stdout so far. */
  stdout(): string;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** Resolves once stdout matches `pattern`; rejects after `timeoutMs`. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** What a finished child did. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the child was killed for running past its time. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Starts collecting a spawned child's stdout and stderr (spawn it with `stdio` pipes). */
export function watchChild(child: ChildProcess): WatchedChild {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const printed = (pattern: RegExp, timeoutMs = 30_000): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(stdout)) return;
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve();
      };
      const timer = setTimeout(() => {
        child.stdout?.off('data', check);
        reject(new Error(`the child printed nothing matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      child.stdout?.on('data', check);
      check();
    });
  return { child, exited, stdout: () => stdout, stderr: () => stderr, printed };
}

/** Resolves when `child` has closed, with its output; kills it (SIGKILL) after `timeoutMs`. */
export function finished(child: ChildProcess, timeoutMs: number): Promise<ChildResult> {
  const watched = watchChild(child);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout: watched.stdout(), stderr: watched.stderr() });
    });
  });
}

/**
 * Stops `child` at teardown: `close` first (closing a Runtime API makes a serving runtime exit by
 * itself, so its coverage is written), SIGKILL only if it is still running 5 s later.
 */
export async function stopChild(watched: WatchedChild, close: () => Promise<void>): Promise<void> {
  await close();
  const { child } = watched;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await watched.exited;
  clearTimeout(killer);
}
