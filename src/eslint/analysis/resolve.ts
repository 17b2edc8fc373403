/**
 * What an expression names, whatever the local spelling: `randomUUID` imported as `id`, `c.randomUUID`
 * with `import * as c from 'crypto'`, `require('node:crypto').randomUUID`, `globalThis.crypto.randomUUID`
 * all resolve to `crypto.randomUUID`. Module paths start with the module name (without `node:`),
 * globals with `global.`, and a few well-known aliases are folded into one name.
 *
 * @module
 */
import type { Scope, SourceCode } from 'eslint';
import type * as ES from 'estree';
import { keyName, memberName, type Node, parentOf, staticString, unwrap } from './ast.js';

/** Names of the global object itself. */
const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);

/** Prefixes that name the same thing, rewritten to the right-hand form (checked in order). */
const ALIASES: [string, string][] = [
  ['global.crypto', 'crypto'],
  ['crypto.webcrypto', 'crypto'],
  ['global.process', 'process'],
  ['global.performance', 'perf_hooks.performance'],
  ['global.setInterval', 'timers.setInterval'],
  ['global.WebSocket', 'ws'],
  ['ws.WebSocket', 'ws'],
  ['global.require', 'require'],
];

/** How deep alias chains (`const a = b; const b = c.d`) are followed. */
const MAX_DEPTH = 8;

/** `node:crypto` and `crypto` are one module. */
export function moduleName(source: string): string {
  return source.startsWith('node:') ? source.slice(5) : source;
}

/** Rewrites `path` by the first alias whose prefix it starts with. */
export function normalizePath(path: string): string {
  for (const [from, to] of ALIASES) {
    if (path === from || path.startsWith(`${from}.`)) return normalizePath(to + path.slice(from.length));
  }
  return path;
}

/** Resolves identifiers to variables and expressions to canonical names, for one file. */
export class Resolver {
  readonly sourceCode: SourceCode;

  constructor(sourceCode: SourceCode) {
    this.sourceCode = sourceCode;
  }

  /** The variable `identifier` refers to, or `undefined` for a global that the file does not declare. */
  variableOf(identifier: ES.Identifier): Scope.Variable | undefined {
    for (let scope: Scope.Scope | null = this.sourceCode.getScope(identifier); scope; scope = scope.upper) {
      const variable = scope.set.get(identifier.name);
      if (variable !== undefined) return variable.defs.length === 0 ? undefined : variable;
    }
    return undefined;
  }

  /** The canonical name of what `node` evaluates to, e.g. `crypto.randomUUID`, or `undefined` when unknown. */
  canonical(node: Node, depth = 0): string | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const inner = unwrap(node);
    switch (inner.type) {
      case 'Identifier':
        return this.identifierName(inner, depth);
      case 'MemberExpression': {
        if (inner.object.type === 'Super') return undefined;
        const base = this.canonical(inner.object, depth + 1);
        const name = memberName(inner);
        if (base === undefined || name === undefined) return undefined;
        return normalizePath(base === 'global' && GLOBAL_OBJECTS.has(name) ? 'global' : `${base}.${name}`);
      }
      case 'CallExpression': {
        const required = this.requiredModule(inner);
        if (required !== undefined) return required;
        const callee = this.canonical(inner.callee, depth + 1);
        return callee === undefined ? undefined : `${callee}()`;
      }
      case 'AwaitExpression': {
        const awaited = unwrap(inner.argument);
        const source = awaited.type === 'ImportExpression' ? staticString(awaited.source) : undefined;
        return source === undefined ? undefined : moduleName(source);
      }
      default:
        return undefined;
    }
  }

  /** The module of `require('x')`, when `require` is the module system's own or `createRequire`'s. */
  requiredModule(call: ES.CallExpression): string | undefined {
    const callee = unwrap(call.callee);
    if (callee.type !== 'Identifier') return undefined;
    // CommonJS's own `require`, or one made by `createRequire(import.meta.url)` in an ES module.
    const own = callee.name === 'require' && this.variableOf(callee) === undefined;
    if (!own && this.canonical(callee) !== 'module.createRequire()') return undefined;
    const source = staticString(call.arguments[0]);
    return source === undefined ? undefined : moduleName(source);
  }

  /** Whether `variable` is assigned anywhere after its declaration. */
  isReassigned(variable: Scope.Variable): boolean {
    return variable.references.some((reference) => reference.isWrite() && reference.init !== true);
  }

  /** Whether `variable` belongs to the module's top level (module, script or CommonJS wrapper scope). */
  isModuleScope(variable: Scope.Variable): boolean {
    return variable.scope.block.type === 'Program';
  }

  private identifierName(identifier: ES.Identifier, depth: number): string | undefined {
    const variable = this.variableOf(identifier);
    if (variable === undefined) {
      return GLOBAL_OBJECTS.has(identifier.name) ? 'global' : normalizePath(`global.${identifier.name}`);
    }
    // Only a `var` can be declared twice; its first declaration is the one it starts with.
    const definition = variable.defs[0] as Scope.Definition;
    if (definition.type === 'ImportBinding') {
      const source = moduleName(String(definition.parent.source.value));
      const specifier = definition.node;
      if (specifier.type !== 'ImportSpecifier') return source;
      const imported = keyName(specifier.imported, false) as string;
      return imported === 'default' ? source : normalizePath(`${source}.${imported}`);
    }
    if (definition.type !== 'Variable' || this.isReassigned(variable)) return undefined;
    const init = definition.node.init;
    if (init === null || init === undefined) return undefined;
    const base = this.canonical(init, depth + 1);
    const keys = patternKeys(definition.node.id, definition.name);
    if (base === undefined || keys === undefined) return undefined;
    return normalizePath([base, ...keys].join('.'));
  }
}

/**
 * The keys leading from a destructuring pattern to `target`: `[]` when the pattern is `target` itself,
 * `['webcrypto', 'randomUUID']` for `{ webcrypto: { randomUUID: target } }`, `undefined` through
 * arrays, rest elements and computed keys.
 */
export function patternKeys(pattern: Node, target: ES.Identifier): string[] | undefined {
  if (pattern === target) return [];
  if (pattern.type === 'AssignmentPattern') return patternKeys(pattern.left, target);
  if (pattern.type !== 'ObjectPattern') return undefined;
  for (const property of pattern.properties) {
    if (property.type !== 'Property') continue;
    const keys = patternKeys(property.value, target);
    if (keys === undefined) continue;
    const key = keyName(property.key, property.computed);
    return key === undefined ? undefined : [key, ...keys];
  }
  return undefined;
}

/** The declaration statement of a declarator, through `export`. */
export function declarationStatement(declarator: ES.VariableDeclarator): Node {
  const declaration = parentOf(declarator) as Node;
  const parent = parentOf(declaration);
  return parent?.type === 'ExportNamedDeclaration' ? parent : declaration;
}
