/**
 * Compile-time tests: checked by `tsc --noEmit` (part of `npm test`), never run. Every
 * `@ts-expect-error` line must be an error, or the type check fails.
 */
import {
  type HookContext,
  LifecycleBus,
  type PhaseReport,
  registerAfterRestore,
  registerBeforeSnapshot,
  registerResource,
  type Unsubscribe,
} from '../../src/index.js';

type Events = { beforeSnapshot: void; afterRestore: void; configChanged: { key: string } };
const bus = new LifecycleBus<Events>({ order: { configChanged: 'lifo' } });

// Accepted: known events, the right payloads, hooks of one ctx argument (or none).
bus.on('afterRestore', async (ctx) => {
  const payload: void = ctx.payload;
  const event: 'afterRestore' = ctx.event;
  ctx.signal.throwIfAborted();
  return [payload, event];
});
bus.on('configChanged', (ctx) => ctx.payload.key.toUpperCase());
bus.on('beforeSnapshot', () => {});
bus.once('configChanged', (ctx: HookContext<{ key: string }>) => ctx.name);
export const report: Promise<PhaseReport<'configChanged'>> = bus.emit('configChanged', { key: 'region' });
bus.emit('afterRestore');
bus.emit('afterRestore', undefined, { deadline: 9_000 });

// @ts-expect-error unknown event
bus.on('afterRestor', () => {});
// @ts-expect-error unknown event
bus.emit('configchanged', { key: 'x' });
// @ts-expect-error wrong payload type
bus.emit('configChanged', { key: 1 });
// @ts-expect-error payload missing for an event that has one
bus.emit('configChanged');
// @ts-expect-error wrong hook signature: the payload is { key: string }, not number
bus.on('configChanged', (ctx: HookContext<number>) => ctx.payload);
// @ts-expect-error a hook takes one ctx argument, not two
bus.on('afterRestore', (_ctx: HookContext<void>, _extra: string) => {});
// @ts-expect-error the payload of a void event is not an object
bus.on('afterRestore', (ctx) => ctx.payload.key);
// @ts-expect-error order values are 'fifo' or 'lifo'
new LifecycleBus<Events>({ order: { afterRestore: 'random' } });
// @ts-expect-error order keys are event names
new LifecycleBus<Events>({ order: { other: 'fifo' } });
// @ts-expect-error priority is a number
bus.on('afterRestore', () => {}, { priority: 'high' });
// @ts-expect-error emit options are checked
bus.emit('afterRestore', undefined, { deadlne: 5 });

// on() and once() return an Unsubscribe: a function, and Disposable, so `using` unsubscribes.
const off: () => void = bus.on('beforeSnapshot', () => {});
const disposable: Disposable = bus.once('afterRestore', () => {});
export function scoped(): Unsubscribe {
  using scopedOff = bus.on('afterRestore', () => {});
  disposable[Symbol.dispose]();
  off();
  return scopedOff;
}
// @ts-expect-error an Unsubscribe takes no argument
bus.on('afterRestore', () => {})('afterRestore');

// observe(): the events carry the bus's event names; an observer needs no method in particular.
const observing: Unsubscribe = bus.observe({
  phaseStart: (event) => event.deadline ?? event.hookCount,
  hookEnd: ({ event, name, status, durationMs, error }) => {
    const known: 'beforeSnapshot' | 'afterRestore' | 'configChanged' = event;
    return [known, name, status, durationMs, error];
  },
  phaseEnd: ({ report, error }) => (error ? error.report === report : report.ok),
});
observing();
// @ts-expect-error not an observer method
bus.observe({ hookFinished: () => {} });

// resource(): both halves get the events' payloads; one Unsubscribe.
const offResource: Unsubscribe = bus.resource(
  'db',
  { beforeSnapshot: (ctx) => ctx.signal, afterRestore: async () => {} },
  { priority: 1, timeout: 2_000 },
);
offResource();
bus.resource('agent', { beforeSnapshot: () => {} });
// @ts-expect-error the halves are beforeSnapshot and afterRestore only
bus.resource('db', { configChanged: () => {} });
// @ts-expect-error the name is in the first argument, not the options
bus.resource('db', { afterRestore: () => {} }, { name: 'db' });
// @ts-expect-error a bus without beforeSnapshot has no resources
new LifecycleBus<{ other: void }>().resource('db', { beforeSnapshot: () => {} });
registerResource('pool', { beforeSnapshot: async () => {}, afterRestore: () => {} }, { priority: 5 });

// Seed-compatible API: args are checked against the function's parameters.
registerBeforeSnapshot((name: string, options: { force: boolean }) => [name, options], 'db', { force: true });
registerAfterRestore(() => {});
// @ts-expect-error wrong argument type for fn
registerAfterRestore((port: number) => port, 'not a number');
// @ts-expect-error missing argument for fn
registerBeforeSnapshot((name: string) => name);
