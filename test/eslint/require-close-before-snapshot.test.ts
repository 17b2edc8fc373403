import { requireCloseBeforeSnapshot } from '../../src/eslint/rules/require-close-before-snapshot.js';
import { commonjs, ruleTester, typescript } from './rule-tester.js';

const withoutHook = (what: string, where = '') => ({ messageId: 'connectionWithoutHook', data: { what, where } });
const timerWithoutHook = (where = '') => ({ messageId: 'timerWithoutHook', data: { what: 'setInterval()', where } });
const notClosed = (what: string, name: string) => ({ messageId: 'connectionNotClosed', data: { what, name } });

ruleTester.run('require-close-before-snapshot', requireCloseBeforeSnapshot, {
  valid: [
    // Closed (and reopened) by hooks in the same module, in each registration form.
    "import pg from 'pg'; import { registerBeforeSnapshot } from 'snapstart-hooks'; let pool = new pg.Pool(); registerBeforeSnapshot(() => pool.end()); export const h = () => pool;",
    "import { Pool } from 'pg'; import { snapStartBus } from 'snapstart-hooks'; const pool = new Pool(); async function closePool() { await pool.end(); } snapStartBus.on('beforeSnapshot', () => closePool());",
    "import net from 'node:net'; import { snapStartBus } from 'snapstart-hooks'; let socket = net.connect(6379); snapStartBus.resource('cache', { beforeSnapshot: () => socket.destroy(), afterRestore: () => { socket = net.connect(6379); } });",
    "import { createClient } from 'redis'; import { registerBeforeSnapshot } from 'snapstart-hooks'; const client = createClient(); registerBeforeSnapshot(close, client);",
    "import Redis from 'ioredis'; import { snapStartBus } from 'snapstart-hooks'; import { closeAll } from './connections.js'; const redis = new Redis(); snapStartBus.on('beforeSnapshot', closeAll);",
    "import { registerBeforeSnapshot } from 'snapstart-hooks'; const timer = setInterval(() => {}, 1000); registerBeforeSnapshot(() => clearInterval(timer));",
    "import { registerBeforeSnapshot } from 'snapstart-hooks'; setInterval(() => {}, 1000); registerBeforeSnapshot(() => stopEverything());",
    // Opened per invocation, or lazily.
    "import { Pool } from 'pg'; let pool; export async function handler() { pool ??= new Pool(); return pool.query('select 1'); }",
    "import mysql from 'mysql2/promise'; export const handler = async () => { const c = await mysql.createConnection({}); await c.end(); };",
    // Not a driver: a user's own Pool, an HTTP agent without keep-alive, a one-shot timer.
    "import { Pool } from './my-pool.js'; const pool = new Pool(); export { pool };",
    'class Pool {} const pool = new Pool(); export { pool };',
    "import http from 'node:http'; export const agent = new http.Agent({ maxSockets: 5 });",
    "import { Agent } from 'node:https'; export const agent = new Agent({ keepAlive: false });",
    'setTimeout(() => {}, 10);',
    "import http from 'node:http'; import { registerBeforeSnapshot } from 'snapstart-hooks'; const agent = new http.Agent({ keepAlive: true }); registerBeforeSnapshot(); registerBeforeSnapshot(closers.agent);",
    "import http from 'node:http'; export const plain = new http.Agent();",
    "import http from 'node:http'; export const a = new http.Agent(options); export const c = http.Agent({ keepAlive: true }); export const d = new http.Agent({ keepAlive: flag });",
    'export const e = drivers[name](); export const f = new drivers[name]();',
    {
      code: "import { Pool } from 'pg'; import { snapStartBus } from 'snapstart-hooks'; const pool = new Pool(); snapStartBus.on('beforeSnapshot', (async () => pool.end()) as never);",
      languageOptions: typescript,
    },
    {
      code: "import { Pool } from 'pg'; let pool: Pool | undefined; export async function handler(): Promise<void> { pool ??= new Pool(); }",
      languageOptions: typescript,
    },
  ],
  invalid: [
    {
      code: "import net from 'node:net';\nconst socket = net.connect(5432, 'db');\nexport const handler = () => socket.write('ping');",
      errors: [{ ...withoutHook('net.connect()', " ('socket')"), line: 2, column: 16 }],
    },
    {
      code: "import { createConnection } from 'net'; import * as tls from 'node:tls'; createConnection(1); tls.connect(443).on('data', () => {});",
      errors: [withoutHook('net.createConnection()'), withoutHook('tls.connect()')],
    },
    {
      code: "import { Pool, Client } from 'pg'; const pool = new Pool(); const client = new Client(); export { pool, client };",
      errors: [withoutHook('new Pool() (pg)', " ('pool')"), withoutHook('new Client() (pg)', " ('client')")],
    },
    {
      code: "import mysql from 'mysql2'; import { createPool } from 'mysql2/promise'; export const a = mysql.createConnection({}); export const b = createPool({});",
      errors: [withoutHook('createConnection() (mysql2)', " ('a')"), withoutHook('createPool() (mysql2)', " ('b')")],
    },
    {
      code: "import Redis from 'ioredis'; import { createClient } from 'redis'; import { MongoClient } from 'mongodb'; const r = new Redis(); const c = createClient(); const m = new MongoClient('mongodb://db'); export { r, c, m };",
      errors: [
        withoutHook('new Redis() (ioredis)', " ('r')"),
        withoutHook('createClient() (redis)', " ('c')"),
        withoutHook('new MongoClient() (mongodb)', " ('m')"),
      ],
    },
    {
      code: "import { Pool, Agent } from 'undici'; export const pool = new Pool('http://api'); export const agent = new Agent();",
      errors: [withoutHook('new Pool() (undici)', " ('pool')"), withoutHook('new Agent() (undici)', " ('agent')")],
    },
    {
      code: "import WebSocket from 'ws'; const a = new WebSocket('wss://feed'); const b = new globalThis.WebSocket('wss://feed'); export { a, b };",
      errors: [withoutHook('new WebSocket()', " ('a')"), withoutHook('new WebSocket()', " ('b')")],
    },
    {
      code: 'setInterval(() => refresh(), 60_000);',
      errors: [timerWithoutHook()],
    },
    {
      code: "import { setInterval as every } from 'node:timers'; const poller = every(() => {}, 1000); export { poller };",
      errors: [timerWithoutHook(" ('poller')")],
    },
    {
      code: "import { Pool } from 'pg'; let pool; (async () => { pool = new Pool(); })(); export const h = () => pool;",
      errors: [withoutHook('new Pool() (pg)', " ('pool')")],
    },
    {
      code: "import { Pool } from 'pg'; import { registerBeforeSnapshot } from 'snapstart-hooks'; const pool = new Pool(); const other = new Pool(); registerBeforeSnapshot(() => pool.end()); export { other };",
      errors: [notClosed('new Pool() (pg)', 'other')],
    },
    {
      code: "import { registerBeforeSnapshot } from 'snapstart-hooks'; const a = setInterval(() => {}, 1000); const b = setInterval(() => {}, 1000); registerBeforeSnapshot(() => clearInterval(a));",
      errors: [{ messageId: 'timerNotCleared', data: { what: 'setInterval()', name: 'b' } }],
    },
    {
      code: "import http from 'node:http';\nconst agent = new http.Agent({ keepAlive: true });\nexport const handler = () => agent;",
      errors: [
        {
          ...withoutHook('new http.Agent({ keepAlive: true })', " ('agent')"),
          suggestions: [
            {
              messageId: 'destroyBeforeSnapshot',
              data: { name: 'agent' },
              output:
                "import http from 'node:http';\nimport { registerBeforeSnapshot } from 'snapstart-hooks';\nconst agent = new http.Agent({ keepAlive: true });\nregisterBeforeSnapshot(() => {\n  agent.destroy();\n});\nexport const handler = () => agent;",
            },
          ],
        },
      ],
    },
    {
      code: "import { Agent } from 'node:https'; import { registerBeforeSnapshot } from 'snapstart-hooks'; import { Pool } from 'pg'; const pool = new Pool(); registerBeforeSnapshot(() => pool.end());\nconst agent = new Agent({ keepAlive: true });",
      errors: [
        {
          ...notClosed('new https.Agent({ keepAlive: true })', 'agent'),
          suggestions: [
            {
              messageId: 'destroyBeforeSnapshot',
              data: { name: 'agent' },
              output:
                "import { Agent } from 'node:https'; import { registerBeforeSnapshot } from 'snapstart-hooks'; import { Pool } from 'pg'; const pool = new Pool(); registerBeforeSnapshot(() => pool.end());\nconst agent = new Agent({ keepAlive: true });\nregisterBeforeSnapshot(() => {\n  agent.destroy();\n});",
            },
          ],
        },
      ],
    },
    {
      code: "const http = require('node:http'); const agent = new http.Agent({ keepAlive: true }); module.exports = { agent };",
      languageOptions: commonjs,
      errors: [{ ...withoutHook('new http.Agent({ keepAlive: true })', " ('agent')"), suggestions: [] }],
    },
    {
      code: "import http from 'node:http'; export const agents = [new http.Agent({ keepAlive: true })];",
      errors: [{ ...withoutHook('new http.Agent({ keepAlive: true })', " ('agents[0]')"), suggestions: [] }],
    },
    {
      code: "import http from 'node:http'; function agent() {} agent = new http.Agent({ keepAlive: true }); export { agent };",
      errors: [{ ...withoutHook('new http.Agent({ keepAlive: true })', " ('agent')"), suggestions: [] }],
    },
    {
      code: "const { Pool } = require('pg'); const pool = new Pool(); module.exports.handler = async () => pool.query('select 1');",
      languageOptions: commonjs,
      errors: [withoutHook('new Pool() (pg)', " ('pool')")],
    },
    {
      code: "import { MongoClient } from 'mongodb'; const client: MongoClient = new MongoClient(process.env.URL as string); export default client;",
      languageOptions: typescript,
      errors: [withoutHook('new MongoClient() (mongodb)', " ('client')")],
    },
  ],
});
