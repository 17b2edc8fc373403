import { noUniqueValueAtInit } from '../../src/eslint/rules/no-unique-value-at-init.js';
import { commonjs, ruleTester, typescript } from './rule-tester.js';

const random = (name: string, source: string) => ({ messageId: 'random', data: { name, source } });
const clock = (name: string, source: string) => ({ messageId: 'clock', data: { name, source } });
const noSuggestion = { suggestions: [] };
const remake = (name: string, output: string) => ({
  suggestions: [{ messageId: 'remakeAfterRestore', data: { name }, output }],
});

ruleTester.run('no-unique-value-at-init', noUniqueValueAtInit, {
  valid: [
    // Made per invocation.
    'export const handler = async () => ({ id: crypto.randomUUID(), at: Date.now(), n: Math.random() });',
    "import { randomUUID } from 'node:crypto'; export function handler() { const id = randomUUID(); return { id }; }",
    'class Request { id = crypto.randomUUID(); } export const handler = () => new Request();',
    'class Ids { static next() { return crypto.randomUUID(); } } export const handler = () => Ids.next();',
    "import { nanoid } from 'nanoid'; export const handler = () => [1, 2].map(() => nanoid());",
    // Made in an afterRestore hook, in each of its forms.
    "import { registerAfterRestore } from 'snapstart-hooks'; let salt; registerAfterRestore(() => { salt = crypto.randomBytes(16); }); export const h = () => salt;",
    "import { snapStartBus } from 'snapstart-hooks'; let at; snapStartBus.on('afterRestore', () => { at = Date.now(); }); export const h = () => at;",
    "import { LifecycleBus } from 'snapstart-hooks'; const bus = new LifecycleBus(); let token; bus.once('afterRestore', function () { token = Math.random(); }); export const h = () => token;",
    "import { snapStartBus } from 'snapstart-hooks'; let id; snapStartBus.resource('ids', { beforeSnapshot() {}, afterRestore() { id = crypto.randomUUID(); } }); export const h = () => id;",
    "import { registerResource } from 'snapstart-hooks'; let id; registerResource('ids', { afterRestore: () => { id = crypto.randomUUID(); } }); export const h = () => id;",
    // Made at init but made again after every restore.
    "import { registerAfterRestore as onRestore } from 'snapstart-hooks'; let salt = crypto.randomUUID(); onRestore(() => { salt = crypto.randomUUID(); }); export const h = () => salt;",
    'let salt; function refresh() { salt = crypto.randomUUID(); } refresh(); registerAfterRestore(refresh); export const h = () => salt;',
    "import { snapStartBus } from 'snapstart-hooks'; const config = { id: crypto.randomUUID() }; snapStartBus.on('afterRestore', () => { config.id = crypto.randomUUID(); }); export { config };",
    'const ids = [crypto.randomUUID()]; registerAfterRestore(() => { ids.length = 0; ids.push(crypto.randomUUID()); }); export { ids };',
    // Not kept: dropped, logged, only steering a condition, or only timing.
    'crypto.randomUUID();',
    "console.log('init at', new Date().toISOString());",
    "process.stdout.write('booted ' + Date.now());",
    "if (Math.random() < 0.5) console.log('lucky');",
    "const t0 = performance.now(); await Promise.resolve(); console.log('init took', performance.now() - t0, 'ms');",
    'const start = Date.now(); export const handler = () => ({ uptime: Date.now() - start });',
    '(() => { const local = crypto.randomUUID(); console.log(local); })();',
    // Not random and not the clock.
    "const epoch = new Date(0); const release = new Date('2024-01-01'); export { epoch, release };",
    "import { v5 } from 'uuid'; export const id = v5('name', '6ba7b810-9dad-11d1-80b4-00c04fd430c8');",
    "import { randomUUID } from './my-ids.js'; export const id = randomUUID();",
    'const Math = { random: () => 4 }; export const n = Math.random();',
    'function pick(crypto) { return crypto.randomUUID(); } export const handler = () => pick(globalThis.crypto);',
    // Not kept: typeof/void/delete, a condition's test, a sequence's first part, a computed member read.
    'export const kind = typeof Date.now(); void crypto.randomUUID();',
    "export const label = Math.random() > 0.5 ? 'heads' : 'tails';",
    'export const one = (Date.now(), 1);',
    // Unresolvable or shadowed sources, and destructuring this file cannot follow.
    "const { ...rest } = require('crypto'); export const a = rest.randomUUID();",
    "const [first] = [require('crypto')]; export const b = first.randomUUID();",
    "let c = require('crypto'); c = { randomUUID: () => 'fixed' }; export const d = c.randomUUID();",
    'export const e = handlers[name]();',
    // Elapsed times only; a callback whose result nothing keeps; resolution given up past 8 aliases.
    'setTimeout(run, Math.random() * 1000); setInterval(run, 1000 + Math.random());',
    'queueMicrotask(() => crypto.randomUUID()); new Promise(() => Date.now()); [1].forEach(() => Date.now());',
    'const a1 = crypto; const a2 = a1; const a3 = a2; const a4 = a3; const a5 = a4; const a6 = a5; const a7 = a6; const a8 = a7; const a9 = a8; const a10 = a9; export const id = a10.randomUUID();',
    'class Base {} class Derived extends Base { static { this.id = super.make(); } }',
    'runners[kind](main, { init: () => { id = crypto.randomUUID(); } }); let id; export const h = () => id;',
    {
      code: "const c = require(name); const { [key]: r } = require('crypto'); exports.a = c.randomUUID(); exports.b = r();",
      languageOptions: commonjs,
    },
    // Callbacks this file cannot prove run at init.
    'let later; setTimeout(() => { later = Date.now(); }, 10); export const h = () => later;',
    {
      code: 'export const handler = async (event: unknown): Promise<string> => crypto.randomUUID() as string;',
      languageOptions: typescript,
    },
    {
      code: "const { randomUUID } = require('node:crypto'); exports.handler = async () => ({ id: randomUUID() });",
      languageOptions: commonjs,
    },
  ],
  invalid: [
    {
      code: 'const requestSalt = crypto.randomUUID();',
      errors: [
        {
          ...random('requestSalt', 'crypto.randomUUID()'),
          ...remake(
            'requestSalt',
            "import { registerAfterRestore } from 'snapstart-hooks';\nlet requestSalt = crypto.randomUUID();\nregisterAfterRestore(() => {\n  requestSalt = crypto.randomUUID();\n});",
          ),
        },
      ],
    },
    {
      code: "import { randomUUID as id } from 'node:crypto';\nlet token = id();\nexport const handler = () => token;",
      errors: [
        {
          ...random('token', 'crypto.randomUUID()'),
          line: 2,
          column: 13,
          ...remake(
            'token',
            "import { randomUUID as id } from 'node:crypto';\nimport { registerAfterRestore } from 'snapstart-hooks';\nlet token = id();\nregisterAfterRestore(() => {\n  token = id();\n});\nexport const handler = () => token;",
          ),
        },
      ],
    },
    {
      code: "import { snapStartBus } from 'snapstart-hooks';\nconst startedAt = Date.now();\nexport const handler = () => startedAt;",
      errors: [
        {
          ...clock('startedAt', 'Date.now()'),
          ...remake(
            'startedAt',
            "import { snapStartBus } from 'snapstart-hooks';\nlet startedAt = Date.now();\nsnapStartBus.on('afterRestore', () => {\n  startedAt = Date.now();\n});\nexport const handler = () => startedAt;",
          ),
        },
      ],
    },
    {
      code: "import { formatReport } from 'snapstart-hooks';\nconst bootNs = process.hrtime.bigint();\nexport const h = () => [formatReport, bootNs];",
      errors: [
        {
          ...clock('bootNs', 'process.hrtime.bigint()'),
          ...remake(
            'bootNs',
            "import { formatReport, registerAfterRestore } from 'snapstart-hooks';\nlet bootNs = process.hrtime.bigint();\nregisterAfterRestore(() => {\n  bootNs = process.hrtime.bigint();\n});\nexport const h = () => [formatReport, bootNs];",
          ),
        },
      ],
    },
    {
      code: "import * as c from 'crypto';\nconst salt = c.randomBytes(16).toString('hex');\nconst derived = salt + '-v1';\nexport { derived };",
      errors: [{ ...random('salt', 'crypto.randomBytes()'), ...noSuggestion }],
    },
    {
      code: "import { v4 as uuidv4 } from 'uuid'; export const instanceId = uuidv4();",
      errors: [{ ...random('instanceId', 'uuid v4()'), ...noSuggestion }],
    },
    {
      code: 'export const config = { requestId: globalThis.crypto.randomUUID(), limits: { seed: Math.random() } };',
      errors: [
        { ...random('config.requestId', 'crypto.randomUUID()'), ...noSuggestion },
        { ...random('config.limits.seed', 'Math.random()'), ...noSuggestion },
      ],
    },
    {
      code: 'const ids = [Math.random(), self.crypto.getRandomValues(new Uint8Array(8))]; export { ids };',
      errors: [
        { ...random('ids[0]', 'Math.random()'), ...noSuggestion },
        { ...random('ids[1]', 'crypto.getRandomValues()'), ...noSuggestion },
      ],
    },
    {
      code: "import { randomUUID } from 'node:crypto'; class Cache { static instanceId = randomUUID(); }",
      errors: [random('Cache.instanceId', 'crypto.randomUUID()')],
    },
    {
      code: 'class Clock { static { this.bootedAt = new Date(); } } export { Clock };',
      errors: [clock('Clock.bootedAt', 'new Date()')],
    },
    {
      code: "import { randomUUID } from 'node:crypto'; class Client { constructor() { this.id = randomUUID(); } } export const client = new Client();",
      errors: [random('Client#id', 'crypto.randomUUID()')],
    },
    {
      code: "import { nanoid } from 'nanoid'; const token = (() => nanoid())(); export const h = () => token;",
      errors: [{ ...random('token', 'nanoid()'), ...noSuggestion }],
    },
    {
      code: 'let seed; (async () => { seed = await Promise.resolve(Math.random()); })(); export const h = () => seed;',
      errors: [random('seed', 'Math.random()')],
    },
    {
      code: 'let startedAt; function init() { startedAt = new Date(); } init(); export const h = () => startedAt;',
      errors: [clock('startedAt', 'new Date()')],
    },
    {
      code: 'const ids = { make() { return crypto.randomUUID(); } }; export const first = ids.make();',
      errors: [random('first', 'crypto.randomUUID()')],
    },
    {
      code: 'const ids = Array.from({ length: 3 }, () => crypto.randomUUID()); export { ids };',
      errors: [random('ids[]', 'crypto.randomUUID()')],
    },
    {
      code: 'function makeHandler() { const id = crypto.randomUUID(); return () => ({ id }); } export const handler = makeHandler();',
      errors: [random('id', 'crypto.randomUUID()')],
    },
    {
      code: "import { registerBeforeSnapshot } from 'snapstart-hooks'; let snapshotAt; registerBeforeSnapshot(() => { snapshotAt = Date.now(); }); export const h = () => snapshotAt;",
      errors: [clock('snapshotAt', 'Date.now()')],
    },
    {
      code: "import { snapshotMain } from 'snapstart-hooks/v8'; let id; snapshotMain(() => console.log(id), { init: () => { id = crypto.randomUUID(); } });",
      errors: [random('id', 'crypto.randomUUID()')],
    },
    {
      code: 'const seen = new Set(); seen.add(crypto.randomUUID()); export { seen };',
      errors: [random('seen', 'crypto.randomUUID()')],
    },
    {
      code: "import session from 'express-session'; import { randomBytes } from 'node:crypto'; app.use(session({ secret: randomBytes(32).toString('hex') }));",
      errors: [random('secret passed to session()', 'crypto.randomBytes()')],
    },
    {
      code: "import { customAlphabet } from 'nanoid'; const code = customAlphabet('abc', 8); export const invite = code();",
      errors: [random('invite', 'a nanoid customAlphabet() generator')],
    },
    {
      code: "import { registerAfterRestore } from 'snapstart-hooks'; let a = crypto.randomUUID(); let b = crypto.randomUUID(); registerAfterRestore(() => { a = crypto.randomUUID(); }); export const h = () => [a, b];",
      errors: [{ ...random('b', 'crypto.randomUUID()'), suggestions: 1 }],
    },
    {
      code: "const { randomInt } = require('crypto'); const n = randomInt(10); module.exports = { n };",
      languageOptions: commonjs,
      errors: [{ ...random('n', 'crypto.randomInt()'), ...noSuggestion }],
    },
    {
      code: "const c = require('node:crypto'); exports.key = c.generateKeyPairSync('ed25519');",
      languageOptions: commonjs,
      errors: [random('exports.key', 'crypto.generateKeyPairSync()')],
    },
    {
      code: "import { performance as perf } from 'node:perf_hooks'; export const t = perf.now(); export const s = Date();",
      errors: [clock('t', 'performance.now()'), clock('s', 'Date()')],
    },
    {
      code: "const { webcrypto: { getRandomValues: fill } } = require('node:crypto'); const { randomUUID: id = null, ['randomInt']: int } = require('crypto'); exports.a = fill(new Uint8Array(4)); exports.b = id(); exports.c = int(9);",
      languageOptions: commonjs,
      errors: [
        random('exports.a', 'crypto.getRandomValues()'),
        random('exports.b', 'crypto.randomUUID()'),
        random('exports.c', 'crypto.randomInt()'),
      ],
    },
    {
      code: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const { randomUUID } = require('crypto'); export const id = randomUUID();",
      errors: [random('id', 'crypto.randomUUID()')],
    },
    {
      code: "const { randomUUID } = await import('node:crypto'); import { 'v4' as uuid } from 'uuid'; import ulid from 'ulid'; export const ids = [randomUUID(), uuid(), ulid.ulid()];",
      errors: [random('ids[0]', 'crypto.randomUUID()'), random('ids[1]', 'uuid v4()'), random('ids[2]', 'ulid()')],
    },
    {
      code: 'let id; (function () { id = crypto.randomUUID(); }).call(this); let at; (function () { at = Date.now(); }).apply(null, []); export const h = () => [id, at];',
      errors: [random('id', 'crypto.randomUUID()'), clock('at', 'Date.now()')],
    },
    {
      code: 'let token; Promise.resolve().then(() => { token = crypto.randomUUID(); }); let at; queueMicrotask(() => { at = Date.now(); }); export const h = () => [token, at];',
      errors: [random('token', 'crypto.randomUUID()'), clock('at', 'Date.now()')],
    },
    {
      code: "export const seed = Promise.resolve(1).then(() => Math.random()); export const pick = flag ? crypto.randomUUID() : 'none'; export const last = (0, Date.now());",
      errors: [random('seed', 'Math.random()'), random('pick', 'crypto.randomUUID()'), clock('last', 'Date.now()')],
    },
    {
      code: 'function init() { this.id = crypto.randomUUID(); } init.call(state); export default class { static bootId = crypto.randomUUID(); }',
      errors: [random('this.id', 'crypto.randomUUID()'), random('(anonymous class).bootId', 'crypto.randomUUID()')],
    },
    {
      code: 'let late; p.then(undefined, () => { late = Date.now(); }); [1].forEach(noop, function () { late = performance.now(); }); export const h = () => late;',
      errors: [clock('late', 'Date.now()')],
    },
    {
      code: 'const servers = ["a", "b"]; export const server = servers[Math.floor(Math.random() * servers.length)];',
      errors: [random('server', 'Math.random()')],
    },
    {
      code: "export const byId = { [crypto.randomUUID()]: true, 'x-id': Date.now() }; const cache = {}; cache[crypto.randomUUID()] = 1; export { cache };",
      errors: [
        random('byId[…]', 'crypto.randomUUID()'),
        clock('byId["x-id"]', 'Date.now()'),
        random('cache', 'crypto.randomUUID()'),
      ],
    },
    {
      code: 'export const client = new Client({ id: crypto.randomUUID() }); register[kind](Date.now()); ids[method](Math.random()); export const ids = [];',
      errors: [
        random('client.id', 'crypto.randomUUID()'),
        clock('the value passed to a call', 'Date.now()'),
        random('the value passed to a call', 'Math.random()'),
      ],
    },
    {
      code: "leaked = crypto.randomUUID(); globalThis.bootId = crypto.randomUUID(); getTable()[k] = Date.now(); headers['x-id'] = crypto.randomUUID(); export const headers = {};",
      errors: [
        random('leaked', 'crypto.randomUUID()'),
        random('globalThis.bootId', 'crypto.randomUUID()'),
        clock('an object', 'Date.now()'),
        random('headers["x-id"]', 'crypto.randomUUID()'),
      ],
    },
    {
      code: "Object.assign(config, { id: crypto.randomUUID() }); Reflect.set(config, 'at', Date.now()); export const config = {};",
      errors: [random('config.id', 'crypto.randomUUID()'), clock('config', 'Date.now()')],
    },
    {
      code: 'class Keys { static #secret = crypto.randomUUID(); static [computed()] = Math.random(); } export default class { static { this.at = Date.now(); } } export { Keys };',
      errors: [
        random('Keys.#secret', 'crypto.randomUUID()'),
        random('Keys.[…]', 'Math.random()'),
        clock('(anonymous class).at', 'Date.now()'),
      ],
    },
    {
      code: 'function registry() {} registry.id = crypto.randomUUID(); function seed() {} seed = Math.random(); export { registry, seed };',
      errors: [random('registry.id', 'crypto.randomUUID()'), { ...random('seed', 'Math.random()'), ...noSuggestion }],
    },
    {
      code: 'const Ids = class { static make() { return crypto.randomUUID(); } }; export const id = Ids.make(); export const next = bus.on(`afterRestore`, () => Date.now());',
      errors: [random('id', 'crypto.randomUUID()')],
    },
    {
      code: "import { default as nodeCrypto } from 'node:crypto'; export const id = globalThis.window.crypto.randomUUID() + nodeCrypto.randomUUID();",
      errors: [random('id', 'crypto.randomUUID()'), random('id', 'crypto.randomUUID()')],
    },
    {
      code: 'const start = Date.now(); export const since = (t) => t - start; let n = crypto.randomInt(limit()); export const h = () => n;',
      errors: [
        { ...clock('start', 'Date.now()'), suggestions: 1 },
        { ...random('n', 'crypto.randomInt()'), ...noSuggestion },
      ],
    },
    {
      code: 'this.id = crypto.randomUUID(); return crypto.randomUUID();',
      languageOptions: { ...commonjs, parserOptions: { ecmaFeatures: { globalReturn: true } } },
      errors: [random('this.id', 'crypto.randomUUID()')],
    },
    {
      code: 'const table = {}; table[key()].id = crypto.randomUUID(); export { table };',
      errors: [random('table', 'crypto.randomUUID()')],
    },
    {
      code: 'let code = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");\nexport const h = () => code;',
      errors: [
        {
          ...random('code', 'Math.random()'),
          ...remake(
            'code',
            'import { registerAfterRestore } from \'snapstart-hooks\';\nlet code = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");\nregisterAfterRestore(() => {\n  code = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");\n});\nexport const h = () => code;',
          ),
        },
      ],
    },
    {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the code under test holds a template literal.
      code: "let tag = `v-${-Math.random() || 1}-${flag ? Date.now() : 0}-${crypto.randomUUID()['length']}`;\nexport const h = () => tag;",
      errors: [
        { ...random('tag', 'Math.random()'), suggestions: 1 },
        { ...clock('tag', 'Date.now()'), suggestions: 1 },
        { ...random('tag', 'crypto.randomUUID()'), suggestions: 1 },
      ],
    },
    {
      code: 'let id = remember(crypto.randomUUID()); let other = [Date.now()]; var once = await Promise.resolve(Math.random()); export const h = () => [id, other, once];',
      errors: [
        { ...random('id', 'crypto.randomUUID()'), ...noSuggestion },
        { ...clock('other[0]', 'Date.now()'), ...noSuggestion },
        { ...random('once', 'Math.random()'), ...noSuggestion },
      ],
    },
    {
      code: 'let a = crypto.randomUUID(), b = 1; const c = crypto.randomUUID(), d = 2; export const h = () => [a, b, c, d];',
      errors: [
        { ...random('a', 'crypto.randomUUID()'), suggestions: 1 },
        { ...random('c', 'crypto.randomUUID()'), ...noSuggestion },
      ],
    },
    {
      code: 'let salt = crypto.randomUUID(); salt = salt.trim(); export const h = () => salt;',
      errors: [{ ...random('salt', 'crypto.randomUUID()'), ...noSuggestion }],
    },
    {
      code: 'const registerAfterRestore = 1; let id = crypto.randomUUID(); export const h = () => [id, registerAfterRestore];',
      errors: [{ ...random('id', 'crypto.randomUUID()'), ...noSuggestion }],
    },
    {
      code: "import { randomBytes } from 'node:crypto';\nconst sessionKey: string = randomBytes(32).toString('base64') as string;\nexport function handler(): string { return sessionKey; }",
      languageOptions: typescript,
      errors: [
        {
          ...random('sessionKey', 'crypto.randomBytes()'),
          ...remake(
            'sessionKey',
            "import { randomBytes } from 'node:crypto';\nimport { registerAfterRestore } from 'snapstart-hooks';\nlet sessionKey: string = randomBytes(32).toString('base64') as string;\nregisterAfterRestore(() => {\n  sessionKey = randomBytes(32).toString('base64') as string;\n});\nexport function handler(): string { return sessionKey; }",
          ),
        },
      ],
    },
    {
      code: "import { randomUUID } from 'node:crypto'; export class Tenant { private static readonly id: string = randomUUID(); }",
      languageOptions: typescript,
      errors: [random('Tenant.id', 'crypto.randomUUID()')],
    },
  ],
});
