/**
 * The seed's SnapStart quickstart, ported to TypeScript: global state built during init, closed
 * before the snapshot and rebuilt after every restore.
 *
 * Run it locally through the whole lifecycle (init → snapshot → restore → 2 invocations):
 *
 *   npx snapstart simulate examples/lambda --handler handler.handler --invocations 2 \
 *     --event examples/lambda/event.json --node-arg=--import=tsx
 *
 * In your own project, import from 'snapstart-hooks' instead of the relative path.
 */
import type { Context } from 'aws-lambda';
import { registerAfterRestore, registerBeforeSnapshot } from '../../src/index.js';

// Global state that will be snapshotted.
let config: string | undefined;
let dbConnection: string | undefined;

/** Simulates loading configuration from the environment or Parameter Store. */
function loadConfig(): string {
  if (config === undefined) {
    console.log('Loading config...');
    config = process.env.MY_APP_CONFIG ?? 'default_config_value';
    console.log(`Config loaded: ${config}`);
  }
  return config;
}

/** Simulates connecting to a database. */
function connectToDb(): string {
  if (dbConnection === undefined) {
    console.log('Connecting to database...');
    dbConnection = `DB_Connection_to_${process.env.DB_HOST ?? 'localhost'}`;
    console.log(`Database connected: ${dbConnection}`);
  }
  return dbConnection;
}

/** Before the snapshot: close what cannot be snapshotted, such as open network connections. */
registerBeforeSnapshot(function beforeSnapshotHook() {
  console.log('Executing beforeSnapshotHook: Closing DB connection.');
  dbConnection = undefined;
});

/** After each restore: re-establish connections and refresh time-sensitive data. */
registerAfterRestore(function afterRestoreHook() {
  console.log('Executing afterRestoreHook: Re-establishing resources.');
  loadConfig();
  connectToDb();
});

// Init phase: runs once, before the snapshot.
loadConfig();
connectToDb();

/** The Lambda handler. */
export async function handler(event: unknown, context: Context): Promise<{ statusCode: number; body: string }> {
  loadConfig();
  const db = connectToDb();
  console.log(`Handler executed with config: ${config} and db: ${db} (request ${context.awsRequestId})`);
  return { statusCode: 200, body: JSON.stringify({ message: 'Function executed successfully!', event }) };
}
