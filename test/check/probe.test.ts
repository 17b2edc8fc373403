import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { readResult, runNode } from '../../src/check/child.js';
import { publishedReader, READER_KEY, readerSource } from '../../src/check/inject.js';
import { initialize, load } from '../../src/check/loader-hooks.js';
import { CheckRunError, failureOf, findCallable, observe, type ProbeSpec, readValues } from '../../src/check/probe.js';
import { parseValuePath } from '../../src/check/values.js';

const handlerSpec = (event: unknown = { name: 'x' }): ProbeSpec => ({
  call: { kind: 'handler', exportPath: ['handler'] },
  event,
  values: [],
});

t.test('findCallable() - the named export, also under a CommonJS default', async (t) => {
  const handler = () => 1;
  t.equal(findCallable({ handler }, handlerSpec()), handler);
  t.equal(findCallable({ default: { handler } }, handlerSpec()), handler);
  t.equal(findCallable({}, { event: undefined, values: [] }), undefined, 'nothing to call');
  t.throws(() => findCallable({ handler: 'no' }, handlerSpec()), {
    name: 'CheckRunError',
    stage: 'usage',
    message: '--handler: the module has no function export "handler"',
  });
  const probe: ProbeSpec = { call: { kind: 'probe', exportPath: ['a', 'b'] }, event: undefined, values: [] };
  t.throws(() => findCallable({ a: null }, probe), { message: '--probe: the module has no function export "a.b"' });
});

t.test('failureOf() - a failed result for anything thrown', async (t) => {
  t.same(failureOf(new CheckRunError('init', 'no config')), { ok: false, stage: 'init', message: 'no config' });
  t.same(failureOf(new TypeError('bad')), { ok: false, stage: 'probe', message: 'TypeError: bad' });
  t.same(failureOf(42), { ok: false, stage: 'probe', message: 'non-Error value 42' });
});

t.test('observe() - calls a handler with the event and a Lambda context', async (t) => {
  const seen: unknown[] = [];
  const handler = async (event: unknown, context: { awsRequestId: string; getRemainingTimeInMillis(): number }) => {
    seen.push(event, context.awsRequestId, context.getRemainingTimeInMillis() > 0);
    return { ok: true, when: new Date(0) };
  };
  const observation = await observe(handler as never, handlerSpec());
  t.same(observation, { values: {}, output: { ok: true, when: '1970-01-01T00:00:00.000Z' } });
  t.same(seen[0], { name: 'x' });
  t.match(seen[1], /^[0-9a-f-]{36}$/);
  t.equal(seen[2], true);
});

t.test('observe() - callback handlers, probes, and failures', async (t) => {
  const callback = (_event: unknown, _context: unknown, done: (error: unknown, result?: unknown) => void) => {
    setImmediate(() => done(null, 'via callback'));
  };
  t.equal((await observe(callback as never, handlerSpec())).output, 'via callback');
  const failing = (_e: unknown, _c: unknown, done: (error: unknown) => void) => done(new Error('cb failed'));
  await t.rejects(observe(failing as never, handlerSpec()), {
    stage: 'probe',
    message: 'handler threw Error: cb failed',
  });
  const probe: ProbeSpec = { call: { kind: 'probe', exportPath: ['probe'] }, event: 7, values: [] };
  t.equal((await observe(((n: number) => n * 2) as never, probe)).output, 14);
  const throwing = () => {
    throw 'a string';
  };
  await t.rejects(observe(throwing as never, probe), CheckRunError);
  t.same(await observe(undefined, { event: undefined, values: [] }), { values: {} });
});

t.test('readerSource() - publishes a reader of top-level bindings, exported or not', async (t) => {
  t.teardown(() => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for(READER_KEY)];
  });
  t.equal(publishedReader(), undefined);
  t.throws(() => readValues([parseValuePath('salt')]), { stage: 'usage', message: /the module was not extended/ });
  new Function(
    `let salt = 'abc'; const config = { db: { host: 'h' }, get broken() { throw new Error('no'); } }; ${readerSource(['salt', 'config', 'salt', 'missing'])}`,
  )();
  const read = publishedReader();
  t.equal(read?.('salt'), 'abc');
  t.throws(() => read?.('other'), ReferenceError);
  t.same(readValues([parseValuePath('salt'), parseValuePath('config.db.host'), parseValuePath('config.nope.x')]), {
    salt: 'abc',
    'config.db.host': 'h',
    'config.nope.x': { $snapstart: 'undefined' },
  });
  t.same(
    readValues([parseValuePath('config.broken')]),
    { 'config.broken': { $snapstart: 'undefined' } },
    'a getter that throws',
  );
  t.throws(() => readValues([parseValuePath('missing')]), {
    stage: 'usage',
    message: '--value missing: there is no such binding at its top level',
  });
  (globalThis as Record<symbol, unknown>)[Symbol.for(READER_KEY)] = () => {
    throw new Error('getter broke');
  };
  t.throws(() => readValues([parseValuePath('x')]), { message: '--value x: Error: getter broke' });
  t.same(readValues([]), {});
});

t.test('loader hooks - append the reader to the checked module only, CommonJS included', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'snapstart-check-hooks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.cjs');
  await writeFile(file, 'const secret = 1;\n');
  const url = pathToFileURL(file).href;
  await initialize({ url, source: '/*reader*/' });
  const esm = await load(`${url}?x=1`, {}, async () => ({ format: 'module', source: 'let a;' }));
  t.equal(esm.source, 'let a;/*reader*/');
  const cjs = await load(url, {}, async () => ({ format: 'commonjs', source: null }));
  t.equal(cjs.source, 'const secret = 1;\n/*reader*/', 'Node gives no CommonJS source: read from the file');
  const bytes = await load(url, {}, async () => ({ format: 'module', source: new TextEncoder().encode('b') }));
  t.equal(bytes.source, 'b/*reader*/');
  const other = await load('file:///elsewhere.mjs', {}, async () => ({ format: 'module', source: 'x' }));
  t.equal(other.source, 'x');
});

t.test('runNode() and readResult() - results, crashes and timeouts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'snapstart-check-child-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'result.json');
  const crash = await runNode(['-e', 'console.error("dying words"); process.exit(3)'], {}, 30_000);
  t.same(await readResult(file, crash, 30_000, 'init'), {
    ok: false,
    stage: 'init',
    message: 'the checked process exited with code 3 before reporting; its output ended with:\ndying words',
  });
  const hang = await runNode(['-e', 'setInterval(() => {}, 1000)'], {}, 300);
  t.equal(hang.timedOut, true);
  t.same(await readResult(file, hang, 300, 'probe'), {
    ok: false,
    stage: 'timeout',
    message: 'the checked process did not finish within 300 ms',
  });
  t.match(await readResult(file, { ...hang, timedOut: false }, 300, 'probe'), { message: /was killed by SIGKILL/ });
  await writeFile(file, JSON.stringify({ ok: true, atInit: {}, restores: [] }));
  t.same(await readResult(file, crash, 1, 'init'), { ok: true, atInit: {}, restores: [] });
});
