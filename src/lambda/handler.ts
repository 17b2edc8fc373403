/**
 * Finding and importing the function handler named by `_HANDLER`, in the order AWS's Node.js runtime
 * searches, with its error types.
 *
 * @module
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handler } from 'aws-lambda';
import { isError } from '../util/thrown.js';
import { checkName, readArray, readOptions } from '../validate.js';
import { errorHeadline, HandlerLoadError, valueText } from './errors.js';

type NodeRequire = ReturnType<typeof import('node:module').createRequire>;

/** A `require` of this module's own, created on first use (`node:module` costs import time). */
let requireHere: NodeRequire | undefined;
async function nodeRequire(): Promise<NodeRequire> {
  requireHere ??= (await import('node:module')).createRequire(import.meta.url);
  return requireHere;
}

/** `_HANDLER` split into where its module is and which export to serve. */
export interface HandlerName {
  /** The directory part, as written (`''`, `src/`, `/opt/nodejs/`). */
  moduleRoot: string;
  /** The module name: the file name up to its first dot, e.g. `app` for `src/app.handler`. */
  moduleName: string;
  /** The export's property path, e.g. `['handler']` or `['handlers', 'main']`. */
  exportPath: string[];
}

/** Options of {@link loadHandler}. */
export interface LoadHandlerOptions {
  /**
   * The directories searched, after the task root's own files, for a module that is not there (AWS:
   * the `node_modules` chain of the task root, then `NODE_PATH`, whose default holds the layer
   * directories `/opt/nodejs/nodeNN/node_modules` and `/opt/nodejs/node_modules`). Default: Node's
   * search paths for `NODE_PATH` as it is now (see `moduleSearchPaths`).
   */
  searchPaths?: readonly string[];
}

/**
 * Splits `_HANDLER` as AWS's runtime does: the module is the last path segment up to its first dot,
 * the rest the export (dots in it walk into nested objects).
 *
 * @throws HandlerLoadError `Runtime.MalformedHandlerName` when `..` appears anywhere, or when the last
 *   segment has no dot.
 *
 * @example
 * ```ts
 * parseHandlerName('src/app.handler'); // { moduleRoot: 'src/', moduleName: 'app', exportPath: ['handler'] }
 * ```
 */
export function parseHandlerName(handler: string | undefined): HandlerName {
  const value = typeof handler === 'string' ? handler : '';
  if (value.includes('..')) {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      `'${value}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = value.lastIndexOf('/');
  const file = value.slice(slash + 1);
  const dot = file.indexOf('.');
  if (dot === -1) throw new HandlerLoadError('Runtime.MalformedHandlerName', 'Bad handler');
  return {
    moduleRoot: value.slice(0, slash + 1),
    moduleName: file.slice(0, dot),
    exportPath: file.slice(dot + 1).split('.'),
  };
}

/** How a found file is loaded: CommonJS through `require`, or as an ES module through `import()`. */
type Loader = 'require' | 'import';

/** A file that will be loaded, and the root whose real path it must stay inside (none for an absolute `_HANDLER`). */
interface Candidate {
  file: string;
  loader: Loader;
  root: string | undefined;
}

/** TypeScript files load when Node runs with a TypeScript loader (e.g. `--import tsx`); AWS has none. */
const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts'] as const;

/**
 * Finds the handler module, loads it (its top level runs now: this is Lambda's init phase, where hooks
 * are registered) and returns the exported function. The search is AWS's, first match wins:
 *
 * 1. `<taskRoot>/<dir>/<module>` itself (an extensionless file, or a directory's `index.js`), via `require`;
 * 2. `<module>.js`: `require`d, or `import`ed when the nearest `package.json` says `"type": "module"`;
 * 3. `<module>.mjs` (`import`), then `<module>.cjs` (`require`); then `.ts`, `.mts`, `.cts` (this runtime only);
 * 4. `<module>` on the search paths: the task root's `node_modules` chain, `NODE_PATH` (layers), Node's global folders.
 *
 * Only the module's own exports are served (`index.constructor` is not a handler), and a file inside the
 * task root that is a link to a file outside it is refused: its real path must stay inside the root it
 * was found under. An absolute `_HANDLER` (e.g. a layer's `/opt/nodejs/node_modules/pkg/handler.handler`)
 * is loaded where it points, as AWS does.
 *
 * @throws HandlerLoadError `Runtime.MalformedHandlerName`, `Runtime.ImportModuleError` (module not
 *   found), `Runtime.UserCodeSyntaxError` (a `SyntaxError` while loading) or `Runtime.HandlerNotFound`;
 *   any other value the module throws while loading is rethrown as it is, as AWS's runtime does.
 *
 * @example
 * ```ts
 * const handler = await loadHandler('/var/task', 'src/app.handler');
 * ```
 */
export async function loadHandler(
  taskRoot: string,
  handler: string | undefined,
  options: LoadHandlerOptions = {},
): Promise<Handler> {
  const name = parseHandlerName(handler);
  const require = await nodeRequire();
  const given = readOptions('options', options, ['searchPaths']);
  const paths = readArray('options.searchPaths', given.searchPaths);
  for (const [index, entry] of (paths ?? []).entries()) checkName(`options.searchPaths[${index}]`, entry);
  const searchPaths = (paths as string[] | undefined) ?? (await import('./node-path.js')).moduleSearchPaths();
  let candidate: Candidate | undefined;
  let loaded: unknown;
  try {
    candidate = findModule(require, taskRoot, name, searchPaths);
    loaded = await load(require, candidate);
  } catch (error) {
    throw await classifyLoadError(error, candidate?.loader === 'import' ? candidate.file : undefined);
  }
  const found = exportAt(loaded, name.exportPath);
  if (!found) throw new HandlerLoadError('Runtime.HandlerNotFound', `${handler} is undefined or not exported`);
  if (typeof found !== 'function')
    throw new HandlerLoadError('Runtime.HandlerNotFound', `${handler} is not a function`);
  return found as Handler;
}

/**
 * The file `handler`'s module resolves to under `taskRoot`, by the same search as {@link loadHandler}
 * (the task root's files, then its `node_modules` chain), without loading it. Used by tools that
 * take a `_HANDLER` (`snapstart check`).
 *
 * @throws HandlerLoadError (`Runtime.MalformedHandlerName`), or an Error with code `MODULE_NOT_FOUND`.
 */
export async function resolveHandlerFile(taskRoot: string, handler: string): Promise<string> {
  return findModule(await nodeRequire(), path.resolve(taskRoot), parseHandlerName(handler), []).file;
}

/** The module's own export at `keys`, or `undefined`: inherited properties (`constructor`, `toString`) do not count. */
function exportAt(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if ((typeof current !== 'object' && typeof current !== 'function') || current === null) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function findModule(
  require: NodeRequire,
  taskRoot: string,
  name: HandlerName,
  searchPaths: readonly string[],
): Candidate {
  const base = path.resolve(taskRoot, name.moduleRoot, name.moduleName);
  const root = path.isAbsolute(name.moduleRoot) ? undefined : taskRoot;
  if (existsSync(base)) {
    // A directory resolves to its package.json "main" or index.js, as `require(dir)` does.
    return { file: statSync(base).isDirectory() ? require.resolve(base) : base, loader: 'require', root };
  }
  const typeModule = existsSync(`${base}.js`) && nearestPackageIsModule(path.dirname(base));
  const tries: [string, Loader][] = [
    ['.js', typeModule ? 'import' : 'require'],
    ['.mjs', 'import'],
    ['.cjs', 'require'],
    ...TYPESCRIPT_EXTENSIONS.map((extension): [string, Loader] => [extension, 'import']),
  ];
  for (const [extension, loader] of tries) {
    if (existsSync(base + extension)) return { file: base + extension, loader, root };
  }
  for (const directory of lookupDirectories(taskRoot, name.moduleRoot, searchPaths)) {
    const file = resolveIn(require, directory, name.moduleName);
    if (file !== undefined) return { file, loader: file.endsWith('.mjs') ? 'import' : 'require', root: directory };
  }
  throw Object.assign(new Error(`Cannot find module '${name.moduleName}'\nRequire stack:\n- ${fileOfThisModule()}`), {
    code: 'MODULE_NOT_FOUND',
  });
}

/**
 * Where a module that is not in the task root is looked for, in the order Node's `require.resolve`
 * uses for AWS's `paths: [taskRoot, moduleRoot]`: the `node_modules` chain above the task root, the
 * search paths, then the chain above the module root; each directory once.
 */
function lookupDirectories(taskRoot: string, moduleRoot: string, searchPaths: readonly string[]): string[] {
  return [...new Set([...nodeModulesChain(taskRoot), ...searchPaths, ...nodeModulesChain(path.resolve(moduleRoot))])];
}

/** `dir/node_modules`, `dir/../node_modules`, ... up to `/node_modules` (a `node_modules` dir is not nested again). */
function nodeModulesChain(directory: string): string[] {
  const chain: string[] = [];
  for (let current = path.resolve(directory); ; current = path.dirname(current)) {
    if (path.basename(current) !== 'node_modules') chain.push(path.join(current, 'node_modules'));
    if (path.dirname(current) === current) return chain;
  }
}

/** The file `require` would load for `name` inside `directory` (file, extensions, or package), if any. */
function resolveIn(require: NodeRequire, directory: string, name: string): string | undefined {
  try {
    return require.resolve(path.join(directory, name));
  } catch {
    return undefined;
  }
}

/**
 * Whether the nearest `package.json` above `directory` says `"type": "module"`. The walk stops at a
 * `node_modules` directory or the file-system root (no package: CommonJS), as AWS's runtime stops.
 */
function nearestPackageIsModule(directory: string): boolean {
  for (let current = directory; !current.endsWith(`${path.sep}node_modules`); current = path.dirname(current)) {
    const manifest = path.join(current, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown } | null)?.type === 'module';
      } catch {
        return false; // unreadable: ignored for module detection, as AWS does
      }
    }
    if (path.dirname(current) === current) return false;
  }
  return false;
}

async function load(require: NodeRequire, candidate: Candidate): Promise<unknown> {
  const file = confine(candidate);
  if (candidate.loader === 'import') return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (error) {
    // An ES module found where AWS would `require` it and `require` cannot take (older Node, or a
    // top-level await): import it, as Node 22's `require(esm)` would have loaded it.
    const code = codeOf(error);
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return import(pathToFileURL(file).href);
    throw error;
  }
}

/**
 * The real path of the file to load, after checking it stays inside the real path of the root it was
 * found under: a link inside the task root that points outside it must not load code from there.
 */
function confine(candidate: Candidate): string {
  const real = realpathSync(candidate.file);
  if (candidate.root === undefined) return real;
  const root = realpathSync(candidate.root);
  const relative = path.relative(root, real);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw Object.assign(
      new Error(
        `Cannot load '${candidate.file}': it is a link to '${real}', outside '${candidate.root}'; copy the file into the task root instead`,
      ),
      { code: 'MODULE_NOT_FOUND' },
    );
  }
  return real;
}

/**
 * AWS's error types for a failed load: a `SyntaxError` is `Runtime.UserCodeSyntaxError` (with the
 * file and line where the syntax error is, which AWS's runtime leaves out), a missing module
 * `Runtime.ImportModuleError`; anything else the module threw stays as it is.
 */
async function classifyLoadError(error: unknown, esmEntry: string | undefined): Promise<unknown> {
  if (isError(error) && error instanceof SyntaxError) {
    const { locateSyntaxError } = await import('./syntax-location.js');
    const where = await locateSyntaxError(error, esmEntry);
    const headline = errorHeadline('SyntaxError', safeMessage(error));
    const loadError = new HandlerLoadError(
      'Runtime.UserCodeSyntaxError',
      where === undefined ? headline : `${headline} (${where})`,
      error,
    );
    if (where !== undefined) insertFrame(loadError, `    at ${where}`);
    return loadError;
  }
  if (codeOf(error) === 'MODULE_NOT_FOUND') {
    return new HandlerLoadError('Runtime.ImportModuleError', valueText(error), error);
  }
  return error;
}

/** Puts `frame` first among the stack's frames, so the trace points at the user's file. */
function insertFrame(error: Error, frame: string): void {
  const stack = error.stack ?? '';
  const at = stack.search(/\n\s+at /);
  error.stack = at === -1 ? `${stack}\n${frame}` : `${stack.slice(0, at)}\n${frame}${stack.slice(at)}`;
}

function safeMessage(error: Error): string {
  try {
    return typeof error.message === 'string' ? error.message : '';
  } catch {
    return '';
  }
}

function codeOf(error: unknown): unknown {
  try {
    return (error as { code?: unknown } | null | undefined)?.code;
  } catch {
    return undefined;
  }
}

function fileOfThisModule(): string {
  return new URL(import.meta.url).pathname;
}
