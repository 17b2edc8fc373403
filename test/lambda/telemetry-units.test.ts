// The runtime's phase telemetry in process: switches, the phase record and its bounds, EMF documents
// and dimension values, and the writer through the patched console (level filter, telemetry frames).
// The spawned runtime's records are checked in telemetry.test.ts.
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import { HookTimeoutError } from '../../src/errors.js';
import { LifecycleBus, type PhaseReport, type SnapStartEvents } from '../../src/index.js';
import { startRuntime } from '../../src/lambda/index.js';
import { patchConsole } from '../../src/lambda/logging/console.js';
import { telemetrySink } from '../../src/lambda/logging/sinks.js';
import {
  dimensionValue,
  EMF_NAMESPACE,
  hookDocuments,
  MAX_DIMENSION_LENGTH,
  MAX_HOOK_DOCUMENTS,
  phaseDocument,
} from '../../src/lambda/telemetry/emf.js';
import { createPhaseTelemetry } from '../../src/lambda/telemetry/index.js';
import {
  MAX_HOOK_NAME_LENGTH,
  MAX_LISTED_HOOKS,
  phaseRecord,
  phaseRecordText,
} from '../../src/lambda/telemetry/phase-record.js';
import { EMF_ENV, EMF_HOOKS_ENV, PHASE_LOG_ENV, telemetrySettings } from '../../src/lambda/telemetry/settings.js';
import type { HookOutcome } from '../../src/types.js';
import { FIXTURES } from '../helpers/lambda-harness.js';

const STARTED = Date.parse('2026-01-02T03:04:05.000Z');

function report(hooks: HookOutcome[], event = 'afterRestore', ok = true): PhaseReport {
  return { event, ok, startedAt: STARTED, durationMs: 12.3456789, hooks };
}

function hook(
  name: string,
  durationMs: number,
  status: HookOutcome['status'] = 'fulfilled',
  error?: unknown,
): HookOutcome {
  return {
    name,
    priority: 0,
    status,
    startMs: status === 'skipped' ? -1 : 1.23456,
    durationMs,
    ...(error === undefined ? {} : { error }),
  };
}

t.test('telemetrySettings() - defaults, spellings, and warnings for values it does not understand', async (t) => {
  t.same(telemetrySettings({}), { phaseLog: true, emf: false, emfHooks: false, warnings: [] }, 'record on, EMF off');
  t.same(telemetrySettings({ [PHASE_LOG_ENV]: '', [EMF_ENV]: ' ' }), {
    phaseLog: true,
    emf: false,
    emfHooks: false,
    warnings: [],
  });
  for (const off of ['off', 'OFF', ' 0 ', 'false', 'No']) {
    t.equal(telemetrySettings({ [PHASE_LOG_ENV]: off }).phaseLog, false, `${PHASE_LOG_ENV}=${off}`);
  }
  for (const on of ['on', '1', 'TRUE', 'yes']) {
    t.same(
      telemetrySettings({ [EMF_ENV]: on, [EMF_HOOKS_ENV]: on }),
      { phaseLog: true, emf: true, emfHooks: true, warnings: [] },
      `${EMF_ENV}=${on}`,
    );
  }
  const typo = telemetrySettings({ [PHASE_LOG_ENV]: 'of', [EMF_ENV]: 'enabled\n' });
  t.same([typo.phaseLog, typo.emf], [true, false], 'an unknown value keeps the default');
  t.same(typo.warnings, [
    'SNAPSTART_PHASE_LOG="of" is neither on nor off (expected on, off, 1, 0, true, false, yes or no); kept the default, on',
    'SNAPSTART_EMF="enabled\\n" is neither on nor off (expected on, off, 1, 0, true, false, yes or no); kept the default, off',
  ]);
  const alone = telemetrySettings({ [EMF_HOOKS_ENV]: '1' });
  t.equal(alone.emfHooks, false, 'per-hook metrics need EMF on');
  t.match(alone.warnings, [/SNAPSTART_EMF_HOOKS is on but SNAPSTART_EMF is not: no EMF records are written/]);
});

t.test('phaseRecord() - a real phase: timed-out and rejected hooks with their reasons, skipped hooks', async (t) => {
  const bus = new LifecycleBus<SnapStartEvents>({ failFast: true });
  bus.on('afterRestore', () => new Promise((resolve) => setTimeout(resolve, 200)), { name: 'slow', timeout: 5 });
  bus.on('afterRestore', () => {}, { name: 'never' });
  const failed = await bus.emit('afterRestore').catch((error: { report: PhaseReport }) => error.report);
  const record = phaseRecord(failed);
  t.match(record, {
    type: 'snapstart.phase',
    phase: 'afterRestore',
    ok: false,
    hookCount: 2,
    failed: 1,
    skipped: 1,
    failedHooks: ['slow'],
    hooks: [
      { index: 0, name: 'slow', status: 'timedOut', error: 'timed out after 5 ms', startMs: 0 },
      { index: 1, name: 'never', status: 'skipped', startMs: -1, durationMs: 0 },
    ],
  });
  t.notOk('error' in (record.hooks[1] ?? {}), 'a skipped hook has no error');
  t.notOk('omittedHooks' in record);
  t.equal(new Date(record.startedAt).getTime(), failed.startedAt, 'startedAt in ISO 8601');

  const rejected = phaseRecord(
    report([hook('db', 3, 'rejected', new RangeError('bad\nport'))], 'beforeSnapshot', false),
  );
  t.match(
    rejected.hooks[0],
    { error: 'bad', startMs: 1.235, durationMs: 3 },
    'its first line, times rounded to the µs',
  );
  t.equal(rejected.durationMs, 12.346);
  t.match(
    phaseRecord(report([hook('late', 9, 'timedOut', new HookTimeoutError('late', 100, true))], 'x', false)).hooks[0],
    { error: 'still running at the phase deadline of 100 ms' },
  );
});

t.test('phaseRecord() - bounded: long names cut, at most 200 hooks listed, the failed and slowest kept', async (t) => {
  const long = phaseRecord(report([hook('n'.repeat(1_000), 1)]));
  t.equal(long.hooks[0]?.name.length, MAX_HOOK_NAME_LENGTH);
  t.match(long.hooks[0]?.name, /…$/);

  const many = Array.from({ length: 450 }, (_, index) => hook(`h${index}`, index % 7 === 0 ? 100 + index : 1));
  many[449] = hook('lastFailed', 0, 'rejected', new Error('boom'));
  const record = phaseRecord(report(many, 'afterRestore', false));
  t.equal(record.hooks.length, MAX_LISTED_HOOKS);
  t.equal(record.omittedHooks, 450 - MAX_LISTED_HOOKS);
  t.equal(record.hookCount, 450);
  const indexes = record.hooks.map((listed) => listed.index);
  t.same(
    indexes,
    [...indexes].sort((a, b) => a - b),
    'listed in schedule order',
  );
  t.ok(indexes.includes(449), 'the failed hook is listed');
  const slow = many.map((outcome, index) => [outcome, index] as const).filter(([outcome]) => outcome.durationMs >= 100);
  t.ok(
    slow.every(([, index]) => indexes.includes(index)),
    'every slow hook is listed',
  );
  t.equal(JSON.stringify(record).length < 64_000, true, 'far under a log event');
});

t.test('phaseRecordText() - a summary a person reads, a tab, the record as JSON', async (t) => {
  const one = phaseRecord(report([hook('only', 1)]));
  t.equal(phaseRecordText(one), `SnapStart afterRestore: ok, 1 hook in 12.3 ms\t${JSON.stringify(one)}`);
  const names = Array.from({ length: 7 }, (_, index) =>
    hook(index === 0 ? `tab\there${'x'.repeat(60)}` : `f${index}`, 1, 'rejected', new Error('e')),
  );
  const failed = phaseRecordText(phaseRecord(report(names, 'beforeSnapshot', false)));
  t.match(
    failed,
    /^SnapStart beforeSnapshot: failed, 7 of 7 hooks failed \(tab\\therex+…, f1, f2, f3, f4, \+2 more\) in 12\.3 ms\t\{/,
  );
  t.equal(failed.split('\t').length, 2, 'no tab but the separator');
  const aborted = phaseRecordText(phaseRecord(report([hook('s', 0, 'skipped')], 'afterRestore', false)));
  t.match(aborted, /^SnapStart afterRestore: failed, 1 hook in /, 'a failed phase without a failed hook');
});

t.test('dimensionValue() - printable ASCII, never blank, bounded', async (t) => {
  t.equal(dimensionValue('reconnectDb'), 'reconnectDb');
  t.equal(dimensionValue('a"b\\c'), 'a"b\\c', 'printable ASCII stays');
  t.equal(dimensionValue('été\n\u0000😀'), '\\u00e9t\\u00e9\\u000a\\u0000\\ud83d\\ude00');
  t.equal(dimensionValue(''), '(empty)');
  t.equal(dimensionValue('  '), '\\u0020\\u0020');
  const cut = dimensionValue('x'.repeat(2_000));
  t.equal(cut.length, MAX_DIMENSION_LENGTH);
  t.match(cut, /^x+\.\.\.$/);
});

t.test('phaseDocument() and hookDocuments() - to the EMF spec, bounded, skipped hooks left out', async (t) => {
  const phase = report([hook('db', 5), hook('gone', 0, 'skipped'), hook('bad', 1, 'timedOut', new Error('t'))]);
  const document = phaseDocument(phase, { functionName: undefined, functionVersion: undefined });
  t.same(document, {
    _aws: {
      Timestamp: Math.round(STARTED + 12.3456789),
      CloudWatchMetrics: [
        {
          Namespace: EMF_NAMESPACE,
          Dimensions: [['FunctionName', 'Phase']],
          Metrics: [
            { Name: 'PhaseDuration', Unit: 'Milliseconds' },
            { Name: 'HookCount', Unit: 'Count' },
            { Name: 'FailedHooks', Unit: 'Count' },
          ],
        },
      ],
    },
    FunctionName: '(unknown)',
    Phase: 'afterRestore',
    PhaseDuration: 12.346,
    HookCount: 3,
    FailedHooks: 1,
  });
  const source = { functionName: 'fn', functionVersion: '7' };
  t.same(
    hookDocuments(phase, source).map(({ Hook, HookDuration, HookStatus, FunctionVersion }) => [
      Hook,
      HookDuration,
      HookStatus,
      FunctionVersion,
    ]),
    [
      ['db', 5, 'fulfilled', '7'],
      ['bad', 1, 'timedOut', '7'],
    ],
  );
  const many = report(Array.from({ length: 130 }, (_, index) => hook(`h${index}`, index)));
  const documents = hookDocuments(many, source);
  t.equal(documents.length, MAX_HOOK_DOCUMENTS);
  t.equal(documents[0]?.Hook, 'h30', 'the slowest 100, in schedule order');
});

/** A patched console of our own whose records are captured. */
function capture(env: NodeJS.ProcessEnv) {
  const records: { level: string; text: string }[] = [];
  const target = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error() {} } as unknown as Console;
  const lambdaConsole = patchConsole({
    env,
    console: target,
    sink: (level, text) => records.push({ level: level.name, text }),
  });
  return { records, lambdaConsole };
}

t.test('createPhaseTelemetry() - off, switches warned, records through the patched console', async (t) => {
  const logs: string[] = [];
  t.equal(
    createPhaseTelemetry({ env: { [PHASE_LOG_ENV]: 'off' }, console: undefined, log: (m) => logs.push(m) }),
    undefined,
  );
  createPhaseTelemetry({ env: { [PHASE_LOG_ENV]: 'maybe' }, console: undefined, log: (m) => logs.push(m) });
  t.match(logs, [/^snapstart-runtime: warning: SNAPSTART_PHASE_LOG="maybe" is neither on nor off/]);

  const ok = report([hook('db', 2)]);
  const failed = report([hook('db', 2, 'rejected', new Error('down'))], 'afterRestore', false);
  const json = capture({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'warn' });
  const lines: string[] = [];
  const telemetry = createPhaseTelemetry({
    env: { [EMF_ENV]: 'on', AWS_LAMBDA_FUNCTION_NAME: 'orders' },
    console: json.lambdaConsole,
    log: () => {},
    writeLine: (line) => lines.push(line),
  });
  telemetry?.(ok);
  telemetry?.(failed);
  t.same(
    json.records.map(({ level }) => level),
    ['ERROR'],
    'AWS_LAMBDA_LOG_LEVEL=WARN drops the INFO record of a phase that succeeded',
  );
  t.match(JSON.parse(json.records[0]?.text ?? '{}'), {
    level: 'ERROR',
    message: { type: 'snapstart.phase', ok: false, failedHooks: ['db'], hooks: [{ error: 'down' }] },
  });
  t.same(
    lines.map((line) => JSON.parse(line)).map(({ FunctionName, FailedHooks }) => [FunctionName, FailedHooks]),
    [
      ['orders', 0],
      ['orders', 1],
    ],
    'metrics are not logs: the level filter does not drop them',
  );

  const metricsOnly: string[] = [];
  const silent = capture({ AWS_LAMBDA_LOG_FORMAT: 'JSON' });
  createPhaseTelemetry({
    env: { [PHASE_LOG_ENV]: 'off', [EMF_ENV]: 'on', [EMF_HOOKS_ENV]: 'on' },
    console: silent.lambdaConsole,
    log: () => {},
    writeLine: (line) => metricsOnly.push(line),
  })?.(ok);
  t.same(silent.records, [], `${PHASE_LOG_ENV}=off: no record`);
  t.same(
    metricsOnly.map((line) => JSON.parse(line)).map((document) => document.Hook ?? '(phase)'),
    ['(phase)', 'db'],
    'but the metrics, with per-hook documents',
  );
  silent.lambdaConsole.restore();

  const text = capture({});
  createPhaseTelemetry({ env: {}, console: text.lambdaConsole, log: () => {} })?.(ok);
  t.match(text.records, [
    { level: 'INFO', text: /^\S+Z\tundefined\tINFO\tSnapStart afterRestore: ok, 1 hook in [^\t]+\t\{"type"/ },
  ]);
  json.lambdaConsole.restore();
  text.lambdaConsole.restore();
});

t.test('createPhaseTelemetry() - records are framed onto the telemetry descriptor', async (t) => {
  const file = path.join(tmpdir(), `snapstart-telemetry-${process.pid}.bin`);
  const fd = openSync(file, 'w');
  t.teardown(() => rmSync(file, { force: true }));
  const target = { trace() {}, debug() {}, info() {}, log() {}, warn() {}, error() {} } as unknown as Console;
  const lambdaConsole = patchConsole({ env: {}, console: target, sink: telemetrySink(fd, 'TEXT') });
  createPhaseTelemetry({ env: {}, console: lambdaConsole, log: () => {} })?.(report([hook('db', 2)]));
  closeSync(fd);
  const bytes = readFileSync(file);
  t.equal(bytes.readUInt32BE(0).toString(16), 'a55a000f', 'a text frame at INFO');
  t.match(bytes.subarray(16).toString(), /\tINFO\tSnapStart afterRestore: ok, 1 hook in .*\}\n$/);
});

t.test('createPhaseTelemetry() - without a patched console, and never throwing', async (t) => {
  const calls: [string, string][] = [];
  const { info, error } = console;
  console.info = (message: string) => calls.push(['info', message]);
  console.error = (message: string) => calls.push(['error', message]);
  try {
    const telemetry = createPhaseTelemetry({
      env: { [EMF_ENV]: '1', [EMF_HOOKS_ENV]: '1' },
      console: undefined,
      log: () => {},
      writeLine: () => {
        throw new Error('EPIPE');
      },
    });
    t.doesNotThrow(() => telemetry?.(report([hook('db', 1)])), 'a failing write does not reach the phase');
    telemetry?.(report([hook('db', 1, 'rejected', 'x')], 'afterRestore', false));
  } finally {
    console.info = info;
    console.error = error;
  }
  t.same(
    calls.map(([method]) => method),
    ['info', 'error'],
    'text records through console.info and console.error',
  );
  t.match(calls[1]?.[1], /^SnapStart afterRestore: failed, 1 of 1 hook failed \(db\)/);
});

t.test('phase records and EMF documents never throw on hostile hook names or thrown values', async (t) => {
  const names = ['', '   ', '\u0000\u001b[2J\r\n', '\ud800 lone surrogate', '"}]},{"type":"fake"', 'x'.repeat(20_000)];
  const { proxy, revoke } = Proxy.revocable(new Error('revoked'), {});
  revoke();
  const getter = Object.defineProperty(new Error('getter'), 'message', {
    get() {
      throw new Error('no message for you');
    },
  });
  const thrown = [proxy, getter, Object.create(null), Symbol('s'), 10n, undefined];
  const hooks = names.flatMap((name, index) => [
    hook(name, index, 'rejected', thrown[index]),
    hook(name, index, 'timedOut', new HookTimeoutError(name, 5)),
    hook(name, 0, 'skipped'),
  ]);
  const phase = report(hooks, 'afterRestore\n\u001b', false);
  const source = { functionName: '\u0000', functionVersion: '1' };
  let record: ReturnType<typeof phaseRecord> | undefined;
  t.doesNotThrow(() => {
    record = phaseRecord(phase);
  }, 'phaseRecord');
  const text = phaseRecordText(record as ReturnType<typeof phaseRecord>);
  t.notOk(
    [...text].some((char) => char.charCodeAt(0) < 0x20 && char !== '\t'),
    'the text record is one line without control characters',
  );
  const json = text.slice(text.indexOf('\t') + 1);
  t.same(JSON.parse(json).failed, names.length * 2, 'its JSON parses, every failure counted');
  t.ok(json.length < 100_000, `bounded (${json.length} characters)`);
  const documents = [phaseDocument(phase, source), ...hookDocuments(phase, source)];
  t.equal(documents.length, 1 + names.length * 2, 'a document per hook that ran');
  for (const document of documents) {
    for (const key of ['FunctionName', 'Phase', 'Hook'].filter((key) => key in document))
      t.match(document[key], /^[\x20-\x7e]{1,250}$/, `${key}: a valid dimension value`);
    t.doesNotThrow(() => JSON.parse(JSON.stringify(document)));
  }
});

t.test('startRuntime() - phase records under snap-start only: an on-demand function writes none', async (t) => {
  const records = async (initType: 'on-demand' | 'snap-start'): Promise<string[]> => {
    const emulator = await RuntimeApiEmulator.start({ initType, autoRestore: true });
    const bus = new LifecycleBus<SnapStartEvents>();
    bus.on('beforeSnapshot', () => {}, { name: 'close' });
    bus.on('afterRestore', () => {}, { name: 'open' });
    const written: string[] = [];
    const { info } = console;
    console.info = (message: unknown) => void written.push(String(message));
    try {
      const env = { ...emulator.runtimeEnv(), _HANDLER: 'faults.echo', LAMBDA_TASK_ROOT: FIXTURES };
      const [code] = await Promise.all([
        startRuntime({ env, bus, patchConsole: false, maxInvocations: 1, log: () => {} }),
        emulator.invoke({ ping: 1 }),
      ]);
      t.equal(code, 0, `${initType}: served its invocation`);
    } finally {
      console.info = info;
      await emulator.close();
    }
    return written.filter((line) => line.startsWith('SnapStart '));
  };
  t.same(await records('on-demand'), [], 'on-demand: no record');
  t.match(
    await records('snap-start'),
    [/^SnapStart beforeSnapshot: ok/, /^SnapStart afterRestore: ok/],
    'snap-start: two',
  );
});
