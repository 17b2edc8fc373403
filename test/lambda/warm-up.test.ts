/**
 * The runtime's restore warm-up: round trips against a throw-away loopback Runtime API before the
 * snapshot, everything it opened closed before the real `restore/next`, and
 * `SNAPSTART_RESTORE_WARM_UP` to turn it off. Requests are watched through Node's own
 * `http.server.request.start` channel, so the test sees what reached a server, not what the code says.
 */
import diagnostics from 'node:diagnostics_channel';
import http, { type IncomingMessage } from 'node:http';
import t, { type Test } from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import { LifecycleBus, type SnapStartEvents } from '../../src/index.js';
import { startRuntime } from '../../src/lambda/index.js';
import {
  RESTORE_WARM_UP_ENV,
  restoreWarmUpFromEnv,
  WARM_UP_ROUND_TRIPS,
  warmUpRestorePath,
} from '../../src/lambda/warm-up.js';
import { FIXTURES, within } from '../helpers/lambda-harness.js';

interface Seen {
  port: number;
  request: string;
}

/** Records every request any HTTP server of this process receives while `run` runs. */
async function watchRequests<T>(run: () => Promise<T>): Promise<{ result: T; seen: Seen[] }> {
  const seen: Seen[] = [];
  const onStart = (message: unknown): void => {
    const { request } = message as { request: IncomingMessage };
    const path = (request.url ?? '').replace(/^\/2018-06-01\/runtime\//, '').replace(/warm-up-\d+/, 'ID');
    seen.push({ port: request.socket.localPort as number, request: `${request.method} ${path}` });
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  try {
    return { result: await run(), seen };
  } finally {
    diagnostics.unsubscribe('http.server.request.start', onStart);
  }
}

/** The sockets and servers open now (timers and the like excluded). */
const openSockets = (): string[] => process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP'));

t.test('warmUpRestorePath() - round trips against its own loopback server, then closes it all', async (t) => {
  const before = openSockets();
  const { result, seen } = await watchRequests(() => warmUpRestorePath());
  t.equal(result.roundTrips, WARM_UP_ROUND_TRIPS);
  t.ok(result.durationMs > 0);
  const trip = ['GET restore/next', 'GET invocation/next', 'POST invocation/ID/response'];
  t.same(
    seen.map((entry) => entry.request),
    Array.from({ length: WARM_UP_ROUND_TRIPS }, () => trip).flat(),
    'restore/next, invocation/next and the response, in order, each round trip',
  );
  t.equal(new Set(seen.map((entry) => entry.port)).size, 1, 'one server');
  t.same(openSockets(), before, 'no server or socket left open');
});

t.test('warmUpRestorePath({ limitMs }) - gives up past its limit and still closes everything', async (t) => {
  const before = openSockets();
  const result = await warmUpRestorePath({ roundTrips: 1_000_000, limitMs: 5 });
  t.ok(result.roundTrips < 1_000_000, `stopped after ${result.roundTrips} round trips`);
  t.same(openSockets(), before, 'no server or socket left open');
  const none = await warmUpRestorePath({ roundTrips: 0 });
  t.equal(none.roundTrips, 0, 'zero round trips: only the random refresh');
});

t.test('restoreWarmUpFromEnv() - on by default; 0/false/off turn it off; anything else is refused', async (t) => {
  for (const value of [undefined, '', ' ', '1', 'true', 'on', 'ON', ' True ']) {
    t.equal(restoreWarmUpFromEnv({ [RESTORE_WARM_UP_ENV]: value }), true, String(value));
  }
  for (const value of ['0', 'false', 'off', 'OFF', ' False']) {
    t.equal(restoreWarmUpFromEnv({ [RESTORE_WARM_UP_ENV]: value }), false, value);
  }
  for (const value of ['no', '2', 'disabled']) {
    t.throws(() => restoreWarmUpFromEnv({ [RESTORE_WARM_UP_ENV]: value }), {
      name: 'RangeError',
      message: `SNAPSTART_RESTORE_WARM_UP must be 1, true, on, 0, false or off, got "${value}"`,
    });
  }
});

/** Runs the runtime in this process for one invocation; resolves the requests servers received. */
async function runOnce(t: Test, warmUp: string | undefined): Promise<{ seen: Seen[]; port: number }> {
  const emulator = await RuntimeApiEmulator.start({ autoRestore: true });
  t.teardown(() => emulator.close());
  const port = Number(emulator.address.split(':').pop());
  const { seen } = await watchRequests(async () => {
    const exit = startRuntime({
      env: {
        ...emulator.runtimeEnv(),
        LAMBDA_TASK_ROOT: FIXTURES,
        _HANDLER: 'faults.echo',
        ...(warmUp === undefined ? {} : { [RESTORE_WARM_UP_ENV]: warmUp }),
      },
      maxInvocations: 1,
      log: () => {},
      patchConsole: false,
    });
    t.equal((await within(emulator.invoke({ n: 1 }), 30_000, 'invocation')).ok, true);
    t.equal(await exit, 0);
  });
  return { seen, port };
}

t.test('startRuntime() - under snap-start, warms up before restore/next unless turned off', async (t) => {
  const on = await runOnce(t, undefined);
  const firstReal = on.seen.findIndex((entry) => entry.port === on.port);
  const warm = on.seen.filter((entry) => entry.port !== on.port);
  t.equal(warm.length, 3 * WARM_UP_ROUND_TRIPS, 'the warm-up round trips, on a server of its own');
  t.ok(
    on.seen.slice(firstReal).every((entry) => entry.port === on.port),
    'all of them before the first request to the Runtime API',
  );
  t.equal(on.seen[firstReal]?.request, 'GET restore/next');

  const off = await runOnce(t, 'off');
  t.same(
    off.seen.filter((entry) => entry.port !== off.port),
    [],
    `${RESTORE_WARM_UP_ENV}=off: no warm-up`,
  );
});

t.test('startRuntime() - a bad SNAPSTART_RESTORE_WARM_UP is Runtime.InvalidConfiguration', async (t) => {
  const emulator = await RuntimeApiEmulator.start();
  t.teardown(() => emulator.close());
  const code = await startRuntime({
    env: { ...emulator.runtimeEnv(), LAMBDA_TASK_ROOT: FIXTURES, _HANDLER: 'faults.echo', [RESTORE_WARM_UP_ENV]: 'no' },
    log: () => {},
    patchConsole: false,
  });
  t.equal(code, 129);
  t.match(emulator.errors[0], {
    errorType: 'Runtime.InvalidConfiguration',
    body: { errorMessage: 'SNAPSTART_RESTORE_WARM_UP must be 1, true, on, 0, false or off, got "no"' },
  });
});

t.test('startRuntime() - a warm-up that fails is logged and skipped; the runtime goes on', async (t) => {
  const emulator = await RuntimeApiEmulator.start({ autoRestore: true });
  t.teardown(() => emulator.close());
  const createServer = http.createServer;
  // The warm-up's loopback server cannot listen (as where loopback is not allowed).
  http.createServer = ((...args: Parameters<typeof createServer>) => {
    const server = createServer(...args);
    server.listen = function (this: http.Server) {
      process.nextTick(() => this.emit('error', new Error('listen EACCES: permission denied 127.0.0.1')));
      return this;
    } as typeof server.listen;
    return server;
  }) as typeof createServer;
  t.teardown(() => {
    http.createServer = createServer;
  });
  const logs: string[] = [];
  const exit = startRuntime({
    env: { ...emulator.runtimeEnv(), LAMBDA_TASK_ROOT: FIXTURES, _HANDLER: 'faults.echo' },
    maxInvocations: 1,
    log: (line) => logs.push(line),
    patchConsole: false,
  });
  t.equal((await within(emulator.invoke({ n: 1 }), 30_000, 'invocation')).ok, true, 'served after restore');
  t.equal(await exit, 0);
  t.match(logs.join('\n'), 'snapstart-runtime: warning: the restore warm-up failed, skipped: listen EACCES');
});

t.test('warmUpRestorePath() - its invocations leave _X_AMZN_TRACE_ID and the published ids as they were', async (t) => {
  const global = globalThis as Record<symbol, unknown>;
  const requestId = Symbol.for('aws.lambda.runtime.requestId');
  const tenantId = Symbol.for('aws.lambda.runtime.tenantId');
  const saved = { trace: process.env._X_AMZN_TRACE_ID, requestId: global[requestId], tenantId: global[tenantId] };
  t.teardown(() => {
    if (saved.trace === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = saved.trace;
    global[requestId] = saved.requestId;
    global[tenantId] = saved.tenantId;
  });

  delete process.env._X_AMZN_TRACE_ID;
  delete global[requestId];
  delete global[tenantId];
  await warmUpRestorePath({ roundTrips: 2 });
  t.notOk(Object.hasOwn(process.env, '_X_AMZN_TRACE_ID'), 'absent before: still absent');
  t.notOk(Object.hasOwn(global, requestId), 'no request id published');
  t.notOk(Object.hasOwn(global, tenantId), 'no tenant id published');

  process.env._X_AMZN_TRACE_ID = 'Root=1-init';
  global[requestId] = 'init-request';
  global[tenantId] = 'init-tenant';
  await warmUpRestorePath({ roundTrips: 2 });
  t.equal(process.env._X_AMZN_TRACE_ID, 'Root=1-init');
  t.equal(global[requestId], 'init-request');
  t.equal(global[tenantId], 'init-tenant');
});

t.test('startRuntime() - the warm-up never runs the function: its hooks and handler run once', async (t) => {
  const emulator = await RuntimeApiEmulator.start({ autoRestore: true });
  t.teardown(() => emulator.close());
  const bus = new LifecycleBus<SnapStartEvents>();
  const runs: string[] = [];
  bus.on('beforeSnapshot', () => void runs.push('beforeSnapshot'));
  bus.on('afterRestore', async () => void runs.push('afterRestore'));
  const exit = startRuntime({
    env: { ...emulator.runtimeEnv(), LAMBDA_TASK_ROOT: FIXTURES, _HANDLER: 'faults.echo' },
    bus,
    maxInvocations: 1,
    log: () => {},
    patchConsole: false,
  });
  const answer = await within(emulator.invoke({ n: 1 }), 30_000, 'invocation');
  t.same(answer.body, { event: { n: 1 } }, 'the one invocation, echoed by the handler');
  t.equal(await exit, 0);
  t.same(runs, ['beforeSnapshot', 'afterRestore'], 'each hook once');
  t.equal(emulator.results.length, 1, 'one invocation ended');
});

t.test('startRuntime() - the after-restore record is written after the first invocation/next is sent', async (t) => {
  const emulator = await RuntimeApiEmulator.start({ autoRestore: true });
  t.teardown(() => emulator.close());
  const port = Number(emulator.address.split(':').pop());
  const order: string[] = [];
  const info = console.info;
  console.info = (...args: unknown[]) => {
    const text = String(args[0]);
    if (text.startsWith('SnapStart ')) order.push(text.split(':')[0] as string);
  };
  t.teardown(() => {
    console.info = info;
  });
  const { seen } = await watchRequests(async () => {
    const exit = startRuntime({
      env: { ...emulator.runtimeEnv(), LAMBDA_TASK_ROOT: FIXTURES, _HANDLER: 'faults.echo' },
      maxInvocations: 1,
      log: () => {},
      patchConsole: false,
    });
    // The runtime's own requests, as its HTTP client issues them (the warm-up's go to another port).
    const onStart = (message: unknown): void => {
      const { request } = message as { request: http.ClientRequest };
      if (request.getHeader('host') === `127.0.0.1:${port}` && request.path.endsWith('/invocation/next'))
        order.push('invocation/next');
    };
    diagnostics.subscribe('http.client.request.start', onStart);
    t.teardown(() => diagnostics.unsubscribe('http.client.request.start', onStart));
    t.equal((await within(emulator.invoke({ n: 1 }), 30_000, 'invocation')).ok, true);
    t.equal(await exit, 0);
  });
  t.ok(seen.length > 0);
  t.same(order.slice(0, 3), ['SnapStart beforeSnapshot', 'invocation/next', 'SnapStart afterRestore']);
});
