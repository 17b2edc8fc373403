/**
 * Every environment variable `snapstart-runtime` reads is documented: in the Lambda guide's table
 * (docs/lambda.md) and in `snapstart-runtime --help`. The list is taken from the source, so a new
 * variable without docs fails here.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Names read as `env.NAME`, `env['NAME']` or quoted as a constant (`'SNAPSTART_…'`, `'AWS_LAMBDA_…'`). */
function variablesReadBy(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    const code = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\*|\/\/)/.test(line)) // comments name variables too
      .join('\n');
    for (const match of code.matchAll(/env\??\.([A-Z_][A-Z0-9_]+)|env\[['"]([A-Z_][A-Z0-9_]+)['"]\]/g)) {
      names.add((match[1] ?? match[2]) as string);
    }
    for (const match of code.matchAll(/['"]((?:SNAPSTART|AWS_LAMBDA|_LAMBDA)_[A-Z0-9_]+)['"]/g)) {
      names.add(match[1] as string);
    }
  }
  return names;
}

// Set by the runtime, not read: `_X_AMZN_TRACE_ID` (per invocation). Set by `snapstart simulate` for
// its own use: `SNAPSTART_REPORT_FD` (documented in the table, not a user's knob in --help).
const SET_NOT_READ = new Set(['_X_AMZN_TRACE_ID']);
const NOT_IN_HELP = new Set(['SNAPSTART_REPORT_FD']);

t.test('snapstart-runtime - every environment variable it reads is in docs/lambda.md and --help', async (t) => {
  const read = [...variablesReadBy(sourceFiles(join(root, 'src', 'lambda')))].filter((name) => !SET_NOT_READ.has(name));
  t.ok(read.length >= 20, `found ${read.length} variables: ${read.join(', ')}`);
  const guide = readFileSync(join(root, 'docs', 'lambda.md'), 'utf8');
  const table = guide.split('\n').filter((line) => line.startsWith('| `'));
  const help = spawnSync(process.execPath, [join(root, 'dist', 'lambda', 'bin.js'), '--help'], { encoding: 'utf8' });
  t.equal(help.status, 0, 'snapstart-runtime --help (build first: npm run build)');
  for (const name of read.sort()) {
    const mentioned = new RegExp(`\\b${name}\\b`);
    t.ok(
      table.some((line) => mentioned.test(line)),
      `${name}: a row of docs/lambda.md's variable tables`,
    );
    if (!NOT_IN_HELP.has(name)) t.match(help.stdout, mentioned, `${name}: in --help`);
  }
});
