/**
 * Where each rule is documented.
 *
 * @module
 */

const GUIDE = 'https://github.com/snapstart-hooks/snapstart-hooks/blob/main/docs/uniqueness.md';

/** The documentation of the rule `name` (its section of the uniqueness guide). */
export function ruleUrl(name: string): string {
  return `${GUIDE}#${name}`;
}
