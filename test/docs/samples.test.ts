/**
 * Every TypeScript sample of README.md and docs/ is type-checked against the built package (one
 * program for all of them) and, unless marked `no-run`, run with plain `node`. A failure names the
 * Markdown file and line. The conventions are in docs/README.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import {
  createRunDirectory,
  extractSamples,
  mapLimit,
  runModule,
  type Sample,
  type SampleModule,
  type SampleRun,
  toModule,
  typeCheck,
} from '../helpers/doc-samples.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** A sample that takes longer than this is killed: samples must end on their own, and quickly. */
const RUN_TIMEOUT_MS = 20_000;

function markdownFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];
const samples = files.flatMap((path) => extractSamples(readFileSync(path, 'utf8'), relative(root, path)));

// The checker's own proof that it can fail: broken samples, checked in the same program.
const broken = extractSamples(
  [
    '# broken',
    '',
    '```ts no-run',
    "import { LifecycleBus } from 'snapstart-hooks';",
    "const count: string = new LifecycleBus().listenerCount('x');",
    '```',
    '',
    '<!-- prelude',
    'const answer = 42;',
    '-->',
    '```ts',
    "throw new Error('sample failed with ' + answer);",
    '```',
  ].join('\n'),
  'test/broken.md',
);

t.test('extractSamples() - finds ts blocks with their line, flags and prelude, and nothing else', async (t) => {
  const found = extractSamples(
    [
      '```sh', // 1
      'npm test',
      '```',
      '<!-- prelude: const a = 1; -->', // 4
      '```ts',
      'a;', // 6
      '```',
      '````md', // 8
      '```ts',
      'not a sample: inside another fence',
      '```',
      '````',
      '- in a list:', // 13
      '  ```typescript no-run',
      '  const b: number = 2;', // 15
      '    b;',
      '  ```',
      '<!-- prelude', // 18
      'const c = 3;',
      '-->',
      '```ts',
      'c;', // 22
      '```',
      '<!-- just a comment -->',
      '```ts',
      'd;', // 26
      '```',
    ].join('\n'),
    'x.md',
  );
  t.same(
    found.map(({ line, run, code, prelude }) => ({ line, run, code, prelude })),
    [
      { line: 6, run: true, code: 'a;', prelude: { code: 'const a = 1;', line: 4 } },
      { line: 15, run: false, code: 'const b: number = 2;\n  b;', prelude: undefined },
      { line: 22, run: true, code: 'c;', prelude: { code: 'const c = 3;', line: 19 } },
      { line: 26, run: true, code: 'd;', prelude: undefined },
    ],
  );
  const module = toModule(found[2] as Sample);
  t.equal(module.markdownLine(0), 19, 'a prelude line maps to the comment');
  t.equal(module.markdownLine(1), 22, 'a code line maps to the block');
});

t.test('README.md and docs/ - every TypeScript sample type-checks and runs', async (t) => {
  t.ok(
    existsSync(join(root, 'dist', 'index.d.ts')),
    'the samples are checked against the built package: run npm run build first',
  );
  t.ok(samples.length >= 15, `found ${samples.length} samples in ${files.length} files`);
  const started = performance.now();
  const modules = [...samples, ...broken].map(toModule);
  const diagnostics = typeCheck(modules, root);
  const typeCheckSeconds = (performance.now() - started) / 1000;

  const { directory, remove } = createRunDirectory(root);
  t.teardown(remove);
  const runnable = modules.filter((module) => module.sample.run);
  const runs = new Map<SampleModule, SampleRun>();
  const results = await mapLimit(runnable, Math.max(2, availableParallelism()), (module) =>
    runModule(module, directory, RUN_TIMEOUT_MS),
  );
  for (const [index, module] of runnable.entries()) runs.set(module, results[index] as SampleRun);
  t.comment(
    `${modules.length - broken.length} samples: type check ${typeCheckSeconds.toFixed(1)} s, ${runnable.length - 1} runs ${((performance.now() - started) / 1000 - typeCheckSeconds).toFixed(1)} s`,
  );

  const [badType, badRun] = modules.slice(-broken.length);
  t.match(
    diagnostics.get(badType as SampleModule),
    [/^test\/broken\.md:5:7 - TS2322: Type 'number' is not assignable to type 'string'/],
    'a type error is reported at its Markdown file, line and column',
  );
  t.match(runs.get(badRun as SampleModule), { code: 1, stderr: /sample failed with 42/ }, 'a failing run is seen');

  for (const module of modules.slice(0, -broken.length)) {
    const { file, line } = module.sample;
    t.test(`${file}:${line}`, async (t) => {
      t.same(diagnostics.get(module), [], 'type-checks');
      const run = runs.get(module);
      if (run === undefined) return;
      const why = run.timedOut
        ? `still running after ${RUN_TIMEOUT_MS} ms`
        : `exit code ${run.code}, signal ${run.signal}`;
      const ok = run.code === 0 && !run.timedOut;
      t.ok(ok, ok ? 'runs' : `runs (${file}:${line}: ${why})\n${run.stderr}`);
    });
  }
});
