// console patching as AWS's Node.js runtime does it (aws-lambda-nodejs-runtime-interface-client src/LogPatch.js),
// in process: formats, levels, telemetry frames. The spawned runtime's logs are checked in logging-runtime.test.ts.
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import {
  publishInvocation,
  REQUEST_ID_GLOBAL,
  runInInvocationScope,
  TENANT_ID_GLOBAL,
} from '../../src/lambda/invocation-scope.js';
import { formatError, patchConsole, TELEMETRY_FD_ENV } from '../../src/lambda/logging/console.js';
import { logFormatFrom, logLevelFrom } from '../../src/lambda/logging/levels.js';
import { formatArgs } from '../../src/lambda/logging/records.js';
import { stdoutSink, telemetrySink } from '../../src/lambda/logging/sinks.js';

const TIME = new Date('2026-01-02T03:04:05.678Z');
const METHODS = ['trace', 'debug', 'info', 'log', 'warn', 'error', 'fatal'] as const;
type FakeConsole = Record<(typeof METHODS)[number], (...args: unknown[]) => void>;

/** A console object of our own, patched, whose records are captured as the sink received them. */
function capture(env: NodeJS.ProcessEnv = {}) {
  const records: { level: string; text: string }[] = [];
  const fake = Object.fromEntries(METHODS.filter((m) => m !== 'fatal').map((m) => [m, () => {}])) as FakeConsole;
  const patched = patchConsole({
    env,
    console: fake as unknown as Console,
    now: () => TIME,
    sink: (level, text) => records.push({ level: level.name, text }),
  });
  return { console: fake, records, patched };
}

t.test('patchConsole() - text records: timestamp, request id, level, formatted message', async (t) => {
  const { console, records } = capture();
  console.log('hello %s', 'world', { a: 1 });
  console.log();
  await runInInvocationScope({ requestId: 'req-1' }, async () => console.warn('inside'), false);
  console.info('two\nlines');
  t.same(records, [
    { level: 'INFO', text: '2026-01-02T03:04:05.678Z\tundefined\tINFO\thello world { a: 1 }' },
    { level: 'INFO', text: '2026-01-02T03:04:05.678Z\tundefined\tINFO\tundefined' },
    { level: 'WARN', text: '2026-01-02T03:04:05.678Z\treq-1\tWARN\tinside' },
    { level: 'INFO', text: '2026-01-02T03:04:05.678Z\tundefined\tINFO\ttwo\nlines' },
  ]);
});

t.test(
  'runInInvocationScope() - one at a time, a callback an invocation left behind logs as the open one (as AWS); concurrently, as its own',
  async (t) => {
    for (const isolated of [false, true]) {
      const { console, records } = capture();
      let late: Promise<void> = Promise.resolve();
      await runInInvocationScope(
        { requestId: 'first' },
        async () => {
          late = new Promise((resolve) => setTimeout(() => resolve(console.info('late')), 20));
        },
        isolated,
      );
      await runInInvocationScope({ requestId: 'second' }, () => late, isolated);
      t.equal(records[0]?.text.split('\t')[1], isolated ? 'first' : 'second', `isolated: ${isolated}`);
    }
  },
);

t.test('patchConsole() - between invocations, the last one served one at a time, as AWS logs it', async (t) => {
  const global = globalThis as Record<symbol, unknown>;
  t.teardown(() => {
    delete global[REQUEST_ID_GLOBAL];
    delete global[TENANT_ID_GLOBAL];
  });
  const text = capture();
  const json = capture({ AWS_LAMBDA_LOG_FORMAT: 'JSON' });
  publishInvocation({ requestId: 'req-7', tenantId: 'green' });
  t.equal(global[Symbol.for('aws.lambda.runtime.requestId')], 'req-7', "AWS's global symbol");
  text.console.info('after');
  json.console.info('after');
  await runInInvocationScope({ requestId: 'req-8' }, async () => text.console.info('own scope wins'), true);
  publishInvocation({ requestId: 'req-9', tenantId: undefined });
  json.console.info('untenanted');
  t.same(
    text.records.map((r) => r.text.split('\t')[1]),
    ['req-7', 'req-8'],
  );
  t.match(JSON.parse(json.records[0]?.text ?? ''), { requestId: 'req-7', tenantId: 'green' });
  t.notOk('tenantId' in JSON.parse(json.records[1]?.text ?? ''), 'no tenant: no tenantId key');
  global[REQUEST_ID_GLOBAL] = 42;
  text.console.info('not a string');
  t.equal(text.records.at(-1)?.text.split('\t')[1], 'undefined', 'something else on the symbol is ignored');
});

t.test(
  'patchConsole() - every method has its level; console.trace prints no stack; console.fatal exists',
  async (t) => {
    const { console, records } = capture();
    t.equal(console.log, console.info, "console.log is console.info, as in AWS's runtime");
    const quiet = capture({ AWS_LAMBDA_LOG_LEVEL: 'WARN' }).console;
    t.equal(quiet.log, quiet.info, 'also when INFO is filtered out');
    for (const method of METHODS) console[method](method);
    t.same(
      records.map((r) => [r.level, r.text.split('\t')[3]]),
      [
        ['TRACE', 'trace'],
        ['DEBUG', 'debug'],
        ['INFO', 'info'],
        ['INFO', 'log'],
        ['WARN', 'warn'],
        ['ERROR', 'error'],
        ['FATAL', 'fatal'],
      ],
    );
  },
);

t.test(
  'patchConsole() - AWS_LAMBDA_LOG_LEVEL filters below it, in any case; FATAL always; unknown is TRACE',
  async (t) => {
    for (const [value, expected] of [
      ['warn', ['WARN', 'ERROR', 'FATAL']],
      ['ERROR', ['ERROR', 'FATAL']],
      ['FATAL', ['FATAL']],
      ['info', ['INFO', 'INFO', 'WARN', 'ERROR', 'FATAL']],
      ['verbose', ['TRACE', 'DEBUG', 'INFO', 'INFO', 'WARN', 'ERROR', 'FATAL']],
    ] as const) {
      const { console, records } = capture({ AWS_LAMBDA_LOG_LEVEL: value });
      for (const method of METHODS) console[method](method);
      t.same(
        records.map((r) => r.level),
        expected,
        value,
      );
    }
    t.equal(logLevelFrom(undefined).name, 'TRACE');
    t.equal(logLevelFrom('constructor').name, 'TRACE', 'only own level names');
    t.equal(logFormatFrom('json'), 'JSON');
    t.equal(logFormatFrom('yaml'), 'TEXT');
  },
);

t.test('patchConsole() - JSON records as AWS writes them', async (t) => {
  const { console, records, patched } = capture({ AWS_LAMBDA_LOG_FORMAT: 'json' });
  t.equal(patched.format, 'JSON');
  const json = () => JSON.parse(records.at(-1)?.text ?? 'null');
  console.info('plain');
  t.same(json(), { timestamp: '2026-01-02T03:04:05.678Z', level: 'INFO', message: 'plain' }, 'no requestId at init');
  await runInInvocationScope({ requestId: 'req-2', tenantId: 'blue' }, async () => console.info({ a: [1, 2] }), false);
  t.same(json(), {
    timestamp: '2026-01-02T03:04:05.678Z',
    level: 'INFO',
    requestId: 'req-2',
    tenantId: 'blue',
    message: { a: [1, 2] },
  });
  const error = Object.assign(new TypeError('bad'), { code: 'E_BAD' });
  console.error(error);
  t.match(json(), {
    level: 'ERROR',
    message: { errorType: 'TypeError', errorMessage: 'bad', code: 'E_BAD', stackTrace: ['TypeError: bad', /^ {4}at /] },
  });
  console.error('failed:', error, 42);
  t.match(json(), {
    message: /^failed: TypeError: bad\n {4}at .* 42$/s,
    errorType: 'TypeError',
    errorMessage: 'bad',
    stackTrace: ['TypeError: bad', /^ {4}at /],
  });
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  console.warn(circular);
  t.equal(json().message, "<ref *1> { name: 'loop', self: [Circular *1] }", 'a value JSON cannot carry is formatted');
  console.log();
  t.same(json(), { timestamp: '2026-01-02T03:04:05.678Z', level: 'INFO' }, 'console.log() has no message');
  console.log('a\nb');
  t.notMatch(records.at(-1)?.text, /\n/, 'one line');
  const unreadable = new Error('x');
  Object.defineProperty(unreadable, 'message', {
    get() {
      throw new Error('no message');
    },
  });
  console.error('failed:', unreadable);
  t.match(json(), { level: 'ERROR', message: /^failed: / }, 'an Error whose fields cannot be read still logs');
});

t.test('patchConsole() - hostile values never make console.log throw', async (t) => {
  for (const format of ['TEXT', 'JSON']) {
    const { console, records } = capture({ AWS_LAMBDA_LOG_FORMAT: format });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile = {
      [Symbol.for('nodejs.util.inspect.custom')]() {
        throw new Error('inspect exploded');
      },
      toJSON() {
        throw new Error('toJSON exploded');
      },
    };
    class HttpError extends Error {
      declare name: string;
    }
    t.doesNotThrow(() => console.log(proxy), `${format}: revoked proxy`);
    t.doesNotThrow(() => console.log(hostile), `${format}: throwing inspect and toJSON`);
    t.doesNotThrow(() => console.log('x', hostile, 1n), `${format}: with other values`);
    t.doesNotThrow(() => console.error(Object.defineProperty(new HttpError('m'), 'name', { value: undefined })));
    t.equal(records.length, 4, format);
  }
});

t.test(
  'logError() - text: label, tab and the error as JSON; JSON: the error as message; non-errors wrapped',
  async (t) => {
    const text = capture();
    text.patched.logError('Invoke Error', new RangeError('out'));
    const line = text.records[0]?.text.split('\t') ?? [];
    t.same(line.slice(1, 4), ['undefined', 'ERROR', 'Invoke Error ']);
    t.match(JSON.parse(line.slice(4).join('\t')), {
      errorType: 'RangeError',
      errorMessage: 'out',
      stack: ['RangeError: out', /^ {4}at /],
    });
    text.patched.logError('Uncaught Exception', 'a string');
    t.match(JSON.parse(text.records[1]?.text.split('\t').slice(4).join('\t') ?? ''), {
      errorType: 'Error',
      errorMessage: 'a string',
    });
    text.patched.logError('Invoke Error', undefined);
    t.match(
      JSON.parse(text.records[2]?.text.split('\t').slice(4).join('\t') ?? ''),
      { errorType: 'Error', errorMessage: '' },
      'undefined: an Error without a message, as new Error(undefined)',
    );
    const json = capture({ AWS_LAMBDA_LOG_FORMAT: 'JSON' });
    json.patched.logError('Invoke Error', new RangeError('out'));
    t.match(JSON.parse(json.records[0]?.text ?? ''), { level: 'ERROR', message: { errorType: 'RangeError' } });
    const circular = new Error('loop') as Error & { self?: unknown };
    circular.self = circular;
    t.match(
      formatError(circular),
      /^\t\{"errorType":"Error","errorMessage":"loop","trace":\[/,
      'circular: the error body',
    );
    // A sink that throws (stdout closed under us) does not break the runtime's error report.
    const lambdaConsole = patchConsole({
      env: {},
      console: { error: () => {} } as unknown as Console,
      sink: () => {
        throw new Error('sink down');
      },
    });
    t.doesNotThrow(() => lambdaConsole.logError('Invoke Error', new Error('x')));
  },
);

t.test('restore() - puts the original methods back and removes console.fatal', async (t) => {
  const log = () => {};
  const target = { log, info: log, warn: log, error: log, debug: log, trace: log } as unknown as Console;
  const patched = patchConsole({ env: {}, console: target, sink: () => {} });
  t.not(target.log, log);
  t.type((target as unknown as { fatal: unknown }).fatal, 'function');
  patched.restore();
  t.equal(target.log, log);
  t.notOk('fatal' in target);
});

t.test('stdoutSink() - one line per record, line breaks as \\r', async (t) => {
  const chunks: string[] = [];
  const sink = stdoutSink((chunk) => chunks.push(chunk));
  sink({ name: 'INFO', rank: 3, frameMask: 12 }, 'a\nb\nc', TIME);
  t.same(chunks, ['a\rb\rc\n']);
});

t.test('_LAMBDA_TELEMETRY_LOG_FD - records framed onto the descriptor; the variable is removed', async (t) => {
  for (const format of ['TEXT', 'JSON'] as const) {
    const file = path.join(tmpdir(), `snapstart-telemetry-${process.pid}-${format}`);
    const fd = openSync(file, 'w+');
    t.teardown(() => rmSync(file, { force: true }));
    const env: NodeJS.ProcessEnv = { [TELEMETRY_FD_ENV]: String(fd), AWS_LAMBDA_LOG_FORMAT: format };
    const fake = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as unknown as Console;
    const patched = patchConsole({ env, console: fake, now: () => TIME });
    t.equal(patched.telemetryFd, fd);
    t.notOk(TELEMETRY_FD_ENV in env, 'removed from the environment');
    fake.warn('multi\nline é');
    (fake as unknown as { fatal: (m: string) => void }).fatal('last');
    closeSync(fd);
    const bytes = readFileSync(file);
    const frames: { type: number; text: string; micros: bigint }[] = [];
    for (let offset = 0; offset < bytes.length; ) {
      const length = bytes.readInt32BE(offset + 4);
      frames.push({
        type: bytes.readUInt32BE(offset),
        micros: bytes.readBigInt64BE(offset + 8),
        text: bytes.subarray(offset + 16, offset + 16 + length).toString('utf8'),
      });
      offset += 16 + length;
    }
    const base = format === 'JSON' ? 0xa55a0002 : 0xa55a0003;
    t.same(
      frames.map((f) => f.type),
      [(base | 0b10000) >>> 0, (base | 0b11000) >>> 0],
      `${format}: type words carry the level bits`,
    );
    t.same(
      frames.map((f) => f.micros),
      [BigInt(TIME.getTime()) * 1000n, BigInt(TIME.getTime()) * 1000n],
    );
    if (format === 'TEXT')
      t.equal(
        frames[0]?.text,
        '2026-01-02T03:04:05.678Z\tundefined\tWARN\tmulti\nline é\n',
        'text keeps its newlines, ends with one',
      );
    else
      t.same(JSON.parse(frames[0]?.text ?? ''), {
        timestamp: TIME.toISOString(),
        level: 'WARN',
        message: 'multi\nline é',
      });
  }
});

t.test('_LAMBDA_TELEMETRY_LOG_FD that is not a number: stdout, and the variable is still removed', async (t) => {
  const env: NodeJS.ProcessEnv = { [TELEMETRY_FD_ENV]: 'abc' };
  const patched = patchConsole({ env, console: { log() {} } as unknown as Console });
  t.equal(patched.telemetryFd, undefined);
  t.notOk(TELEMETRY_FD_ENV in env);
  patched.restore();
});

t.test('telemetrySink() - a busy descriptor is retried, a broken one dropped without throwing', async (t) => {
  const written: number[] = [];
  let calls = 0;
  const flaky = ((_fd: number, _buffer: Buffer, _offset: number, length: number) => {
    calls++;
    if (calls === 1) throw Object.assign(new Error('busy'), { code: 'EAGAIN' });
    const n = Math.min(length, 10);
    written.push(n);
    return n;
  }) as unknown as typeof import('node:fs').writeSync;
  telemetrySink(99, 'TEXT', flaky)({ name: 'INFO', rank: 3, frameMask: 12 }, 'hello', TIME);
  t.equal(
    written.reduce((a, b) => a + b, 0),
    16 + 6,
    'every byte written, in pieces',
  );
  const broken = (() => {
    throw Object.assign(new Error('closed'), { code: 'EBADF' });
  }) as unknown as typeof import('node:fs').writeSync;
  t.doesNotThrow(() => telemetrySink(99, 'JSON', broken)({ name: 'INFO', rank: 3, frameMask: 12 }, '{}', TIME));
  t.equal(formatArgs(['%s', 'x']), 'x');
});
