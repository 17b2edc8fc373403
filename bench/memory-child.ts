/**
 * Child process of the memory bench (needs `--expose-gc`): registers `count` hooks the way
 * `argv[2]` says and prints the retained heap per hook, in bytes, as JSON. The hook functions are
 * created and counted in the baseline first, so only the cost of registering them is measured.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import Emittery from 'emittery';
import { createHooks } from 'hookable';
import { AsyncSeriesHook } from 'tapable';
import { loadLibrary } from './dist.js';

const variant = process.argv[2] ?? '';
const count = Number(process.argv[3] ?? '10000');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('memory-child needs node --expose-gc');

const lib = await loadLibrary();
/** Keeps every registry alive until the second measurement. */
const keep: unknown[] = [];

const registrations: Record<string, (hooks: Array<() => Promise<void>>) => void> = {
  'bus-default': (hooks) => {
    const bus = new lib.LifecycleBus<{ phase: void }>();
    for (const hook of hooks) bus.on('phase', hook);
    keep.push(bus);
  },
  'bus-options': (hooks) => {
    const bus = new lib.LifecycleBus<{ phase: void }>();
    hooks.forEach((hook, index) => {
      bus.on('phase', hook, { priority: index % 5, timeout: 60_000, name: `hook-${index}` });
    });
    keep.push(bus);
  },
  emittery: (hooks) => {
    const emitter = new Emittery<{ phase: undefined }>();
    for (const hook of hooks) emitter.on('phase', hook);
    keep.push(emitter);
  },
  hookable: (hooks) => {
    const registry = createHooks<{ phase: () => Promise<void> }>();
    for (const hook of hooks) registry.hook('phase', hook);
    keep.push(registry);
  },
  tapable: (hooks) => {
    const tapable = new AsyncSeriesHook<[]>();
    hooks.forEach((hook, index) => {
      tapable.tapPromise(`hook-${index}`, hook);
    });
    keep.push(tapable);
  },
  'node-events': (hooks) => {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    for (const hook of hooks) emitter.on('phase', hook);
    keep.push(emitter);
  },
};

const register = registrations[variant];
if (register === undefined) throw new Error(`unknown memory variant ${JSON.stringify(variant)}`);
// Names for `bus-options` are built inside the registration, as users would; warm up the code first.
register(Array.from({ length: 100 }, () => async () => {}));
keep.length = 0;

const hooks = Array.from({ length: count }, () => async () => {});
gc();
gc();
const before = process.memoryUsage().heapUsed;
register(hooks);
gc();
gc();
const after = process.memoryUsage().heapUsed;
process.stdout.write(
  `${JSON.stringify({ variant, count, bytesPerHook: (after - before) / count, kept: keep.length })}\n`,
);
