/**
 * Resolving and importing the function handler named by `_HANDLER`.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handler } from 'aws-lambda';
import { HandlerLoadError } from './errors.js';

/**
 * Extensions tried, in order, for the module part of `_HANDLER`. The TypeScript ones load only when
 * Node runs with a TypeScript loader (e.g. `--import tsx`); without one Node reports the import error.
 */
export const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

/** `_HANDLER` split into its module path and the property path of the export. */
export interface HandlerName {
  /** The module path relative to the task root, without extension, e.g. `src/app`. */
  modulePath: string;
  /** The export's property path, e.g. `['handler']` or `['handlers', 'main']`. */
  exportPath: string[];
}

/**
 * Splits `_HANDLER`: the module is everything up to the first `.` after the last `/`, the rest is
 * the export (dots in it walk into nested objects).
 *
 * @throws HandlerLoadError (`Runtime.MalformedHandlerName`) when there is no `module.export`, or when
 *   the module path is absolute or climbs out of the task root (`../x.handler`).
 *
 * @example
 * ```ts
 * parseHandlerName('src/app.handler'); // { modulePath: 'src/app', exportPath: ['handler'] }
 * ```
 */
export function parseHandlerName(handler: string | undefined): HandlerName {
  const value = handler ?? '';
  const slash = value.lastIndexOf('/');
  const dot = value.indexOf('.', slash + 1);
  const modulePath = dot > slash + 1 ? value.slice(0, dot) : '';
  const exportPath = dot === -1 ? [] : value.slice(dot + 1).split('.');
  if (modulePath === '' || exportPath.length === 0 || exportPath.some((part) => part === '')) {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      `Bad handler ${JSON.stringify(value)}: expected "file.export", e.g. "index.handler" or "src/app.handler"`,
    );
  }
  // The module must live in the task root: an absolute path or one climbing out of it is refused.
  const normal = path.posix.normalize(modulePath);
  if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      `Bad handler ${JSON.stringify(value)}: the module path ${JSON.stringify(modulePath)} leaves the task root; name a file inside it, e.g. "src/app.handler"`,
    );
  }
  return { modulePath, exportPath };
}

/**
 * Finds the handler module in `taskRoot`, imports it (its top level runs now: this is Lambda's init
 * phase, where hooks get registered) and returns the exported function. ESM and CommonJS modules
 * both work; a CommonJS module's exports are also looked up on its `default` export.
 *
 * @throws HandlerLoadError (and nothing else) with `errorType` `Runtime.MalformedHandlerName`,
 *   `Runtime.ImportModuleError` (module missing, it threw while loading, or reading the export threw)
 *   or `Runtime.HandlerNotFound` (no such function exported).
 *
 * @example
 * ```ts
 * const handler = await loadHandler('/var/task', 'src/app.handler');
 * ```
 */
export async function loadHandler(taskRoot: string, handler: string | undefined): Promise<Handler> {
  const name = parseHandlerName(handler);
  const file = await findModule(taskRoot, name.modulePath);
  let namespace: unknown;
  try {
    namespace = await import(pathToFileURL(file).href);
  } catch (cause) {
    throw new HandlerLoadError('Runtime.ImportModuleError', `Error importing ${file}: ${describe(cause)}`, cause);
  }
  let found: unknown;
  try {
    found = lookup(namespace, name.exportPath) ?? lookup(lookup(namespace, ['default']), name.exportPath);
  } catch (cause) {
    // A CommonJS getter may throw when the export is read.
    throw new HandlerLoadError(
      'Runtime.ImportModuleError',
      `Error reading ${JSON.stringify(name.exportPath.join('.'))} from ${file}: ${describe(cause)}`,
      cause,
    );
  }
  if (typeof found !== 'function') {
    throw new HandlerLoadError(
      'Runtime.HandlerNotFound',
      `${handler} is undefined or not exported: ${path.basename(file)} has no function export ${JSON.stringify(name.exportPath.join('.'))}`,
    );
  }
  return found as Handler;
}

async function findModule(taskRoot: string, modulePath: string): Promise<string> {
  const base = path.resolve(taskRoot, modulePath);
  const tried: string[] = [];
  for (const extension of HANDLER_EXTENSIONS) {
    const candidate = base + extension;
    tried.push(path.basename(candidate));
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not this extension; try the next
    }
  }
  throw new HandlerLoadError(
    'Runtime.ImportModuleError',
    `Cannot find module ${JSON.stringify(modulePath)} in ${taskRoot} (tried ${tried.join(', ')})`,
  );
}

function lookup(value: unknown, keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if ((typeof current !== 'object' && typeof current !== 'function') || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function describe(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
