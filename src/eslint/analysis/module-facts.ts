/**
 * Everything the rules need to know about one file, computed once per file and shared by the rules:
 * the calls in it, its hook registrations, when code runs, where values go, what the hooks touch.
 *
 * @module
 */
import type { Scope, SourceCode } from 'eslint';
import type * as ES from 'estree';
import type { FunctionNode, Node } from './ast.js';
import { uniqueSourceOf } from './catalog.js';
import { storeTarget, ValueFlow } from './flow.js';
import { type HookRegistration, hookFunction, hookRegistrations, type LifecycleEvent } from './hooks.js';
import { InitPhase } from './init-phase.js';
import { Resolver } from './resolve.js';

/** What the hooks of one event do, as far as this file shows. */
export interface HookReach {
  /** Some hook of the event is defined elsewhere (an import, a parameter): what it does is unknown. */
  readonly opaque: boolean;
  /** Variables the hooks (and the module's functions they call) read or write. */
  readonly variables: ReadonlySet<Scope.Variable>;
  /** Assignment targets in the hooks: `salt`, `config.id`, `Cache.id`, `ids` (for `ids.push(...)`). */
  readonly assigned: ReadonlySet<string>;
}

/** The facts about one file. */
export interface ModuleFacts {
  readonly resolver: Resolver;
  readonly phase: InitPhase;
  readonly flow: ValueFlow;
  /** Every call and `new` in the file, in source order. */
  readonly calls: readonly (ES.CallExpression | ES.NewExpression)[];
  readonly registrations: readonly HookRegistration[];
  /** What the hooks of each event reach. */
  reach(event: LifecycleEvent): HookReach;
}

const cache = new WeakMap<SourceCode, ModuleFacts>();

/** The facts about the file `sourceCode` holds (computed on first use). */
export function moduleFacts(sourceCode: SourceCode): ModuleFacts {
  let facts = cache.get(sourceCode);
  if (facts === undefined) {
    facts = computeFacts(sourceCode);
    cache.set(sourceCode, facts);
  }
  return facts;
}

function computeFacts(sourceCode: SourceCode): ModuleFacts {
  const resolver = new Resolver(sourceCode);
  const calls: (ES.CallExpression | ES.NewExpression)[] = [];
  walk(sourceCode, sourceCode.ast as Node, (node) => {
    if (node.type === 'CallExpression' || node.type === 'NewExpression') calls.push(node);
  });
  const registrations = calls.flatMap((call) =>
    call.type === 'CallExpression' ? hookRegistrations(call, resolver) : [],
  );
  const phase = new InitPhase(resolver, registrations);
  const flow = new ValueFlow(
    resolver,
    phase,
    (node) =>
      (node.type === 'CallExpression' || node.type === 'NewExpression') &&
      uniqueSourceOf(node, resolver)?.kind === 'clock',
  );
  const reaches = new Map<LifecycleEvent, HookReach>();
  return {
    resolver,
    phase,
    flow,
    calls,
    registrations,
    reach(event) {
      let reach = reaches.get(event);
      if (reach === undefined) {
        reach = hookReach(sourceCode, resolver, flow, registrations, event);
        reaches.set(event, reach);
      }
      return reach;
    },
  };
}

/** Calls `visit` on `root` and every node under it. */
export function walk(sourceCode: SourceCode, root: Node, visit: (node: Node) => void): void {
  const keys = sourceCode.visitorKeys as Record<string, readonly string[] | undefined>;
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    visit(node);
    const children: Node[] = [];
    for (const key of keys[node.type] ?? []) {
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) children.push(item);
      } else if (isNode(value)) children.push(value);
    }
    // Reversed onto the stack, so nodes are visited in source order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Follows each hook of `event` into its body and the module functions it calls. */
function hookReach(
  sourceCode: SourceCode,
  resolver: Resolver,
  flow: ValueFlow,
  registrations: readonly HookRegistration[],
  event: LifecycleEvent,
): HookReach {
  const variables = new Set<Scope.Variable>();
  const assigned = new Set<string>();
  const visited = new Set<FunctionNode>();
  let opaque = false;
  const note = (node: Node): void => {
    if (node.type === 'Identifier') {
      const variable = resolver.variableOf(node);
      if (variable !== undefined) variables.add(variable);
      const fn = variable === undefined ? undefined : hookFunction(node, resolver);
      if (fn !== undefined && !visited.has(fn)) follow(fn);
    } else if (node.type === 'AssignmentExpression') {
      const name = flow.targetName(node.left);
      if (name !== undefined) assigned.add(name);
    } else if (node.type === 'CallExpression') {
      const target = storeTarget(node, resolver);
      const name = target && flow.targetName(target);
      if (name !== undefined) assigned.add(name);
    }
  };
  const follow = (fn: FunctionNode): void => {
    visited.add(fn);
    walk(sourceCode, fn.body, note);
  };
  for (const registration of registrations) {
    if (registration.event !== event) continue;
    for (const argument of registration.extra) walk(sourceCode, argument, note);
    const fn = hookFunction(registration.hook, resolver);
    if (fn === undefined) opaque = true;
    else if (!visited.has(fn)) follow(fn);
  }
  return { opaque, variables, assigned };
}
