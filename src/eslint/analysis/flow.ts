/**
 * Where a value made at init ends up. A value is *kept* when it outlives init: stored in a
 * module-scope binding, an object or array that is kept, a class field, a member of something kept,
 * the module's exports, or handed to a call that may store it. It is *not kept* when it is only
 * logged, compared in a condition, thrown or dropped, or lives in a local that is used only that way.
 *
 * @module
 */
import type { Scope } from 'eslint';
import type * as ES from 'estree';
import {
  calleeMember,
  isWrapper,
  keyName,
  memberName,
  type Node,
  outerParent,
  parentOf,
  pathText,
  rootIdentifier,
  unwrap,
} from './ast.js';
import { classOf, type InitPhase } from './init-phase.js';
import type { Resolver } from './resolve.js';

/** Where a value is kept. */
export interface Kept {
  /** What the message calls it: `requestSalt`, `config.requestId`, `Cache.instanceId`, `ids[0]`. */
  readonly name: string;
  /** The module-scope variable holding it (or the object it is part of), when there is one. */
  readonly variable?: Scope.Variable;
}

/** Methods that store their argument in the object they are called on. */
const STORE_METHODS = new Set(['push', 'unshift', 'splice', 'set', 'add', 'append', 'fill', 'setItem', 'put']);
/** Objects whose methods only print what they are given. */
const LOGGERS = /^(?:console|logger|log)$/i;
/** Expressions whose result carries the value of their operands. */
const CARRIERS = new Set([
  'AwaitExpression',
  'TemplateLiteral',
  'TaggedTemplateExpression',
  'BinaryExpression',
  'LogicalExpression',
  'SpreadElement',
  'MemberExpression',
]);
/** How many variables deep the search follows a value before assuming it is kept. */
const MAX_DEPTH = 6;

/** Follows values to where they are kept, for one file. */
export class ValueFlow {
  private readonly resolver: Resolver;
  private readonly phase: InitPhase;
  private readonly isClockReading: (node: Node) => boolean;

  constructor(resolver: Resolver, phase: InitPhase, isClockReading: (node: Node) => boolean) {
    this.resolver = resolver;
    this.phase = phase;
    this.isClockReading = isClockReading;
  }

  /** Where the value of `node` is kept, or `undefined` when it does not outlive init. */
  whereKept(node: Node, suffix = '', depth = 0): Kept | undefined {
    let child = node;
    let path = suffix;
    let passedTo: string | undefined;
    // Every walk starts below the program, and the program (a default case) ends it.
    for (let parent = parentOf(child) as Node; ; child = parent, parent = parentOf(parent) as Node) {
      if (isWrapper(parent) || CARRIERS.has(parent.type)) continue;
      switch (parent.type) {
        case 'UnaryExpression':
          if (parent.operator === 'void' || parent.operator === 'delete' || parent.operator === 'typeof') return;
          continue;
        case 'ConditionalExpression':
          if (parent.test === child) return undefined;
          continue;
        case 'SequenceExpression':
          if (parent.expressions.at(-1) !== child) return undefined;
          continue;
        case 'CallExpression':
        case 'NewExpression': {
          if (parent.callee === child) continue;
          if (this.isLogging(parent)) return undefined;
          const store = storeTarget(parent, this.resolver);
          if (store !== undefined) return this.keptInTarget(store, path, depth);
          passedTo ??= pathText(parent.callee) ?? '';
          continue;
        }
        case 'Property':
          // A computed key made at init is kept in the object as much as a value is.
          path = `${keyPath(parent.value === child ? keyName(parent.key, parent.computed) : undefined)}${path}`;
          continue;
        case 'ArrayExpression':
          path = `[${parent.elements.indexOf(child as ES.Expression)}]${path}`;
          continue;
        case 'ObjectExpression':
          continue;
        case 'VariableDeclarator':
          // Reached from the initializer: a default value in the pattern stops the walk before.
          return this.keptInDeclarator(parent, path, depth);
        case 'AssignmentExpression':
          // The value, or a computed key of the target (`cache[randomUUID()] = x`): kept in the target.
          return this.keptInTarget(parent.left, path, depth);
        case 'PropertyDefinition':
          return { name: `${fieldName(parent)}${path}` };
        case 'ReturnStatement':
          return this.keptFromResult(this.phase.boundaryOf(parent), path, depth);
        case 'ArrowFunctionExpression':
          // Reached from the body: a parameter's default value stops the walk before.
          return this.keptFromResult(parent, path, depth);
        case 'ExportDefaultDeclaration':
          return { name: `the default export${path}` };
        case 'ExportSpecifier':
          return { name: 'an export' };
        case 'ExpressionStatement':
          if (passedTo === undefined) return undefined;
          return {
            name: `${path ? path.replace(/^\./, '') : 'the value'} passed to ${passedTo ? `${passedTo}()` : 'a call'}`,
          };
        default:
          return undefined;
      }
    }
  }

  /** The name an assignment target is known by: `config.id`, `Cache.id` for `this.id` in a static block. */
  targetName(target: Node): string | undefined {
    const text = pathText(target);
    if (text === undefined || !text.startsWith('this')) return text;
    const boundary = this.phase.boundaryOf(target);
    if (boundary.type === 'Program') return text;
    const owner =
      boundary.type === 'StaticBlock' || boundary.type === 'PropertyDefinition' ? boundary : parentOf(boundary);
    if (owner?.type !== 'StaticBlock' && owner?.type !== 'PropertyDefinition' && owner?.type !== 'MethodDefinition') {
      return text;
    }
    const className = classOf(owner).id?.name ?? '(anonymous class)';
    const isStatic = owner.type === 'StaticBlock' || owner.static;
    return `${className}${isStatic ? '.' : '#'}${text.slice('this.'.length)}`;
  }

  private isLogging(call: ES.CallExpression | ES.NewExpression): boolean {
    const callee = this.resolver.canonical(call.callee) ?? '';
    if (callee === 'process.stdout.write' || callee === 'process.stderr.write') return true;
    if (callee === 'timers.setInterval' || callee === 'global.setTimeout') return true;
    const member = call.type === 'CallExpression' ? calleeMember(call) : undefined;
    const object = member && rootIdentifier(member.object);
    return object !== undefined && LOGGERS.test(object.name);
  }

  private keptInDeclarator(declarator: ES.VariableDeclarator, path: string, depth: number): Kept | undefined {
    for (const variable of this.resolver.sourceCode.getDeclaredVariables(declarator)) {
      const kept = this.keptInVariable(variable, declarator.id.type === 'Identifier' ? path : '', depth);
      if (kept !== undefined) return kept;
    }
    return undefined;
  }

  private keptInTarget(target: Node, path: string, depth: number): Kept | undefined {
    const inner = unwrap(target);
    if (inner.type === 'Identifier') {
      const variable = this.resolver.variableOf(inner);
      return variable === undefined ? { name: `${inner.name}${path}` } : this.keptInVariable(variable, path, depth);
    }
    const name = this.targetName(inner);
    if (name === undefined) return { name: pathText(rootOf(inner)) ?? 'an object' };
    const root = rootIdentifier(inner);
    const variable = root && !name.startsWith('this') ? this.resolver.variableOf(root) : undefined;
    if (variable === undefined || root === undefined) return { name: `${name}${path}` };
    return this.keptInVariable(variable, `${name.slice(root.name.length)}${path}`, depth);
  }

  /** Whether the variable (holding the value at `path`) outlives init, and under which name. */
  private keptInVariable(variable: Scope.Variable, path: string, depth: number): Kept | undefined {
    const moduleScope = this.resolver.isModuleScope(variable);
    const kept: Kept = { name: `${variable.name}${path}`, ...(moduleScope ? { variable } : {}) };
    if (depth > MAX_DEPTH) return kept;
    const reads = variable.references.filter((reference) => reference.isRead());
    if (moduleScope && (reads.length === 0 || isExported(variable))) return kept;
    const declaredIn = this.phase.boundaryOf(variable.identifiers[0] as Node);
    for (const reference of reads) {
      if (this.isElapsedTime(reference.identifier as Node)) continue;
      const at = this.phase.boundaryOf(reference.identifier as Node);
      // Read by code that may run after the restore: the value made at init is what it sees.
      if (at !== declaredIn && !this.phase.runsOnlyAtInit(at)) return kept;
      const onward = this.whereKept(reference.identifier as Node, path, depth + 1);
      if (onward !== undefined) return moduleScope ? kept : onward;
    }
    return undefined;
  }

  /**
   * Whether a read is `now() - start`: an elapsed time, which is fresh wherever it is computed, so
   * reading `start` there does not carry the init value on.
   */
  private isElapsedTime(read: Node): boolean {
    const { parent, child } = outerParent(read);
    if (parent?.type !== 'BinaryExpression' || parent.operator !== '-' || parent.right !== child) return false;
    return this.isClockReading(unwrap(parent.left));
  }

  private keptFromResult(fn: Node, path: string, depth: number): Kept | undefined {
    if (fn.type === 'Program') return undefined;
    for (const { site, element } of this.phase.resultSitesOf(fn)) {
      const kept = this.whereKept(site, element ? `[]${path}` : path, depth + 1);
      if (kept !== undefined) return kept;
    }
    return undefined;
  }
}

/** The object a storing call puts its argument in: `ids` in `ids.push(x)`, `target` in `Object.assign(target, x)`. */
export function storeTarget(call: ES.CallExpression | ES.NewExpression, resolver: Resolver): Node | undefined {
  if (call.type !== 'CallExpression') return undefined;
  const callee = resolver.canonical(call.callee);
  if (callee === 'global.Object.assign' || callee === 'global.Reflect.set') return call.arguments[0];
  const member = calleeMember(call);
  return member && STORE_METHODS.has(memberName(member) ?? '') ? member.object : undefined;
}

function keyPath(key: string | undefined): string {
  if (key === undefined) return '[…]';
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function fieldName(field: ES.PropertyDefinition): string {
  const className = classOf(field).id?.name ?? '(anonymous class)';
  return `${className}${field.static ? '.' : '#'}${keyName(field.key, field.computed) ?? '[…]'}`;
}

function rootOf(node: Node): Node {
  let current = unwrap(node);
  while (current.type === 'MemberExpression') current = unwrap(current.object);
  return current;
}

/** Whether a module-scope variable is exported where it is declared (`export const x = ...`). */
function isExported(variable: Scope.Variable): boolean {
  const definition = variable.defs[0];
  if (definition?.type === 'Variable') return parentOf(definition.parent)?.type === 'ExportNamedDeclaration';
  return false;
}
