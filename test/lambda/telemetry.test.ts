// Issue 15.2 "done when": a snap-start lifecycle through the emulator with the runtime's telemetry on,
// in text and JSON log formats and with EMF opted in, its records parsed from the runtime's stdout. One
// child per log format, both started at once; the pieces' branches (switches, level filter, bounds, the
// record off) are tested in process in telemetry-units.test.ts.
import t, { type Test } from 'tap';
import { type RuntimeUnderTest, spawnRuntime, within } from '../helpers/lambda-harness.js';
import { documentedQueries, runQuery } from '../helpers/logs-insights.js';

const LONG = 30_000;
const HOSTILE = 'cache "warm"\nété';
const UNITS = new Set(['Milliseconds', 'Count']);

type Json = Record<string, unknown>;
type Hook = { index: number; name: string; priority: number; status: string; startMs: number; durationMs: number };

/**
 * Runs the fixture through init → snapshot → restore and, when the restore succeeds, to the first poll,
 * then stops it; resolves its stdout and exit code.
 */
async function lifecycle(
  t: Test,
  env: Record<string, string>,
  restoreSucceeds = true,
): Promise<{ stdout: string; code: number | string }> {
  const run: RuntimeUnderTest = await spawnRuntime(t, { handler: 'telemetry.handler', env });
  const { emulator } = run;
  await within(emulator.snapshotReached(), LONG, 'snapshot point');
  emulator.restore();
  if (restoreSucceeds) {
    await within(
      emulator.waitForRequest((r) => r.endpoint === 'invocation/next'),
      LONG,
      'the first poll after the restore',
    );
    await emulator.close();
  }
  const code = await within(run.exited, LONG, 'exit');
  return { stdout: run.stdout(), code };
}

/** The lines of stdout that are JSON objects (records in JSON format, EMF documents in both). */
function jsonLines(stdout: string): Json[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Json);
}

function emfDocuments(stdout: string): Json[] {
  return jsonLines(stdout).filter((line) => '_aws' in line);
}

/** Text-format phase records: `timestamp<TAB>requestId<TAB>LEVEL<TAB>summary<TAB>{json}`. */
function textRecords(t: Test, stdout: string): { level: string; summary: string; record: Json }[] {
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((fields) => fields[3]?.startsWith('SnapStart '))
    .map((fields) => {
      t.equal(fields.length, 5, 'prefix, summary and JSON, tab-separated, on one line');
      return { level: fields[2] as string, summary: fields[3] as string, record: JSON.parse(fields[4] as string) };
    });
}

/** Asserts that `document` is an EMF document as the specification requires it. */
function assertEmf(t: Test, document: Json): void {
  const aws = document._aws as Json;
  t.type(aws, 'object', '_aws is an object');
  t.ok(Number.isInteger(aws.Timestamp) && (aws.Timestamp as number) > 1.5e12, 'Timestamp: integer ms since the epoch');
  t.ok(Math.abs((aws.Timestamp as number) - Date.now()) < 10 * 60_000, 'Timestamp: now');
  const directives = aws.CloudWatchMetrics as Json[];
  t.ok(Array.isArray(directives) && directives.length === 1, 'one metric directive');
  for (const directive of directives) {
    t.equal(directive.Namespace, 'SnapStartHooks');
    const sets = directive.Dimensions as string[][];
    t.ok(Array.isArray(sets) && sets.length >= 1, 'Dimensions: an array of dimension sets');
    for (const set of sets) {
      t.ok(set.length <= 9, 'at most 9 dimensions in a set');
      for (const key of set) {
        const value = document[key];
        t.type(value, 'string', `dimension ${key} is a root member with a string value`);
        t.match(value, /^[\x20-\x7e]{1,1024}$/, `dimension ${key}: printable ASCII, 1 to 1024 characters`);
        t.match(value, /\S/, `dimension ${key}: not blank`);
      }
    }
    const metrics = directive.Metrics as Json[];
    t.ok(metrics.length >= 1 && metrics.length <= 100, 'Metrics: 1 to 100 definitions');
    for (const metric of metrics) {
      t.type(metric.Name, 'string');
      t.ok(UNITS.has(metric.Unit as string), `${metric.Name}: a CloudWatch unit`);
      const value = document[metric.Name as string];
      t.ok(typeof value === 'number' && Number.isFinite(value) && value >= 0, `${metric.Name}: a number >= 0`);
    }
  }
}

function assertHooks(t: Test, hooks: Hook[], names: string[], priorities: number[]): void {
  t.same(
    hooks.map((hook) => hook.name),
    names,
    'hooks in schedule order',
  );
  t.same(
    hooks.map((hook) => hook.index),
    names.map((_, index) => index),
  );
  t.same(
    hooks.map((hook) => hook.priority),
    priorities,
  );
  for (const hook of hooks) {
    t.equal(hook.status, 'fulfilled', `${hook.name}: fulfilled`);
    t.ok(hook.startMs >= 0 && hook.durationMs >= 0, `${hook.name}: start and duration are numbers >= 0`);
  }
}

t.test('snapstart-runtime telemetry - records and EMF metrics after each SnapStart phase', async (t) => {
  const [text, json] = await Promise.all([
    lifecycle(t, {}),
    lifecycle(
      t,
      { AWS_LAMBDA_LOG_FORMAT: 'JSON', SNAPSTART_EMF: '1', SNAPSTART_EMF_HOOKS: 'on', FIXTURE_MODE: 'fail-after' },
      false,
    ),
  ]);

  t.test('text format, defaults: one INFO record per phase, no metrics', async (t) => {
    const records = textRecords(t, text.stdout);
    t.same(
      records.map(({ level, record }) => [level, record.type, record.phase, record.ok]),
      [
        ['INFO', 'snapstart.phase', 'beforeSnapshot', true],
        ['INFO', 'snapstart.phase', 'afterRestore', true],
      ],
    );
    const [before, after] = records.map(({ record }) => record as Json & { hooks: Hook[] });
    assertHooks(t, before?.hooks ?? [], ['closePool', 'flushMetrics'], [10, 0]);
    assertHooks(t, after?.hooks ?? [], ['reconnectDb', HOSTILE], [5, 0]);
    t.ok((before?.hooks[0]?.durationMs ?? 0) >= 15, 'the 20 ms hook is timed as such');
    t.match(before, { hookCount: 2, failed: 0, skipped: 0, failedHooks: [], startedAt: /^\d{4}-.*Z$/ });
    t.ok((before?.durationMs as number) >= (before?.hooks[0]?.durationMs ?? 0), 'the phase lasts its hooks');
    t.match(records[0]?.summary, /^SnapStart beforeSnapshot: ok, 2 hooks in [\d.]+ ms$/);
    t.same(emfDocuments(text.stdout), [], 'no EMF record unless opted in');
  });

  t.test('JSON format, EMF and per-hook EMF on, a failing after-restore hook', async (t) => {
    t.equal(json.code, 65, 'the failed restore ends the runtime with 65');
    const lines = json.stdout.split('\n').filter(Boolean);
    t.ok(
      lines.every((line) => line.startsWith('{')),
      'every line of stdout is JSON',
    );
    const records = jsonLines(json.stdout).filter((line) => (line.message as Json)?.type === 'snapstart.phase');
    t.same(
      records.map((line) => [line.level, (line.message as Json).phase]),
      [
        ['INFO', 'beforeSnapshot'],
        ['ERROR', 'afterRestore'],
      ],
      'INFO when the phase succeeded, ERROR when it failed',
    );
    t.match(records[0], { timestamp: /Z$/, message: { ok: true, hookCount: 2 } });
    t.notOk('requestId' in (records[0] ?? {}), 'no request id outside an invocation');
    assertHooks(
      t,
      (records[0]?.message as { hooks: Hook[] } | undefined)?.hooks ?? [],
      ['closePool', 'flushMetrics'],
      [10, 0],
    );
    t.match(records[1]?.message, {
      ok: false,
      hookCount: 3,
      failed: 1,
      failedHooks: ['loadConfig'],
      hooks: [
        { name: 'reconnectDb', status: 'fulfilled' },
        { name: HOSTILE, status: 'fulfilled' },
        { name: 'loadConfig', status: 'rejected', error: 'config store unreachable' },
      ],
    });

    const documents = emfDocuments(json.stdout);
    for (const document of documents) assertEmf(t, document);
    t.same(
      documents.map((document) => [document.Phase, document.Hook ?? '(phase)', document.HookStatus ?? '']),
      [
        ['beforeSnapshot', '(phase)', ''],
        ['beforeSnapshot', 'closePool', 'fulfilled'],
        ['beforeSnapshot', 'flushMetrics', 'fulfilled'],
        ['afterRestore', '(phase)', ''],
        ['afterRestore', 'reconnectDb', 'fulfilled'],
        ['afterRestore', 'cache "warm"\\u000a\\u00e9t\\u00e9', 'fulfilled'],
        ['afterRestore', 'loadConfig', 'rejected'],
      ],
      'a phase document, then one per hook; the hook name, escaped to printable ASCII, is a dimension',
    );
    t.match(documents, [
      { FunctionName: 'snapstart-function', Phase: 'beforeSnapshot', HookCount: 2, FailedHooks: 0 },
      {},
      {},
      { FunctionName: 'snapstart-function', Phase: 'afterRestore', HookCount: 3, FailedHooks: 1 },
    ]);
    t.same((documents[0]?._aws as Json | undefined)?.CloudWatchMetrics, [
      {
        Namespace: 'SnapStartHooks',
        Dimensions: [['FunctionName', 'Phase']],
        Metrics: [
          { Name: 'PhaseDuration', Unit: 'Milliseconds' },
          { Name: 'HookCount', Unit: 'Count' },
          { Name: 'FailedHooks', Unit: 'Count' },
        ],
      },
    ]);
    t.same(((documents[1]?._aws as Json | undefined)?.CloudWatchMetrics as Json[] | undefined)?.[0]?.Dimensions, [
      ['FunctionName', 'Phase', 'Hook'],
    ]);
    t.ok((documents[1]?.HookDuration as number) >= 15, 'closePool took its 20 ms');
  });

  t.test('the Logs Insights queries of docs/observability.md list the slowest hooks from these records', async (t) => {
    const doc = new URL('../../docs/observability.md', import.meta.url);
    const [textQuery] = documentedQueries(doc, 'parse @message');
    const [jsonQuery] = documentedQueries(doc, 'jsonParse(@message)');
    const lines = (stdout: string) => stdout.split('\n').filter(Boolean);
    const byText = runQuery(textQuery ?? '', lines(text.stdout));
    const byJson = runQuery(jsonQuery ?? '', lines(json.stdout));
    const hooksOf = (rows: Json[], phaseKey: string) =>
      rows.map((row) => `${row[phaseKey]} ${row['hook.name']}`).sort();
    t.same(hooksOf(byText, 'r.phase'), [
      `afterRestore ${HOSTILE}`,
      'afterRestore reconnectDb',
      'beforeSnapshot closePool',
      'beforeSnapshot flushMetrics',
    ]);
    t.same(hooksOf(byJson, 'log.message.phase'), [
      `afterRestore ${HOSTILE}`,
      'afterRestore loadConfig',
      'afterRestore reconnectDb',
      'beforeSnapshot closePool',
      'beforeSnapshot flushMetrics',
    ]);
    for (const rows of [byText, byJson]) {
      const slowest = rows.map((row) => row.slowestMs as number);
      t.same(
        slowest,
        [...slowest].sort((a, b) => b - a),
        'slowest first',
      );
      t.ok(rows.every((row) => row.runs === 1 && typeof row.avgMs === 'number'));
      t.ok((rows.find((row) => row['hook.name'] === 'closePool')?.slowestMs as number) >= 15, 'closePool: 20 ms');
    }
  });

  t.test('the records docs/observability.md shows are shaped as the runtime prints them', async (t) => {
    const shown = documentedQueries(
      new URL('../../docs/observability.md', import.meta.url),
      '"type":"snapstart.phase"',
    );
    const [textLine, jsonLine] = shown.map((block) => block.trim());
    const shape = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.slice(0, 1).map(shape)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shape(item)]))
          : typeof value;
    const [realText] = textRecords(t, text.stdout);
    const [shownText] = textRecords(t, textLine ?? '');
    t.same(shape(shownText?.record), shape(realText?.record), 'the text example: same fields');
    t.equal(shownText?.level, 'INFO');
    t.match(textLine, /^\S+Z\tundefined\tINFO\tSnapStart afterRestore: ok, 2 hooks in [\d.]+ ms\t\{/);
    const realJson = jsonLines(json.stdout).find((line) => (line.message as Json)?.type === 'snapstart.phase');
    t.same(shape(JSON.parse(jsonLine ?? '{}')), shape(realJson), 'the JSON example: same fields');
  });
});
