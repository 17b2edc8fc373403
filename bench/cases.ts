/**
 * The implementations the latency bench compares: each one emits one phase to `n` no-op async
 * hooks. A case builds its emitter and registers its hooks once (`setup`), then the bench times the
 * returned `emit` function alone.
 *
 * @module
 */
import Emittery from 'emittery';
import { EventEmitter } from 'eventemitter3';
import { createHooks } from 'hookable';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { AsyncParallelHook, AsyncSeriesHook } from 'tapable';
import type { Library } from './dist.js';

/** Who an implementation is: the floor to beat, this library, a peer, or a reference. */
export type CaseKind = 'floor' | 'ours' | 'peer' | 'reference';

/** One implementation under test. */
export interface LatencyCase {
  /** Stable identifier used in results.json and by `--filter`. */
  readonly id: string;
  /** Human label used in the table and the chart. */
  readonly label: string;
  readonly kind: CaseKind;
  /** Whether the hooks may run concurrently (these are compared with `Promise.all`). */
  readonly concurrent: boolean;
  /** Registers `n` hooks and returns the function that emits one phase to them. */
  readonly setup: (n: number) => () => unknown;
  /**
   * Cases measured (and discarded) first in the same process: this case then runs where other code
   * has already run through the shared paths (promises, async functions), as in an application, not
   * in a fresh process. Default: none.
   */
  readonly warmAfter?: readonly string[];
}

/** The cases a "warm process" case runs after (see {@link LatencyCase.warmAfter}). */
const WARMING = ['bus-default', 'hookable', 'emittery-serial', 'tapable-parallel'];

/** Calls of every bench hook so far: lets the bench check that each case runs all its hooks. */
let calls = 0;

/** How many bench hooks have been called so far. */
export function hookCalls(): number {
  return calls;
}

/**
 * `n` distinct no-op async hooks (distinct, because some peers keep listeners in a Set). The only
 * work they do is counting their calls, the same for every case.
 */
function noopHooks(n: number): Array<() => Promise<void>> {
  return Array.from({ length: n }, () => async () => {
    calls++;
  });
}

/** Defeats dead-code elimination of `ctx.signal` reads. */
let signalSink: AbortSignal | undefined;

/** A long timeout that never fires: what is measured is the cost of having one. */
const TIMEOUT_MS = 60_000;
/** Number of priority tiers the "priorities" cases spread their hooks over. */
const TIERS = 5;

/** Every case, in the order of the table. */
export function latencyCases(lib: Library): LatencyCase[] {
  const { LifecycleBus } = lib;
  const cases: LatencyCase[] = [
    {
      id: 'floor-serial',
      label: 'floor: for…of await',
      kind: 'floor',
      concurrent: false,
      setup: (n) => {
        const hooks = noopHooks(n);
        return async () => {
          for (const hook of hooks) await hook();
        };
      },
    },
    {
      // What a bus that reports each hook's start and duration cannot go below: the loop plus one
      // clock read per hook, with the clock the bus reads (src/schedule/clock.ts).
      id: 'floor-serial-clock',
      label: 'floor: for…of await + one clock read',
      kind: 'floor',
      concurrent: false,
      setup: (n) => {
        const hooks = noopHooks(n);
        return async () => {
          let last = 0;
          for (const hook of hooks) {
            await hook();
            const time = process.hrtime();
            last = (time[0] as number) * 1e3 + (time[1] as number) / 1e6;
          }
          return last;
        };
      },
    },
    {
      id: 'floor-all',
      label: 'floor: Promise.all',
      kind: 'floor',
      concurrent: true,
      setup: (n) => {
        const hooks = noopHooks(n);
        return () => Promise.all(hooks.map((hook) => hook()));
      },
    },
    {
      id: 'bus-default',
      label: 'bus: default',
      kind: 'ours',
      concurrent: false,
      setup: (n) => {
        const bus = new LifecycleBus<{ phase: void }>();
        for (const hook of noopHooks(n)) bus.on('phase', hook);
        return () => bus.emit('phase');
      },
    },
    {
      id: 'bus-timeout',
      label: 'bus: per-hook timeouts',
      kind: 'ours',
      concurrent: false,
      setup: (n) => {
        const bus = new LifecycleBus<{ phase: void }>();
        for (const hook of noopHooks(n)) bus.on('phase', hook, { timeout: TIMEOUT_MS });
        return () => bus.emit('phase');
      },
    },
    {
      // For frequent, non-lifecycle events: no clock read per hook; compared with the plain loop.
      id: 'bus-untimed',
      label: 'bus: timing: false',
      kind: 'ours',
      concurrent: false,
      setup: (n) => {
        const bus = new LifecycleBus<{ phase: void }>({ timing: false });
        for (const hook of noopHooks(n)) bus.on('phase', hook);
        return () => bus.emit('phase');
      },
    },
    {
      // The cost of an observer (hookStart + hookEnd events per hook), over the default bus.
      id: 'bus-observed',
      label: 'bus: observed (hookStart, hookEnd)',
      kind: 'ours',
      concurrent: false,
      setup: (n) => {
        const bus = new LifecycleBus<{ phase: void }>();
        for (const hook of noopHooks(n)) bus.on('phase', hook);
        let events = 0;
        bus.observe({
          hookStart: () => {
            events++;
          },
          hookEnd: () => {
            events++;
          },
        });
        return async () => {
          await bus.emit('phase');
          return events;
        };
      },
    },
    {
      id: 'bus-priorities',
      label: 'bus: 5 priority tiers',
      kind: 'ours',
      concurrent: false,
      setup: (n) => {
        const bus = new LifecycleBus<{ phase: void }>();
        noopHooks(n).forEach((hook, index) => {
          bus.on('phase', hook, { priority: index % TIERS });
        });
        return () => bus.emit('phase');
      },
    },
    {
      id: 'bus-concurrency8',
      label: 'bus: concurrency 8',
      kind: 'ours',
      concurrent: true,
      setup: (n) => {
        const bus = new LifecycleBus<{ phase: void }>({ concurrency: 8 });
        for (const hook of noopHooks(n)) bus.on('phase', hook);
        return () => bus.emit('phase');
      },
    },
    {
      id: 'bus-signal',
      label: 'bus: hooks read ctx.signal',
      kind: 'ours',
      concurrent: false,
      setup: (n) => {
        const bus = new LifecycleBus<{ phase: void }>();
        for (let index = 0; index < n; index++) {
          bus.on('phase', async (ctx) => {
            calls++;
            signalSink = ctx.signal;
          });
        }
        return () => bus.emit('phase');
      },
    },
    {
      // The cost of telemetry: one observer with all four methods (no-ops), so every event is built and sent.
      id: 'bus-observer-all',
      label: 'bus: one observer attached',
      kind: 'ours',
      concurrent: false,
      setup: (n) => {
        const bus = new LifecycleBus<{ phase: void }>();
        for (const hook of noopHooks(n)) bus.on('phase', hook);
        bus.observe({ phaseStart() {}, hookStart() {}, hookEnd() {}, phaseEnd() {} });
        return () => bus.emit('phase');
      },
    },
    {
      id: 'emittery-serial',
      label: 'emittery emitSerial',
      kind: 'peer',
      concurrent: false,
      setup: (n) => {
        const emitter = new Emittery<{ phase: undefined }>();
        for (const hook of noopHooks(n)) emitter.on('phase', hook);
        return () => emitter.emitSerial('phase');
      },
    },
    {
      id: 'emittery-emit',
      label: 'emittery emit',
      kind: 'peer',
      concurrent: true,
      setup: (n) => {
        const emitter = new Emittery<{ phase: undefined }>();
        for (const hook of noopHooks(n)) emitter.on('phase', hook);
        return () => emitter.emit('phase');
      },
    },
    {
      id: 'hookable',
      label: 'hookable callHook',
      kind: 'peer',
      concurrent: false,
      setup: (n) => {
        const hooks = createHooks<{ phase: () => Promise<void> }>();
        for (const hook of noopHooks(n)) hooks.hook('phase', hook);
        return () => hooks.callHook('phase');
      },
    },
    {
      id: 'tapable-series',
      label: 'tapable AsyncSeriesHook',
      kind: 'peer',
      concurrent: false,
      setup: (n) => {
        const hook = new AsyncSeriesHook<[]>();
        noopHooks(n).forEach((fn, index) => {
          hook.tapPromise(`hook${index}`, fn);
        });
        return () => hook.promise();
      },
    },
    {
      id: 'tapable-parallel',
      label: 'tapable AsyncParallelHook',
      kind: 'peer',
      concurrent: true,
      setup: (n) => {
        const hook = new AsyncParallelHook<[]>();
        noopHooks(n).forEach((fn, index) => {
          hook.tapPromise(`hook${index}`, fn);
        });
        return () => hook.promise();
      },
    },
    {
      id: 'p-queue',
      label: 'p-queue priority+timeout',
      kind: 'peer',
      concurrent: false,
      setup: (n) => {
        const queue = new PQueue({ concurrency: 1, timeout: TIMEOUT_MS });
        const hooks = noopHooks(n);
        return () => Promise.all(hooks.map((hook, index) => queue.add(hook, { priority: index % TIERS })));
      },
    },
    {
      // The design's limiter (the Lambda runtime's slots), as the concurrency-8 reference.
      id: 'p-limit',
      label: 'p-limit(8) + Promise.all',
      kind: 'reference',
      concurrent: true,
      setup: (n) => {
        const limit = pLimit(8);
        const hooks = noopHooks(n);
        return () => Promise.all(hooks.map((hook) => limit(hook)));
      },
    },
    {
      // The design's emitter (behind observe()): synchronous, it does not await the hooks.
      id: 'eventemitter3',
      label: 'eventemitter3 emit (sync, reference)',
      kind: 'reference',
      concurrent: true,
      setup: (n) => {
        const emitter = new EventEmitter();
        for (const hook of noopHooks(n)) emitter.on('phase', hook);
        return () => emitter.emit('phase');
      },
    },
  ];
  // tapable compiles a function per call shape: measured again where the others ran first, and the
  // untimed bus beside it in the same kind of process, for the like-for-like ratio.
  const warm = ['tapable-series', 'bus-untimed'].map((id) =>
    inWarmProcess(cases.find((c) => c.id === id) as LatencyCase),
  );
  cases.splice(cases.findIndex((c) => c.id === 'tapable-series') + 1, 0, ...warm);
  return cases;
}

/** `base` measured in a warm process (see {@link LatencyCase.warmAfter}): id `<base>-warm`. */
function inWarmProcess(base: LatencyCase): LatencyCase {
  return { ...base, id: `${base.id}-warm`, label: `${base.label}, warm process`, warmAfter: WARMING };
}

/** Keeps the `ctx.signal` sink observable so the read is not optimised away. */
export function lastSignal(): AbortSignal | undefined {
  return signalSink;
}
