/**
 * Test helper: the TypeScript samples of the Markdown docs, found, type-checked in one program and
 * run. The conventions are written for authors in docs/README.md ("How the samples are checked").
 *
 * - A sample is a fenced block whose info string starts with `ts` or `typescript`; `no-run` after
 *   the language (```` ```ts no-run ````) means type-check only.
 * - An HTML comment right above the fence, `<!-- prelude ... -->`, holds hidden TypeScript put
 *   before the sample (declarations and stand-ins the fragment needs); readers do not see it.
 * - Each sample is its own ES module: nothing is shared between samples.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { type ChildResult, finished } from './child.js';

/** One TypeScript block of a Markdown file. */
export interface Sample {
  /** The Markdown file, relative to the repository root (`README.md`, `docs/lambda.md`). */
  readonly file: string;
  /** 1-based line, in that file, of the sample's first line of code. */
  readonly line: number;
  /** `false` for ```` ```ts no-run ````: type-checked only. */
  readonly run: boolean;
  readonly code: string;
  /** Hidden code from a `<!-- prelude ... -->` comment right above the fence, and its first line. */
  readonly prelude?: { readonly code: string; readonly line: number };
}

const FENCE = /^( *)(`{3,}|~{3,})(.*)$/;
const TS_INFO = /^(ts|typescript)(\s|$)/;

/** Finds every TypeScript sample of `markdown` (the text of `file`). */
export function extractSamples(markdown: string, file: string): Sample[] {
  const lines = markdown.split(/\r?\n/);
  const samples: Sample[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index] as string);
    if (open === null) continue;
    const [, indent = '', fence = '', rest = ''] = open;
    const info = rest.trim();
    // A closing fence: the same character, at least as long, nothing after it (CommonMark).
    const closes = (text: string): boolean => {
      const close = FENCE.exec(text);
      return (
        close !== null &&
        close[2]?.[0] === fence[0] &&
        (close[2]?.length ?? 0) >= fence.length &&
        close[3]?.trim() === ''
      );
    };
    let end = index + 1;
    while (end < lines.length && !closes(lines[end] as string)) end++;
    if (TS_INFO.test(info)) {
      const body = lines
        .slice(index + 1, end)
        .map((text) => (text.startsWith(indent) ? text.slice(indent.length) : text.trimStart()));
      const prelude = findPrelude(lines, index);
      samples.push({
        file,
        line: index + 2,
        run: !info.split(/\s+/).includes('no-run'),
        code: body.join('\n'),
        ...(prelude === undefined ? {} : { prelude }),
      });
    }
    index = end;
  }
  return samples;
}

/** The `<!-- prelude ... -->` comment ending on the line right above the fence at `fenceIndex`. */
function findPrelude(lines: readonly string[], fenceIndex: number): Sample['prelude'] {
  const above = (lines[fenceIndex - 1] ?? '').trim();
  if (!above.endsWith('-->')) return undefined;
  let start = fenceIndex - 1;
  while (start >= 0 && !(lines[start] as string).trim().startsWith('<!--')) start--;
  if (start < 0) return undefined;
  const opening = /^<!--\s*prelude:?/.exec((lines[start] as string).trim());
  if (opening === null) return undefined;
  if (start === fenceIndex - 1) {
    // One line: <!-- prelude: const x = 1; -->
    const code = above.slice(opening[0].length, -3).trim();
    return { code, line: fenceIndex };
  }
  const first = (lines[start] as string).trim().slice(opening[0].length).trim();
  const inner = lines.slice(start + 1, fenceIndex - 1);
  const last = above.slice(0, -3).trim();
  const codeLines = [...(first === '' ? [] : [first]), ...inner, ...(last === '' ? [] : [last])];
  return { code: codeLines.join('\n'), line: first === '' ? start + 2 : start + 1 };
}

/** A sample as the module that is checked and run: prelude, code, and `export {}` (a module even without imports). */
export interface SampleModule {
  readonly sample: Sample;
  /** A short name for files: `docs-lambda-md-L49`. */
  readonly name: string;
  readonly text: string;
  /** Where a 0-based line of `text` is, in the Markdown file (1-based). */
  markdownLine(moduleLine: number): number;
}

export function toModule(sample: Sample): SampleModule {
  const preludeLines = sample.prelude === undefined ? [] : sample.prelude.code.split('\n');
  const name = `${sample.file.replace(/[^a-zA-Z0-9]+/g, '-')}-L${sample.line}`;
  return {
    sample,
    name,
    text: [...preludeLines, sample.code, 'export {};', ''].join('\n'),
    markdownLine: (moduleLine) =>
      moduleLine < preludeLines.length
        ? (sample.prelude?.line ?? 0) + moduleLine
        : sample.line + moduleLine - preludeLines.length,
  };
}

/**
 * Type-checks every module in one TypeScript program, with the project's compiler options, as if
 * each were a file of the repository: `snapstart-hooks` and its subpaths resolve through the
 * package's own `exports` to the built `.d.ts` files (run `npm run build` first).
 *
 * @returns per module, its diagnostics as `file:line:column - TSnnnn: message`.
 */
export function typeCheck(modules: readonly SampleModule[], root: string): Map<SampleModule, string[]> {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  const virtualDir = join(root, 'test', 'docs', '.samples');
  const byPath = new Map(modules.map((module) => [join(virtualDir, `${module.name}.mts`), module]));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => byPath.has(path) || fileExists.call(host, path);
  host.readFile = (path) => byPath.get(path)?.text ?? readFile.call(host, path);
  host.getSourceFile = (path, language, ...rest) => {
    const module = byPath.get(path);
    return module === undefined
      ? getSourceFile.call(host, path, language, ...rest)
      : ts.createSourceFile(path, module.text, language, true);
  };
  const program = ts.createProgram({ rootNames: [...byPath.keys()], options: { ...options, noEmit: true }, host });
  const result = new Map<SampleModule, string[]>(modules.map((module) => [module, []]));
  for (const [path, module] of byPath) {
    const source = program.getSourceFile(path);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const diagnostic of diagnostics) {
      const position =
        diagnostic.file !== undefined && diagnostic.start !== undefined
          ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
          : { line: 0, character: 0 };
      const where = `${module.sample.file}:${module.markdownLine(position.line)}:${position.character + 1}`;
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      result.get(module)?.push(`${where} - TS${diagnostic.code}: ${message}`);
    }
  }
  return result;
}

/** What one run of a sample did. */
export type SampleRun = ChildResult;

/**
 * A directory where samples run as `.mjs` files: under the repository's `node_modules/.cache`, so
 * that bare imports resolve to the project's dependencies, with a `node_modules/snapstart-hooks`
 * link to the repository itself (the package as installed, through its `exports`).
 */
export function createRunDirectory(root: string): { directory: string; remove(): void } {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const directory = mkdtempSync(join(cache, 'doc-samples-'));
  mkdirSync(join(directory, 'node_modules'));
  symlinkSync(
    relative(join(directory, 'node_modules'), root) || '.',
    join(directory, 'node_modules', 'snapstart-hooks'),
    'dir',
  );
  return { directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Transpiles `module` to JavaScript and runs it with plain `node`; kills it after `timeoutMs`. */
export function runModule(module: SampleModule, directory: string, timeoutMs: number): Promise<SampleRun> {
  const { outputText } = ts.transpileModule(module.text, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
    fileName: `${module.name}.mts`,
  });
  const path = join(directory, `${module.name}.mjs`);
  writeFileSync(path, outputText);
  // Plain node, as a user runs the sample: without the test runner's loaders (tsx, source maps).
  const { NODE_OPTIONS: _loaders, ...env } = process.env;
  const child = spawn(process.execPath, [path], { cwd: dirname(path), env, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child, timeoutMs);
}

/** Runs `task` over `items`, at most `limit` at a time; results in the order of `items`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
