import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as typescriptParser from '@typescript-eslint/parser';
import { Linter, type Linter as LinterTypes } from 'eslint';
import t from 'tap';
import plugin, { rules } from '../../src/eslint/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ruleNames = ['no-unique-value-at-init', 'require-close-before-snapshot', 'no-hook-in-handler'];

/**
 * Lints one file with the recommended config. TypeScript files go through typescript-eslint's parser
 * (a dev dependency): the rules read plain ESTree, so no type information is needed.
 */
function lint(file: string, config: LinterTypes.Config = plugin.configs.recommended): LinterTypes.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  const typescript = /\.[cm]?ts$/.test(file);
  return linter.verify(
    readFileSync(file, 'utf8'),
    [
      {
        files: ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '**/*.cjs'],
        languageOptions: {
          ecmaVersion: 'latest',
          sourceType: 'module',
          ...(typescript ? { parser: typescriptParser } : {}),
        },
      },
      config,
    ],
    file,
  );
}

/** The 1-based line of the first line of `file` containing `text`. */
function lineOf(file: string, text: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(text)) + 1
  );
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:[cm]?ts|[cm]?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

t.test('plugin - meta, one module per rule, and the recommended config', async (t) => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  t.same(plugin.meta, { name: 'snapstart-hooks/eslint', version, namespace: 'snapstart-hooks' });
  t.same(Object.keys(plugin.rules), ruleNames);
  t.equal(plugin.rules, rules);
  const guide = readFileSync(join(root, 'docs/uniqueness.md'), 'utf8');
  for (const name of ruleNames) {
    const meta = rules[name]?.meta;
    t.equal(meta?.type, 'problem', name);
    t.same(meta?.schema, [], `${name} takes no options`);
    t.ok(meta?.docs?.description, `${name} is described`);
    t.equal(meta?.docs?.recommended, true);
    t.match(guide, new RegExp(`^### \`${name}\`$`, 'm'), `${name} has its section in docs/uniqueness.md`);
  }
  t.same(plugin.configs.recommended.plugins, { 'snapstart-hooks': plugin });
  t.same(
    plugin.configs.recommended.rules,
    Object.fromEntries(ruleNames.map((name) => [`snapstart-hooks/${name}`, 'error'])),
  );
});

t.test('lint - the buggy example: every offending value, with its file and line', async (t) => {
  const file = join(root, 'examples/uniqueness/buggy.mjs');
  const messages = lint(file).map(({ ruleId, line, message }) => ({ ruleId, line, message }));
  t.match(messages, [
    {
      ruleId: 'snapstart-hooks/no-unique-value-at-init',
      line: lineOf(file, 'const requestSalt'),
      message: /^'requestSalt' keeps a random value made at init by crypto\.randomBytes\(\)/,
    },
    {
      ruleId: 'snapstart-hooks/no-unique-value-at-init',
      line: lineOf(file, 'const instanceId'),
      message: /^'instanceId' keeps a random value made at init by crypto\.randomUUID\(\)/,
    },
    {
      ruleId: 'snapstart-hooks/require-close-before-snapshot',
      line: lineOf(file, 'new https.Agent'),
      message: /^new https\.Agent\(\{ keepAlive: true \}\) opens a connection at init \('agent'\)/,
    },
    {
      ruleId: 'snapstart-hooks/require-close-before-snapshot',
      line: lineOf(file, 'setInterval('),
      message: /^setInterval\(\) starts a timer at init/,
    },
  ]);
  t.equal(messages.length, 4);
});

t.test('lint - the fixed example and every other example of this repository are clean', async (t) => {
  const files = sourceFiles(join(root, 'examples')).filter((file) => !file.endsWith('buggy.mjs'));
  t.ok(files.some((file) => file.endsWith('fixed.mjs')));
  t.ok(
    files.some((file) => file.endsWith('.ts')),
    'TypeScript examples are linted too',
  );
  for (const file of files) t.same(lint(file), [], relative(root, file));
});

t.test('lint - a file that fails to parse reports the parse error, not a crash', async (t) => {
  const linter = new Linter({ configType: 'flat' });
  const [message] = linter.verify('const = ;', [plugin.configs.recommended], 'broken.mjs');
  t.equal(message?.fatal, true);
});

t.test(
  'package - snapstart-hooks/eslint loads through the package exports',
  { skip: !existsSync(join(root, 'dist/eslint/index.js')) && 'dist/ is not built' },
  async (t) => {
    const built = (await import('snapstart-hooks/eslint')).default;
    t.same(Object.keys(built.rules), ruleNames);
    const linter = new Linter({ configType: 'flat' });
    const messages = linter.verify('export const id = crypto.randomUUID();', [built.configs.recommended], 'x.mjs');
    t.match(messages, [{ ruleId: 'snapstart-hooks/no-unique-value-at-init', line: 1, column: 19 }]);
  },
);
