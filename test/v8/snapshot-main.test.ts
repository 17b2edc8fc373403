import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { snapStartBus } from '../../src/index.js';
import { nodeHost, type SnapshotHost } from '../../src/v8/host.js';
import {
  BUILD_REPORT_ENV,
  type BuildReport,
  diagnoseOpenHandle,
  OPEN_HANDLE_CURE,
  SnapshotExitCode,
  type SnapshotMainContext,
  snapshotMain,
} from '../../src/v8/index.js';
import { describeResources, resourcesKeepingLoopAlive, TIMER_CURE } from '../../src/v8/open-handles.js';
import { runSnapshotMain } from '../../src/v8/snapshot-main.js';

// The bridge's decisions, driven in-process through the SnapshotHost seam: a host that records
// what Node would be asked to do (serialize callbacks, the deserialize main, exit codes) and lets
// the test play Node's part. test/v8/snapshot.test.ts proves the same paths with real blobs.

interface RecordingHost extends SnapshotHost {
  serializeCallbacks: (() => void)[];
  deserializeMain: (() => void) | undefined;
  beforeExitListeners: Set<() => void>;
  /** What the host reports as keeping the loop alive; by default only the drain check's own timer. */
  resources: () => string[];
  resourceReads: number;
  errors: string;
  exited: Promise<number>;
}

function recordingHost(building: boolean, argv: readonly string[] = ['/usr/bin/node', 'oak', '--fast']): RecordingHost {
  let resolveExit: (code: number) => void = () => {};
  const host: RecordingHost = {
    serializeCallbacks: [],
    deserializeMain: undefined,
    beforeExitListeners: new Set(),
    resources: () => ['Timeout'],
    resourceReads: 0,
    errors: '',
    exited: new Promise((resolve) => {
      resolveExit = resolve;
    }),
    isBuildingSnapshot: () => building,
    addSerializeCallback: (callback) => host.serializeCallbacks.push(callback),
    setDeserializeMainFunction: (main) => {
      host.deserializeMain = main;
    },
    argv: () => argv,
    activeResources: () => {
      host.resourceReads++;
      return host.resources();
    },
    onBeforeExit: (listener) => {
      host.beforeExitListeners.add(listener);
      return () => host.beforeExitListeners.delete(listener);
    },
    exit: (code) => resolveExit(code),
    writeError: (text) => {
      host.errors += text;
    },
  };
  return host;
}

/** Registers a hook on snapStartBus for the duration of the test. */
function hook(t: Tap, event: 'beforeSnapshot' | 'afterRestore', fn: () => unknown, name: string): void {
  t.teardown(snapStartBus.on(event, fn, { name }));
}
type Tap = { teardown(fn: () => unknown): void };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

t.test(
  'runSnapshotMain() - build: init, beforeSnapshot, build report at serialize; restore: afterRestore then main',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'snapstart-v8-host-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const events: string[] = [];
    const settled = deferred();
    hook(t, 'beforeSnapshot', () => events.push('beforeSnapshot:a'), 'a');
    hook(
      t,
      'beforeSnapshot',
      async () => {
        await tick();
        events.push('beforeSnapshot:b');
        setImmediate(settled.resolve);
      },
      'b',
    );
    hook(t, 'afterRestore', () => events.push('afterRestore:a'), 'a');
    hook(t, 'afterRestore', () => events.push('afterRestore:b'), 'b');
    const host = recordingHost(true);
    const contexts: SnapshotMainContext[] = [];
    const mainRan = deferred();
    runSnapshotMain(
      host,
      (context) => {
        contexts.push(context);
        events.push('main');
        mainRan.resolve();
      },
      {
        init: async () => {
          await tick();
          events.push('init');
        },
        drainTimeout: Number.POSITIVE_INFINITY,
      },
      () => events.push('warmUp'),
    );
    await settled.promise;
    t.same(events, ['init', 'warmUp', 'beforeSnapshot:b', 'beforeSnapshot:a'], 'the warm-up runs between them');
    t.equal(host.serializeCallbacks.length, 1);

    const reportPath = join(dir, 'report.json');
    process.env[BUILD_REPORT_ENV] = reportPath;
    t.teardown(() => {
      delete process.env[BUILD_REPORT_ENV];
    });
    const before = performance.timeOrigin + performance.now();
    for (const callback of host.serializeCallbacks) callback();
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as BuildReport;
    t.ok(report.initMs >= 4, `init took ${report.initMs} ms`);
    t.equal(report.beforeSnapshot.ok, true);
    t.same(
      report.beforeSnapshot.hooks.map((outcome) => outcome.name),
      ['b', 'a'],
    );
    t.ok(report.serializeStartedAt >= before);

    host.deserializeMain?.();
    await mainRan.promise;
    t.same(events.slice(4), ['afterRestore:a', 'afterRestore:b', 'main'], 'no warm-up in the restored process');
    t.same(contexts, [{ restored: true, args: ['oak', '--fast'] }], 'a restored process has no script in argv');
    t.equal(host.errors, '');
    t.equal(host.beforeExitListeners.size, 0, 'no beforeExit listener is left in the heap');
  },
);

t.test(
  'runSnapshotMain() - build without init: a serialize callback before the phase settled writes nothing',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'snapstart-v8-host-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const gate = deferred();
    hook(t, 'beforeSnapshot', () => gate.promise, 'slow');
    const host = recordingHost(true);
    runSnapshotMain(host, () => {}, {});
    const reportPath = join(dir, 'report.json');
    process.env[BUILD_REPORT_ENV] = reportPath;
    t.teardown(() => {
      delete process.env[BUILD_REPORT_ENV];
    });
    for (const callback of host.serializeCallbacks) callback();
    t.throws(() => readFileSync(reportPath), { code: 'ENOENT' });
    gate.resolve();
  },
);

t.test('runSnapshotMain() - build: a failing beforeSnapshot exits 64 with the report', async (t) => {
  hook(
    t,
    'beforeSnapshot',
    () => {
      throw new Error('flush failed');
    },
    'flush',
  );
  hook(
    t,
    'beforeSnapshot',
    () => {
      throw 'a string';
    },
    'odd',
  );
  const host = recordingHost(true);
  runSnapshotMain(host, () => {}, {});
  t.equal(await host.exited, SnapshotExitCode.beforeSnapshotFailed);
  t.match(host.errors, 'beforeSnapshot: 2 of 2 hooks failed: odd (non-Error value a string), flush (flush failed)');
  t.match(host.errors, '(no snapshot was written)');
  t.match(host.errors, /beforeSnapshot FAILED/);
  t.match(host.errors, '    non-Error value a string');
  t.match(host.errors, '    Error: flush failed');
});

t.test('runSnapshotMain() - build: a failing init exits 1 and emits no beforeSnapshot', async (t) => {
  let before = 0;
  hook(t, 'beforeSnapshot', () => before++, 'never');
  const host = recordingHost(true);
  runSnapshotMain(host, () => {}, {
    init: () => {
      throw new TypeError('bad config');
    },
  });
  t.equal(await host.exited, SnapshotExitCode.initFailed);
  t.match(host.errors, 'snapstart-hooks/v8: init failed (no snapshot was written): TypeError: bad config');
  t.equal(before, 0);
});

t.test(
  'runSnapshotMain() - build: a socket still open after beforeSnapshot exits 66 naming it and the handle cure',
  async (t) => {
    const host = recordingHost(true);
    host.resources = () => ['TCPSocketWrap', 'Timeout'];
    runSnapshotMain(host, () => {}, { drainTimeout: 30 });
    t.equal(await host.exited, SnapshotExitCode.openHandles);
    t.match(host.errors, '30 ms after beforeSnapshot settled, the event loop is still kept alive by TCPSocketWrap. ');
    t.match(host.errors, OPEN_HANDLE_CURE);
    t.notMatch(host.errors, 'clearInterval');
  },
);

t.test('runSnapshotMain() - build: a pending timer exits 66 with the timer cure, not the socket one', async (t) => {
  const host = recordingHost(true);
  host.resources = () => ['Timeout', 'Timeout', 'Timeout'];
  runSnapshotMain(host, () => {}, { drainTimeout: 30 });
  t.equal(await host.exited, SnapshotExitCode.openHandles);
  t.match(host.errors, 'the event loop is still kept alive by 2 × Timeout. ');
  t.match(host.errors, TIMER_CURE);
  t.notMatch(host.errors, 'socket.destroy()');

  const both = recordingHost(true);
  both.resources = () => ['Timeout', 'TCPServerWrap', 'Timeout'];
  runSnapshotMain(both, () => {}, { drainTimeout: 30 });
  t.equal(await both.exited, SnapshotExitCode.openHandles);
  t.match(both.errors, `TCPServerWrap, Timeout. Handles: ${OPEN_HANDLE_CURE} Timers: ${TIMER_CURE}`);
});

t.test(
  'runSnapshotMain() - build: a real pending setInterval is named as a Timeout, with the timer cure',
  async (t) => {
    const host = recordingHost(true);
    host.resources = () => process.getActiveResourcesInfo();
    const timer = setInterval(() => {}, 1_000);
    t.teardown(() => clearInterval(timer));
    runSnapshotMain(host, () => {}, { drainTimeout: 30 });
    t.equal(await host.exited, SnapshotExitCode.openHandles);
    t.match(host.errors, /still kept alive by .*Timeout/);
    t.match(host.errors, TIMER_CURE);
  },
);

t.test(
  'runSnapshotMain() - build: once only its own check is left, the build stops polling and lets the loop drain',
  async (t) => {
    const host = recordingHost(true);
    let closing = 3;
    host.resources = () => (closing-- > 0 ? ['TCPSocketWrap', 'Timeout'] : ['Timeout']);
    runSnapshotMain(host, () => {}, { drainTimeout: 5_000 });
    while (closing >= 0) await tick();
    const reads = host.resourceReads;
    const exited = await Promise.race([host.exited, tick(100).then(() => 'no exit')]);
    t.equal(exited, 'no exit');
    t.equal(host.resourceReads, reads, 'no check after the loop was free to drain');
    t.equal(host.errors, '');
  },
);

t.test('runSnapshotMain() - build: drainTimeout Infinity waits as long as a handle is open', async (t) => {
  const host = recordingHost(true);
  let open = true;
  host.resources = () => (open ? ['TCPSocketWrap', 'Timeout'] : ['Timeout']);
  runSnapshotMain(host, () => {}, { drainTimeout: Number.POSITIVE_INFINITY });
  const exited = await Promise.race([host.exited, tick(100).then(() => 'no exit')]);
  t.equal(exited, 'no exit');
  t.ok(host.resourceReads > 3, `checked ${host.resourceReads} times`);
  open = false;
  await tick(30);
  const reads = host.resourceReads;
  await tick(30);
  t.equal(host.resourceReads, reads, 'stopped once the handle closed');
});

t.test('runSnapshotMain() - a phase still pending when the event loop drains exits 67', async (t) => {
  const host = recordingHost(true);
  const started = deferred();
  hook(
    t,
    'beforeSnapshot',
    () => {
      started.resolve();
      return new Promise(() => {});
    },
    'forever',
  );
  runSnapshotMain(host, () => {}, {});
  await started.promise;
  t.equal(host.beforeExitListeners.size, 1, 'the phase listens for the loop draining');
  // What Node does when nothing is left to keep the loop alive.
  for (const listener of host.beforeExitListeners) listener();
  t.equal(await host.exited, SnapshotExitCode.stalled);
  t.match(host.errors, 'beforeSnapshot never settled');
});

t.test('runSnapshotMain() - restore: a failing afterRestore exits 65 and main does not run', async (t) => {
  hook(
    t,
    'afterRestore',
    () => {
      throw new Error('db refused');
    },
    'db',
  );
  const host = recordingHost(true);
  let mainRuns = 0;
  runSnapshotMain(host, () => mainRuns++, { drainTimeout: Number.POSITIVE_INFINITY });
  host.deserializeMain?.();
  t.equal(await host.exited, SnapshotExitCode.afterRestoreFailed);
  t.match(host.errors, 'afterRestore: 1 of 1 hook failed: db (db refused) (main did not run)');
  t.equal(mainRuns, 0);
});

t.test('runSnapshotMain() - without a snapshot: init then main, no hooks; failures exit 1', async (t) => {
  let hooks = 0;
  hook(t, 'beforeSnapshot', () => hooks++, 'b');
  hook(t, 'afterRestore', () => hooks++, 'a');
  const host = recordingHost(false, ['/usr/bin/node', '/app/entry.js', 'oak', '--fast']);
  const order: string[] = [];
  const done = deferred();
  runSnapshotMain(
    host,
    ({ restored, args }) => {
      order.push(`main restored=${restored} args=${args.join(' ')}`);
      done.resolve();
    },
    { init: () => order.push('init') },
    () => order.push('warmUp'),
  );
  await done.promise;
  t.same(order, ['init', 'main restored=false args=oak --fast'], 'no warm-up without a snapshot');
  t.equal(hooks, 0);
  t.same(host.serializeCallbacks, []);

  const failing = recordingHost(false);
  runSnapshotMain(failing, () => Promise.reject(42), {});
  t.equal(await failing.exited, SnapshotExitCode.mainFailed);
  t.match(failing.errors, 'snapstart-hooks/v8: main failed: non-Error value 42');

  const stackless = recordingHost(false);
  const error = new RangeError('no stack here');
  error.stack = undefined;
  runSnapshotMain(
    stackless,
    () => {
      throw error;
    },
    {},
  );
  t.equal(await stackless.exited, SnapshotExitCode.mainFailed);
  t.match(stackless.errors, 'snapstart-hooks/v8: main failed: RangeError: no stack here');

  // Anything can be thrown: getters that throw, a revoked Proxy. The bridge still reports and exits.
  const hostile = new Error('hidden');
  Object.defineProperty(hostile, 'stack', {
    get() {
      throw new Error('no stack for you');
    },
  });
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  for (const [thrown, expected] of [
    [hostile, 'snapstart-hooks/v8: main failed: Error: hidden'],
    [proxy, 'snapstart-hooks/v8: main failed: non-Error value'],
  ] as const) {
    const host = recordingHost(false);
    runSnapshotMain(
      host,
      () => {
        throw thrown;
      },
      {},
    );
    t.equal(await host.exited, SnapshotExitCode.mainFailed);
    t.match(host.errors, expected);
  }
});

t.test('snapshotMain() - bad arguments throw naming them', async (t) => {
  t.throws(() => snapshotMain('main' as never), new TypeError('main must be a function, got "main"'));
  t.throws(() => snapshotMain(() => {}, null as never), new TypeError('options must be an object, got null'));
  t.throws(() => snapshotMain(() => {}, { init: 5 as never }), new TypeError('options.init must be a function, got 5'));
  t.throws(
    () => snapshotMain(() => {}, { drainTimeout: 0 }),
    new RangeError('options.drainTimeout must be greater than 0 ms, got 0'),
  );
});

t.test('snapshotMain() - runs init then main without a snapshot, and only once per process', async (t) => {
  const order: string[] = [];
  const done = deferred();
  snapshotMain(
    (context) => {
      order.push(`main ${context.restored}`);
      done.resolve();
    },
    { init: async () => order.push('init') },
  );
  await done.promise;
  t.same(order, ['init', 'main false']);
  t.throws(() => snapshotMain(() => {}), { message: /snapshotMain\(\) was already called in this process/ });
});

t.test('nodeHost - reads the real process: argv, active resources, beforeExit listeners, stderr', async (t) => {
  t.equal(nodeHost.argv(), process.argv);
  t.same(nodeHost.isBuildingSnapshot(), false);
  const timer = setTimeout(() => {}, 1_000);
  t.teardown(() => clearTimeout(timer));
  t.ok(nodeHost.activeResources().includes('Timeout'), 'a pending timer is listed');
  const listener = (): void => {};
  const before = process.listenerCount('beforeExit');
  const remove = nodeHost.onBeforeExit(listener);
  t.equal(process.listenerCount('beforeExit'), before + 1);
  remove();
  t.equal(process.listenerCount('beforeExit'), before, 'the remover takes it off again');
  nodeHost.writeError('');
});

t.test('describeResources() - counts resource types', async (t) => {
  t.equal(describeResources(['TCPSocketWrap', 'Timeout', 'Timeout']), 'TCPSocketWrap, 2 × Timeout');
  t.equal(describeResources([]), 'a handle Node does not name');
});

t.test('resourcesKeepingLoopAlive() - discounts the stdio streams, nothing else', async (t) => {
  const listed = ['PipeWrap', 'TTYWrap', 'TCPSocketWrap', 'PipeWrap'];
  t.same(resourcesKeepingLoopAlive(listed, [{ _type: 'pipe' }, { _type: 'tty' }]), ['TCPSocketWrap', 'PipeWrap']);
  t.same(resourcesKeepingLoopAlive(listed, [{ _type: 'fs' }, {}]), listed);
  t.same(resourcesKeepingLoopAlive(['Timeout'], [{ _type: 'pipe' }]), ['Timeout']);
  t.type(resourcesKeepingLoopAlive([]), Array, "defaults to Node's own stdout and stderr");
});

t.test('diagnoseOpenHandle() - recognises what Node prints for an unserializable handle', async (t) => {
  t.equal(diagnoseOpenHandle('ReferenceError: x is not defined'), undefined);
  t.match(
    diagnoseOpenHandle(
      'global handle not serialized: 0x1\n - All own properties: {\n    0x2 <Symbol: owner_symbol>: 0x3a <Socket map = 0x4>\n    0x5 <Symbol: owner_symbol>: 0x6b <Socket map = 0x7>\n',
    ),
    'an open 2 × Socket handle was still alive at snapshot time',
  );
  t.match(diagnoseOpenHandle('global handle not serialized: 0x1'), 'because an open handle was still alive');
});
