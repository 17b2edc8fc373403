/**
 * Reading a module's top-level bindings from outside: a line appended to the module's source (by a
 * loader hook, or an esbuild plugin when bundling) publishes a reader on `globalThis`. It runs in the
 * module's own scope, so it sees `const`/`let`/function bindings that are not exported.
 *
 * @module
 */

/** The `globalThis` key of the reader (`Symbol.for`, shared by every copy of this package). */
export const READER_KEY = 'snapstart-hooks.check.read-binding';

/** The reader a module publishes: the value of one of its bindings, throwing ReferenceError when it has none. */
export type BindingReader = (name: string) => unknown;

/**
 * The source appended to the checked module: a function returning each named binding. The names
 * were validated as identifiers (`parseValuePath`), so they can be written into code as they are.
 */
export function readerSource(names: readonly string[]): string {
  const cases = [...new Set(names)].map((name) => `case ${JSON.stringify(name)}: return ${name};`).join(' ');
  return `\n;globalThis[Symbol.for(${JSON.stringify(READER_KEY)})] = (name) => { switch (name) { ${cases} } throw new ReferenceError(name + ' is not defined'); };\n`;
}

/** The reader the checked module published, if it did. */
export function publishedReader(): BindingReader | undefined {
  const reader = (globalThis as Record<symbol, unknown>)[Symbol.for(READER_KEY)];
  return typeof reader === 'function' ? (reader as BindingReader) : undefined;
}
