/**
 * Node built-in modules loaded on first use rather than at import: each one a module imports
 * eagerly is paid by every `import 'snapstart-hooks'`, also where the code that needs it never runs.
 *
 * @module
 */
import { createRequire } from 'node:module';

/**
 * The built-in module `name` (e.g. `'node:crypto'`): through `process.getBuiltinModule` (Node >=
 * 20.16), else through `require`.
 */
export function loadBuiltin<T>(name: string): T {
  return typeof process.getBuiltinModule === 'function'
    ? (process.getBuiltinModule(name) as T)
    : (createRequire(import.meta.url)(name) as T);
}
