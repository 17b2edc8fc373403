/**
 * Random hook scenarios for the property tests: a fast-check arbitrary that describes a bus, a set
 * of hooks and an emit, and a runner that plays one scenario on a real {@link LifecycleBus} while
 * logging what every hook did and when, so properties can be checked against the log and the report.
 *
 * @module
 */
import fc from 'fast-check';
import { type BusOptions, type EmitOptions, LifecycleBus, LifecycleError, type PhaseReport } from '../../src/index.js';

/** What a hook does when it runs. */
export type HookKind =
  /** Returns at once. */
  | 'sync'
  /** Throws at once. */
  | 'syncThrow'
  /** Resolves after `durationMs`. */
  | 'async'
  /** Rejects after `durationMs`. */
  | 'asyncReject'
  /** Resolves after `durationMs`, or rejects with the abort reason as soon as `ctx.signal` aborts. */
  | 'abortable'
  /** Never settles: only a timeout or the phase deadline ends it. */
  | 'hang';

/** What a failing hook throws or rejects with: a fresh `Error`, or one of a few non-`Error` values. */
export type Thrown = { error: string } | { value: undefined | null | number | string | { code: string } };

/** One hook of a scenario, registered as `h<index>`. */
export interface HookSpec {
  readonly priority: number;
  readonly kind: HookKind;
  readonly durationMs: number;
  /** The hook's own `timeout` option; `Infinity` overrides the bus default with "none". */
  readonly timeout: number | undefined;
  readonly thrown: Thrown;
  /** Unsubscribes hook `h<offTarget>` when it runs (an unsubscribe during the emit). */
  readonly offTarget: number | undefined;
  /** Registers a new hook for the same event when it runs: it must not join this emit. */
  readonly registersNew: boolean;
  /** Unsubscribed before the emit starts: it must not appear in the report. */
  readonly offBeforeEmit: boolean;
  /** Aborts the emit's own signal as it starts, before its first `await`. */
  readonly abortsEmit: boolean;
}

/** A bus, its hooks and one emit. */
export interface Scenario {
  readonly event: 'beforeSnapshot' | 'afterRestore';
  readonly order: 'fifo' | 'lifo' | undefined;
  readonly concurrency: number;
  /** Whether `concurrency` and `failFast` are given to the bus (`true`) or to `emit`. */
  readonly settingsOnBus: boolean;
  readonly failFast: boolean;
  /** The bus's default hook timeout. */
  readonly busTimeout: number | undefined;
  /** The emit's phase deadline. */
  readonly deadline: number | undefined;
  /** Aborts the emit's `signal` after this many ms; `-1`: the signal is aborted before the emit. */
  readonly abortAfterMs: number | undefined;
  readonly hooks: readonly HookSpec[];
}

/** One line of the log a scenario writes while it runs, in the order things happened. */
export type LogEntry =
  | { readonly type: 'start' | 'end' | 'abort'; readonly hook: number; readonly at: number }
  /** The emit's signal aborted. */
  | { readonly type: 'emitAbort'; readonly at: number }
  /** Hook `hook` unsubscribed hook `target`. */
  | { readonly type: 'off'; readonly hook: number; readonly target: number; readonly at: number };

/** A log entry before it gets its position. */
type Unstamped<Entry> = Entry extends unknown ? Omit<Entry, 'at'> : never;

/** Everything a property needs to judge one run of a scenario. */
export interface Observation {
  readonly scenario: Scenario;
  /** Indices of the hooks registered when the emit started. */
  readonly registered: readonly number[];
  /** Those indices in the schedule order the contract prescribes. */
  readonly expectedOrder: readonly number[];
  readonly log: readonly LogEntry[];
  /** What each failing hook actually threw or rejected with, by index. */
  readonly thrown: ReadonlyMap<number, unknown>;
  /** The reason the emit's signal aborted with, when it did. */
  readonly abortReason: unknown;
  /** The report, from the resolved value or from the `LifecycleError`. */
  readonly report: PhaseReport | undefined;
  /** The rejection of `emit`, if it rejected. */
  readonly error: unknown;
  readonly settled: boolean;
  /** The log position at which the emit settled: everything logged before happened before it. */
  readonly settledAt: number;
  /** From the emit call to its settling, in ms. */
  readonly elapsedMs: number;
  /** The latest the emit may settle, in ms, not counting the scheduling margin. */
  readonly boundMs: number;
  /** Whether a hook registered during the emit ran in it. */
  readonly newHookRan: boolean;
  /** Unhandled rejections seen from the emit's start until every late hook finished. */
  readonly unhandled: readonly unknown[];
  /** `process.getActiveResourcesInfo()` before the scenario and after everything finished. */
  readonly resourcesBefore: readonly string[];
  readonly resourcesAfter: readonly string[];
}

/** How long to wait past `boundMs` before declaring that an emit never settles. */
export const SETTLE_MARGIN_MS = 3_000;

const thrownArbitrary: fc.Arbitrary<Thrown> = fc.oneof(
  fc.record({ error: fc.constantFrom('boom', 'ECONNREFUSED', '') }),
  fc.record({ value: fc.constantFrom(undefined, null, 0, 'a string', { code: 'EPIPE' }) }),
);

const hookArbitrary = (count: number): fc.Arbitrary<HookSpec> =>
  fc.record({
    priority: fc.integer({ min: -1, max: 2 }),
    kind: fc.constantFrom<HookKind>('sync', 'syncThrow', 'async', 'asyncReject', 'abortable', 'hang'),
    durationMs: fc.integer({ min: 0, max: 5 }),
    timeout: fc.option(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(Number.POSITIVE_INFINITY)), {
      freq: 2,
      nil: undefined,
    }),
    thrown: thrownArbitrary,
    offTarget: fc.option(fc.integer({ min: 0, max: Math.max(0, count - 1) }), { freq: 4, nil: undefined }),
    registersNew: fc.boolean(),
    offBeforeEmit: fc.boolean().chain((value) => (value ? fc.boolean() : fc.constant(false))), // 1 in 4
    abortsEmit: fc.integer({ min: 0, max: 15 }).map((value) => value === 0), // 1 in 16
  });

/** A hook that could never settle gets a budget, so that every scenario is allowed to settle. */
function ensureBudget(scenario: Omit<Scenario, 'hooks'>, hook: HookSpec): HookSpec {
  if (hook.kind !== 'hang' || scenario.deadline !== undefined) return hook;
  const timeout = hook.timeout ?? scenario.busTimeout;
  if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) return hook;
  return { ...hook, timeout: 1 + hook.durationMs };
}

/** Random scenarios: 0 to 8 hooks over 4 priorities, every kind, every bus and emit setting. */
export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .integer({ min: 0, max: 8 })
  .chain((count) =>
    fc.record({
      event: fc.constantFrom<Scenario['event']>('beforeSnapshot', 'afterRestore'),
      order: fc.constantFrom<Scenario['order']>(undefined, undefined, 'fifo', 'lifo'),
      concurrency: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Number.POSITIVE_INFINITY)),
      settingsOnBus: fc.boolean(),
      failFast: fc.boolean(),
      busTimeout: fc.option(fc.integer({ min: 1, max: 5 }), { freq: 2, nil: undefined }),
      deadline: fc.option(fc.integer({ min: 1, max: 20 }), { freq: 2, nil: undefined }),
      abortAfterMs: fc.option(fc.integer({ min: -1, max: 10 }), { freq: 4, nil: undefined }),
      hooks: fc.array(hookArbitrary(count), { minLength: count, maxLength: count }),
    }),
  )
  .map((scenario) => ({ ...scenario, hooks: scenario.hooks.map((hook) => ensureBudget(scenario, hook)) }));

/** The schedule order the contract prescribes: priority descending, ties FIFO or LIFO. */
export function expectedScheduleOrder(scenario: Scenario, registered: readonly number[]): number[] {
  const lifo = (scenario.order ?? (scenario.event === 'beforeSnapshot' ? 'lifo' : 'fifo')) === 'lifo';
  const tieOrdered = lifo ? [...registered].reverse() : [...registered];
  // Array.prototype.sort is stable, so ties keep the order above.
  return tieOrdered.sort((a, b) => (scenario.hooks[b]?.priority ?? 0) - (scenario.hooks[a]?.priority ?? 0));
}

function makeThrown(thrown: Thrown): unknown {
  return 'error' in thrown ? new Error(thrown.error) : thrown.value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function effectiveTimeout(scenario: Scenario, hook: HookSpec): number {
  const timeout = hook.timeout ?? scenario.busTimeout;
  return timeout === undefined ? Number.POSITIVE_INFINITY : timeout;
}

/** Settles after two turns of the event loop, so that pending unhandled rejections are reported. */
async function drainEventLoop(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** Plays `scenario` on a fresh bus and records what happened. Never rejects. */
export async function runScenario(scenario: Scenario): Promise<Observation> {
  const resourcesBefore = process.getActiveResourcesInfo();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);

  const log: LogEntry[] = [];
  const thrown = new Map<number, unknown>();
  let sequence = 0;
  const record = (entry: Unstamped<LogEntry>): void => {
    log.push({ ...entry, at: sequence++ } as LogEntry);
  };

  // Timer-driven hook work still running; `allWorkDone` resolves when it reaches zero after the emit.
  let pendingWork = 0;
  let onAllWorkDone: (() => void) | undefined;
  const workFinished = (): void => {
    pendingWork--;
    if (pendingWork === 0) onAllWorkDone?.();
  };

  const settings = { concurrency: scenario.concurrency, failFast: scenario.failFast };
  const busOptions: BusOptions = {
    timeout: scenario.busTimeout,
    order: { [scenario.event]: scenario.order },
    ...(scenario.settingsOnBus ? settings : {}),
  };
  const bus = new LifecycleBus(busOptions);
  const offs: (() => void)[] = [];
  let newHookRan = false;
  let emitting = false;

  const abortReason = new Error('emit aborted');
  const controller =
    scenario.abortAfterMs === undefined && !scenario.hooks.some((hook) => hook.abortsEmit)
      ? undefined
      : new AbortController();
  const abortEmit = (): void => {
    record({ type: 'emitAbort' });
    controller?.abort(abortReason);
  };

  scenario.hooks.forEach((spec, index) => {
    const hook = (ctx: { signal: AbortSignal }): unknown => {
      record({ type: 'start', hook: index });
      if (spec.abortsEmit) abortEmit();
      if (spec.offTarget !== undefined) {
        offs[spec.offTarget]?.();
        record({ type: 'off', hook: index, target: spec.offTarget });
      }
      if (spec.registersNew) {
        bus.on(
          scenario.event,
          () => {
            if (emitting) newHookRan = true;
          },
          { name: `new${index}` },
        );
      }
      switch (spec.kind) {
        case 'sync':
          record({ type: 'end', hook: index });
          return undefined;
        case 'syncThrow': {
          const value = makeThrown(spec.thrown);
          thrown.set(index, value);
          record({ type: 'end', hook: index });
          throw value;
        }
        default:
          break;
      }
      const { signal } = ctx;
      signal.addEventListener('abort', () => record({ type: 'abort', hook: index }), { once: true });
      if (spec.kind === 'hang') return new Promise(() => {});
      pendingWork++;
      return (async () => {
        try {
          if (spec.kind === 'abortable') {
            await new Promise<void>((resolve, reject) => {
              const timer = setTimeout(resolve, spec.durationMs);
              signal.addEventListener('abort', () => {
                clearTimeout(timer);
                thrown.set(index, signal.reason);
                reject(signal.reason);
              });
            });
          } else {
            await sleep(spec.durationMs);
          }
          if (spec.kind === 'asyncReject') {
            const value = makeThrown(spec.thrown);
            thrown.set(index, value);
            throw value;
          }
        } finally {
          record({ type: 'end', hook: index });
          workFinished();
        }
      })();
    };
    offs[index] = bus.on(scenario.event, hook, { priority: spec.priority, timeout: spec.timeout, name: `h${index}` });
  });
  scenario.hooks.forEach((spec, index) => {
    if (spec.offBeforeEmit) offs[index]?.();
  });

  const registered = scenario.hooks.flatMap((spec, index) => (spec.offBeforeEmit ? [] : [index]));
  // Serially, a hook ends by its own end or its timeout, whichever is first; the deadline caps it all.
  const serialMs = registered.reduce((sum, index) => {
    const spec = scenario.hooks[index] as HookSpec;
    const ownMs =
      spec.kind === 'sync' || spec.kind === 'syncThrow' ? 0 : spec.kind === 'hang' ? Infinity : spec.durationMs;
    return sum + Math.min(ownMs, effectiveTimeout(scenario, spec));
  }, 0);
  const boundMs = Math.min(serialMs, scenario.deadline ?? Number.POSITIVE_INFINITY);

  if (scenario.abortAfterMs === -1) abortEmit();
  const emitOptions: EmitOptions = {
    deadline: scenario.deadline,
    signal: controller?.signal,
    ...(scenario.settingsOnBus ? {} : settings),
  };
  let report: PhaseReport | undefined;
  let error: unknown;
  let settled = false;
  let settledAt = Number.POSITIVE_INFINITY;
  const startedAt = performance.now();
  emitting = true;
  const emitted = bus.emit(scenario.event, undefined, emitOptions).then(
    (value) => {
      report = value;
      settled = true;
      settledAt = sequence++;
    },
    (reason: unknown) => {
      error = reason;
      if (reason instanceof LifecycleError) report = reason.report;
      settled = true;
      settledAt = sequence++;
    },
  );
  const abortTimer =
    scenario.abortAfterMs !== undefined && scenario.abortAfterMs >= 0
      ? setTimeout(abortEmit, scenario.abortAfterMs)
      : undefined;
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([emitted, new Promise((resolve) => (guard = setTimeout(resolve, boundMs + SETTLE_MARGIN_MS)))]);
  clearTimeout(guard);
  clearTimeout(abortTimer);
  emitting = false;
  const elapsedMs = performance.now() - startedAt;

  // Late hooks (timed out, still working) must finish without an unhandled rejection or a leak.
  if (pendingWork > 0) await new Promise<void>((resolve) => (onAllWorkDone = resolve));
  await drainEventLoop();
  process.off('unhandledRejection', onUnhandled);
  const resourcesAfter = process.getActiveResourcesInfo();

  return {
    scenario,
    registered,
    expectedOrder: expectedScheduleOrder(scenario, registered),
    log,
    thrown,
    abortReason: controller === undefined ? undefined : abortReason,
    report,
    error,
    settled,
    settledAt,
    elapsedMs,
    boundMs,
    newHookRan,
    unhandled,
    resourcesBefore,
    resourcesAfter,
  };
}
