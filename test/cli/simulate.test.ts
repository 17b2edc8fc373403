/**
 * `snapstart simulate`: progress as it happens, the waterfall, JSON, exit codes, and bad usage. The CLI
 * runs in this process (its simulations spawn the compiled runtime); one run goes through the built bin.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runBuiltCli, runMain, type Teardown } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/lambda-harness.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/lambda/', import.meta.url));

async function tempDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'snapstart-cli-simulate-'));
  t.teardown(() => void rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test(
  'snapstart simulate - prints each step as it happens, then the waterfall; or JSON only with --json',
  async (t) => {
    const text = await runMain([
      'simulate',
      FIXTURES,
      '--handler',
      'app.handler',
      '--invocations',
      '2',
      '--event',
      `${EXAMPLE}event.json`,
      '--no-color',
    ]);
    t.equal(text.code, 0, text.stderr);
    const [progress = '', summary = ''] = text.stdout.split(/\n(?=snapstart simulate: )/);
    t.match(progress, /^ +\+[\d.]+ ms {2}init: import app\.handler ok in [\d.]+ ms$/m);
    t.match(progress, /^ +\+[\d.]+ ms {2}beforeSnapshot \(2 hooks\) ok in [\d.]+ ms$/m);
    t.match(
      progress,
      /^ +\+[\d.]+ ms {2}snapshot \+ restore \(restore\/next\) ok in [\d.]+ ms\n +\+[\d.]+ ms {2}afterRestore running…$/m,
    );
    // Announced when delivered, reported when answered (the runtime's own report lines may come in between).
    t.match(
      progress,
      /^ +\+[\d.]+ ms {2}invocation 1 running…$[\s\S]*^ +\+[\d.]+ ms {2}invocation 1 ok in [\d.]+ ms$/m,
    );
    t.match(summary, /^snapstart simulate: app\.handler in .* \(snap-start\) ok/);
    t.match(summary, /^beforeSnapshot \(2 hooks\) +\+[\d.]+ ms +[\d.]+ ms \|[ █]+\| ok$/m);
    t.match(summary, /^ {2}reconnectDb +\+[\d.]+ ms +[\d.]+ ms \|[ ▒]+\| ok$/m);
    t.match(
      summary,
      /Invocations \(2\):\n {2}#1 [0-9a-f-]{36} ok in [\d.]+ ms: \{"event":\{"source":"snapstart simulate"/,
    );
    t.notMatch(summary, /Runtime output:/, 'the output was printed as it came');

    // The bin itself, once: plain node, the compiled CLI and runtime.
    const json = await runBuiltCli(t, [
      'simulate',
      FIXTURES,
      '--handler',
      'app.handler',
      '--json',
      '--env',
      'FIXTURE_MODE=before-fail',
    ]);
    t.equal(json.code, 1);
    const simulation = JSON.parse(json.stdout);
    t.equal(simulation.ok, false);
    t.equal(simulation.exitCode, 64);
    t.match(simulation.errors[0], { endpoint: 'init/error', errorType: 'Runtime.BeforeSnapshotError' });
    t.match(simulation.beforeSnapshot.hooks, [
      { name: 'flushCache', status: 'fulfilled' },
      { name: 'closeDb', status: 'rejected', error: 'cannot close db' },
    ]);
  },
);

t.test(
  'snapstart simulate - exit 0 with a hook skipped by unsubscription; a null event; a .ts hint; a refused handler',
  async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'null.json'), 'null');
    await writeFile(join(dir, 'handler.ts'), 'export const handler = async (): Promise<number> => 1;\n');
    const skipped = await runMain(['simulate', FIXTURES, '--handler', 'unsubscribe.handler', '--no-color']);
    const nullEvent = await runMain([
      'simulate',
      FIXTURES,
      '--handler',
      'faults.echo',
      '--event',
      join(dir, 'null.json'),
      '--json',
    ]);
    const typescript = await runMain([
      'simulate',
      dir,
      '--handler',
      'handler.handler',
      '--init-type',
      'on-demand',
      '--no-color',
    ]);
    const refused = await runMain(['simulate', FIXTURES, '--handler', '../escape.handler', '--no-color']);
    t.equal(skipped.code, 0, 'a skipped hook alone does not fail the phase');
    t.match(skipped.stdout, /^ {2}late +\| +\| ok skipped$/m);
    t.equal(nullEvent.code, 0, nullEvent.stderr);
    t.same(JSON.parse(nullEvent.stdout).invocations[0].body, { event: null }, 'null, not {}');
    t.equal(typescript.code, 1);
    t.match(
      typescript.stdout,
      /Hint: The handler is TypeScript and node has no TypeScript loader: pass one, e\.g\. `--node-arg=--import=tsx`/,
    );
    t.equal(refused.code, 1);
    t.match(refused.stdout, /init: import \.\.\/escape\.handler .* FAIL Runtime\.MalformedHandlerName/);
    t.match(
      refused.stdout,
      /init\/error Runtime\.MalformedHandlerName: '\.\.\/escape\.handler' is not a valid handler name/,
    );
    t.match(refused.stdout, 'Runtime exited with code 129');
  },
);

t.test('snapstart simulate - bad usage exits 2 with the usage and a message naming the value', async (t) => {
  const dir = await tempDir(t);
  const badJson = join(dir, 'bad.json');
  await writeFile(badJson, '{"orderId": ');
  const aFile = join(dir, 'file.txt');
  await writeFile(aFile, 'x');
  const base = ['simulate', FIXTURES, '--handler', 'faults.echo'];
  const rows: [string[], string | RegExp][] = [
    [['simulate'], 'missing <task-root>'],
    [['simulate', FIXTURES], 'missing --handler'],
    [['simulate', FIXTURES, 'extra', '--handler', 'a.b'], 'unexpected argument "extra"'],
    [['simulate', '--bogus'], "Unknown option '--bogus'"],
    [[...base, '--handlr', 'x'], "Unknown option '--handlr'"],
    [['simulate', FIXTURES, '--handler'], "Option '--handler <value>' argument missing"],
    [[...base, '--invocations'], "Option '--invocations <value>' argument missing"],
    [
      [...base, '--invocations', '-1'],
      '--invocations got "-1", which looks like an option; to pass it as the value write --invocations=-1',
    ],
    [[...base, '--invocations=-1'], '--invocations must be an integer from 0 to 100000, got -1'],
    [[...base, '--invocations', 'two'], '--invocations must be a number, got "two"'],
    [[...base, '--invocations', ''], '--invocations must be a number, got ""'],
    [[...base, '--invocations', '1.5'], '--invocations must be an integer from 0 to 100000, got 1.5'],
    [[...base, '--invocations', '100001'], '--invocations must be an integer from 0 to 100000, got 100001'],
    [[...base, '--init-type', 'warm'], `--init-type must be one of 'snap-start', 'on-demand', got "warm"`],
    [[...base, '--init-type', 'provisioned-concurrency'], '--init-type must be one of'],
    [[...base, '--init-type'], "Option '--init-type <value>' argument missing"],
    [[...base, '--timeout', '0'], '--timeout must be an integer from 1 to 2147483647, got 0'],
    [[...base, '--timeout', 'Infinity'], '--timeout must be a number, got "Infinity"'],
    [[...base, '--timeout', '99999999999'], '--timeout must be an integer from 1 to 2147483647, got 99999999999'],
    [[...base, '--timeout', '-5'], '--timeout got "-5", which looks like an option'],
    [[...base, '--function-timeout', '0'], '--function-timeout must be an integer from 1 to 2147483647, got 0'],
    [[...base, '--env', 'NOEQUALS'], '--env must be KEY=VALUE, got "NOEQUALS"'],
    [[...base, '--env', '=value'], '--env must be KEY=VALUE, got "=value"'],
    [['simulate', FIXTURES, '--handler='], 'options.handler must not be empty'],
    [[...base, '--event', '/nonexistent.json'], /cannot read the event from \/nonexistent\.json: ENOENT/],
    [[...base, '--event', badJson], /cannot read the event from .*bad\.json: .*JSON/],
    [['simulate', join(dir, 'missing'), '--handler', 'a.b'], /<task-root> ".*missing" is not a directory/],
    [['simulate', aFile, '--handler', 'a.b'], /<task-root> ".*file\.txt" is not a directory/],
  ];
  for (const [args, message] of rows) {
    const result = await runMain(args);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
    t.match(result.stderr, 'Usage: snapstart simulate', `${args.join(' ')}: with the usage`);
  }
  const help = await runMain(['simulate', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: snapstart simulate <task-root> --handler file\.export/);
  t.match(help.stdout, /--function-timeout <ms>/);
});
