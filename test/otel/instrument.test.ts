/**
 * snapstart-hooks/otel (issue 15.3): the span tree `instrumentBus` builds, read back from the
 * OpenTelemetry SDK's in-memory exporter: parents, names, attributes, statuses, recorded errors; and
 * that neither unsubscribing nor a broken tracer can hurt a phase.
 */
import { context, type HrTime, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import t from 'tap';
import { LifecycleBus } from '../../src/index.js';
import { SnapStartAttributes as A, DEFAULT_TRACER_NAME, instrumentBus } from '../../src/otel/index.js';
import { deferred } from '../../src/util/promise.js';
import { never, sleep } from '../helpers/time.js';

type Events = { beforeSnapshot: void; afterRestore: void };
type FinishedSpan = ReturnType<InMemorySpanExporter['getFinishedSpans']>[number];

// A real context manager, as an application's SDK set-up registers one: without it no context is ever active.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

function tracing(): { tracer: Tracer; exporter: InMemorySpanExporter; provider: BasicTracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('test'), exporter, provider };
}

const ms = (time: HrTime): number => time[0] * 1e3 + time[1] / 1e6;
const spanId = (span: FinishedSpan | undefined): string | undefined => span?.spanContext().spanId;
const byName = (spans: FinishedSpan[], name: string): FinishedSpan => {
  const span = spans.find((candidate) => candidate.name === name);
  if (span === undefined) throw new Error(`no span ${name} among ${spans.map((s) => s.name).join(', ')}`);
  return span;
};

/** Collects the process warnings emitted while `fn` runs. */
async function warningsDuring(fn: () => Promise<unknown>): Promise<(Error & { code?: string })[]> {
  const seen: (Error & { code?: string })[] = [];
  const listener = (warning: Error): void => void seen.push(warning);
  process.on('warning', listener);
  try {
    await fn();
    await sleep(5); // warnings are emitted on the next tick
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

t.test(
  'instrumentBus - one span per phase under the active span, a child per hook, times from the report',
  async (t) => {
    const { tracer, exporter } = tracing();
    const bus = new LifecycleBus<Events>({ concurrency: 2 });
    bus.on('afterRestore', () => sleep(10), { name: 'db', priority: 10, timeout: 5_000 });
    bus.on('afterRestore', () => sleep(20), { name: 'cache' });
    bus.on('afterRestore', () => sleep(20), { name: 'queue' });
    const off = instrumentBus(bus, { tracer });

    const root = tracer.startSpan('request');
    const report = await context.with(trace.setSpan(context.active(), root), () => bus.emit('afterRestore'));
    root.end();
    off();

    const spans = exporter.getFinishedSpans();
    t.same(spans.map((span) => span.name).sort(), [
      'SnapStart afterRestore',
      'SnapStart hook cache',
      'SnapStart hook db',
      'SnapStart hook queue',
      'request',
    ]);
    const phase = byName(spans, 'SnapStart afterRestore');
    t.equal(phase.parentSpanContext?.spanId, root.spanContext().spanId, 'the phase span is a child of the active span');
    t.equal(phase.spanContext().traceId, root.spanContext().traceId, 'in the caller trace');
    t.same(phase.status, { code: SpanStatusCode.UNSET }, 'a phase that succeeded has no error status');
    t.match(phase.attributes, {
      [A.EVENT]: 'afterRestore',
      [A.PHASE_HOOK_COUNT]: 3,
      [A.PHASE_CONCURRENCY]: 2,
      [A.PHASE_OK]: true,
      [A.PHASE_FAILED_COUNT]: 0,
      [A.PHASE_SKIPPED_COUNT]: 0,
      [A.PHASE_DURATION_MS]: report.durationMs,
    });
    t.notOk(A.PHASE_DEADLINE_MS in phase.attributes, 'no deadline, no attribute');
    t.ok(Math.abs(ms(phase.duration) - report.durationMs) < 0.01, 'the phase span lasts what the report says');

    for (const [index, outcome] of report.hooks.entries()) {
      const span = byName(spans, `SnapStart hook ${outcome.name}`);
      t.equal(span.parentSpanContext?.spanId, spanId(phase), `${outcome.name}: a child of the phase span`);
      t.same(span.status, { code: SpanStatusCode.UNSET }, `${outcome.name}: no error`);
      t.match(span.attributes, {
        [A.EVENT]: 'afterRestore',
        [A.HOOK_NAME]: outcome.name,
        [A.HOOK_INDEX]: index,
        [A.HOOK_PRIORITY]: outcome.priority,
        [A.HOOK_STATUS]: 'fulfilled',
        [A.HOOK_DURATION_MS]: outcome.durationMs,
      });
      t.ok(Math.abs(ms(span.duration) - outcome.durationMs) < 0.01, `${outcome.name}: span duration = report's`);
      t.ok(Math.abs(ms(span.startTime) - (report.startedAt + outcome.startMs)) < 0.01, `${outcome.name}: start`);
    }
    t.equal(byName(spans, 'SnapStart hook db').attributes[A.HOOK_TIMEOUT_MS], 5_000, 'the timeout, when there is one');
    t.notOk(A.HOOK_TIMEOUT_MS in byName(spans, 'SnapStart hook cache').attributes, 'no timeout, no attribute');
    const [cache, queue] = [byName(spans, 'SnapStart hook cache'), byName(spans, 'SnapStart hook queue')];
    t.ok(ms(queue.startTime) < ms(cache.endTime), 'the two hooks of one tier ran at once, and their spans overlap');
    t.ok(ms(byName(spans, 'SnapStart hook db').endTime) <= ms(cache.startTime) + 0.01, 'tiers run one after another');
  },
);

t.test('instrumentBus - overlapping phases each get their own tree', async (t) => {
  const { tracer, exporter } = tracing();
  const bus = new LifecycleBus<Events>();
  bus.on('beforeSnapshot', () => sleep(10), { name: 'a' });
  using _off = instrumentBus(bus, { tracer });
  await Promise.all([bus.emit('beforeSnapshot'), bus.emit('beforeSnapshot')]);
  const spans = exporter.getFinishedSpans();
  const phases = spans.filter((span) => span.name === 'SnapStart beforeSnapshot');
  const hooks = spans.filter((span) => span.name === 'SnapStart hook a');
  t.equal(phases.length, 2);
  t.equal(phases[0]?.parentSpanContext, undefined, 'no active span: a root span');
  t.not(phases[0]?.spanContext().traceId, phases[1]?.spanContext().traceId, 'two traces');
  t.same(
    hooks.map((span) => span.parentSpanContext?.spanId).sort(),
    phases.map((span) => spanId(span)).sort(),
    'one hook span under each phase span',
  );
});

t.test('instrumentBus - a failing, a timed-out and a skipped hook: recorded errors and ERROR statuses', async (t) => {
  const { tracer, exporter } = tracing();
  const bus = new LifecycleBus<Events>({ concurrency: Number.POSITIVE_INFINITY });
  bus.on(
    'beforeSnapshot',
    () => {
      throw Object.assign(new Error('pool still busy\nsecond line'), { code: 'EBUSY' });
    },
    { name: 'closePool', priority: 1 },
  );
  bus.on('beforeSnapshot', () => never(), { name: 'flush', priority: 1, timeout: 30 });
  bus.on('beforeSnapshot', () => {}, { name: 'late' });
  using _off = instrumentBus(bus, { tracer });

  const error = await bus.emit('beforeSnapshot', undefined, { failFast: true, deadline: 10_000 }).catch((e) => e);
  t.type(error, Error, 'the phase failed');
  const spans = exporter.getFinishedSpans();
  const phase = byName(spans, 'SnapStart beforeSnapshot');
  t.equal(phase.status.code, SpanStatusCode.ERROR, 'the phase span has the ERROR status');
  t.equal(
    phase.status.message,
    error instanceof Error ? error.message : '',
    'with the message of the error emit rejected with',
  );
  t.match(phase.status.message, /^beforeSnapshot: 2 of 3 hooks failed: .*closePool \(pool still busy\)/);
  t.match(phase.attributes, {
    [A.PHASE_OK]: false,
    [A.PHASE_FAILED_COUNT]: 2,
    [A.PHASE_SKIPPED_COUNT]: 1,
    [A.PHASE_DEADLINE_MS]: 10_000,
  });
  t.notOk(A.PHASE_CONCURRENCY in phase.attributes, 'unbounded concurrency: no attribute');

  const failed = byName(spans, 'SnapStart hook closePool');
  t.equal(failed.parentSpanContext?.spanId, spanId(phase));
  t.same(failed.status, { code: SpanStatusCode.ERROR, message: 'pool still busy' });
  t.equal(failed.attributes[A.HOOK_STATUS], 'rejected');
  t.equal(failed.events.length, 1, 'the error recorded once');
  t.equal(failed.events[0]?.name, 'exception');
  t.match(failed.events[0]?.attributes, {
    'exception.type': 'EBUSY',
    'exception.message': 'pool still busy\nsecond line',
    'exception.stacktrace': /pool still busy[\s\S]*instrument\.test\.ts/,
  });

  const timedOut = byName(spans, 'SnapStart hook flush');
  t.equal(timedOut.status.code, SpanStatusCode.ERROR);
  t.match(timedOut.attributes, { [A.HOOK_STATUS]: 'timedOut', [A.HOOK_TIMEOUT_MS]: 30 });
  t.match(timedOut.events[0]?.attributes, { 'exception.type': 'HookTimeoutError', 'exception.message': /30 ?ms/ });
  t.ok(ms(timedOut.duration) >= 25, 'the timed-out hook span lasts until its timeout');

  const skipped = byName(spans, 'SnapStart hook late');
  t.equal(skipped.parentSpanContext?.spanId, spanId(phase), 'a skipped hook is still in the tree');
  t.match(skipped.attributes, { [A.HOOK_STATUS]: 'skipped', [A.HOOK_INDEX]: 2, [A.HOOK_PRIORITY]: 0 });
  t.same(skipped.duration, [0, 0], 'zero-length: it never ran');
  t.same(skipped.status, { code: SpanStatusCode.UNSET }, 'skipping is not an error of its own');
  t.same(skipped.endTime, phase.endTime, 'marked at the end of the phase');
});

t.test('instrumentBus - hostile names and thrown values never reach the tracer raw, nor throw', async (t) => {
  const { tracer, exporter } = tracing();
  const bus = new LifecycleBus<Events>();
  const hostileName = `evil\u001b[31m\n${'x'.repeat(300)}`;
  const { proxy, revoke } = Proxy.revocable(new Error('revoked'), {});
  revoke();
  bus.on(
    'afterRestore',
    () => {
      throw proxy;
    },
    { name: hostileName },
  );
  bus.on(
    'afterRestore',
    () => {
      throw Object.create(null);
    },
    { name: 'null-proto' },
  );
  using _off = instrumentBus(bus, { tracer });
  const warnings = await warningsDuring(() => bus.emit('afterRestore').catch(() => undefined));
  t.same(warnings, [], 'the observer never threw');
  const spans = exporter.getFinishedSpans();
  const evil = spans.find((span) => span.attributes[A.HOOK_INDEX] === 0);
  t.ok(evil, 'the span of the hostile hook exists');
  t.notOk(
    [...(evil?.name ?? '')].some((char) => char.charCodeAt(0) < 0x20),
    'the span name has no control characters',
  );
  t.ok((evil?.name.length ?? 0) <= 'SnapStart hook '.length + 100, 'the span name is bounded');
  const attribute = String(evil?.attributes[A.HOOK_NAME]);
  t.ok(attribute.startsWith('evil\u001b[31m\nxxx'), 'the attribute is the name');
  t.ok(attribute.length <= 1_000, 'bounded too');
  t.equal(evil?.status.code, SpanStatusCode.ERROR);
  t.equal(evil?.events[0]?.name, 'exception', 'even a revoked Proxy is recorded');
  const nullProto = byName(spans, 'SnapStart hook null-proto');
  t.match(nullProto.events[0]?.attributes, { 'exception.type': 'object', 'exception.message': /\S/ });
});

t.test('instrumentBus - unsubscribing ends the open spans and stops tracing', async (t) => {
  const { tracer, exporter } = tracing();
  const bus = new LifecycleBus<Events>();
  const release = deferred();
  const off = instrumentBus(bus, { tracer });
  bus.on('afterRestore', () => release.promise, { name: 'slow' });
  const phase = bus.emit('afterRestore');
  await sleep(5);
  off();
  off(); // twice: a no-op
  const spans = exporter.getFinishedSpans();
  t.same(spans.map((span) => span.name).sort(), ['SnapStart afterRestore', 'SnapStart hook slow']);
  t.ok(
    spans.every((span) => span.attributes[A.UNOBSERVED] === true),
    'spans ended by unsubscribing say so',
  );
  release.resolve();
  await phase;
  await bus.emit('afterRestore');
  t.equal(exporter.getFinishedSpans().length, 2, 'no span after unsubscribing, nor for the phase still running then');

  {
    using _again = instrumentBus(bus, { tracer });
  }
  await bus.emit('afterRestore');
  t.equal(exporter.getFinishedSpans().length, 2, 'disposed by `using`');
});

t.test('instrumentBus - a tracer that throws cannot break a phase', async (t) => {
  const bus = new LifecycleBus<Events>();
  let ran = 0;
  bus.on('afterRestore', () => void ran++, { name: 'a' });
  bus.on(
    'afterRestore',
    () => {
      ran++;
      throw new Error('hook failure');
    },
    { name: 'b' },
  );
  const throwing = {
    startSpan: () => {
      throw new Error('tracer down');
    },
  } as unknown as Tracer;
  const off = instrumentBus(bus, { tracer: throwing });
  const warnings = await warningsDuring(async () => {
    const error = await bus.emit('afterRestore').catch((e: Error) => e);
    t.match(error, { message: /b/ }, 'the phase fails for its hook, not for the tracer');
  });
  off();
  t.equal(ran, 2, 'every hook ran');
  t.equal(warnings.length, 1, 'the tracer error is reported once');
  t.match(warnings[0], { code: 'SNAPSTART_HOOKS_OBSERVER', message: /tracer down/ });

  // Spans whose methods throw: the phase span still ends, hooks still run, unsubscribing does not throw.
  const ended: string[] = [];
  const brokenSpan = (name: string) => ({
    spanContext: () => ({ traceId: '1'.repeat(32), spanId: '1'.repeat(16), traceFlags: 1 }),
    setAttributes: () => {
      throw new Error('span down');
    },
    setAttribute: () => {
      throw new Error('span down');
    },
    end: () => void ended.push(name),
  });
  const broken = { startSpan: (name: string) => brokenSpan(name) } as unknown as Tracer;
  const off2 = instrumentBus(bus, { tracer: broken });
  ran = 0;
  const result = await warningsDuring(() => bus.emit('afterRestore').catch(() => undefined));
  t.equal(ran, 2);
  t.ok(result.length >= 1, 'reported');
  t.ok(ended.includes('SnapStart afterRestore') && ended.includes('SnapStart hook a'), 'spans still ended');
  const stuck = bus.emit('afterRestore').catch(() => undefined);
  t.doesNotThrow(() => off2(), 'unsubscribing ends nothing unsafely');
  await stuck;
});

t.test('instrumentBus - the global tracer by default, and clear errors for bad arguments', async (t) => {
  const { provider, exporter } = tracing();
  t.ok(trace.setGlobalTracerProvider(provider), 'registered');
  t.teardown(() => trace.disable());
  const bus = new LifecycleBus<Events>();
  bus.on('afterRestore', () => {}, { name: 'a' });
  const off = instrumentBus(bus);
  await bus.emit('afterRestore');
  off();
  t.same(
    exporter.getFinishedSpans().map((span) => span.instrumentationScope.name),
    [DEFAULT_TRACER_NAME, DEFAULT_TRACER_NAME],
  );

  t.throws(() => instrumentBus(null as never), { name: 'TypeError', message: /^bus must be a LifecycleBus.*got null/ });
  t.throws(() => instrumentBus({} as never), { name: 'TypeError', message: /got an object/ });
  t.throws(() => instrumentBus(bus, 5 as never), { name: 'TypeError', message: /options/ });
  t.throws(() => instrumentBus(bus, { tracr: {} } as never), { name: 'TypeError', message: /unknown key "tracr"/ });
  t.throws(() => instrumentBus(bus, { tracer: 'x' } as never), {
    name: 'TypeError',
    message: 'options.tracer must be an OpenTelemetry Tracer, got "x"',
  });
  t.throws(() => instrumentBus(bus, { tracer: {} } as never), {
    name: 'TypeError',
    message: /options\.tracer\.startSpan/,
  });
  t.throws(() => instrumentBus(bus, { events: 'afterRestore' } as never), {
    name: 'TypeError',
    message: 'options.events must be an array of event names, got "afterRestore"',
  });
  t.throws(() => instrumentBus(bus, { events: ['afterRestore', 5] } as never), {
    name: 'TypeError',
    message: 'options.events[1] must be a string, got 5',
  });
});

t.test('instrumentBus - events: only the phases of the events named', async (t) => {
  const { tracer, exporter } = tracing();
  const bus = new LifecycleBus<Events>();
  bus.on('beforeSnapshot', () => {}, { name: 'close' });
  bus.on('afterRestore', () => {}, { name: 'open' });
  using _off = instrumentBus(bus, { tracer, events: ['afterRestore'] });
  await bus.emit('beforeSnapshot');
  await bus.emit('afterRestore');
  t.same(
    exporter.getFinishedSpans().map((span) => span.name),
    ['SnapStart hook open', 'SnapStart afterRestore'],
  );
});
