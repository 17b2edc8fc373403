/**
 * Loading esbuild, the optional peer dependency that `snapstart snapshot` and `snapstart bundle`
 * bundle with, only when one of them runs.
 *
 * @module
 */
import { inspectThrown } from '../util/thrown.js';

/**
 * Imports `specifier` (esbuild, or a stand-in in tests) for the command `what` (e.g. "snapstart
 * bundle"), typed as the part of esbuild's API that command uses.
 *
 * @throws Error saying how to install esbuild when `specifier` itself cannot be found; any other
 * load error as thrown.
 */
export async function importEsbuild<T>(what: string, specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    if (isModuleNotFound(error, specifier)) {
      throw new Error(
        `${what} needs esbuild, and ${JSON.stringify(specifier)} could not be found: install it with \`npm install --save-dev esbuild\``,
      );
    }
    throw error;
  }
}

/**
 * Whether `error` says that `specifier` itself could not be found (not one of its own imports). The
 * code is checked first; the message too, because an error thrown by a module loader hook (tsx, for
 * one) can cross from the hooks thread without its `code`.
 */
function isModuleNotFound(error: unknown, specifier: string): boolean {
  const { code, message } = inspectThrown(error);
  const namesIt = /^Cannot find (?:package|module) /.test(message) && message.includes(`'${specifier}'`);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return namesIt || !message.includes("'");
  return namesIt;
}
