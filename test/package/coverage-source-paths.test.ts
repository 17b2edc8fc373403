/**
 * scripts/coverage-source-paths.mjs, which lets c8 count what child processes run in the bundled
 * entries: the source maps Node records for a bundle list file URLs, and c8 12 drops every function
 * and branch of such a map (its include globs never match a URL).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import { bundleSourcesToPaths } from '../../scripts/coverage-source-paths.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface MapEntry {
  data: { sources: string[] } | null;
}
type CoverageFile = { result: unknown[]; 'source-map-cache'?: Record<string, MapEntry> };

function temporary(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'snapstart-coverage-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

t.test(
  'bundleSourcesToPaths() - rewrites the sources of many-source maps only, and leaves the rest as it was',
  async (t) => {
    const directory = temporary(t);
    const a = pathToFileURL('/work/src/a.ts').href;
    const b = pathToFileURL('/work/src/b.ts').href;
    const bundle: CoverageFile = {
      result: [],
      'source-map-cache': {
        'file:///work/dist/chunk.js': { data: { sources: [a, b] } },
        'file:///work/dist/one.js': { data: { sources: [a] } },
        'file:///work/dist/none.js': { data: null },
      },
    };
    const single: CoverageFile = {
      result: [],
      'source-map-cache': { 'file:///work/dist/one.js': { data: { sources: [a] } } },
    };
    writeFileSync(join(directory, 'bundle.json'), JSON.stringify(bundle));
    const singleText = JSON.stringify(single);
    writeFileSync(join(directory, 'single.json'), singleText);
    writeFileSync(join(directory, 'notes.txt'), `"${a}","${b}"`);

    t.equal(bundleSourcesToPaths(directory), 1, 'one file changed');
    const rewritten = JSON.parse(readFileSync(join(directory, 'bundle.json'), 'utf8')) as CoverageFile;
    t.same(rewritten['source-map-cache']?.['file:///work/dist/chunk.js']?.data?.sources, [
      '/work/src/a.ts',
      '/work/src/b.ts',
    ]);
    t.same(
      rewritten['source-map-cache']?.['file:///work/dist/one.js']?.data?.sources,
      [a],
      'a one-source map keeps its URL',
    );
    t.equal(
      readFileSync(join(directory, 'single.json'), 'utf8'),
      singleText,
      'a file with no many-source map is not rewritten',
    );
    t.equal(bundleSourcesToPaths(directory), 0, 'running it again changes nothing');
  },
);

t.test(
  'bundleSourcesToPaths() - on the coverage of a process that imports the built package, no bundle source stays a URL',
  { skip: !existsSync(`${root}dist/index.js`) && 'dist/ is not built' },
  async (t) => {
    const directory = temporary(t);
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', "import 'snapstart-hooks/lambda'"], {
      cwd: root,
      env: { ...process.env, NODE_V8_COVERAGE: directory },
      encoding: 'utf8',
      timeout: 60_000,
    });
    t.equal(child.status, 0, child.stderr);
    const manySources = (): string[][] =>
      readdirSync(directory)
        .filter((name) => name.endsWith('.json'))
        .flatMap((name) => {
          const coverage = JSON.parse(readFileSync(join(directory, name), 'utf8')) as CoverageFile;
          return Object.values(coverage['source-map-cache'] ?? {}).flatMap((entry) =>
            entry.data !== null && entry.data.sources.length > 1 ? [entry.data.sources] : [],
          );
        });
    const before = manySources();
    t.ok(before.length > 0, 'the built entries load chunks made of several modules');
    t.ok(
      before.flat().every((source) => source.startsWith('file:')),
      'Node records their sources as file URLs',
    );
    t.ok(bundleSourcesToPaths(directory) > 0);
    const after = manySources().flat();
    t.ok(
      after.every((source) => source.startsWith(join(root, 'src'))),
      'each is now a path into src/',
    );
  },
);
