/**
 * OpenTelemetry spans of a bus's phases, built on its observer channel: one span per phase, parented
 * to the context active when `emit()` was called, and one child span per hook.
 *
 * @module
 */
import {
  type Attributes,
  type Context,
  context,
  type Exception,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type {
  EventMap,
  HookEndEvent,
  HookOutcome,
  HookStartEvent,
  PhaseEndEvent,
  PhaseObserver,
  PhaseStartEvent,
  Unsubscribe,
} from '../types.js';
import { unsubscriber } from '../unsubscribe.js';
import { boundText, truncate } from '../util/text.js';
import { describeThrown, inspectThrown } from '../util/thrown.js';
import { checkEventName, checkFunction, readOptions, show } from '../validate.js';
import { SnapStartAttributes as A } from './attributes.js';

/** The name of the tracer used when {@link InstrumentBusOptions.tracer} is not given. */
export const DEFAULT_TRACER_NAME = 'snapstart-hooks';

/** Hook names are cut at this many characters in span names (control characters escaped). */
const SPAN_NAME_LENGTH = 100;

/** Hook names are cut at this many characters in attributes. */
const ATTRIBUTE_LENGTH = 1_000;

/** What {@link instrumentBus} needs of a bus: its observer channel (every `LifecycleBus` has it). */
export interface ObservableBus {
  observe(observer: PhaseObserver<EventMap>): Unsubscribe;
}

/** Options of {@link instrumentBus}. */
export interface InstrumentBusOptions {
  /**
   * The tracer that starts the spans. Default: `trace.getTracer('snapstart-hooks')` from
   * `@opentelemetry/api`, i.e. the globally registered tracer provider's.
   */
  readonly tracer?: Tracer;
  /**
   * Trace only the phases of these events (default: every event). Under Lambda SnapStart,
   * `['afterRestore']`: spans of the before-snapshot phase would be in the snapshot's memory, and every
   * environment restored from it would export them again.
   */
  readonly events?: readonly string[];
}

/** The spans of one phase still open. */
interface OpenPhase {
  readonly span: Span;
  /** The context of the phase span: the parent of its hook spans. */
  readonly context: Context;
  readonly startedAt: number;
  readonly hooks: Map<number, Span>;
}

/**
 * Traces every phase of `bus` that starts from now on. Each phase gets a span named
 * `SnapStart <event>`, a child of the span active where `emit()` was called; each hook gets a child
 * span named `SnapStart hook <name>`, with its name, index, priority, timeout and status as
 * `snapstart.*` attributes ({@link SnapStartAttributes}). A hook that throws or times out has its
 * error recorded (`recordException`) and the `ERROR` status, and so has its phase; hooks that never
 * started get a zero-length span with status `skipped`. Span times are the phase report's.
 *
 * Built on `bus.observe()`, so it follows its rules: nothing it does (a tracer that throws included)
 * can break a phase, and it sees whole phases only.
 *
 * @param bus - a `LifecycleBus` (or `snapStartBus`).
 * @returns a function that stops tracing (also `Disposable`); spans still open are ended then, with
 *   `snapstart.unobserved: true`.
 * @throws TypeError when `bus` has no `observe` method, or `options.tracer` is not a tracer.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { snapStartBus } from 'snapstart-hooks';
 * import { instrumentBus } from 'snapstart-hooks/otel';
 *
 * instrumentBus(snapStartBus, { tracer: trace.getTracer('my-function') });
 * ```
 */
export function instrumentBus(bus: ObservableBus, options?: InstrumentBusOptions): Unsubscribe {
  if (bus === null || typeof bus !== 'object' || typeof (bus as Partial<ObservableBus>).observe !== 'function') {
    throw new TypeError(`bus must be a LifecycleBus (an object with an observe method), got ${show(bus)}`);
  }
  const given = readOptions('options', options, ['tracer', 'events']);
  const events = readEvents(given.events);
  const tracer = (given.tracer ?? trace.getTracer(DEFAULT_TRACER_NAME)) as Tracer;
  if (tracer === null || typeof tracer !== 'object') {
    throw new TypeError(`options.tracer must be an OpenTelemetry Tracer, got ${show(tracer)}`);
  }
  checkFunction('options.tracer.startSpan', (tracer as Partial<Tracer>).startSpan);

  const phases = new Map<number, OpenPhase>();
  const off = bus.observe({
    phaseStart: (event) => {
      if (events === undefined || events.has(event.event)) phaseStart(tracer, phases, event);
    },
    hookStart: (event) => hookStart(tracer, phases, event),
    hookEnd: (event) => hookEnd(phases, event),
    phaseEnd: (event) => phaseEnd(tracer, phases, event),
  });
  return unsubscriber(() => {
    off();
    const open = [...phases.values()];
    phases.clear();
    for (const phase of open) {
      for (const span of phase.hooks.values()) endUnobserved(span);
      endUnobserved(phase.span);
    }
  });
}

/** Reads `options.events`: `undefined` (every event) or an array of event names. */
function readEvents(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`options.events must be an array of event names, got ${show(value)}`);
  for (const [index, name] of (value as unknown[]).entries()) checkEventName(`options.events[${index}]`, name);
  return new Set(value as string[]);
}

function phaseStart(tracer: Tracer, phases: Map<number, OpenPhase>, event: PhaseStartEvent): void {
  // Inside emit(), synchronously: the caller's context is the active one.
  const parent = context.active();
  const attributes: Attributes = { [A.EVENT]: event.event, [A.PHASE_HOOK_COUNT]: event.hookCount };
  if (Number.isFinite(event.concurrency)) attributes[A.PHASE_CONCURRENCY] = event.concurrency;
  if (event.deadline !== undefined) attributes[A.PHASE_DEADLINE_MS] = event.deadline;
  const span = tracer.startSpan(
    `SnapStart ${boundText(event.event, SPAN_NAME_LENGTH)}`,
    { attributes, startTime: event.startedAt },
    parent,
  );
  phases.set(event.phaseId, {
    span,
    context: trace.setSpan(parent, span),
    startedAt: event.startedAt,
    hooks: new Map(),
  });
}

function hookStart(tracer: Tracer, phases: Map<number, OpenPhase>, event: HookStartEvent): void {
  const phase = phases.get(event.phaseId);
  if (phase === undefined) return; // its phaseStart failed: no parent to hang it on
  const attributes = hookAttributes(event.event, event.index, event);
  if (event.timeout !== undefined) attributes[A.HOOK_TIMEOUT_MS] = event.timeout;
  const span = tracer.startSpan(
    hookSpanName(event.name),
    { attributes, startTime: phase.startedAt + event.startMs },
    phase.context,
  );
  phase.hooks.set(event.index, span);
}

function hookEnd(phases: Map<number, OpenPhase>, event: HookEndEvent): void {
  const phase = phases.get(event.phaseId);
  const span = phase?.hooks.get(event.index);
  if (phase === undefined || span === undefined) return;
  phase.hooks.delete(event.index);
  const endTime = phase.startedAt + event.startMs + event.durationMs;
  endHookSpan(span, event, endTime);
}

function phaseEnd(tracer: Tracer, phases: Map<number, OpenPhase>, event: PhaseEndEvent): void {
  const phase = phases.get(event.phaseId);
  if (phase === undefined) return;
  phases.delete(event.phaseId);
  const { report } = event;
  const endTime = report.startedAt + report.durationMs;
  const { span } = phase;
  try {
    const failed = report.hooks.filter((hook) => hook.status === 'rejected' || hook.status === 'timedOut').length;
    const skipped = report.hooks.filter((hook) => hook.status === 'skipped').length;
    span.setAttributes({
      [A.PHASE_OK]: report.ok,
      [A.PHASE_DURATION_MS]: report.durationMs,
      [A.PHASE_FAILED_COUNT]: failed,
      [A.PHASE_SKIPPED_COUNT]: skipped,
    });
    if (!report.ok) {
      const message = event.error === undefined ? `${report.event} failed` : describeThrown(event.error);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
    }
    report.hooks.forEach((outcome, index) => {
      if (outcome.status !== 'skipped') return;
      // Never started, so no hook events: a zero-length span at the phase's end marks it.
      const attributes = { ...hookAttributes(report.event, index, outcome), [A.HOOK_STATUS]: 'skipped' };
      tracer.startSpan(hookSpanName(outcome.name), { attributes, startTime: endTime }, phase.context).end(endTime);
    });
  } finally {
    // Whatever the tracer did above, the phase span ends (the bus reports the observer's error).
    span.end(endTime);
  }
}

/** Ends a hook span with its outcome: status attribute, duration, and for a failure the error. */
function endHookSpan(span: Span, event: HookEndEvent, endTime: number): void {
  try {
    span.setAttributes({ [A.HOOK_STATUS]: event.status, [A.HOOK_DURATION_MS]: event.durationMs });
    if (event.status === 'rejected' || event.status === 'timedOut') {
      span.recordException(exceptionOf(event.error), endTime);
      span.setStatus({ code: SpanStatusCode.ERROR, message: describeThrown(event.error) });
    }
  } finally {
    span.end(endTime);
  }
}

/** The attributes a hook span starts with. */
function hookAttributes(event: string, index: number, hook: Pick<HookOutcome, 'name' | 'priority'>): Attributes {
  return {
    [A.EVENT]: event,
    [A.HOOK_NAME]: truncate(hook.name, ATTRIBUTE_LENGTH),
    [A.HOOK_INDEX]: index,
    [A.HOOK_PRIORITY]: hook.priority,
  };
}

function hookSpanName(name: string): string {
  return `SnapStart hook ${boundText(name, SPAN_NAME_LENGTH)}`;
}

/**
 * What `recordException` is given: the parts read safely, never the thrown value itself (the SDK
 * reads its properties, which may throw: a getter, a revoked Proxy).
 */
function exceptionOf(error: unknown): Exception {
  const parts = inspectThrown(error);
  const exception: { name: string; message: string; stack?: string; code?: string | number } = {
    name: parts.name,
    message: parts.message,
  };
  if (parts.stack !== undefined) exception.stack = parts.stack;
  if (parts.code !== undefined) exception.code = parts.code;
  return exception;
}

/** Ends a span left open by unsubscribing; a span that refuses is not our concern any more. */
function endUnobserved(span: Span): void {
  try {
    span.setAttribute(A.UNOBSERVED, true);
    span.end();
  } catch {
    // the tracer's failure must not make unsubscribing throw
  }
}
