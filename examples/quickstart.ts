/**
 * The snapshot-restore-py quickstart, ported to snapstart-hooks.
 *
 * Config is loaded and a database connection opened at init; a before-snapshot hook closes the
 * connection (sockets cannot survive a snapshot), an after-restore hook refreshes the config and
 * reconnects; then the handler serves an invocation. The "database" is a real TCP server on
 * 127.0.0.1 so that closing and reopening are real. Run it with `npm run example`.
 */
import { once } from 'node:events';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { formatReport, registerAfterRestore, registerBeforeSnapshot, snapStartBus } from '../src/index.js';

// A stand-in database server: greets every connection with its number.
let connections = 0;
const database = createServer((socket) => socket.end(`hello from db, connection #${++connections}\n`));
database.listen(0, '127.0.0.1');
await once(database, 'listening');
const address = database.address();
const dbPort = typeof address === 'object' && address !== null ? address.port : 0;

// Global state that is built at init and captured by the snapshot.
let config: string | undefined;
let dbConnection: Socket | undefined;

function loadConfig(): string {
  if (config === undefined) {
    console.log('Loading config...');
    config = process.env.MY_APP_CONFIG ?? 'default_config_value';
    console.log(`Config loaded: ${config}`);
  }
  return config;
}

async function connectToDb(): Promise<Socket> {
  if (dbConnection === undefined) {
    console.log('Connecting to database...');
    const socket = tcpConnect(dbPort, '127.0.0.1');
    const [greeting] = (await once(socket, 'data')) as [Buffer];
    console.log(`Database connected: ${greeting.toString().trim()}`);
    dbConnection = socket;
  }
  return dbConnection;
}

registerBeforeSnapshot(function beforeSnapshotHook() {
  console.log('Executing beforeSnapshotHook: closing DB connection.');
  dbConnection?.destroy();
  dbConnection = undefined;
});

registerAfterRestore(async function afterRestoreHook() {
  console.log('Executing afterRestoreHook: re-establishing resources.');
  config = undefined; // refresh config: it may hold time-sensitive values
  loadConfig();
  await connectToDb();
});

async function handler(_event: unknown): Promise<{ statusCode: number; body: string }> {
  loadConfig();
  const db = await connectToDb();
  console.log(`Handler executed with config: ${config} and db: ${db.remotePort === dbPort ? 'open' : 'closed'}`);
  return { statusCode: 200, body: 'Function executed successfully!' };
}

process.env.MY_APP_CONFIG = 'local_test_config';

console.log('--- Init (runs once, before the snapshot) ---');
loadConfig();
await connectToDb();

console.log('\n--- Snapshot and restore (local: the phases run, no real snapshot is taken) ---');
const beforeSnapshot = await snapStartBus.emit('beforeSnapshot');
console.log(formatReport(beforeSnapshot));
const afterRestore = await snapStartBus.emit('afterRestore', undefined, { deadline: 9_000 });
console.log(formatReport(afterRestore));

console.log('\n--- Invocation (after restore) ---');
console.log(await handler({}));

dbConnection?.destroy();
database.close();
