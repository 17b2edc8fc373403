/**
 * snapstart-hooks/eslint: an ESLint (flat config) plugin that finds uniqueness bugs before they ship —
 * random or clock values made at init, connections and timers left open across the snapshot, and
 * hooks registered per invocation.
 *
 * @example
 * ```ts no-run
 * // eslint.config.js
 * import snapstart from 'snapstart-hooks/eslint';
 *
 * export default [snapstart.configs.recommended];
 * ```
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import type { ESLint, Linter, Rule } from 'eslint';
import { noHookInHandler } from './rules/no-hook-in-handler.js';
import { noUniqueValueAtInit } from './rules/no-unique-value-at-init.js';
import { requireCloseBeforeSnapshot } from './rules/require-close-before-snapshot.js';

/** The plugin's rules, by name. */
export const rules: Record<string, Rule.RuleModule> = {
  'no-unique-value-at-init': noUniqueValueAtInit,
  'require-close-before-snapshot': requireCloseBeforeSnapshot,
  'no-hook-in-handler': noHookInHandler,
};

/** The plugin object: `meta`, `rules` and `configs.recommended`. */
export interface SnapStartPlugin extends ESLint.Plugin {
  meta: { name: string; version: string; namespace: string };
  rules: Record<string, Rule.RuleModule>;
  configs: {
    /** Every rule as an error, under the `snapstart-hooks/` prefix. */
    recommended: Linter.Config;
  };
}

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const plugin: SnapStartPlugin = {
  meta: { name: 'snapstart-hooks/eslint', version, namespace: 'snapstart-hooks' },
  rules,
  configs: { recommended: {} },
};

plugin.configs.recommended = {
  name: 'snapstart-hooks/recommended',
  plugins: { 'snapstart-hooks': plugin },
  rules: Object.fromEntries(Object.keys(rules).map((name) => [`snapstart-hooks/${name}`, 'error'])),
};

export default plugin;
