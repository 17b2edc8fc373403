/**
 * Public types of the lifecycle bus.
 *
 * @module
 */
import type { LifecycleError } from './errors.js';

/**
 * Maps each event name to the type of its payload. Use `void` for an event without a payload.
 *
 * @example
 * ```ts
 * type Events = { beforeSnapshot: void; afterRestore: void; configChanged: { key: string } };
 * ```
 */
export type EventMap = { [event: string]: unknown };

/** The names of the events of an {@link EventMap}. */
export type EventName<Events extends EventMap> = keyof Events & string;

/** How hooks of equal priority are ordered: oldest registration first, or newest first. */
export type TieOrder = 'fifo' | 'lifo';

/**
 * The single argument every hook receives.
 *
 * @typeParam Payload - the payload type of the event.
 * @typeParam Event - the event name.
 */
export interface HookContext<Payload = unknown, Event extends string = string> {
  /** The event being emitted. */
  readonly event: Event;
  /** The payload given to `emit` (`undefined` for `void` events). */
  readonly payload: Payload;
  /**
   * Aborts when the hook times out (reason: a `HookTimeoutError`), when the phase deadline is
   * reached, or when the emit's own `signal` aborts. Created on first read, so hooks that never
   * look at it cost nothing.
   */
  readonly signal: AbortSignal;
  /** The hook's name, as it appears in reports and error messages. */
  readonly name: string;
  /** The hook's priority (higher runs first). */
  readonly priority: number;
}

/**
 * A lifecycle hook: a sync or async function of one {@link HookContext}. Its return value is ignored;
 * a throw or a rejection (with any value) is a failure.
 */
export type Hook<Payload = unknown, Event extends string = string> = (ctx: HookContext<Payload, Event>) => unknown;

/**
 * What {@link LifecycleBus.on} and {@link LifecycleBus.once} return: a function that unsubscribes the
 * registration (calling it again does nothing), which is also `Disposable`, so that a `using`
 * declaration unsubscribes at the end of its scope.
 *
 * @example
 * ```ts
 * {
 *   using off = bus.on('afterRestore', reconnect);
 *   await bus.emit('afterRestore');
 * } // unsubscribed here
 * ```
 */
export interface Unsubscribe extends Disposable {
  (): void;
}

/** Options of {@link LifecycleBus.on} and {@link LifecycleBus.once}. */
export interface HookOptions {
  /** Tier of the hook: a finite number, default `0`. Higher priorities run first. */
  priority?: number;
  /**
   * Time budget in milliseconds (> 0; `Infinity` means none). When it expires the hook is marked
   * `timedOut`, its `ctx.signal` aborts and the phase goes on. A sync hook cannot be interrupted: one
   * that returns past its timeout is marked `timedOut` then. Defaults to the bus's `timeout`.
   */
  timeout?: number;
  /**
   * Name used in reports and errors (where it is shown escaped and cut at 100 characters). Defaults
   * to the function's name when that is a non-empty string, else `hook#<n>`.
   */
  name?: string;
  /** Unsubscribes the hook when this signal aborts. An already aborted signal registers nothing. */
  signal?: AbortSignal;
}

/** Options of the {@link LifecycleBus} constructor. */
export interface BusOptions<Events extends EventMap = EventMap> {
  /**
   * How many hooks of one priority tier may run at once: an integer >= 1 or `Infinity`.
   * Default `1`, which makes every phase strictly serial.
   */
  concurrency?: number;
  /** Default per-hook timeout in milliseconds (> 0). Default: none. */
  timeout?: number;
  /** When `true`, no hook starts after the first failure of a phase. Default `false`. */
  failFast?: boolean;
  /**
   * Whether each hook is timed. With `false`, the phases of this bus do not read the clock per hook
   * (for buses that carry frequent, non-lifecycle events): every started hook's `startMs` and
   * `durationMs` are `NaN` in the report and in observer events (`formatReport` shows "–"), while the
   * phase's own `startedAt` and `durationMs` are still measured, and timeouts and deadlines are still
   * enforced. Default `true`.
   */
  timing?: boolean;
  /**
   * Tie order among hooks of equal priority, per event. Default: `'lifo'` for `beforeSnapshot`,
   * `'fifo'` for every other event, as in AWS's runtimes and CRaC.
   */
  order?: { [E in EventName<Events>]?: TieOrder };
  /**
   * The events this bus knows. When given, every method refuses any other event name with a
   * RangeError naming these (a typo such as `'afterRestor'` from JavaScript fails at once instead of
   * registering a hook that never runs). Default: any string.
   */
  events?: readonly EventName<Events>[];
}

/** Options of {@link LifecycleBus.emit}; each overrides the bus's setting for this phase only. */
export interface EmitOptions {
  /** Hooks of one tier running at once: an integer >= 1 or `Infinity`. */
  concurrency?: number;
  /** Start no hook after the first failure. */
  failFast?: boolean;
  /** Time each hook (see {@link BusOptions.timing}); with `false`, their times are `NaN`. */
  timing?: boolean;
  /**
   * Budget in milliseconds (> 0) for the whole phase. When it is reached, hooks still running are
   * marked `timedOut` and hooks not started are marked `skipped`. A hook that blocked the thread past
   * it is marked `timedOut` when it returns, even as the last hook.
   */
  deadline?: number;
  /**
   * Aborts the phase: running hooks see their `ctx.signal` abort and are marked `rejected` with the
   * abort reason, hooks not started are `skipped`, and `emit` rejects with a `LifecycleError`.
   */
  signal?: AbortSignal;
}

/** What became of one hook in a phase. */
export type HookStatus = 'fulfilled' | 'rejected' | 'timedOut' | 'skipped';

/** One hook's line in a {@link PhaseReport}. */
export interface HookOutcome {
  /** The hook's name. */
  name: string;
  /** The hook's priority. */
  priority: number;
  /** How the hook ended. `skipped` hooks never started. */
  status: HookStatus;
  /**
   * When the hook started, in ms since the phase started (`-1` when skipped; `NaN` in a phase emitted
   * with `timing: false`).
   */
  startMs: number;
  /**
   * How long the hook ran, in ms (until it settled or timed out; `0` when skipped; `NaN` in a phase
   * emitted with `timing: false`).
   */
  durationMs: number;
  /** The thrown or rejected value, or the `HookTimeoutError`, for failed hooks. */
  error?: unknown;
}

/** The report of one emitted phase. */
export interface PhaseReport<Event extends string = string> {
  /** The event emitted. */
  event: Event;
  /** `true` when no hook failed or timed out and the phase was not aborted. */
  ok: boolean;
  /** Wall-clock start of the phase, in ms since the epoch. */
  startedAt: number;
  /** Duration of the whole phase, in ms. */
  durationMs: number;
  /** One outcome per hook registered when the phase started, in schedule order. */
  hooks: HookOutcome[];
}

/** The arguments of `emit` after the event name: the payload is optional for `void` events. */
export type EmitArgs<Payload> = [Payload] extends [void]
  ? [payload?: Payload, options?: EmitOptions]
  : [payload: Payload, options?: EmitOptions];

/**
 * Sent to observers when a phase starts, before its first hook, synchronously inside `emit()` (so
 * the caller's context, e.g. an active OpenTelemetry span, is current).
 */
export interface PhaseStartEvent<Event extends string = string> {
  readonly type: 'phaseStart';
  /** Identifies the phase in all its events (unique per bus; phases of one event may overlap). */
  readonly phaseId: number;
  readonly event: Event;
  /** Wall-clock start of the phase, in ms since the epoch (the report's `startedAt`). */
  readonly startedAt: number;
  /** How many hooks the phase runs (those registered when it started). */
  readonly hookCount: number;
  /** Hooks of one tier running at once. */
  readonly concurrency: number;
  /** The phase deadline in ms, or `undefined` for none. */
  readonly deadline: number | undefined;
}

/** Sent to observers as a hook starts, just before it is called. */
export interface HookStartEvent<Event extends string = string> {
  readonly type: 'hookStart';
  readonly phaseId: number;
  readonly event: Event;
  /** The hook's place in the schedule (its index in the report's `hooks`). */
  readonly index: number;
  readonly name: string;
  readonly priority: number;
  /** When the hook started, in ms since the phase started (`NaN` with `timing: false`). */
  readonly startMs: number;
  /** The hook's timeout in ms (its own or the bus default), or `undefined` for none. */
  readonly timeout: number | undefined;
}

/**
 * Sent to observers when a started hook's outcome is final: it settled, threw, timed out or was
 * abandoned by an abort. Hooks that never started (`skipped`) get no hook events; they are in the
 * report of `phaseEnd`.
 */
export interface HookEndEvent<Event extends string = string> {
  readonly type: 'hookEnd';
  readonly phaseId: number;
  readonly event: Event;
  readonly index: number;
  readonly name: string;
  readonly priority: number;
  /** `'fulfilled'`, `'rejected'` or `'timedOut'`. */
  readonly status: HookStatus;
  readonly startMs: number;
  /** How long the hook ran, in ms (`NaN` with `timing: false`). */
  readonly durationMs: number;
  /** The thrown or rejected value, or the `HookTimeoutError`, when the hook failed. */
  readonly error?: unknown;
  readonly timeout: number | undefined;
}

/** Sent to observers when a phase is over, with its report, before `emit` settles. */
export interface PhaseEndEvent<Event extends string = string> {
  readonly type: 'phaseEnd';
  readonly phaseId: number;
  readonly event: Event;
  /** The phase report (the one `emit` resolves, or the `LifecycleError`'s). Do not change it. */
  readonly report: PhaseReport<Event>;
  /** The `LifecycleError` that `emit` rejects with, when the phase failed. */
  readonly error: LifecycleError<Event> | undefined;
}

/**
 * What {@link LifecycleBus.observe} calls, synchronously, as phases run: any of the four methods.
 * An observer that throws does not affect the phase: its first error is reported as a process
 * warning (code `SNAPSTART_HOOKS_OBSERVER`), and it keeps being called.
 */
export interface PhaseObserver<Events extends EventMap = EventMap> {
  phaseStart?(event: PhaseStartEvent<EventName<Events>>): void;
  hookStart?(event: HookStartEvent<EventName<Events>>): void;
  hookEnd?(event: HookEndEvent<EventName<Events>>): void;
  phaseEnd?(event: PhaseEndEvent<EventName<Events>>): void;
}

/** The two events a resource has a hook for. */
export type ResourceEvent = 'beforeSnapshot' | 'afterRestore';

/**
 * The two halves of a resource for {@link LifecycleBus.resource}: what closes it before the
 * snapshot, and what reopens it after each restore (at least one of them).
 */
export type ResourceHooks<Events extends EventMap = EventMap> = {
  [E in ResourceEvent]?: E extends EventName<Events> ? Hook<Events[E], E> : never;
};

/** Options of {@link LifecycleBus.resource}: those of `on()`, for both hooks (the name is the resource's). */
export interface ResourceOptions {
  /** Tier of both hooks: a finite number, default `0`. Higher priorities run first in both phases. */
  priority?: number;
  /** Time budget of each hook in ms (> 0; `Infinity` means none). Defaults to the bus's `timeout`. */
  timeout?: number;
  /** Unsubscribes both hooks when this signal aborts. */
  signal?: AbortSignal;
}
