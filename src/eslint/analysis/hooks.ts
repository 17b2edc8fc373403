/**
 * Recognises hook registrations: `registerBeforeSnapshot(fn, ...args)` / `registerAfterRestore(fn)`
 * (by any local name), `bus.on('afterRestore', fn)` / `once` on any bus, and a paired resource's
 * halves (`bus.resource(name, { beforeSnapshot, afterRestore })`, `registerResource(...)`).
 *
 * @module
 */
import type * as ES from 'estree';
import {
  calleeMember,
  type FunctionNode,
  isFunction,
  keyName,
  memberName,
  type Node,
  staticString,
  unwrap,
} from './ast.js';
import type { Resolver } from './resolve.js';

/** The two lifecycle events. */
export type LifecycleEvent = 'beforeSnapshot' | 'afterRestore';

/** One hook registered by a call. */
export interface HookRegistration {
  /** The call that registers it. */
  readonly call: ES.CallExpression;
  readonly event: LifecycleEvent;
  /** The hook as written (a function, a name, ...), `undefined` when the call has none. */
  readonly hook: Node | undefined;
  /** Everything else passed with it (`registerBeforeSnapshot(close, pool)` passes `pool`). */
  readonly extra: readonly Node[];
}

const EVENTS = new Set<string>(['beforeSnapshot', 'afterRestore']);
const LISTEN_METHODS = new Set(['on', 'once', 'addListener', 'prependListener']);

/** The hooks `call` registers (none, one, or both halves of a resource). */
export function hookRegistrations(call: ES.CallExpression, resolver: Resolver): HookRegistration[] {
  const name = calleeName(call, resolver);
  if (name === 'registerBeforeSnapshot' || name === 'registerAfterRestore') {
    const event: LifecycleEvent = name === 'registerBeforeSnapshot' ? 'beforeSnapshot' : 'afterRestore';
    const [hook, ...extra] = call.arguments;
    return [{ call, event, hook, extra }];
  }
  const member = calleeMember(call);
  if (member !== undefined && LISTEN_METHODS.has(memberName(member) ?? '')) {
    const [event, hook, ...extra] = call.arguments;
    const eventName = staticString(event);
    if (eventName !== undefined && EVENTS.has(eventName)) {
      return [{ call, event: eventName as LifecycleEvent, hook, extra }];
    }
    return [];
  }
  if (name === 'registerResource' || name === 'resource') return resourceHalves(call);
  return [];
}

/** The last segment of what the callee names: `registerAfterRestore` for `hooks.registerAfterRestore(...)`. */
function calleeName(call: ES.CallExpression, resolver: Resolver): string | undefined {
  const callee = unwrap(call.callee);
  const canonical = resolver.canonical(callee);
  if (canonical !== undefined) return canonical.slice(canonical.lastIndexOf('.') + 1);
  if (callee.type === 'Identifier') return callee.name;
  return callee.type === 'MemberExpression' ? memberName(callee) : undefined;
}

/** The `beforeSnapshot` / `afterRestore` members of the halves object a resource registration passes. */
function resourceHalves(call: ES.CallExpression): HookRegistration[] {
  const registrations: HookRegistration[] = [];
  for (const argument of call.arguments) {
    const object = unwrap(argument);
    if (object.type !== 'ObjectExpression') continue;
    for (const property of object.properties) {
      if (property.type !== 'Property') continue;
      const key = keyName(property.key, property.computed);
      if (key !== undefined && EVENTS.has(key)) {
        registrations.push({ call, event: key as LifecycleEvent, hook: property.value, extra: [] });
      }
    }
  }
  return registrations;
}

/**
 * The function a hook runs, when it is visible in this file: a function written in place, or a name
 * bound to a function declaration or a `const` function. `undefined` for anything else (an import, a
 * parameter, a method reference): the rules then cannot see what the hook does.
 */
export function hookFunction(hook: Node | undefined, resolver: Resolver): FunctionNode | undefined {
  if (hook === undefined) return undefined;
  const inner = unwrap(hook);
  if (isFunction(inner)) return inner;
  if (inner.type !== 'Identifier') return undefined;
  const variable = resolver.variableOf(inner);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (definition?.type === 'FunctionName' && definition.node.type === 'FunctionDeclaration') return definition.node;
  if (definition?.type === 'Variable' && variable !== undefined && !resolver.isReassigned(variable)) {
    const init = definition.node.init ? unwrap(definition.node.init) : undefined;
    return isFunction(init) ? init : undefined;
  }
  return undefined;
}
