/**
 * Test helper: ESLint's own RuleTester, reporting through tap. RuleTester calls `describe` and `it`
 * (Mocha's shape); here each becomes a tap subtest of the one running, so every valid and invalid case
 * is its own test that fails with RuleTester's assertion message.
 */
import * as typescriptParser from '@typescript-eslint/parser';
import { RuleTester } from 'eslint';
import t from 'tap';

type Tap = typeof t;
type Body = () => void;

let current: Tap = t;

/** Runs `body` with `test` as the tap test that nested `describe`/`it` calls attach to. */
function within(test: Tap, body: Body): void {
  const outer = current;
  current = test;
  try {
    body();
  } finally {
    current = outer;
  }
}

RuleTester.describe = (title: string, body: Body) => {
  current.test(title, async (child) => within(child as Tap, body));
};
RuleTester.it = (title: string, body: Body) => {
  current.test(title, async (child) => {
    body();
    child.pass('RuleTester found no difference');
  });
};
RuleTester.itOnly = (title: string, body: Body) => {
  current.test(title, { only: true }, async (child) => {
    body();
    child.pass('RuleTester found no difference');
  });
};

/** A RuleTester for ES modules of the latest syntax; cases may set their own `languageOptions`. */
export const ruleTester = new RuleTester({ languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } });

/** Options for a case written in TypeScript. */
export const typescript = { parser: typescriptParser, ecmaVersion: 'latest', sourceType: 'module' } as const;

/** Options for a CommonJS case. */
export const commonjs = { sourceType: 'commonjs', ecmaVersion: 'latest' } as const;
