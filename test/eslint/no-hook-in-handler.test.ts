import { noHookInHandler } from '../../src/eslint/rules/no-hook-in-handler.js';
import { commonjs, ruleTester, typescript } from './rule-tester.js';

const consequence = {
  beforeSnapshot: 'it never runs: the snapshot was taken before the first invocation',
  afterRestore: 'a hook registered after the restore does not run for that restore',
} as const;
const inHandler = (event: keyof typeof consequence, name: string) => ({
  messageId: 'inHandler',
  data: { event, name, article: event === 'afterRestore' ? 'n' : '', consequence: consequence[event] },
});
const inFunction = (event: keyof typeof consequence, name: string) => ({
  messageId: 'inFunction',
  data: { event, name, article: event === 'afterRestore' ? 'n' : '', consequence: consequence[event] },
});

ruleTester.run('no-hook-in-handler', noHookInHandler, {
  valid: [
    "import { registerAfterRestore } from 'snapstart-hooks'; registerAfterRestore(() => {}); export const handler = async () => 1;",
    "import { snapStartBus } from 'snapstart-hooks'; snapStartBus.on('beforeSnapshot', () => {}); snapStartBus.on('afterRestore', () => {});",
    // Functions that only run at init.
    "import { registerAfterRestore } from 'snapstart-hooks'; function setupHooks() { registerAfterRestore(() => {}); } setupHooks();",
    "import { registerAfterRestore } from 'snapstart-hooks'; (() => { registerAfterRestore(() => {}); })();",
    "import { registerAfterRestore } from 'snapstart-hooks'; ['db', 'cache'].forEach((name) => registerAfterRestore(() => name));",
    "import { snapshotMain } from 'snapstart-hooks/v8'; import { snapStartBus } from 'snapstart-hooks'; snapshotMain(() => {}, { init: () => { snapStartBus.on('afterRestore', () => {}); } });",
    "import { registerBeforeSnapshot, registerAfterRestore } from 'snapstart-hooks'; registerBeforeSnapshot(() => { registerAfterRestore(() => {}); });",
    'class Db { static { bus.on("afterRestore", () => {}); } }',
    'const helpers = { setup() { registerAfterRestore(() => {}); } }; helpers.setup();',
    'class Hooks { static install() { registerAfterRestore(() => {}); } } Hooks.install();',
    'const Setup = class { constructor() { registerAfterRestore(() => {}); } }; new Setup();',
    "snapStartBus.on('afterRestore'); registerResource('x', halves); bus.resource('y', { ...halves, other() {} });",
    // Other events and other `on` calls are not lifecycle hooks.
    "export function handler(event) { emitter.on('data', () => {}); bus.on('configChanged', () => {}); }",
    {
      code: "import { registerAfterRestore } from 'snapstart-hooks'; const setup = (): void => { registerAfterRestore(() => {}); }; setup();",
      languageOptions: typescript,
    },
  ],
  invalid: [
    {
      code: "import { registerAfterRestore } from 'snapstart-hooks';\nexport async function handler(event) {\n  registerAfterRestore(() => {});\n  return event;\n}",
      errors: [{ ...inHandler('afterRestore', 'handler'), line: 3, column: 3 }],
    },
    {
      code: "import { snapStartBus } from 'snapstart-hooks'; export const handler = async () => { snapStartBus.on('beforeSnapshot', () => {}); };",
      errors: [inHandler('beforeSnapshot', 'handler')],
    },
    {
      code: "import { snapStartBus } from 'snapstart-hooks'; export default async function (event) { snapStartBus.once('afterRestore', () => {}); }",
      errors: [inHandler('afterRestore', 'default')],
    },
    {
      code: "import * as hooks from 'snapstart-hooks'; async function main(event) { if (event.first) hooks.registerBeforeSnapshot(() => {}); } export { main as handler };",
      errors: [inHandler('beforeSnapshot', 'handler')],
    },
    {
      code: "import { registerResource } from 'snapstart-hooks'; export const handler = async () => { registerResource('db', { beforeSnapshot() {}, afterRestore() {} }); };",
      errors: [inHandler('beforeSnapshot', 'handler')],
    },
    {
      code: "import { registerAfterRestore } from 'snapstart-hooks'; export async function handler() { await Promise.all([1, 2].map(async () => { registerAfterRestore(() => {}); })); }",
      errors: [inHandler('afterRestore', 'handler')],
    },
    {
      code: "const { registerAfterRestore } = require('snapstart-hooks'); exports.handler = async () => { registerAfterRestore(() => {}); };",
      languageOptions: commonjs,
      errors: [inHandler('afterRestore', 'handler')],
    },
    {
      code: "const hooks = require('snapstart-hooks'); async function handle() { hooks.registerAfterRestore(() => {}); } module.exports = { handle };",
      languageOptions: commonjs,
      errors: [inHandler('afterRestore', 'handle')],
    },
    {
      code: "import { registerAfterRestore } from 'snapstart-hooks'; class Db { connect() { registerAfterRestore(() => {}); } } export const db = new Db();",
      errors: [inFunction('afterRestore', '"connect"')],
    },
    {
      code: "import { registerAfterRestore } from 'snapstart-hooks'; function setupHooks() { registerAfterRestore(() => {}); } setupHooks(); export const handler = () => setupHooks();",
      errors: [inFunction('afterRestore', '"setupHooks"')],
    },
    {
      code: "import { registerAfterRestore } from 'snapstart-hooks'; registerAfterRestore(() => { registerAfterRestore(() => {}); });",
      errors: [inFunction('afterRestore', 'a function')],
    },
    {
      code: "export const run = function inner() { registerAfterRestore(() => {}); }; const go = function named() { registerAfterRestore(() => {}); }; export { go as 'start' };",
      errors: [inHandler('afterRestore', 'run'), inHandler('afterRestore', 'start')],
    },
    {
      code: 'class Api { handle = () => { registerAfterRestore(() => {}); }; hook = registerAfterRestore(() => {}); } obj.run = function () { registerBeforeSnapshot(() => {}); }; exports[name] = function () { registerAfterRestore(() => {}); }; module.exports = { [key]: () => registerAfterRestore(() => {}) };',
      languageOptions: commonjs,
      errors: [
        inFunction('afterRestore', '"handle"'),
        inFunction('afterRestore', 'a function'),
        inFunction('beforeSnapshot', '"obj.run"'),
        inFunction('afterRestore', 'a function'),
        inFunction('afterRestore', 'a function'),
      ],
    },
    {
      code: "export default async function handler() { snapStartBus.on('afterRestore', () => {}); }",
      errors: [inHandler('afterRestore', 'handler')],
    },
    {
      code: 'exports.handler = function () { registerAfterRestore(() => {}); }; module.exports.other = async () => { registerBeforeSnapshot(() => {}); };',
      languageOptions: commonjs,
      errors: [inHandler('afterRestore', 'handler'), inHandler('beforeSnapshot', 'other')],
    },
    {
      code: 'module.exports = async function () { registerAfterRestore(() => {}); };',
      languageOptions: commonjs,
      errors: [inHandler('afterRestore', 'module.exports')],
    },
    {
      code: 'module.exports = { handle: async () => { registerAfterRestore(() => {}); } };',
      languageOptions: commonjs,
      errors: [inHandler('afterRestore', 'handle')],
    },
    {
      code: 'async function main() { registerAfterRestore(() => {}); } module.exports.handler = main; const unrelated = main;',
      languageOptions: commonjs,
      errors: [inHandler('afterRestore', 'handler')],
    },
    {
      code: "export function outer() { return function inner() { snapStartBus.resource('db', { afterRestore() {} }); }; }",
      errors: [inHandler('afterRestore', 'outer')],
    },
    {
      code: 'const helpers = { setup() { registerAfterRestore(() => {}); } }; helpers.setup(); export const handler = () => helpers.setup();',
      errors: [inFunction('afterRestore', '"setup"')],
    },
    {
      code: 'let later = () => registerAfterRestore(() => {}); later = () => {}; later(); setTimeout(function () { registerBeforeSnapshot(() => {}); }, 1);',
      errors: [inFunction('afterRestore', '"later"'), inFunction('beforeSnapshot', 'a function')],
    },
    {
      code: "import { registerAfterRestore } from 'snapstart-hooks';\nexport const handler = async (event: { id: string }): Promise<string> => {\n  registerAfterRestore((): void => {});\n  return event.id;\n};",
      languageOptions: typescript,
      errors: [{ ...inHandler('afterRestore', 'handler'), line: 3 }],
    },
  ],
});
