/**
 * Options objects of every public function, attacked the same way: a polluted `Object.prototype`,
 * getters that would change between reads, and unknown keys. One table of entries, three attacks
 * each: every entry must read its options as own properties, each once, and refuse an unknown key
 * with the one message shape `<name> has an unknown key "<key>"; the known keys are <list>`.
 */
import { tmpdir } from 'node:os';
import t from 'tap';
import type { Simulation } from '../../src/emulator/index.js';
import {
  type FaultAction,
  formatSimulation,
  formatSimulationEvent,
  RuntimeApiEmulator,
  simulate,
} from '../../src/emulator/index.js';
import { formatReport, LifecycleBus, type PhaseReport, registerResource } from '../../src/index.js';
import {
  loadHandler,
  RuntimeApiClient,
  runInvocationLoop,
  runSnapStartPhases,
  startRuntime,
} from '../../src/lambda/index.js';
import { instrumentBus } from '../../src/otel/index.js';
import { snapshotMain } from '../../src/v8/index.js';

type Options = Record<string, unknown>;

/** What a call came to: its value's summary, or the error it threw or rejected with. */
type Outcome = string;

interface Entry {
  readonly label: string;
  /** The name the unknown-key message starts with. */
  readonly prefix: string;
  readonly keys: readonly string[];
  /** Options that get the call to a known end without side effects (often a last, bad option). */
  readonly baseline: Options;
  readonly run: (options: Options) => Promise<unknown> | unknown;
}

async function outcome(entry: Entry, options: Options): Promise<Outcome> {
  try {
    return `ok ${String(await entry.run(options))}`;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

const client = new RuntimeApiClient('127.0.0.1:9');
const phasesClient = { restoreNext: async () => {}, postInitError: async () => {}, postRestoreError: async () => {} };
const report: Promise<PhaseReport> = (() => {
  const bus = new LifecycleBus();
  bus.on('x', () => {});
  return bus.emit('x', undefined);
})();
const simulation: Simulation = {
  ok: true,
  handler: 'index.handler',
  taskRoot: '/var/task',
  initType: 'snap-start',
  exitCode: 0,
  hints: [],
  timeline: [],
  invocations: [],
  errors: [],
  requests: [],
  logs: [],
};

async function withEmulator<T>(use: (emulator: RuntimeApiEmulator) => T): Promise<Awaited<T>> {
  const emulator = await RuntimeApiEmulator.start();
  try {
    return await use(emulator);
  } finally {
    await emulator.close();
  }
}

const ENTRIES: Entry[] = [
  {
    label: 'new LifecycleBus()',
    prefix: 'options',
    keys: ['concurrency', 'timeout', 'failFast', 'timing', 'order', 'events'],
    baseline: {},
    run: (options) => new LifecycleBus(options).constructor.name,
  },
  {
    label: 'bus.on()',
    prefix: 'options',
    keys: ['priority', 'timeout', 'name', 'signal'],
    baseline: {},
    run: async (options) => {
      const bus = new LifecycleBus();
      bus.on('x', () => {}, options);
      return (await bus.emit('x', undefined)).hooks.map((hook) => `${hook.name}:${hook.priority}`).join();
    },
  },
  {
    label: 'bus.emit()',
    prefix: 'options',
    keys: ['concurrency', 'failFast', 'timing', 'deadline', 'signal'],
    baseline: {},
    run: async (options) => {
      const bus = new LifecycleBus();
      bus.on('x', () => {});
      return (await bus.emit('x', undefined, options)).ok;
    },
  },
  {
    label: 'registerResource()',
    prefix: 'options',
    keys: ['priority', 'timeout', 'signal'],
    baseline: {},
    run: (options) => {
      const off = registerResource('db', { beforeSnapshot: () => {} }, options);
      off();
      return 'registered';
    },
  },
  {
    label: 'formatReport()',
    prefix: 'options',
    keys: ['width', 'color'],
    baseline: {},
    run: async (options) => formatReport(await report, options).length,
  },
  {
    label: 'instrumentBus()',
    prefix: 'options',
    keys: ['tracer', 'events'],
    baseline: {},
    run: (options) => {
      const off = instrumentBus(new LifecycleBus(), options);
      off();
      return 'instrumented';
    },
  },
  {
    label: 'RuntimeApiEmulator.start()',
    prefix: 'options',
    keys: [
      'host',
      'port',
      'initType',
      'autoRestore',
      'functionName',
      'region',
      'maxConcurrency',
      'maxResponseBytes',
      'maxStreamedResponseBytes',
    ],
    baseline: {},
    run: async (options) => {
      const emulator = await RuntimeApiEmulator.start(options);
      await emulator.close();
      return `${emulator.initType} ${emulator.functionArn} ${emulator.maxConcurrency}`;
    },
  },
  {
    label: 'emulator.invoke()',
    prefix: 'options',
    keys: ['requestId', 'timeout', 'traceId', 'tenantId', 'clientContext', 'cognitoIdentity'],
    baseline: {},
    run: (options) =>
      withEmulator((emulator) => {
        emulator.invoke({}, options).catch(() => {}); // settles when the emulator closes
        return 'queued';
      }),
  },
  {
    label: 'emulator.inject() options',
    prefix: 'options',
    keys: ['times'],
    baseline: {},
    run: (options) => withEmulator((emulator) => typeof emulator.inject('invocation/next', { kind: 'reset' }, options)),
  },
  {
    label: 'emulator.inject() action',
    prefix: 'action',
    keys: ['kind', 'status', 'body', 'headers'],
    baseline: { kind: 'status', status: 500 },
    run: (options) =>
      withEmulator((emulator) => typeof emulator.inject('invocation/next', options as FaultAction, undefined)),
  },
  {
    label: 'simulate()',
    prefix: 'options',
    keys: [
      'taskRoot',
      'handler',
      'event',
      'invocations',
      'initType',
      'nodeArgs',
      'env',
      'timeout',
      'functionTimeout',
      'onEvent',
    ],
    // A bad onEvent, checked last, stops it before anything is spawned.
    baseline: { taskRoot: tmpdir(), handler: 'index.handler', onEvent: 'not a function' },
    run: (options) => simulate(options as never),
  },
  {
    label: 'formatSimulation()',
    prefix: 'options',
    keys: ['width', 'color', 'logs'],
    baseline: {},
    run: (options) => formatSimulation(simulation, options).length,
  },
  {
    label: 'formatSimulationEvent()',
    prefix: 'options',
    keys: ['width', 'color', 'logs'],
    baseline: {},
    run: (options) => formatSimulationEvent({ type: 'log', stream: 'stdout', text: 'x' }, options),
  },
  {
    label: 'new RuntimeApiClient()',
    prefix: 'RuntimeApiClient options',
    keys: ['agent', 'concurrency'],
    baseline: {},
    run: (options) => new RuntimeApiClient('127.0.0.1:9', options).endpoint,
  },
  {
    label: 'loadHandler()',
    prefix: 'options',
    keys: ['searchPaths'],
    baseline: {},
    run: (options) => loadHandler(tmpdir(), 'no-such-module-here.handler', options),
  },
  {
    label: 'runInvocationLoop()',
    prefix: 'runInvocationLoop(options)',
    keys: ['client', 'handler', 'env', 'concurrency', 'maxInvocations', 'onEvent', 'onInvocation', 'log', 'logError'],
    baseline: { client, handler: async () => 1, maxInvocations: 0 },
    run: (options) => runInvocationLoop(options as never),
  },
  {
    label: 'runSnapStartPhases()',
    prefix: 'runSnapStartPhases(options)',
    keys: ['client', 'bus', 'beforeSnapshotDeadline', 'afterRestoreDeadline', 'env', 'onPhase', 'onRestored'],
    // A bad afterRestoreDeadline, checked last, stops it before any phase runs.
    baseline: { client: phasesClient, afterRestoreDeadline: -1 },
    run: (options) => runSnapStartPhases(options as never),
  },
  {
    label: 'startRuntime()',
    prefix: 'startRuntime(options)',
    keys: ['env', 'bus', 'maxInvocations', 'log', 'patchConsole'],
    // A bad bus, checked last, stops it before the runtime starts.
    baseline: { bus: 'not a bus' },
    run: (options) => startRuntime(options as never),
  },
  {
    label: 'snapshotMain()',
    prefix: 'options',
    keys: ['init', 'drainTimeout'],
    // A bad drainTimeout, checked last, stops it before the once-per-process guard.
    baseline: { drainTimeout: -1 },
    run: (options) => snapshotMain(() => {}, options as never),
  },
];

t.test('options - a polluted Object.prototype changes nothing, on every entry', async (t) => {
  for (const entry of ENTRIES) {
    const expected = await outcome(entry, { ...entry.baseline });
    for (const key of entry.keys) {
      if (Object.hasOwn(entry.baseline, key)) continue;
      // A Symbol fails every option's check: read through the prototype, it would change the outcome.
      Object.defineProperty(Object.prototype, key, { value: Symbol('polluted'), configurable: true, writable: true });
      try {
        t.equal(await outcome(entry, { ...entry.baseline }), expected, `${entry.label}: Object.prototype.${key}`);
      } finally {
        delete (Object.prototype as Options)[key];
      }
    }
  }
});

t.test('options - each option is read once, so a getter cannot pass the check and then change', async (t) => {
  for (const entry of ENTRIES) {
    const expected = await outcome(entry, { ...entry.baseline });
    const reads = new Map<string, number>();
    const options: Options = {};
    for (const key of entry.keys) {
      Object.defineProperty(options, key, {
        enumerable: true,
        get() {
          const count = (reads.get(key) ?? 0) + 1;
          reads.set(key, count);
          // The first read gets the baseline's value; a second would get a value no check allows.
          return count === 1 ? entry.baseline[key] : Symbol('changed');
        },
      });
    }
    t.equal(await outcome(entry, options), expected, `${entry.label}: same outcome with getters`);
    for (const [key, count] of reads) t.ok(count <= 1, `${entry.label}: options.${key} read ${count} time(s)`);
  }
});

t.test('options - an unknown key is refused by every entry, in one message shape', async (t) => {
  for (const entry of ENTRIES) {
    const shape = new RegExp(
      `^TypeError: ${entry.prefix.replace(/[()]/g, '\\$&')} has an unknown key "tImeOut"; the known keys are ${entry.keys.join(', ')}$`,
    );
    t.match(await outcome(entry, { ...entry.baseline, tImeOut: 5 }), shape, entry.label);
  }
});
