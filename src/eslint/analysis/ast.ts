/**
 * Small helpers over ESTree nodes (and the few TypeScript-ESTree wrappers the rules look through).
 *
 * @module
 */
import type * as ES from 'estree';

/** Any node of the tree; TypeScript-only nodes are read through their `type` string. */
export type Node = ES.Node;

/** A function of any form. */
export type FunctionNode = ES.FunctionDeclaration | ES.FunctionExpression | ES.ArrowFunctionExpression;

/** TypeScript wrappers that only add a type to the expression they hold, and ESTree's own wrappers. */
const WRAPPERS = new Set([
  'TSAsExpression',
  'TSNonNullExpression',
  'TSSatisfiesExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
  'ChainExpression',
  'ParenthesizedExpression',
]);

/** Whether `node` only wraps another expression (`x as T`, `x!`, `a?.b`, ...). */
export function isWrapper(node: Node): boolean {
  return WRAPPERS.has(node.type);
}

/** The expression inside any number of wrappers. */
export function unwrap(node: Node): Node {
  let current = node;
  while (isWrapper(current)) current = (current as unknown as { expression: Node }).expression;
  return current;
}

/** The parent ESLint sets on every node (`null` for the program). */
export function parentOf(node: Node): Node | null {
  return (node as { parent?: Node | null }).parent ?? null;
}

/** The nearest ancestor that is not a wrapper, and the child of it on the way up. */
export function outerParent(node: Node): { parent: Node | null; child: Node } {
  let child = node;
  let parent = parentOf(child);
  while (parent !== null && isWrapper(parent)) {
    child = parent;
    parent = parentOf(child);
  }
  return { parent, child };
}

/** Whether `node` is a function of any form. */
export function isFunction(node: Node | null | undefined): node is FunctionNode {
  return (
    node?.type === 'FunctionDeclaration' ||
    node?.type === 'FunctionExpression' ||
    node?.type === 'ArrowFunctionExpression'
  );
}

/** The text of a string literal, or of a template literal without expressions. */
export function staticString(node: Node | null | undefined): string | undefined {
  if (node === null || node === undefined) return undefined;
  const inner = unwrap(node);
  if (inner.type === 'Literal' && typeof inner.value === 'string') return inner.value;
  if (inner.type === 'TemplateLiteral' && inner.expressions.length === 0) {
    return inner.quasis.map((quasi) => quasi.value.raw).join('');
  }
  return undefined;
}

/** The name of a property key (`a`, `'a'`, `[\`a\`]`), or `undefined` when computed at run time. */
export function keyName(key: Node, computed: boolean): string | undefined {
  if (!computed && key.type === 'Identifier') return key.name;
  if (!computed && key.type === 'PrivateIdentifier') return `#${key.name}`;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) {
    return String(key.value);
  }
  // A key that is not computed is an identifier or a literal, both handled above.
  return staticString(key);
}

/** The property name a member expression reads, when it is known without running the code. */
export function memberName(node: ES.MemberExpression): string | undefined {
  return keyName(node.property, node.computed);
}

/** A call's callee as a member expression, unwrapped, or `undefined`. */
export function calleeMember(node: ES.CallExpression | ES.NewExpression): ES.MemberExpression | undefined {
  const callee = unwrap(node.callee);
  return callee.type === 'MemberExpression' ? callee : undefined;
}

/** Whether `key` is a plain identifier, so a path can say `.key` rather than `["key"]`. */
export function isIdentifierName(key: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(key);
}

/** Appends a property to a path: `config` + `id` = `config.id`, `headers` + `x-id` = `headers["x-id"]`. */
export function appendKey(path: string, key: string): string {
  return isIdentifierName(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * A member chain as written, for messages and for matching one assignment target against another:
 * `config.id`, `this.cache`, `headers["x-id"]`. `undefined` when a part is computed at run time.
 */
export function pathText(node: Node): string | undefined {
  const inner = unwrap(node);
  if (inner.type === 'Identifier') return inner.name;
  if (inner.type === 'ThisExpression') return 'this';
  if (inner.type !== 'MemberExpression') return undefined;
  const base = pathText(inner.object);
  const name = memberName(inner);
  return base === undefined || name === undefined ? undefined : appendKey(base, name);
}

/** The root identifier of a member chain (`config` in `config.a.b`), or `undefined`. */
export function rootIdentifier(node: Node): ES.Identifier | undefined {
  let current = unwrap(node);
  while (current.type === 'MemberExpression') current = unwrap(current.object);
  return current.type === 'Identifier' ? current : undefined;
}

/** Whether `path` is `prefix` or lies under it (`config.id` under `config`; not `configs`). */
export function isPathUnder(path: string, prefix: string): boolean {
  if (path === prefix) return true;
  if (!path.startsWith(prefix)) return false;
  return '.[#'.includes(path.charAt(prefix.length));
}

/** The name a function is known by: its own, its variable's, its property's, or the member it is assigned to. */
export function functionName(fn: FunctionNode): string | undefined {
  if (fn.type !== 'ArrowFunctionExpression' && fn.id) return fn.id.name;
  const { parent, child } = outerParent(fn);
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if ((parent?.type === 'Property' || parent?.type === 'MethodDefinition') && parent.value === child) {
    return keyName(parent.key, parent.computed);
  }
  if (parent?.type === 'PropertyDefinition' && parent.value === child) return keyName(parent.key, parent.computed);
  if (parent?.type === 'AssignmentExpression' && parent.right === child) return pathText(parent.left);
  if (parent?.type === 'ExportDefaultDeclaration') return 'default';
  return undefined;
}
