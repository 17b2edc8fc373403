/**
 * `no-hook-in-handler`: a `beforeSnapshot`/`afterRestore` hook registered inside a function that
 * runs after init (the handler above all) registers again on every call, and never runs for the
 * restore that already happened.
 *
 * @module
 */
import type { Rule, Scope } from 'eslint';
import type * as ES from 'estree';
import {
  type FunctionNode,
  functionName,
  isFunction,
  keyName,
  type Node,
  outerParent,
  parentOf,
  pathText,
} from '../analysis/ast.js';
import { type ModuleFacts, moduleFacts } from '../analysis/module-facts.js';

const CURE = 'Register it once, at the top level of the module.';
/** What goes wrong besides the pile-up, per event. */
const CONSEQUENCE = {
  beforeSnapshot: 'it never runs: the snapshot was taken before the first invocation',
  afterRestore: 'a hook registered after the restore does not run for that restore',
} as const;

export const noHookInHandler: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow registering beforeSnapshot/afterRestore hooks inside the handler or other functions that run after init',
      recommended: true,
    },
    schema: [],
    messages: {
      inHandler: `This registers a{{article}} {{event}} hook inside the exported function "{{name}}": it runs on every invocation, so the hook is registered again each time (hooks pile up), and {{consequence}}. ${CURE}`,
      inFunction: `This registers a{{article}} {{event}} hook inside {{name}}, which runs after init: each call registers the hook again, and {{consequence}}. ${CURE}`,
    },
  },
  create(context) {
    return {
      'Program:exit'() {
        const facts = moduleFacts(context.sourceCode);
        const reported = new Set<Node>();
        for (const registration of facts.registrations) {
          if (reported.has(registration.call)) continue;
          const boundary = facts.phase.boundaryOf(registration.call);
          if (facts.phase.runsOnlyAtInit(boundary)) continue;
          reported.add(registration.call);
          const handler = exportedAround(facts, boundary);
          const article = registration.event === 'afterRestore' ? 'n' : '';
          const consequence = CONSEQUENCE[registration.event];
          if (handler !== undefined) {
            context.report({
              node: registration.call,
              messageId: 'inHandler',
              data: { event: registration.event, article, consequence, name: handler },
            });
          } else {
            const name = isFunction(boundary) ? functionName(boundary) : undefined;
            context.report({
              node: registration.call,
              messageId: 'inFunction',
              data: { event: registration.event, article, consequence, name: name ? `"${name}"` : 'a function' },
            });
          }
        }
      },
    };
  },
};

/** The exported name of the innermost function around `boundary` that the module exports, if any. */
function exportedAround(facts: ModuleFacts, boundary: Node): string | undefined {
  for (let current = boundary; isFunction(current); current = facts.phase.boundaryOf(current)) {
    const name = exportedName(facts, current);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** The name `fn` is exported under (ES export, `exports.x =`, `module.exports = { x }`), or `undefined`. */
function exportedName(facts: ModuleFacts, fn: FunctionNode): string | undefined {
  const { parent, child } = outerParent(fn);
  if (parent?.type === 'ExportDefaultDeclaration' || parent?.type === 'ExportNamedDeclaration') return functionName(fn);
  const viaMember = exportTarget(parent, child);
  if (viaMember !== undefined) return viaMember;
  // The name it is bound to: a function declaration's own, or the variable's it initialises.
  const declaration =
    fn.type === 'FunctionDeclaration' ? fn : parent?.type === 'VariableDeclarator' ? parent : undefined;
  const binding = declaration?.id;
  if (declaration === undefined || binding?.type !== 'Identifier') return undefined;
  if (
    declaration.type === 'VariableDeclarator' &&
    parentOf(parentOf(declaration) as Node)?.type === 'ExportNamedDeclaration'
  ) {
    return binding.name;
  }
  const variables = facts.resolver.sourceCode.getDeclaredVariables(declaration);
  const variable = variables.find((candidate) => candidate.name === binding.name) as Scope.Variable;
  for (const reference of variable.references) {
    const use = outerParent(reference.identifier as Node);
    if (use.parent?.type === 'ExportSpecifier') return keyOf(use.parent.exported);
    const exported = exportTarget(use.parent, use.child);
    if (exported !== undefined) return exported;
  }
  return undefined;
}

/** The export name when `child` is assigned to `exports.x` / `module.exports.x`, or sits in `module.exports = { x }`. */
function exportTarget(parent: Node | null, child: Node): string | undefined {
  if (parent?.type === 'AssignmentExpression' && parent.right === child) {
    const target = pathText(parent.left) ?? '';
    const match = /^(?:module\.)?exports(?:\.(.+))?$/.exec(target);
    if (match) return match[1] ?? 'module.exports';
  }
  if (parent?.type === 'Property' && parent.value === child) {
    const object = outerParent(parentOf(parent) as Node);
    const assigned = object.parent;
    if (assigned?.type === 'AssignmentExpression' && pathText(assigned.left) === 'module.exports') {
      return keyName(parent.key, parent.computed);
    }
  }
  return undefined;
}

function keyOf(node: ES.Identifier | ES.Literal): string {
  return node.type === 'Identifier' ? node.name : String(node.value);
}
