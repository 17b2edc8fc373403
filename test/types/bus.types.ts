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

// Seed-compatible API: args are checked against the function's parameters.
registerBeforeSnapshot((name: string, options: { force: boolean }) => [name, options], 'db', { force: true });
registerAfterRestore(() => {});
// @ts-expect-error wrong argument type for fn
registerAfterRestore((port: number) => port, 'not a number');
// @ts-expect-error missing argument for fn
registerBeforeSnapshot((name: string) => name);
