/**
 * `no-unique-value-at-init`: a random or clock value made at init and kept is the same in every
 * environment restored from the snapshot.
 *
 * @module
 */
import type { Rule, Scope } from 'eslint';
import type * as ES from 'estree';
import { isPathUnder, type Node, unwrap } from '../analysis/ast.js';
import { uniqueSourceOf } from '../analysis/catalog.js';
import { hookWriter } from '../analysis/fix.js';
import type { Kept } from '../analysis/flow.js';
import { type ModuleFacts, moduleFacts } from '../analysis/module-facts.js';
import { declarationStatement } from '../analysis/resolve.js';

/** Methods that only reshape a value, so re-running the expression in a hook is safe. */
const RESHAPING_METHODS = new Set([
  'toString',
  'toISOString',
  'toJSON',
  'getTime',
  'valueOf',
  'toFixed',
  'toPrecision',
  'slice',
  'substring',
  'padStart',
  'padEnd',
  'toUpperCase',
  'toLowerCase',
  'replace',
  'replaceAll',
  'trim',
]);
const RESHAPING_FUNCTIONS = new Set([
  'global.String',
  'global.Number',
  'global.BigInt',
  'global.Math.floor',
  'global.Math.round',
  'global.Math.ceil',
  'global.Math.trunc',
]);

export const noUniqueValueAtInit: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow random or clock values made at init and kept: every environment restored from one snapshot shares them',
      recommended: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      random:
        "'{{name}}' keeps a random value made at init by {{source}}: every environment restored from the snapshot gets the same one. Make it in an afterRestore hook, or per invocation.",
      clock:
        "'{{name}}' keeps the time at init ({{source}}): in every restored environment it is the snapshot's time, possibly hours or days old. Read the clock in an afterRestore hook, or per invocation.",
      remakeAfterRestore: "Make '{{name}}' again after every restore, in an afterRestore hook.",
    },
  },
  create(context) {
    return {
      'Program:exit'() {
        const facts = moduleFacts(context.sourceCode);
        const refreshed = [...facts.reach('afterRestore').assigned];
        for (const call of facts.calls) {
          const source = uniqueSourceOf(call, facts.resolver);
          if (source === undefined || !facts.phase.runsAtInit(facts.phase.boundaryOf(call))) continue;
          const kept = facts.flow.whereKept(call);
          // Kept, but made again by an afterRestore hook: the restored environments do not share it.
          if (kept === undefined || refreshed.some((path) => isPathUnder(kept.name, path))) continue;
          const suggestion = remakeInHook(context, facts, call, kept);
          context.report({
            node: call,
            messageId: source.kind,
            data: { name: kept.name, source: source.label },
            ...(suggestion ? { suggest: [suggestion] } : {}),
          });
        }
      },
    };
  },
};

/**
 * Suggests `let x = <expr>; registerAfterRestore(() => { x = <expr>; });` when that is provably the
 * same program apart from the fresh value: `x` is a module-scope variable declared with the call in
 * its initializer, nothing else writes it, nothing reads it while init runs (so no other value was
 * derived from the old one; it is not exported, for the same reason), and the initializer only calls random or clock sources and reshaping
 * methods (so running it again has no other effect).
 */
function remakeInHook(
  context: Rule.RuleContext,
  facts: ModuleFacts,
  call: Node,
  kept: Kept,
): Rule.SuggestionReportDescriptor | undefined {
  const variable = kept.variable;
  if (variable === undefined || kept.name !== variable.name || variable.defs.length !== 1) return undefined;
  const definition = variable.defs[0] as Scope.Definition;
  if (definition.type !== 'Variable') return undefined;
  const declarator = definition.node;
  const declaration = definition.parent;
  const init = declarator.init;
  if (init === null || init === undefined || declarator.id.type !== 'Identifier') return undefined;
  if (!contains(init, call) || (declaration.kind === 'const' && declaration.declarations.length !== 1)) return;
  if (declaration.kind !== 'const' && declaration.kind !== 'let' && declaration.kind !== 'var') return undefined;
  const readsAtInit = variable.references.some(
    (reference) =>
      reference.init !== true &&
      (reference.isWrite() || facts.phase.runsAtInit(facts.phase.boundaryOf(reference.identifier as Node))),
  );
  // An importer could derive something from the old value while it initialises: no suggestion for exports.
  const statement = declarationStatement(declarator);
  const exported = statement.type === 'ExportNamedDeclaration';
  if (readsAtInit || exported || !isReshapingOnly(init, facts)) return undefined;
  const writer = hookWriter(facts.resolver, 'afterRestore');
  if (writer === undefined) return undefined;
  const sourceCode = context.sourceCode;
  const indent = ' '.repeat((statement.loc as ES.SourceLocation).start.column);
  const registration = writer.statement(`${variable.name} = ${sourceCode.getText(init)};`, indent);
  return {
    messageId: 'remakeAfterRestore',
    data: { name: variable.name },
    fix(fixer) {
      const fixes: Rule.Fix[] = [];
      const keyword = sourceCode.getFirstToken(declaration);
      if (declaration.kind === 'const' && keyword !== null) fixes.push(fixer.replaceText(keyword, 'let'));
      fixes.push(fixer.insertTextAfter(statement, `\n${indent}${registration}`));
      const addImport = writer.importFix(fixer);
      if (addImport !== undefined) fixes.push(addImport);
      return fixes;
    },
  };
}

function contains(outer: Node, inner: Node): boolean {
  // ESLint's parsers give every node its range.
  const [start, end] = outer.range as [number, number];
  const [innerStart, innerEnd] = inner.range as [number, number];
  return innerStart >= start && innerEnd <= end;
}

/** Whether `node` only calls random or clock sources and reshaping functions, on literals and names. */
function isReshapingOnly(node: Node, facts: ModuleFacts): boolean {
  const inner = unwrap(node);
  const check = (child: Node | null | undefined): boolean => child == null || isReshapingOnly(child, facts);
  switch (inner.type) {
    case 'Literal':
    case 'Identifier':
      return true;
    case 'TemplateLiteral':
      return inner.expressions.every(check);
    case 'BinaryExpression':
    case 'LogicalExpression':
      return check(inner.left as Node) && check(inner.right);
    case 'UnaryExpression':
      return inner.operator !== 'delete' && check(inner.argument);
    case 'ConditionalExpression':
      return check(inner.test) && check(inner.consequent) && check(inner.alternate);
    case 'MemberExpression':
      return check(inner.object as Node) && (!inner.computed || check(inner.property));
    case 'CallExpression':
    case 'NewExpression': {
      if (!inner.arguments.every((argument) => check(argument as Node))) return false;
      if (uniqueSourceOf(inner, facts.resolver) !== undefined) return true;
      if (RESHAPING_FUNCTIONS.has(facts.resolver.canonical(inner.callee) ?? '')) return true;
      const callee = unwrap(inner.callee);
      return (
        callee.type === 'MemberExpression' &&
        callee.property.type === 'Identifier' &&
        !callee.computed &&
        RESHAPING_METHODS.has(callee.property.name) &&
        check(callee.object as ES.Expression)
      );
    }
    default:
      return false;
  }
}
