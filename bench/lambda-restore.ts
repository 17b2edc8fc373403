/**
 * Restore-phase overhead of the Lambda bridge: the time from the Runtime API writing its answer to
 * `GET /runtime/restore/next` to the runtime's first `GET /runtime/invocation/next` arriving, with 10
 * no-op after-restore hooks and with none (the bridge's own fixed cost), with the runtime's restore
 * warm-up (the default) and without it (`SNAPSTART_RESTORE_WARM_UP=off`), over many runs.
 *
 * The Lambda side is played by a small instrumented Runtime API server in this module, which
 * speaks the documented protocol (DESIGN.md section 4) over plain TCP and takes both timestamps
 * itself on one clock, at the socket: the answer to `restore/next` handed to the kernel, and the
 * first byte of `invocation/next` read. The figure holds neither the emulator's internals nor an HTTP
 * server's parsing, only the restored runtime's own time (and the loopback hop). The runtime under test is the
 * package's own `snapstart-runtime` bin (`dist/lambda/bin.js`) in a child process with
 * `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`. Skips when that bin is not built.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distPath, ROOT } from './dist.js';
import type { Skipped, Summary } from './stats.js';
import { summarise } from './stats.js';

/** Restore-to-first-poll times, ms, per hook count. */
export interface LambdaRestoreResult {
  readonly runs: number;
  readonly byHooks: Array<{ hooks: number; warmUp: boolean; restoreToNextMs: Summary }>;
  /** The same span for restore-floor.mjs, a warmed plain client doing nothing in between (absent in older results). */
  readonly floorMs?: Summary;
}

/** The floor's program: see restore-floor.mjs. */
const FLOOR = join(ROOT, 'bench', 'restore-floor.mjs');

const API = '/2018-06-01/runtime';
/** One run must finish well within this; a stuck runtime fails the bench instead of hanging it. */
const RUN_LIMIT_MS = 15_000;
/** How long `restore/next` blocks before it is answered: where Lambda takes the snapshot. */
const SNAPSHOT_PAUSE_MS = 200;

/** The handler module the runtime loads: `hooks` no-op after-restore hooks and a trivial handler. */
function writeHandler(directory: string, hooks: number): void {
  const entry = pathToFileURL(distPath('index.js')).href;
  writeFileSync(
    join(directory, 'index.mjs'),
    [
      `import { registerAfterRestore } from ${JSON.stringify(entry)};`,
      `for (let i = 0; i < ${hooks}; i++) registerAfterRestore(async () => {});`,
      'export const handler = async () => "ok";',
      '',
    ].join('\n'),
  );
}

/** A request as read off the socket: its request line and when its first byte arrived. */
interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  /** `performance.now()` when the chunk holding its first byte was read. */
  readonly arrivedAt: number;
}

/**
 * Reads HTTP/1.1 requests off a keep-alive connection (a request line, headers, a `content-length`
 * body: all the runtime sends to the Runtime API). Timing is taken from the socket, not from an HTTP
 * server's parser, so the figure holds only what the runtime spends, not this process's parsing.
 */
function readRequests(socket: Socket, onRequest: (request: RawRequest) => void): void {
  let pending = Buffer.alloc(0);
  let firstByteAt: number | undefined;
  socket.on('data', (chunk: Buffer) => {
    const at = performance.now();
    firstByteAt ??= at;
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const headEnd = pending.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = pending.subarray(0, headEnd).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (pending.length < headEnd + 4 + length) return;
      const [method = '', url = ''] = head.slice(0, head.indexOf('\r\n')).split(' ');
      const body = pending.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
      pending = pending.subarray(headEnd + 4 + length);
      const arrivedAt = firstByteAt ?? at;
      firstByteAt = pending.length > 0 ? at : undefined;
      onRequest({ method, url, body, arrivedAt });
    }
  });
}

/**
 * Runs `program` (the runtime's bin, or the floor) once against a fresh server; resolves ms from
 * restore/next answered to invocation/next.
 */
async function measureOnce(program: string, taskRoot: string, warmUp: boolean): Promise<number> {
  let restoreAnsweredAt: number | undefined;
  let settle: (value: number) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const done = new Promise<number>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // the runtime is killed at the end of each run
    readRequests(socket, (request) => {
      if (request.method === 'GET' && request.url === `${API}/restore/next`) {
        // As on Lambda, the restore comes well after the runtime asked (the snapshot is taken in
        // between): the runtime's background work (compiler threads, GC) is over by then. The time is
        // taken once the answer is handed to the kernel: everything after it is the restored runtime's.
        setTimeout(() => {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
          restoreAnsweredAt = performance.now();
        }, SNAPSHOT_PAUSE_MS);
        return;
      }
      if (request.method === 'GET' && request.url === `${API}/invocation/next`) {
        // Never answered: the run is over; the child is killed below.
        if (restoreAnsweredAt === undefined) fail(new Error('invocation/next came before restore/next was answered'));
        else settle(request.arrivedAt - restoreAnsweredAt);
        return;
      }
      socket.write('HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n');
      fail(new Error(`the runtime reported an error: ${request.method} ${request.url}: ${request.body}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const child = spawn(process.execPath, [program], {
    cwd: taskRoot,
    env: {
      ...process.env,
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'snap-start',
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: 'index.handler',
      SNAPSTART_RESTORE_WARM_UP: warmUp ? 'on' : 'off',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.on('exit', (code) => fail(new Error(`the runtime exited with ${code} before polling: ${stderr.trim()}`)));
  const limit = setTimeout(() => fail(new Error(`no invocation/next within ${RUN_LIMIT_MS} ms`)), RUN_LIMIT_MS);
  try {
    return await done;
  } finally {
    clearTimeout(limit);
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Runs the Lambda restore bench, or says why it cannot run here. */
export async function runLambdaRestore(options: {
  runs: number;
  hookCounts: number[];
  /** Measure with the warm-up, without it, or both. Default: `[true, false]`. */
  warmUp?: boolean[];
}): Promise<LambdaRestoreResult | Skipped> {
  const bin = distPath('lambda', 'bin.js');
  if (!existsSync(bin)) {
    return { skipped: 'dist/lambda/bin.js is missing: build the Lambda bridge (src/lambda) to measure it' };
  }
  const byHooks: LambdaRestoreResult['byHooks'] = [];
  const roots = (options.warmUp ?? [true, false]).flatMap((warmUp) =>
    options.hookCounts.map((hooks) => {
      const directory = mkdtempSync(join(tmpdir(), `snapstart-bench-${hooks}-`));
      writeHandler(directory, hooks);
      return { hooks, warmUp, directory, times: [] as number[] };
    }),
  );
  const floorTimes: number[] = [];
  try {
    // Interleaved: each run measures every case once, so a busy moment of the machine hits them all.
    for (let run = 0; run < options.runs; run++) {
      floorTimes.push(await measureOnce(FLOOR, tmpdir(), true));
      for (const root of roots) root.times.push(await measureOnce(bin, root.directory, root.warmUp));
    }
    for (const root of roots) {
      byHooks.push({ hooks: root.hooks, warmUp: root.warmUp, restoreToNextMs: summarise(root.times) });
    }
  } finally {
    for (const root of roots) rmSync(root.directory, { recursive: true, force: true });
  }
  return { runs: options.runs, byHooks, floorMs: summarise(floorTimes) };
}
