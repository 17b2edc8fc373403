/**
 * Where a syntax error in the function's code is: `file:line`. Loaded only when a handler module
 * fails to compile.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** How long the compile check of an ES module graph may take before the location is given up. */
const CHECK_TIMEOUT = 10_000;

/**
 * The compile check run in a child process: compiles the static import graph of the module named by
 * its argument, never running it (a CommonJS file as a function body, an ES module as a
 * `vm.SourceTextModule`). The first syntax error is left uncaught, so Node prints where it is.
 */
const CHECKER = `
import vm from 'node:vm';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const isModule = (file) => {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); !dir.endsWith(path.sep + 'node_modules'); dir = path.dirname(dir)) {
    try { return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))?.type === 'module'; } catch {}
    if (path.dirname(dir) === dir) return false;
  }
  return false;
};
const seen = new Set();
const queue = [process.argv[1]];
while (queue.length > 0 && seen.size < 2000) {
  const url = queue.shift();
  if (seen.has(url)) continue;
  seen.add(url);
  const file = fileURLToPath(url);
  let source;
  try { source = fs.readFileSync(file, 'utf8'); } catch { continue; }
  if (source.startsWith('#!')) source = '//' + source.slice(2);
  if (!isModule(file)) {
    vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
    continue;
  }
  const compiled = new vm.SourceTextModule(source, { identifier: url });
  for (const specifier of compiled.dependencySpecifiers) {
    if (!/^(\\.{1,2}\\/|\\/|file:)/.test(specifier)) continue;
    const next = new URL(specifier, url);
    if (/\\.(m|c)?js$/.test(next.pathname)) queue.push(next.href);
  }
}
`;

/**
 * The `file:line` of `error`, a `SyntaxError` thrown while loading `entry` (the handler module), or
 * `undefined` when it cannot be found. CommonJS syntax errors carry it in their stack; an ES module's
 * does not (Node prints it only for an uncaught error), so the module graph of `entry` is compiled again,
 * without running it, in a child process whose uncaught error names the place.
 */
export async function locateSyntaxError(error: SyntaxError, entry?: string): Promise<string | undefined> {
  const fromStack = locationLine(typeof error.stack === 'string' ? error.stack : '');
  if (fromStack !== undefined || entry === undefined) return fromStack;
  return locationLine(await compileCheck(entry));
}

/** The first `path:line` (or `file://...:line`) line of Node's error output, as a path. */
function locationLine(output: string): string | undefined {
  const match = /^(file:\/\/\S+|\/\S*?|[A-Za-z]:\\\S*?):(\d+)$/m.exec(output);
  if (match === null) return undefined;
  const file = (match[1] as string).startsWith('file://') ? fileURLToPath(match[1] as string) : (match[1] as string);
  return `${file}:${match[2]}`;
}

/** Runs the compile check on `entry` and returns what it wrote to stderr ('' when it could not run). */
function compileCheck(entry: string): Promise<string> {
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn(
      process.execPath,
      ['--experimental-vm-modules', '--no-warnings', '--input-type=module', '-e', CHECKER, pathToFileURL(entry).href],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: CHECK_TIMEOUT },
    );
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', () => resolve(''));
    child.on('close', () => resolve(stderr));
  });
}
