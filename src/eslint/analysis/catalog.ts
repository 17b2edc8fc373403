/**
 * What the rules look for, by canonical name (see `resolve.ts`): the calls whose value must differ
 * in every restored environment, and the connections and timers that cannot survive a snapshot.
 *
 * @module
 */
import type * as ES from 'estree';
import { keyName, unwrap } from './ast.js';
import type { Resolver } from './resolve.js';

/** A call whose result is random or the current time. */
export interface UniqueSource {
  /** How the message names it, e.g. `crypto.randomUUID()`. */
  readonly label: string;
  readonly kind: 'random' | 'clock';
}

const random = (label: string): UniqueSource => ({ label, kind: 'random' });
const clock = (label: string): UniqueSource => ({ label, kind: 'clock' });

/** Calls (with or without `new`) by canonical callee. `x()` names the value a factory call returned. */
const UNIQUE_CALLS: Record<string, UniqueSource> = {
  'crypto.randomUUID': random('crypto.randomUUID()'),
  'crypto.randomBytes': random('crypto.randomBytes()'),
  'crypto.pseudoRandomBytes': random('crypto.pseudoRandomBytes()'),
  'crypto.randomInt': random('crypto.randomInt()'),
  'crypto.randomFillSync': random('crypto.randomFillSync()'),
  'crypto.getRandomValues': random('crypto.getRandomValues()'),
  'crypto.generateKeySync': random('crypto.generateKeySync()'),
  'crypto.generateKeyPairSync': random('crypto.generateKeyPairSync()'),
  'global.Math.random': random('Math.random()'),
  'uuid.v1': random('uuid v1()'),
  'uuid.v4': random('uuid v4()'),
  'uuid.v6': random('uuid v6()'),
  'uuid.v7': random('uuid v7()'),
  'nanoid.nanoid': random('nanoid()'),
  'nanoid/non-secure.nanoid': random('nanoid()'),
  'nanoid.customAlphabet()': random('a nanoid customAlphabet() generator'),
  'nanoid.customRandom()': random('a nanoid customRandom() generator'),
  'nanoid/non-secure.customAlphabet()': random('a nanoid customAlphabet() generator'),
  'ulid.ulid': random('ulid()'),
  'ulid.monotonicFactory()': random('a ulid monotonicFactory() generator'),
  '@paralleldrive/cuid2.createId': random('cuid2 createId()'),
  '@paralleldrive/cuid2.init()': random('a cuid2 init() generator'),
  cuid: random('cuid()'),
  'global.Date.now': clock('Date.now()'),
  'perf_hooks.performance.now': clock('performance.now()'),
  'process.hrtime': clock('process.hrtime()'),
  'process.hrtime.bigint': clock('process.hrtime.bigint()'),
};

/** The random or clock source `node` calls, or `undefined`. `new Date()` counts only without arguments. */
export function uniqueSourceOf(
  node: ES.CallExpression | ES.NewExpression,
  resolver: Resolver,
): UniqueSource | undefined {
  const callee = resolver.canonical(node.callee);
  if (callee === undefined) return undefined;
  if (callee === 'global.Date') {
    if (node.type === 'CallExpression') return clock('Date()');
    return node.arguments.length === 0 ? clock('new Date()') : undefined;
  }
  return UNIQUE_CALLS[callee];
}

/** A connection or timer that a snapshot cannot carry. */
export interface OpenResource {
  /** How the message names it, e.g. `new Pool() (pg)`. */
  readonly label: string;
  readonly kind: 'connection' | 'timer';
  /** The method that closes it and leaves it usable (an HTTP agent's `destroy()`), when there is one. */
  readonly reusableAfter?: string;
}

const connection = (label: string): OpenResource => ({ label, kind: 'connection' });

/** Constructors and factories by canonical callee. Drivers are matched by their import source only. */
const RESOURCE_CALLS: Record<string, OpenResource> = {
  'net.connect': connection('net.connect()'),
  'net.createConnection': connection('net.createConnection()'),
  'tls.connect': connection('tls.connect()'),
  ws: connection('new WebSocket()'),
  'pg.Pool': connection('new Pool() (pg)'),
  'pg.Client': connection('new Client() (pg)'),
  'pg-pool': connection('new Pool() (pg-pool)'),
  'mysql2.createPool': connection('createPool() (mysql2)'),
  'mysql2.createConnection': connection('createConnection() (mysql2)'),
  'mysql2.createPoolCluster': connection('createPoolCluster() (mysql2)'),
  'mysql2/promise.createPool': connection('createPool() (mysql2)'),
  'mysql2/promise.createConnection': connection('createConnection() (mysql2)'),
  'mysql2/promise.createPoolCluster': connection('createPoolCluster() (mysql2)'),
  'mysql.createPool': connection('createPool() (mysql)'),
  'mysql.createConnection': connection('createConnection() (mysql)'),
  ioredis: connection('new Redis() (ioredis)'),
  'ioredis.Redis': connection('new Redis() (ioredis)'),
  'ioredis.Cluster': connection('new Cluster() (ioredis)'),
  'redis.createClient': connection('createClient() (redis)'),
  'redis.createCluster': connection('createCluster() (redis)'),
  'mongodb.MongoClient': connection('new MongoClient() (mongodb)'),
  'mongodb.MongoClient.connect': connection('MongoClient.connect() (mongodb)'),
  'mongoose.connect': connection('mongoose.connect()'),
  'mongoose.createConnection': connection('mongoose.createConnection()'),
  'undici.Pool': connection('new Pool() (undici)'),
  'undici.Agent': connection('new Agent() (undici)'),
  'undici.Client': connection('new Client() (undici)'),
  'undici.BalancedPool': connection('new BalancedPool() (undici)'),
  'undici.ProxyAgent': connection('new ProxyAgent() (undici)'),
  'timers.setInterval': { label: 'setInterval()', kind: 'timer' },
};

/** The connection or timer `node` opens, or `undefined`. An HTTP agent counts only with `keepAlive: true`. */
export function openResourceOf(
  node: ES.CallExpression | ES.NewExpression,
  resolver: Resolver,
): OpenResource | undefined {
  const callee = resolver.canonical(node.callee);
  if (callee === undefined) return undefined;
  if (callee === 'http.Agent' || callee === 'https.Agent') {
    if (node.type !== 'NewExpression' || !keepsAlive(node.arguments[0])) return undefined;
    return { label: `new ${callee}({ keepAlive: true })`, kind: 'connection', reusableAfter: 'destroy' };
  }
  return RESOURCE_CALLS[callee];
}

/** Whether an options object literally says `keepAlive: true`. */
function keepsAlive(options: ES.Expression | ES.SpreadElement | undefined): boolean {
  if (options === undefined) return false;
  const inner = unwrap(options);
  if (inner.type !== 'ObjectExpression') return false;
  return inner.properties.some(
    (property) =>
      property.type === 'Property' &&
      keyName(property.key, property.computed) === 'keepAlive' &&
      unwrap(property.value).type === 'Literal' &&
      (unwrap(property.value) as ES.Literal).value === true,
  );
}
