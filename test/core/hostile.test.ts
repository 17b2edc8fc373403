/**
 * Hostile and careless input on the bus, one table per class of problem: every case of a class must
 * hold, not just the example that found it. Thrown values that are not well-behaved Errors; hooks
 * that abort their own emit; hooks that block past their budget; registrations the seed API made;
 * options read through the prototype chain or changing between reads; fake signals; hook names that
 * are not strings; names and reasons that would break a message or a terminal; signals shared by many
 * callers; absurd waterfall widths; unknown events and option keys.
 */
import { getEventListeners } from 'node:events';
import t from 'tap';
import {
  formatReport,
  HookTimeoutError,
  LifecycleBus,
  LifecycleError,
  registerAfterRestore,
  registerBeforeSnapshot,
  snapStartBus,
} from '../../src/index.js';
import { hostileValues } from '../helpers/hostile.js';
import { failedPhase } from '../helpers/phase.js';
import { never, sleep } from '../helpers/time.js';
import { collectUnhandledRejections } from '../helpers/unhandled.js';

type Events = { phase: void };

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Blocks the thread for `ms`, as a sync hook doing heavy work does. */
function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

/** Rejects if `promise` has not settled within `ms` (an emit that hangs fails the test, not the run). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The assertions {@link checkMessage} makes. */
type Checker = { ok(value: unknown, message: string): void; notOk(value: unknown, message: string): void };

/** A message fit for a log line: one line, no control characters, no cut surrogate, bounded. */
function checkMessage(t: Checker, message: string, what: string): void {
  t.notOk(RAW_CONTROL.test(message) || message.includes('\n'), `${what}: no raw control character`);
  t.notOk(LONE_SURROGATE.test(message), `${what}: no cut surrogate pair`);
  t.ok(message.length < 2_000, `${what}: bounded (${message.length} characters)`);
}

t.test('emit() - a hook throwing any badly-behaved value still yields the LifecycleError naming it', async (t) => {
  for (const [label, make] of hostileValues().map(
    ([label], index) => [label, () => hostileValues()[index]?.[1]] as const,
  )) {
    for (const concurrency of [1, 4]) {
      for (const mode of ['throws', 'rejects'] as const) {
        const value = make();
        const bus = new LifecycleBus<Events>({ concurrency });
        bus.on(
          'phase',
          mode === 'throws'
            ? () => {
                throw value;
              }
            : async () => {
                await sleep(0);
                throw value;
              },
          { name: 'hostile-hook' },
        );
        bus.on('phase', () => {}, { name: 'next' });
        const what = `${label}, ${mode}, concurrency ${concurrency}`;
        const error = await bus.emit('phase').catch((caught: unknown) => caught);
        t.ok(error instanceof LifecycleError, `${what}: a LifecycleError`);
        if (!(error instanceof LifecycleError)) continue;
        t.ok(Object.is(error.report.hooks[0]?.error, value), `${what}: the very value is in the report`);
        t.ok(Object.is(error.errors[0], value), `${what}: and in errors`);
        t.equal(error.report.hooks[1]?.status, 'fulfilled', `${what}: the next hook ran`);
        t.match(
          error.message,
          /^phase: 1 of 2 hooks failed: hostile-hook \(.*\)$/,
          `${what}: the message names the hook`,
        );
        checkMessage(t, error.message, what);
        const text = formatReport(error.report, { color: true });
        t.match(text, /hostile-hook/, `${what}: formatReport names the hook`);
      }
    }
  }
});

t.test('emit() - an emit aborted with any badly-behaved reason still rejects with its report', async (t) => {
  for (const [label, value] of hostileValues()) {
    if (value === undefined) continue; // abort(undefined) gives a DOMException: not this reason
    const bus = new LifecycleBus<Events>();
    const controller = new AbortController();
    bus.on('phase', () => never(), { name: 'running' });
    const emitted = bus.emit('phase', undefined, { signal: controller.signal });
    controller.abort(value);
    const error = await failedPhase(emitted);
    t.ok(Object.is(error.cause, value), `${label}: the cause is the reason`);
    t.match(error.message, /^phase: aborted \(.*\); 1 of 1 hook failed: running \(.*\)$/, label);
    checkMessage(t, error.message, label);
    t.type(formatReport(error.report), 'string');
  }
});

t.test('emit() - a hook that aborts its own emit before its first await does not hang the emit', async (t) => {
  const unhandled = collectUnhandledRejections(t);
  const reason = new Error('stop now');
  type Kind = (abort: () => void) => (ctx: { signal: AbortSignal }) => unknown;
  const kinds: Record<string, Kind> = {
    'an async hook that then hangs': (abort) => async () => {
      abort();
      await never();
    },
    'an async hook that waits for its own signal': (abort) => async (ctx) => {
      abort();
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    },
    'a hook returning a thenable that never settles': (abort) => () => {
      abort();
      // biome-ignore lint/suspicious/noThenProperty: the test needs a thenable that never settles.
      return { then() {} };
    },
    'an async hook that rejects later': (abort) => async () => {
      abort();
      await sleep(5);
      throw new Error('too late to matter');
    },
    'an async hook that resolves later': (abort) => async () => {
      abort();
      await sleep(5);
    },
  };
  for (const [label, kind] of Object.entries(kinds)) {
    for (const concurrency of [1, 4, Number.POSITIVE_INFINITY]) {
      for (const sibling of [false, true]) {
        const what = `${label}, concurrency ${concurrency}${sibling ? ', with a running sibling' : ''}`;
        const bus = new LifecycleBus<Events>({ concurrency });
        const controller = new AbortController();
        let seen: AbortSignal | undefined;
        // Serially the sibling runs first and must time out for the aborter to start.
        if (sibling) bus.on('phase', () => never(), { name: 'sibling', timeout: 30 });
        const hook = kind(() => controller.abort(reason));
        bus.on(
          'phase',
          (ctx) => {
            seen = ctx.signal;
            return hook(ctx);
          },
          { name: 'aborter' },
        );
        bus.on('phase', () => t.fail(`${what}: a later tier started`), { name: 'later', priority: -1 });
        const error = await within(failedPhase(bus.emit('phase', undefined, { signal: controller.signal })), 5_000);
        t.equal(error.cause, reason, `${what}: the cause is the reason`);
        const statuses = Object.fromEntries(error.report.hooks.map((hook) => [hook.name, hook.status]));
        t.equal(statuses.aborter, 'rejected', `${what}: the hook is abandoned`);
        t.equal(error.report.hooks.find((hook) => hook.name === 'aborter')?.error, reason, `${what}: with the reason`);
        if (sibling) t.equal(statuses.sibling, concurrency === 1 ? 'timedOut' : 'rejected', `${what}: sibling`);
        t.equal(statuses.later, 'skipped', `${what}: nothing starts after the abort`);
        t.equal(seen?.aborted, true, `${what}: the hook's ctx.signal aborted`);
        t.equal(seen?.reason, reason, `${what}: with the emit's reason`);
      }
    }
  }
  await sleep(20);
  t.same(unhandled, [], 'late results never become unhandled rejections');
});

t.test('emit() - a hook that blocks the thread past its budget is timed out when it returns', async (t) => {
  // The hook blocks until 15 ms past its budget, wherever the phase started on a busy machine.
  let blockUntil = 0;
  const block = (): void => {
    while (performance.now() < blockUntil) {}
  };
  const kinds: Record<string, () => unknown> = {
    'a sync hook': () => block(),
    'an async hook blocking before its first await': async () => block(),
    'a hook returning a resolved thenable after blocking': () => {
      block();
      return Promise.resolve();
    },
  };
  for (const [label, run] of Object.entries(kinds)) {
    // A sync hook is judged by its own timeout, too; an async hook's own timeout is its timer's.
    for (const budget of label === 'a sync hook' ? (['deadline', 'timeout'] as const) : (['deadline'] as const)) {
      for (const last of [true, false]) {
        for (const concurrency of [1, 3]) {
          const what = `${label}, its ${budget}, ${last ? 'last' : 'followed by another'}, concurrency ${concurrency}`;
          const bus = new LifecycleBus<Events>({ concurrency });
          let signal: AbortSignal | undefined;
          bus.on(
            'phase',
            (ctx) => {
              signal = ctx.signal;
              if (budget === 'timeout') blockUntil = performance.now() + 20;
              return run();
            },
            { name: 'blocking', priority: 1, ...(budget === 'timeout' ? { timeout: 5 } : {}) },
          );
          let nextRan = false;
          if (!last) {
            bus.on(
              'phase',
              () => {
                nextRan = true;
              },
              { name: 'next' },
            );
          }
          // A deadline long enough for the first hook to start even after a stall of the machine.
          const deadline = budget === 'deadline' ? 30 : undefined;
          blockUntil = performance.now() + 45;
          const error = await failedPhase(bus.emit('phase', undefined, { deadline }));
          const outcome = error.report.hooks[0];
          t.equal(outcome?.status, 'timedOut', `${what}: timed out`);
          const reason = outcome?.error as HookTimeoutError;
          t.type(reason, HookTimeoutError, what);
          t.equal(reason.phaseDeadline, budget === 'deadline', `${what}: the budget that ran out`);
          t.equal(reason.timeout, budget === 'deadline' ? 30 : 5, what);
          t.equal(signal?.reason, reason, `${what}: its ctx.signal aborts with the same error`);
          // Past the deadline nothing else starts; past its own timeout the phase goes on.
          if (!last)
            t.equal(
              nextRan,
              budget === 'timeout',
              `${what}: the next hook ${budget === 'timeout' ? 'ran' : 'did not'}`,
            );
          t.match(
            error.message,
            budget === 'deadline' ? /phase deadline of 30 ms reached/ : /timed out after 5 ms/,
            what,
          );
        }
      }
    }
  }
});

t.test('emit() - a blocking hook that throws past its budget keeps its own error', async (t) => {
  for (const concurrency of [1, 3]) {
    const bus = new LifecycleBus<Events>({ concurrency });
    const thrown = new Error('late and broken');
    bus.on('phase', function busy() {
      busyWait(45);
      throw thrown;
    });
    const error = await failedPhase(bus.emit('phase', undefined, { deadline: 30 }));
    t.same(error.errors, [thrown]);
    t.equal(error.message, 'phase: phase deadline of 30 ms reached; 1 of 1 hook failed: busy (late and broken)');
  }
});

t.test('snapStartBus.off() - removes what registerBeforeSnapshot() and registerAfterRestore() added', async (t) => {
  const registers = { beforeSnapshot: registerBeforeSnapshot, afterRestore: registerAfterRestore } as const;
  for (const [event, register] of Object.entries(registers) as [
    keyof typeof registers,
    typeof registerAfterRestore,
  ][]) {
    for (const times of [1, 2]) {
      for (const args of [[], ['db', { force: true }]] as unknown[][]) {
        const what = `${register.name} x${times} with ${args.length} args`;
        const before = snapStartBus.listenerCount(event);
        let runs = 0;
        const fn = (..._args: unknown[]): void => {
          runs++;
        };
        for (let index = 0; index < times; index++)
          (register as (fn: unknown, ...args: unknown[]) => unknown)(fn, ...args);
        t.equal(snapStartBus.listenerCount(event), before + times, `${what}: registered`);
        t.equal(snapStartBus.off(event, fn), true, `${what}: off() finds it`);
        t.equal(snapStartBus.off(event, fn), false, `${what}: and nothing is left`);
        t.equal(snapStartBus.listenerCount(event), before, `${what}: unsubscribed`);
        await snapStartBus.emit(event);
        t.equal(runs, 0, `${what}: it no longer runs`);
      }
    }
  }
});

t.test('options - read as own properties only, each once: the value checked is the value used', async (t) => {
  // Prototype pollution changes nothing: every option of every call is read as an own property.
  const polluted: Record<string, unknown> = {
    timeout: 1,
    deadline: 1,
    concurrency: 0,
    failFast: 'yes',
    priority: Number.NaN,
    name: '',
    signal: AbortSignal.abort(),
    order: { phase: 'sideways' },
    events: ['other'],
    width: 1e9,
    color: 'red',
  };
  const prototype = Object.prototype as Record<string, unknown>;
  for (const [key, value] of Object.entries(polluted)) {
    prototype[key] = value;
    try {
      const bus = new LifecycleBus<Events>({});
      const ran: string[] = [];
      bus.on('phase', () => sleep(5).then(() => ran.push('a')), {});
      bus.once('phase', () => void ran.push('b'), { priority: -1 });
      const report = await bus.emit('phase', undefined, {});
      t.equal(report.ok, true, `Object.prototype.${key}: the phase is unchanged`);
      t.same(ran, ['a', 'b'], `Object.prototype.${key}: every hook ran`);
      t.type(formatReport(report, {}), 'string', `Object.prototype.${key}: formatReport is unchanged`);
    } finally {
      delete prototype[key];
    }
  }

  // Inherited options are not options, either.
  const bus = new LifecycleBus<Events>(Object.create({ timeout: 1 }));
  bus.on('phase', () => sleep(5), Object.create({ timeout: 1 }));
  t.equal((await bus.emit('phase', undefined, Object.create({ deadline: 1 }))).ok, true, 'inherited options ignored');

  // Getters and Proxies are read once; a value that changes between reads cannot slip past the check.
  const reads = new Map<string, number>();
  const changing = <T>(key: string, first: T, later: unknown): { get(): T } => ({
    get() {
      const count = (reads.get(key) ?? 0) + 1;
      reads.set(key, count);
      return (count === 1 ? first : later) as T;
    },
  });
  const counted = new LifecycleBus<Events>(
    Object.defineProperties(
      {},
      {
        concurrency: { ...changing('bus.concurrency', 2, 0), enumerable: true },
        timeout: { ...changing('bus.timeout', 10_000, -1), enumerable: true },
        failFast: { ...changing('bus.failFast', false, 'x'), enumerable: true },
      },
    ),
  );
  let runs = 0;
  for (let index = 0; index < 3; index++) {
    counted.on(
      'phase',
      () => {
        runs++;
      },
      Object.defineProperties(
        {},
        {
          priority: { ...changing(`on${index}.priority`, index, Number.NaN), enumerable: true },
          timeout: { ...changing(`on${index}.timeout`, 10_000, 0), enumerable: true },
          name: { ...changing(`on${index}.name`, `h${index}`, ''), enumerable: true },
        },
      ),
    );
  }
  const emitOptions = new Proxy(
    { deadline: 10_000, concurrency: 2, failFast: false },
    {
      get(target, key, receiver) {
        const name = `emit.${String(key)}`;
        const count = (reads.get(name) ?? 0) + 1;
        reads.set(name, count);
        return count === 1 ? Reflect.get(target, key, receiver) : -1;
      },
    },
  );
  const report = await counted.emit('phase', undefined, emitOptions);
  t.equal(report.ok, true, 'the phase ran with the values that were checked');
  t.equal(runs, 3, 'every hook ran');
  t.same(
    report.hooks.map((hook) => [hook.name, hook.priority]),
    [
      ['h2', 2],
      ['h1', 1],
      ['h0', 0],
    ],
  );
  t.same(
    [...reads.values()].filter((count) => count !== 1),
    [],
    `each option read exactly once: ${[...reads.keys()]}`,
  );
});

t.test('options.signal - anything but a real AbortSignal is refused at once with a TypeError', async (t) => {
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const fakes: [string, unknown][] = [
    ['Object.create(AbortSignal.prototype)', Object.create(AbortSignal.prototype)],
    ['a look-alike object', { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} }],
    ['an EventTarget', new EventTarget()],
    ['an AbortController', new AbortController()],
    ['a revoked Proxy', revoked],
    ['null', null],
  ];
  const places: Record<string, (bus: LifecycleBus<Events>, signal: unknown) => unknown> = {
    'on()': (bus, signal) => bus.on('phase', () => {}, { signal: signal as AbortSignal }),
    'once()': (bus, signal) => bus.once('phase', () => {}, { signal: signal as AbortSignal }),
    'emit()': (bus, signal) => bus.emit('phase', undefined, { signal: signal as AbortSignal }),
  };
  for (const [label, fake] of fakes) {
    for (const [place, call] of Object.entries(places)) {
      const bus = new LifecycleBus<Events>();
      t.throws(
        () => call(bus, fake),
        { name: 'TypeError', message: /^options\.signal must be an AbortSignal, got / },
        `${place} with ${label}`,
      );
      t.equal(bus.listenerCount(), 0, `${place} with ${label}: nothing registered`);
    }
  }
  for (const [label, real] of [
    ['AbortSignal.timeout()', AbortSignal.timeout(60_000)],
    ['AbortSignal.any()', AbortSignal.any([new AbortController().signal])],
    ['a Proxy of a real signal', new Proxy(new AbortController().signal, {})],
  ] as const) {
    const bus = new LifecycleBus<Events>();
    bus.on('phase', () => {}, { signal: real });
    t.equal((await bus.emit('phase', undefined, { signal: real })).ok, true, `${label} is accepted`);
  }
});

t.test('on() - a hook whose name is not a string, or cannot be read, gets a generated name', async (t) => {
  const named = (name: PropertyDescriptor): (() => void) => Object.defineProperty(() => {}, 'name', name);
  const { proxy: revokedHook, revoke } = Proxy.revocable(() => {}, {});
  const hooks: [string, () => unknown][] = [
    ['a number', named({ value: 42 })],
    ['a symbol', named({ value: Symbol('s') })],
    ['an object', named({ value: { toString: () => 'x' } })],
    [
      'a getter that throws',
      named({
        get: () => {
          throw new Error('name getter');
        },
      }),
    ],
    ['an empty string', named({ value: '' })],
    [
      'a class with a static name() method',
      // biome-ignore lint/complexity/noStaticOnlyClass: a class whose static name() hides Function.name.
      class {
        static name() {
          return 'method';
        }
      } as unknown as () => unknown,
    ],
  ];
  for (const [label, hook] of hooks) {
    for (const method of ['on', 'once'] as const) {
      const bus = new LifecycleBus<Events>();
      const off = bus[method]('phase', hook as () => void);
      const report = await bus.emit('phase').catch((error: LifecycleError) => error.report);
      t.match(report.hooks[0]?.name, /^hook#\d+$/, `${method}() with a name that is ${label}`);
      t.type(formatReport(report), 'string', `${label}: formatReport`);
      off();
    }
    registerAfterRestore(hook as () => void);
    t.equal(
      snapStartBus.off('afterRestore', hook as () => void),
      true,
      `registerAfterRestore() with a name that is ${label}`,
    );
  }
  // A revoked Proxy as the hook: registering it works, running it fails that hook only.
  revoke();
  const bus = new LifecycleBus<Events>();
  bus.on('phase', revokedHook as () => void, { name: 'revoked' });
  const error = await failedPhase(bus.emit('phase'));
  t.match(error.message, /^phase: 1 of 1 hook failed: revoked \(/);
});

t.test('messages - names and reasons are escaped and bounded; the report keeps them whole', async (t) => {
  const texts: [string, string][] = [
    ['a newline', 'db\nFAKE LOG LINE'],
    ['an ANSI escape', '\u001b[2J\u001b[31mred'],
    ['a carriage return and tab', 'a\r\tb'],
    ['a line separator', 'a\u2028b'],
    ['a 1 MB name', 'n'.repeat(1_000_000)],
    ['emoji cut at the bound', '\u{1f600}'.repeat(5_000)],
  ];
  for (const [label, text] of texts) {
    const bus = new LifecycleBus<Record<string, void>>();
    bus.on(text, () => never(), { name: text, timeout: 1 });
    bus.on(text, () => Promise.reject(new Error(text)), { name: 'rejects' });
    const error = await failedPhase(bus.emit(text));
    t.equal(error.report.hooks[0]?.name, text, `${label}: the report keeps the name whole`);
    t.equal(error.report.event, text, `${label}: and the event`);
    t.equal((error.errors[0] as HookTimeoutError).hookName, text, `${label}: and the HookTimeoutError its hookName`);
    checkMessage(t, error.message, `${label}: LifecycleError`);
    checkMessage(t, (error.errors[0] as Error).message, `${label}: HookTimeoutError`);
    for (const [index, line] of formatReport(error.report, { width: 20 }).split('\n').entries()) {
      checkMessage(t, line, `${label}: waterfall line ${index}`);
    }
    // Bad arguments show the value bounded, too.
    t.throws(
      () => bus.on(text, () => {}, { name: 5 as never }),
      { name: 'TypeError' },
      `${label}: a bad option still throws`,
    );
    const refused = (() => {
      try {
        new LifecycleBus({ events: ['a'] }).on(text, () => {});
      } catch (caught) {
        return caught as Error;
      }
      return new Error('not thrown');
    })();
    t.type(refused, RangeError, label);
    checkMessage(t, refused.message, `${label}: the RangeError for an unknown event`);
  }
});

t.test('signal - one signal shared by many registrations and emits adds one listener and no warning', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  const cases: Record<string, (bus: LifecycleBus<Events>, signal: AbortSignal) => Promise<unknown> | undefined> = {
    '30 on() registrations': (bus, signal) => {
      for (let index = 0; index < 30; index++) bus.on('phase', () => {}, { signal });
      return undefined;
    },
    '30 once() registrations': (bus, signal) => {
      for (let index = 0; index < 30; index++) bus.once('phase', () => {}, { signal });
      return undefined;
    },
    '30 emits at once': (bus, signal) => {
      bus.on('phase', () => never(), { timeout: 60_000 });
      return Promise.allSettled(Array.from({ length: 30 }, () => bus.emit('phase', undefined, { signal })));
    },
    '30 buses': (_bus, signal) => {
      for (let index = 0; index < 30; index++) new LifecycleBus<Events>().on('phase', () => {}, { signal });
      return undefined;
    },
  };
  for (const [label, run] of Object.entries(cases)) {
    const bus = new LifecycleBus<Events>();
    const controller = new AbortController();
    const pending = run(bus, controller.signal);
    t.equal(getEventListeners(controller.signal, 'abort').length, 1, `${label}: one listener on the signal`);
    controller.abort();
    await pending;
    t.equal(bus.listenerCount(), label.startsWith('30 emits') ? 1 : 0, `${label}: the abort reached every caller`);
    t.equal(getEventListeners(controller.signal, 'abort').length, 0, `${label}: and the listener is gone`);
  }
  // Unsubscribing every registration removes the listener without an abort.
  const controller = new AbortController();
  const bus = new LifecycleBus<Events>();
  const offs = Array.from({ length: 20 }, () => bus.on('phase', () => {}, { signal: controller.signal }));
  for (const off of offs) off();
  t.equal(getEventListeners(controller.signal, 'abort').length, 0, 'unsubscribing all removes the listener');
  await sleep(10);
  t.same(
    warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning'),
    [],
    'no MaxListenersExceededWarning',
  );
});

t.test('formatReport() - a width out of range is refused naming the option', async (t) => {
  const report = await new LifecycleBus<Events>().emit('phase');
  const refused: [unknown, string, RegExp][] = [
    [1e9, 'RangeError', /^options\.width must be at most 1000, got 1000000000$/],
    [1001, 'RangeError', /^options\.width must be at most 1000, got 1001$/],
    [Number.POSITIVE_INFINITY, 'RangeError', /^options\.width must be a finite number, got Infinity$/],
    [Number.NaN, 'RangeError', /^options\.width must be a finite number, got NaN$/],
    ['40', 'TypeError', /^options\.width must be a number, got "40"$/],
    [40n, 'TypeError', /^options\.width must be a number, got 40n$/],
  ];
  for (const [width, name, message] of refused) {
    t.throws(() => formatReport(report, { width: width as number }), { name, message }, `width ${String(width)}`);
  }
  for (const width of [1000, 999.9, 10, 5, -5, 0]) {
    t.type(formatReport(report, { width }), 'string', `width ${width} is accepted`);
  }
});

t.test('snapStartBus - refuses an event it does not know, naming the two it knows', async (t) => {
  const calls: Record<string, (event: never) => unknown> = {
    'on()': (event) => snapStartBus.on(event, () => {}),
    'once()': (event) => snapStartBus.once(event, () => {}),
    'off()': (event) => snapStartBus.off(event, () => {}),
    'emit()': (event) => snapStartBus.emit(event),
    'listenerCount()': (event) => snapStartBus.listenerCount(event),
    'clear()': (event) => snapStartBus.clear(event),
  };
  const before = snapStartBus.listenerCount();
  for (const event of ['afterRestor', 'beforesnapshot', 'AfterRestore', '', 'constructor', '__proto__', 'toString']) {
    for (const [call, run] of Object.entries(calls)) {
      t.throws(
        () => run(event as never),
        {
          name: 'RangeError',
          message: `event must be one of 'beforeSnapshot', 'afterRestore', got ${JSON.stringify(event)}`,
        },
        `${call} with ${JSON.stringify(event)}`,
      );
    }
  }
  t.equal(snapStartBus.listenerCount(), before, 'nothing registered');
});

t.test('options - an unknown key is refused, naming the known keys', async (t) => {
  const bus = new LifecycleBus<Events>();
  const calls: [string, () => unknown, string][] = [
    [
      'new LifecycleBus({ timeOut })',
      () => new LifecycleBus({ timeOut: 5 } as never),
      'concurrency, timeout, failFast, timing, order, events',
    ],
    [
      'new LifecycleBus({ concurency })',
      () => new LifecycleBus({ concurency: 2 } as never),
      'concurrency, timeout, failFast, timing, order, events',
    ],
    ['on(..., { prio })', () => bus.on('phase', () => {}, { prio: 1 } as never), 'priority, timeout, name, signal'],
    [
      'once(..., { timeOut })',
      () => bus.once('phase', () => {}, { timeOut: 5 } as never),
      'priority, timeout, name, signal',
    ],
    [
      'emit(..., { deadLine })',
      () => bus.emit('phase', undefined, { deadLine: 5 } as never),
      'concurrency, failFast, timing, deadline, signal',
    ],
    [
      'emit(..., { timeout })',
      () => bus.emit('phase', undefined, { timeout: 5 } as never),
      'concurrency, failFast, timing, deadline, signal',
    ],
    [
      'formatReport(..., { colour })',
      () => formatReport({ event: 'e', ok: true, startedAt: 0, durationMs: 0, hooks: [] }, { colour: true } as never),
      'width, color',
    ],
  ];
  for (const [call, run, known] of calls) {
    t.throws(
      run,
      { name: 'TypeError', message: new RegExp(`^options has an unknown key ".+"; the known keys are ${known}$`) },
      call,
    );
  }
  t.equal(bus.listenerCount(), 0, 'nothing registered');
  // The events option itself is checked, and order keys must be among the events.
  t.throws(() => new LifecycleBus({ events: 'phase' } as never), {
    name: 'TypeError',
    message: /^options\.events must be an array/,
  });
  t.throws(() => new LifecycleBus({ events: [] }), {
    name: 'RangeError',
    message: /^options\.events must name at least one event/,
  });
  t.throws(() => new LifecycleBus({ events: ['a', 1] } as never), {
    name: 'TypeError',
    message: 'options.events[1] must be a string, got 1',
  });
  t.throws(() => new LifecycleBus({ events: ['a'], order: { b: 'lifo' } } as never), {
    name: 'RangeError',
    message: 'options.order has an unknown event "b"; the events are a',
  });
});
