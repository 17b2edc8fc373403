/**
 * The text of a new hook registration for a suggestion, through whatever the file already imports
 * from `snapstart-hooks` (`registerAfterRestore` by any local name, or `snapStartBus`), or with an
 * import added to an ES module.
 *
 * @module
 */
import type { Rule } from 'eslint';
import type * as ES from 'estree';
import type { Node } from './ast.js';
import type { LifecycleEvent } from './hooks.js';
import type { Resolver } from './resolve.js';

const PACKAGE = 'snapstart-hooks';

/** How to register a hook in this file. */
export interface HookWriter {
  /** A statement registering a hook whose body is `body`, e.g. `registerAfterRestore(() => { x = f(); });`. */
  statement(body: string, indent: string): string;
  /** The edit that adds the import, when the file lacks it. */
  importFix(fixer: Rule.RuleFixer): Rule.Fix | undefined;
}

/**
 * A writer for hooks of `event`, or `undefined` when the file offers no safe way: a CommonJS file
 * without the function bound, or a file where the function's name is already taken.
 */
export function hookWriter(resolver: Resolver, event: LifecycleEvent): HookWriter | undefined {
  const register = event === 'afterRestore' ? 'registerAfterRestore' : 'registerBeforeSnapshot';
  const bound = moduleBindings(resolver);
  const direct = bound.get(`${PACKAGE}.${register}`);
  const wrap = (call: string) => (body: string, indent: string) => `${call}(() => {\n${indent}  ${body}\n${indent}});`;
  if (direct !== undefined) return { statement: wrap(direct), importFix: () => undefined };
  const bus = bound.get(`${PACKAGE}.snapStartBus`);
  if (bus !== undefined) {
    return {
      statement: (body, indent) => `${bus}.on('${event}', () => {\n${indent}  ${body}\n${indent}});`,
      importFix: () => undefined,
    };
  }
  const program = resolver.sourceCode.ast as ES.Program;
  const taken = [...bound.values()].includes(register) || isDeclaredAnywhere(resolver, register);
  if (program.sourceType !== 'module' || taken) return undefined;
  return { statement: wrap(register), importFix: (fixer) => addImport(fixer, program, register) };
}

/** Module-scope names by the canonical name they are bound to (`snapstart-hooks.snapStartBus` → `bus`). */
function moduleBindings(resolver: Resolver): Map<string, string> {
  const bound = new Map<string, string>();
  for (const scope of resolver.sourceCode.scopeManager.scopes) {
    if (scope.block.type !== 'Program') continue;
    for (const variable of scope.variables) {
      const identifier = variable.identifiers[0];
      const canonical = identifier === undefined ? undefined : resolver.canonical(identifier as Node);
      if (canonical !== undefined && !bound.has(canonical)) bound.set(canonical, variable.name);
    }
  }
  return bound;
}

function isDeclaredAnywhere(resolver: Resolver, name: string): boolean {
  return resolver.sourceCode.scopeManager.scopes.some((scope) => scope.set.has(name));
}

/** Adds `name` to an existing value import from the package, or a new import after the last one. */
function addImport(fixer: Rule.RuleFixer, program: ES.Program, name: string): Rule.Fix {
  const imports = program.body.filter((statement) => statement.type === 'ImportDeclaration');
  const existing = imports.find(
    (declaration) =>
      declaration.source.value === PACKAGE &&
      (declaration as { importKind?: string }).importKind !== 'type' &&
      declaration.specifiers.length > 0 &&
      declaration.specifiers.every((specifier) => specifier.type === 'ImportSpecifier'),
  );
  const last = existing?.specifiers.at(-1);
  if (last !== undefined) return fixer.insertTextAfter(last, `, ${name}`);
  const line = `import { ${name} } from '${PACKAGE}';`;
  const after = imports.at(-1);
  if (after !== undefined) return fixer.insertTextAfter(after, `\n${line}`);
  // The file has at least the statement being reported on.
  return fixer.insertTextBefore(program.body[0] as Node, `${line}\n`);
}
