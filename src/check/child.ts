/**
 * Runs one child `node` process of the check: captures the tail of its output, kills it when it
 * outlives its time, and reads the result file it was asked to write.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { RunResult } from './runner.js';

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The last few KiB of its stdout and stderr, interleaved. */
  output: string;
}

const TAIL_BYTES = 8_192;

/** Runs `node ...args` with `env` added, for at most `timeout` ms. */
export function runNode(args: readonly string[], env: Record<string, string>, timeout: number): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, output });
    });
  });
}

/**
 * The result a child wrote to `file`; when it wrote none (it crashed, was killed, or exited early),
 * a failure saying how it ended, with the end of its output.
 */
export async function readResult(
  file: string,
  exit: ChildExit,
  timeout: number,
  stage: 'init' | 'probe',
): Promise<RunResult> {
  if (exit.timedOut) {
    return {
      ok: false,
      stage: 'timeout',
      message: `the checked process did not finish within ${timeout} ms${tail(exit)}`,
    };
  }
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RunResult;
  } catch {
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return { ok: false, stage, message: `the checked process ${how} before reporting${tail(exit)}` };
  }
}

function tail(exit: ChildExit): string {
  const text = exit.output.trim();
  return text === '' ? '' : `; its output ended with:\n${text.split('\n').slice(-15).join('\n')}`;
}
