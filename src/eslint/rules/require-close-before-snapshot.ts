/**
 * `require-close-before-snapshot`: a connection or timer started at init needs a `beforeSnapshot`
 * hook in the same module that closes it.
 *
 * @module
 */
import type { Rule, Scope } from 'eslint';
import type * as ES from 'estree';
import { openResourceOf } from '../analysis/catalog.js';
import { hookWriter } from '../analysis/fix.js';
import { moduleFacts } from '../analysis/module-facts.js';
import { declarationStatement } from '../analysis/resolve.js';

const CONNECTION_CURE = 'Close it in a beforeSnapshot hook and open it again in afterRestore.';
const TIMER_CURE = 'Clear it in a beforeSnapshot hook and start it again in afterRestore.';

export const requireCloseBeforeSnapshot: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Require a beforeSnapshot hook in the same module for connections and timers started at init',
      recommended: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      connectionWithoutHook: `{{what}} opens a connection at init{{where}} and this module registers no beforeSnapshot hook: every environment restored from the snapshot inherits a dead connection (and a V8 startup snapshot cannot be built while it is open). ${CONNECTION_CURE}`,
      timerWithoutHook: `{{what}} starts a timer at init{{where}} and this module registers no beforeSnapshot hook: it goes on firing on the snapshot's schedule in every restored environment (and a V8 startup snapshot cannot be built while it is pending). ${TIMER_CURE}`,
      connectionNotClosed: `{{what}} opens a connection at init ('{{name}}') but no beforeSnapshot hook in this module uses '{{name}}'. ${CONNECTION_CURE}`,
      timerNotCleared: `{{what}} starts a timer at init ('{{name}}') but no beforeSnapshot hook in this module uses '{{name}}'. ${TIMER_CURE}`,
      destroyBeforeSnapshot:
        "Destroy the sockets of '{{name}}' in a beforeSnapshot hook (the agent opens new ones when it is next used).",
    },
  },
  create(context) {
    return {
      'Program:exit'() {
        const facts = moduleFacts(context.sourceCode);
        const hooked = facts.registrations.some((registration) => registration.event === 'beforeSnapshot');
        const reach = facts.reach('beforeSnapshot');
        for (const call of facts.calls) {
          const resource = openResourceOf(call, facts.resolver);
          if (resource === undefined || !facts.phase.runsAtInit(facts.phase.boundaryOf(call))) continue;
          const kept = facts.flow.whereKept(call);
          const variable = kept?.variable;
          const connection = resource.kind === 'connection';
          if (hooked) {
            // A hook this file cannot see into, or nothing named to look for: any hook may close it.
            if (reach.opaque || variable === undefined || reach.variables.has(variable)) continue;
            context.report({
              node: call,
              messageId: connection ? 'connectionNotClosed' : 'timerNotCleared',
              data: { what: resource.label, name: variable.name },
              ...suggestion(context, resource.reusableAfter, variable, kept?.name),
            });
            continue;
          }
          context.report({
            node: call,
            messageId: connection ? 'connectionWithoutHook' : 'timerWithoutHook',
            data: { what: resource.label, where: kept ? ` ('${kept.name}')` : '' },
            ...suggestion(context, resource.reusableAfter, variable, kept?.name),
          });
        }
      },
    };
  },
};

/**
 * For a resource that stays usable after its close method (an HTTP keep-alive agent after
 * `destroy()`), kept whole in a module-scope variable: a `beforeSnapshot` hook calling it, right
 * after the declaration. Nothing else is suggested: closing a pool or a socket also needs code that
 * opens it again, which only the author can write.
 */
function suggestion(
  context: Rule.RuleContext,
  method: string | undefined,
  variable: Scope.Variable | undefined,
  name: string | undefined,
): { suggest?: Rule.SuggestionReportDescriptor[] } {
  if (method === undefined || variable === undefined || name !== variable.name) return {};
  const definition = variable.defs[0];
  const statement = definition?.type === 'Variable' ? declarationStatement(definition.node) : undefined;
  const writer = hookWriter(moduleFacts(context.sourceCode).resolver, 'beforeSnapshot');
  if (statement === undefined || writer === undefined) return {};
  const indent = ' '.repeat((statement.loc as ES.SourceLocation).start.column);
  const registration = writer.statement(`${name}.${method}();`, indent);
  return {
    suggest: [
      {
        messageId: 'destroyBeforeSnapshot',
        data: { name },
        fix(fixer) {
          const fixes = [fixer.insertTextAfter(statement, `\n${indent}${registration}`)];
          const addImport = writer.importFix(fixer);
          if (addImport !== undefined) fixes.push(addImport);
          return fixes;
        },
      },
    ],
  };
}
