/**
 * The observer channel of a bus: synchronous notifications of each phase and hook (`phaseStart`,
 * `hookStart`, `hookEnd`, `phaseEnd`) for telemetry, on an `eventemitter3` emitter. A bus nobody
 * observes pays one check per phase: no event object is built, no emitter exists, and
 * `eventemitter3` is not even loaded (importing the package does not read it).
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'eventemitter3';
import type { LifecycleError } from './errors.js';
import type {
  HookEndEvent,
  HookOutcome,
  HookStartEvent,
  PhaseEndEvent,
  PhaseObserver,
  PhaseReport,
  PhaseStartEvent,
  Unsubscribe,
} from './types.js';
import { unsubscriber } from './unsubscribe.js';
import { truncate } from './util/text.js';
import { describeThrown, inspectThrown } from './util/thrown.js';
import { checkFunction, show } from './validate.js';

/** The four notifications, in the order a phase sends them. */
export const OBSERVER_EVENTS = ['phaseStart', 'hookStart', 'hookEnd', 'phaseEnd'] as const;

type ObserverEvent = (typeof OBSERVER_EVENTS)[number];

type Notifications = {
  phaseStart: [PhaseStartEvent];
  hookStart: [HookStartEvent];
  hookEnd: [HookEndEvent];
  phaseEnd: [PhaseEndEvent];
};

/** The `code` of the process warning that reports an observer's first error. */
export const OBSERVER_WARNING_CODE = 'SNAPSTART_HOOKS_OBSERVER';

/**
 * `callback` made safe to call where a throw would do harm (inside a phase, a child's output stream, an
 * emulator event): whatever it throws is kept out, and its first error is reported once as a process
 * warning (code {@link OBSERVER_WARNING_CODE}), as a throwing bus observer's is. `what` names it there.
 */
export function guardCallback<Args extends unknown[]>(
  what: string,
  callback: (...args: Args) => unknown,
): (...args: Args) => void {
  let reported = false;
  return (...args) => {
    try {
      callback(...args);
    } catch (error) {
      if (reported) return;
      reported = true;
      process.emitWarning(`${what} threw: ${describeThrown(error)}`, {
        type: 'SnapStartHooksWarning',
        code: OBSERVER_WARNING_CODE,
        detail: warningDetail(error),
      });
    }
  };
}

/** A thrown value's stack for a warning's detail, bounded: Node prints the detail whole. */
function warningDetail(error: unknown): string | undefined {
  const stack = inspectThrown(error).stack;
  return stack === undefined ? undefined : truncate(stack, 4_000);
}

/** `eventemitter3`'s class, loaded by the first `observe()` of the process. */
function loadEmitter(): typeof EventEmitter {
  return createRequire(import.meta.url)('eventemitter3') as typeof EventEmitter;
}

/** The observers of one bus. */
export class Observers {
  private emitter: EventEmitter<ObserverEvent> | undefined = undefined;
  /** Listeners per notification, so that nothing is built for a notification nobody listens to. */
  private readonly counts: Record<ObserverEvent, number> = { phaseStart: 0, hookStart: 0, hookEnd: 0, phaseEnd: 0 };
  private observers = 0;
  private nextPhaseId = 1;

  /** Adds `observer` (validated); returns its unsubscribe function. */
  add(observer: unknown): Unsubscribe {
    if (observer === null || typeof observer !== 'object') {
      throw new TypeError(`observer must be an object, got ${show(observer)}`);
    }
    const methods = OBSERVER_EVENTS.map((type) => [type, readMethod(observer, type)] as const);
    for (const [type, method] of methods) {
      if (method !== undefined) checkFunction(`observer.${type}`, method);
    }
    const given = methods.filter(([, method]) => method !== undefined).map(([type]) => type);
    if (given.length === 0) {
      throw new TypeError(`observer must have at least one of the methods ${OBSERVER_EVENTS.join(', ')}, got none`);
    }
    this.emitter ??= new (loadEmitter())<ObserverEvent>();
    const emitter = this.emitter;
    // Phases already running when the observer comes get no events: it sees whole phases only.
    const since = this.nextPhaseId;
    let reported = false;
    const listeners = given.map((type) => {
      const method = methods.find(([name]) => name === type)?.[1] as (event: unknown) => void;
      const listener = (event: { phaseId: number }): void => {
        if (event.phaseId < since) return;
        try {
          method.call(observer, event);
        } catch (error) {
          // Never into the phase: once per observer, as a warning, so a broken observer is seen but not loud.
          if (reported) return;
          reported = true;
          process.emitWarning(`a LifecycleBus observer's ${type} threw: ${describeThrown(error)}`, {
            type: 'SnapStartHooksWarning',
            code: OBSERVER_WARNING_CODE,
            detail: warningDetail(error),
          });
        }
      };
      emitter.on(type, listener);
      this.counts[type]++;
      return [type, listener] as const;
    });
    this.observers++;
    let active = true;
    return unsubscriber(() => {
      if (!active) return;
      active = false;
      this.observers--;
      for (const [type, listener] of listeners) {
        emitter.off(type, listener);
        this.counts[type]--;
      }
    });
  }

  /**
   * The channel of a phase starting now, and its `phaseStart` sent, or `undefined` when nobody
   * observes (then the phase builds no event at all).
   */
  open(start: Omit<PhaseStartEvent, 'type' | 'phaseId'>): PhaseChannel | undefined {
    if (this.observers === 0) return undefined;
    const channel = new PhaseChannel(this, this.nextPhaseId++, start.event);
    if (this.counts.phaseStart > 0) this.send('phaseStart', { type: 'phaseStart', phaseId: channel.phaseId, ...start });
    return channel;
  }

  /** Whether anyone listens to `type`. */
  wants(type: ObserverEvent): boolean {
    return this.counts[type] > 0;
  }

  /** Sends one notification to its listeners. */
  send<T extends ObserverEvent>(type: T, event: Notifications[T][0]): void {
    (this.emitter as EventEmitter<ObserverEvent>).emit(type, event);
  }
}

/** What a phase tells its observers; made only when somebody observes. */
export class PhaseChannel {
  readonly phaseId: number;
  private readonly observers: Observers;
  private readonly event: string;

  constructor(observers: Observers, phaseId: number, event: string) {
    this.observers = observers;
    this.phaseId = phaseId;
    this.event = event;
  }

  /** Hook `index` starts, with its timeout in ms (`undefined`: none). */
  hookStart(index: number, outcome: HookOutcome, timeout: number | undefined): void {
    if (!this.observers.wants('hookStart')) return;
    this.observers.send('hookStart', {
      type: 'hookStart',
      phaseId: this.phaseId,
      event: this.event,
      index,
      name: outcome.name,
      priority: outcome.priority,
      startMs: outcome.startMs,
      timeout,
    });
  }

  /** Hook `index` is over: its outcome is final. */
  hookEnd(index: number, outcome: HookOutcome, timeout: number | undefined): void {
    if (!this.observers.wants('hookEnd')) return;
    const event: HookEndEvent = {
      type: 'hookEnd',
      phaseId: this.phaseId,
      event: this.event,
      index,
      name: outcome.name,
      priority: outcome.priority,
      status: outcome.status,
      startMs: outcome.startMs,
      durationMs: outcome.durationMs,
      timeout,
      ...('error' in outcome ? { error: outcome.error } : {}),
    };
    this.observers.send('hookEnd', event);
  }

  /** The phase is over, with its report and, when it failed, the error `emit` rejects with. */
  phaseEnd(report: PhaseReport, error: LifecycleError | undefined): void {
    if (!this.observers.wants('phaseEnd')) return;
    this.observers.send('phaseEnd', { type: 'phaseEnd', phaseId: this.phaseId, event: this.event, report, error });
  }
}

/**
 * Reads method `key` of an observer: an own property or one of its class, read once; never one
 * inherited from `Object.prototype` (a polluted prototype adds no observer).
 */
function readMethod(observer: object, key: string): unknown {
  for (let owner: object | null = observer; owner !== null && owner !== Object.prototype; ) {
    if (Object.hasOwn(owner, key)) return Reflect.get(owner, key, observer);
    owner = Object.getPrototypeOf(owner) as object | null;
  }
  return undefined;
}

/** The timeout a hook's events report: its own or the default, `undefined` for none. */
export function observedTimeout(own: number | undefined, fallback: number | undefined): number | undefined {
  const timeout = own ?? fallback;
  return timeout === Number.POSITIVE_INFINITY ? undefined : timeout;
}

export type { PhaseObserver };
