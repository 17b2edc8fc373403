/**
 * When code runs: at init (the module's top level and what it calls, which a snapshot captures) or
 * later (per invocation, after the restore). A function runs at init when it is called from code
 * that runs at init: an IIFE at the top level, a function the top level calls by name, a callback of
 * `map`/`forEach`/`Array.from`/`new Promise`/`then`, `snapshotMain`'s `init`, a `beforeSnapshot`
 * hook, a class's static block and static fields, and its constructor when the top level runs `new`.
 *
 * @module
 */
import type * as ES from 'estree';
import { calleeMember, isFunction, keyName, memberName, type Node, outerParent, parentOf } from './ast.js';
import type { HookRegistration, LifecycleEvent } from './hooks.js';
import type { Resolver } from './resolve.js';

/** Where code runs as one unit: the program, a function, a class static block or a field initializer. */
export type Boundary = Node;

/** How a function (or class) value is used at one place. */
type Use =
  | { kind: 'call'; site: Node }
  | { kind: 'callback'; site: ES.CallExpression | ES.NewExpression; index: number }
  | { kind: 'init'; site: ES.CallExpression }
  | { kind: 'hook'; event: LifecycleEvent; site: ES.CallExpression }
  | { kind: 'escape' };

/** Array and promise methods that call their callback before returning (or, for `then`, during init). */
const SYNC_METHODS = new Set([
  'map',
  'flatMap',
  'forEach',
  'filter',
  'reduce',
  'reduceRight',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'sort',
  'toSorted',
  'then',
  'catch',
  'finally',
]);
/** Callbacks whose return value becomes an element of the call's result, or the whole result. */
const ELEMENT_METHODS = new Set(['map', 'flatMap']);
const RESULT_METHODS = new Set(['reduce', 'reduceRight', 'then', 'catch']);
const SCHEDULERS = new Set(['global.queueMicrotask', 'process.nextTick', 'global.setImmediate', 'timers.setImmediate']);

/** Answers "does this code run at init?" for one file. */
export class InitPhase {
  private readonly resolver: Resolver;
  private readonly hooks = new Map<Node, HookRegistration>();
  private readonly atInit = new Map<Node, boolean>();
  private readonly onlyAtInit = new Map<Node, boolean>();

  constructor(resolver: Resolver, registrations: readonly HookRegistration[]) {
    this.resolver = resolver;
    for (const registration of registrations) {
      if (registration.hook !== undefined) this.hooks.set(registration.hook, registration);
    }
  }

  /** The boundary `node` runs in (for a function: the one it is written in). `node` must not be the program. */
  boundaryOf(node: Node): Boundary {
    let child = node;
    let parent = parentOf(node) as Node;
    // Every node but the program has a parent, and the walk ends at the program at the latest.
    while (!(isFunction(parent) || parent.type === 'StaticBlock' || parent.type === 'Program')) {
      if (isFieldInitializer(parent, child)) return parent;
      child = parent;
      parent = parentOf(parent) as Node;
    }
    return parent;
  }

  /** Whether `boundary` runs at init (possibly also later). */
  runsAtInit(boundary: Boundary): boolean {
    return this.memo(this.atInit, boundary, () => this.decide(boundary, (at) => this.runsAtInit(at), 'some'));
  }

  /** Whether `boundary` runs at init and never later: the top level, an IIFE, a function only the top level calls. */
  runsOnlyAtInit(boundary: Boundary): boolean {
    return this.memo(this.onlyAtInit, boundary, () => this.decide(boundary, (at) => this.runsOnlyAtInit(at), 'every'));
  }

  /**
   * The calls at init whose result a function's return value becomes part of: an IIFE or a call by
   * name (`whole`), or `map`/`flatMap`/`Array.from` (`element`) and `then`/`reduce` (`whole`).
   */
  resultSitesOf(fn: Node): { site: Node; element: boolean }[] {
    const sites: { site: Node; element: boolean }[] = [];
    for (const use of this.usesOf(fn)) {
      if (use.kind === 'call' && this.runsAtInit(this.boundaryOf(use.site)))
        sites.push({ site: use.site, element: false });
      if (use.kind === 'callback' && this.isSyncCallback(use.site, use.index)) {
        const method = memberOf(use.site) ?? '';
        if (this.isArrayFrom(use.site) || ELEMENT_METHODS.has(method)) sites.push({ site: use.site, element: true });
        else if (RESULT_METHODS.has(method)) sites.push({ site: use.site, element: false });
      }
    }
    return sites;
  }

  private memo(cache: Map<Node, boolean>, key: Node, compute: () => boolean): boolean {
    const known = cache.get(key);
    if (known !== undefined) return known;
    cache.set(key, false); // a cycle (a function calling itself) adds nothing
    const value = compute();
    cache.set(key, value);
    return value;
  }

  private decide(boundary: Boundary, runs: (at: Boundary) => boolean, mode: 'some' | 'every'): boolean {
    if (boundary.type === 'Program') return true;
    if (boundary.type === 'StaticBlock') return runs(this.boundaryOf(classOf(boundary)));
    if (boundary.type === 'PropertyDefinition' && boundary.static) return runs(this.boundaryOf(classOf(boundary)));
    const uses =
      boundary.type === 'PropertyDefinition' || isConstructor(boundary)
        ? this.usesOf(classOf(boundary))
        : this.usesOf(boundary);
    const verdicts = uses.map((use) => this.useRuns(use, runs));
    if (mode === 'some') return verdicts.some((verdict) => verdict === true);
    return verdicts.length > 0 && verdicts.every((verdict) => verdict === true);
  }

  /** Whether one use makes the value run where `runs` says yes; `false` for uses that do not run it then. */
  private useRuns(use: Use, runs: (at: Boundary) => boolean): boolean {
    switch (use.kind) {
      case 'call':
      case 'init':
        return runs(this.boundaryOf(use.site));
      case 'callback':
        return this.isSyncCallback(use.site, use.index) && runs(this.boundaryOf(use.site));
      case 'hook':
        return use.event === 'beforeSnapshot' && runs(this.boundaryOf(use.site));
      default:
        return false;
    }
  }

  /** Every place the value of a function or class is used. */
  private usesOf(node: Node): Use[] {
    const direct = this.useAt(node);
    if (direct.kind !== 'escape') return [direct];
    const { parent } = outerParent(node);
    // A method of an object or class bound to a name: its uses are the reads of `name.method`.
    if (parent?.type === 'Property' || (parent?.type === 'MethodDefinition' && parent.static)) {
      const key = keyName(parent.key, parent.computed);
      const owner = parent.type === 'MethodDefinition' ? classOf(parent) : (parentOf(parent) as Node);
      const reads = this.bindingOf(owner)?.reads ?? [];
      return reads.flatMap((read) => {
        const access = outerParent(read).parent;
        return access?.type === 'MemberExpression' && memberName(access) === key ? [this.useAt(access)] : [];
      });
    }
    const binding = this.bindingOf(node);
    if (binding === undefined) return [direct];
    return [...(binding.exported ? [direct] : []), ...binding.reads.map((read) => this.useAt(read))];
  }

  /**
   * The reads of the variable `value` is bound to — a function or class declaration, or the value of
   * `const name = value` — and whether that declaration is exported. `undefined` when it is not bound
   * to a name, or the name is assigned again (then its uses cannot be followed).
   */
  private bindingOf(value: Node): { reads: Node[]; exported: boolean } | undefined {
    const { parent, child } = outerParent(value);
    const declaration =
      value.type === 'FunctionDeclaration' || value.type === 'ClassDeclaration'
        ? value
        : parent?.type === 'VariableDeclarator' && parent.init === child
          ? parent
          : undefined;
    const name = declaration?.id?.type === 'Identifier' ? declaration.id.name : undefined;
    const variable =
      declaration && this.resolver.sourceCode.getDeclaredVariables(declaration).find((v) => v.name === name);
    if (variable === undefined || this.resolver.isReassigned(variable)) return undefined;
    const statement = declaration?.type === 'VariableDeclarator' ? parentOf(declaration) : declaration;
    const exported = parentOf(statement as Node)?.type.startsWith('Export') === true;
    const reads = variable.references.filter((reference) => reference.isRead());
    return { exported, reads: reads.map((reference) => reference.identifier as Node) };
  }

  /** How the value at `position` (a function, a name of one, `obj.method`) is used there. */
  private useAt(position: Node): Use {
    const registration = this.hooks.get(position);
    if (registration !== undefined) return { kind: 'hook', event: registration.event, site: registration.call };
    const { parent, child } = outerParent(position);
    if (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') {
      if (parent.callee === child) return { kind: 'call', site: parent };
      return { kind: 'callback', site: parent, index: parent.arguments.indexOf(child as ES.Expression) };
    }
    if (parent?.type === 'MemberExpression' && parent.object === child) {
      const method = memberName(parent);
      const outer = outerParent(parent);
      if ((method === 'call' || method === 'apply') && outer.parent?.type === 'CallExpression') {
        if (outer.parent.callee === outer.child) return { kind: 'call', site: outer.parent };
      }
    }
    if (parent?.type === 'Property' && parent.value === child && keyName(parent.key, parent.computed) === 'init') {
      const object = outerParent(parentOf(parent) as Node);
      const call = object.parent;
      if (call?.type === 'CallExpression' && call.arguments[1] === object.child) {
        const name = this.resolver.canonical(call.callee) ?? '';
        if (name === 'snapshotMain' || name.endsWith('.snapshotMain')) return { kind: 'init', site: call };
      }
    }
    return { kind: 'escape' };
  }

  /** Whether the callee calls argument `index` before init ends. */
  private isSyncCallback(site: ES.CallExpression | ES.NewExpression, index: number): boolean {
    const callee = this.resolver.canonical(site.callee);
    if (site.type === 'NewExpression') return callee === 'global.Promise' && index === 0;
    if (this.isArrayFrom(site)) return index === 1;
    if (SCHEDULERS.has(callee ?? '')) return index === 0;
    const method = memberOf(site);
    return method !== undefined && SYNC_METHODS.has(method) && (index === 0 || method === 'then');
  }

  private isArrayFrom(site: Node): boolean {
    return site.type === 'CallExpression' && this.resolver.canonical(site.callee) === 'global.Array.from';
  }
}

/** The method name a call calls (`map` in `xs.map(f)`). */
function memberOf(site: Node): string | undefined {
  if (site.type !== 'CallExpression') return undefined;
  const member = calleeMember(site);
  return member && memberName(member);
}

function isFieldInitializer(parent: Node, child: Node): boolean {
  return (
    (parent.type === 'PropertyDefinition' || (parent.type as string) === 'AccessorProperty') &&
    (parent as ES.PropertyDefinition).value === child
  );
}

function isConstructor(node: Node): boolean {
  const parent = parentOf(node);
  return parent?.type === 'MethodDefinition' && parent.kind === 'constructor';
}

/** The class a member, block or constructor belongs to. */
export function classOf(node: Node): ES.ClassDeclaration | ES.ClassExpression {
  let current: Node | null = node;
  while (current !== null && current.type !== 'ClassDeclaration' && current.type !== 'ClassExpression') {
    current = parentOf(current);
  }
  return current as ES.ClassDeclaration | ES.ClassExpression;
}
