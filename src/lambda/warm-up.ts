/**
 * The restore warm-up of `snapstart-runtime`. After a SnapStart restore, the runtime's first steps
 * (refreshing Node's random caches, the after-restore phase, starting the invocation loop and sending
 * `invocation/next`) run code that has never run in the process: it is interpreted and its modules'
 * lazy state is built on the spot, on the path of the first request. Running those exact paths a few
 * times before the snapshot (which keeps the whole VM, compiled code included) takes that cost off
 * every restored environment: whole restores as the runtime runs them (the SnapStart phases on a
 * scratch bus, the random refresh, one invocation through the invocation loop with a no-op handler)
 * against a throw-away Runtime API on loopback, closed before the real `restore/next`.
 *
 * @module
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LifecycleBus } from '../bus.js';
import { refreshRandomCaches } from '../fresh-randomness.js';
import type { SnapStartEvents } from '../snapstart.js';
import { show } from '../validate.js';
import { RUNTIME_API_VERSION, RuntimeApiClient } from './client.js';
import { REQUEST_ID_GLOBAL, TENANT_ID_GLOBAL } from './invocation-scope.js';
import { runInvocationLoop } from './loop.js';
import { runSnapStartPhases } from './phases.js';

/** The environment variable that turns the warm-up off (`0`, `false` or `off`). */
export const RESTORE_WARM_UP_ENV = 'SNAPSTART_RESTORE_WARM_UP';

/**
 * Round trips of the warm-up. With 3, restore → first `invocation/next` was bimodal (about half the
 * runs 2× slower: V8 had not optimized the client's path yet); from 8 on it was stable (bench/README.md).
 */
export const WARM_UP_ROUND_TRIPS = 10;

/** The warm-up gives up (and closes what it opened) past this: it must never hold up init. */
const WARM_UP_LIMIT_MS = 2_000;

/** Options of {@link warmUpRestorePath}. */
export interface WarmUpOptions {
  /** Round trips against the throw-away server. Default: {@link WARM_UP_ROUND_TRIPS}. */
  roundTrips?: number;
  /** Gives up past this many ms. Default: 2000. */
  limitMs?: number;
}

/** What {@link warmUpRestorePath} did. */
export interface WarmUpResult {
  /** The round trips completed. */
  roundTrips: number;
  /** How long it took, in ms. */
  durationMs: number;
}

/**
 * Whether the warm-up runs: `SNAPSTART_RESTORE_WARM_UP` unset, empty, `1`, `true` or `on` (the
 * default), or `0`, `false` or `off`, in any case.
 *
 * @throws RangeError naming the variable and its value for anything else.
 */
export function restoreWarmUpFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[RESTORE_WARM_UP_ENV];
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === '1' || value === 'true' || value === 'on') return true;
  if (value === '0' || value === 'false' || value === 'off') return false;
  throw new RangeError(`${RESTORE_WARM_UP_ENV} must be 1, true, on, 0, false or off, got ${show(raw)}`);
}

/**
 * Runs the restore path before the snapshot (see the module comment). Everything it opens is closed
 * when it resolves, also when it fails or gives up after `limitMs`; it rejects only if the loopback
 * server cannot listen or a round trip fails.
 */
export async function warmUpRestorePath(options: WarmUpOptions = {}): Promise<WarmUpResult> {
  const started = performance.now();
  const { roundTrips = WARM_UP_ROUND_TRIPS, limitMs = WARM_UP_LIMIT_MS } = options;
  refreshRandomCaches(); // loads node:crypto, also when there is no round trip
  const bus = scratchBus();
  await warmUpHookPath(bus);
  const server = http.createServer(answer);
  const connections: Promise<void>[] = [];
  server.on('connection', (socket: Socket) => connections.push(closed(socket)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 }); // as the runtime's own client has
  // Every socket of both ends is tracked, to resolve only once all are closed: nothing of the warm-up
  // is left for the before-snapshot hooks or the snapshot to see.
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (...args: Parameters<typeof createConnection>) => {
    const socket = createConnection(...args);
    connections.push(closed(socket as Socket));
    return socket;
  };
  const client = new RuntimeApiClient(`127.0.0.1:${(server.address() as AddressInfo).port}`, { agent });
  let limit: NodeJS.Timeout | undefined;
  let done = 0;
  let stopped = false;
  const published = publishedInvocation();
  let trips: Promise<void> = Promise.resolve();
  try {
    trips = (async () => {
      for (; done < roundTrips && !stopped; done++) await restoreRoundTrip(client, bus);
    })();
    const expired = new Promise<void>((resolve) => {
      limit = setTimeout(resolve, limitMs);
    });
    await Promise.race([trips, expired]);
  } finally {
    clearTimeout(limit);
    stopped = true; // no further round trip starts; the one under way fails once its sockets are gone
    agent.destroy();
    server.unref();
    server.closeAllConnections();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    const settled = async (): Promise<void> => {
      await trips.catch(() => {}); // once given up, its failure (the server closing under it) is nobody's
      await Promise.all([serverClosed, ...connections]); // every socket, also one the last trip opened
    };
    await atMost(settled(), CLOSE_LIMIT_MS);
    published.restore();
  }
  return { roundTrips: done, durationMs: performance.now() - started };
}

/** Hooks per phase on the warm-up's scratch bus: the hook path runs as with a typical function's hooks. */
const SCRATCH_HOOKS = 10;

/**
 * Emits of the scratch bus before the round trips. Below V8's optimization thresholds, the code a
 * phase runs per hook (the bus's, and Node's promise and async-context bookkeeping) is still compiled
 * by the optimizing compiler right after the restore: a background thread busy for milliseconds while
 * the first request is on its way (measured in bench/README.md). Enough emits get that done here.
 */
const SCRATCH_EMITS = 200;

/** The scratch bus of a warm-up (made when it runs: on-demand functions never do): no-op async hooks in both phases. */
function scratchBus(): LifecycleBus<SnapStartEvents> {
  const bus = new LifecycleBus<SnapStartEvents>({ events: ['beforeSnapshot', 'afterRestore'] });
  for (let i = 0; i < SCRATCH_HOOKS; i++) {
    bus.on('beforeSnapshot', async () => {});
    bus.on('afterRestore', async () => {});
  }
  return bus;
}

/** Runs the per-hook path of a phase often enough for V8 to optimize it before the snapshot. */
async function warmUpHookPath(bus: LifecycleBus<SnapStartEvents>): Promise<void> {
  // With a signal and a deadline, as the runtime emits (runSnapStartPhases): the same path is warmed.
  const controller = new AbortController();
  for (let i = 0; i < SCRATCH_EMITS; i++) {
    await bus.emit('afterRestore', undefined, { deadline: WARM_UP_LIMIT_MS, signal: controller.signal });
  }
}

const noOpHandler = async (): Promise<string> => 'warm';
const discard = (): void => {};

/**
 * One restore as the runtime runs it, against `client`: the SnapStart phases on the scratch `bus` (its
 * `restore/next`, then the random refresh), then one invocation through the invocation loop with a
 * no-op handler. The user's hooks and handler never run here.
 */
async function restoreRoundTrip(client: RuntimeApiClient, bus: LifecycleBus<SnapStartEvents>): Promise<void> {
  await runSnapStartPhases({
    client,
    bus,
    onRestored: refreshRandomCaches,
    onPhase: discard,
    // Finite, as the runtime's are: the deadline path is the one warmed.
    beforeSnapshotDeadline: WARM_UP_LIMIT_MS,
    afterRestoreDeadline: WARM_UP_LIMIT_MS,
  });
  await runInvocationLoop({ client, handler: noOpHandler, maxInvocations: 1, log: discard, logError: discard });
}

/**
 * What the invocation loop publishes per invocation (`_X_AMZN_TRACE_ID`, the request and tenant ids
 * on AWS's global symbols), saved so the warm-up's invocations leave no trace of themselves.
 */
function publishedInvocation(): { restore: () => void } {
  const global = globalThis as Record<symbol, unknown>;
  const hadTrace = Object.hasOwn(process.env, '_X_AMZN_TRACE_ID');
  const trace = process.env._X_AMZN_TRACE_ID;
  const saved = [REQUEST_ID_GLOBAL, TENANT_ID_GLOBAL].map(
    (key) => [key, Object.hasOwn(global, key), global[key]] as const,
  );
  return {
    restore: () => {
      if (hadTrace) process.env._X_AMZN_TRACE_ID = trace;
      else delete process.env._X_AMZN_TRACE_ID;
      for (const [key, had, value] of saved) {
        if (had) global[key] = value;
        else delete global[key];
      }
    },
  };
}

/** Resolves when `promise` settles, or after `ms`: a socket that lingers must never hold up init. */
async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Resolves once `socket` has emitted `close` (its handle is then closed). */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** How long the warm-up waits for its server and sockets to close. */
const CLOSE_LIMIT_MS = 200;

const PREFIX = `/${RUNTIME_API_VERSION}/runtime`;
let requestCount = 0;

/** The throw-away Runtime API: answers the restore path's three requests as Lambda does. */
function answer(request: http.IncomingMessage, response: http.ServerResponse): void {
  request.resume();
  if (request.url === `${PREFIX}/invocation/next`) {
    const body = '{"warmUp":true}';
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'lambda-runtime-aws-request-id': `warm-up-${++requestCount}`,
      'lambda-runtime-deadline-ms': String(Date.now() + 60_000),
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:000000000000:function:warm-up',
      'lambda-runtime-trace-id': 'Root=1-00000000-000000000000000000000000;Sampled=0',
    });
    response.end(body);
  } else {
    request.once('end', () => response.writeHead(request.method === 'POST' ? 202 : 200).end());
  }
}
