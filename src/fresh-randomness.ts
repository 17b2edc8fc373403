/**
 * Fresh randomness for restored processes, shared by the Lambda and V8 bridges.
 *
 * Node keeps two caches of random bytes in the JavaScript heap: 128 UUIDs' worth for
 * `crypto.randomUUID()` (also behind `globalThis.crypto.randomUUID()`) and 6 KiB for
 * `crypto.randomInt()`. If either was used before the snapshot, the bytes left in it are serialized
 * with the heap, and every restored process would hand out the very same "random" values.
 * `Math.random()` is reseeded by V8 when it deserializes a startup snapshot, but not after a
 * whole-VM restore such as Lambda SnapStart: its sequence cannot be reseeded from JavaScript.
 *
 * @module
 */
import { loadBuiltin } from './util/builtin.js';

type Crypto = typeof import('node:crypto');
let crypto: Crypto | undefined;

/**
 * `node:crypto`, loaded on first use rather than at import: it brings some 36 internal modules (the
 * streams stack among them) that only the restore step needs, and `import 'snapstart-hooks'` should
 * stay near an empty module's cost. The Lambda runtime and the V8 bridge load it before the snapshot
 * (their warm-up), so a restored process never pays for it.
 */
function loadCrypto(): Crypto {
  crypto ??= loadBuiltin<Crypto>('node:crypto');
  return crypto;
}

/**
 * Draws enough values to run through whatever the caches held at snapshot time, so the next value
 * comes from bytes generated in this process. Node refills a cache when it is used up; drawing at
 * least one whole cache's worth guarantees a refill, whatever the position it was snapshotted at.
 */
const UUID_DRAWS = 256; // Node's UUID batch is 128; twice that leaves room if it grows.
/** Each `randomInt()` consumes at least 6 bytes of Node's 6 KiB cache: 1024 draws empty it. */
const RANDOM_INT_DRAWS = 1024;
/**
 * The widest range `randomInt()` takes (2^48 - 1): a draw is rejected (and 6 more bytes consumed)
 * only when the 6 bytes are all ones, so 1024 draws use the cache up once and no more.
 */
const RANDOM_INT_RANGE = 2 ** 48 - 1;

/**
 * Discards the random bytes a restored process inherited from the snapshot, so that
 * `crypto.randomUUID()` and `crypto.randomInt()` differ between restores. Costs about 0.1-0.2 ms warm, 1-3 ms the first time.
 * The Lambda and V8 bridges call it right after a restore, before the `afterRestore` hooks; call it
 * yourself when you drive the phases on another snapshot platform.
 *
 * @example
 * ```ts
 * refreshRandomCaches();
 * await snapStartBus.emit('afterRestore');
 * ```
 */
export function refreshRandomCaches(): void {
  const { randomInt, randomUUID } = loadCrypto();
  for (let i = 0; i < UUID_DRAWS; i++) randomUUID();
  for (let i = 0; i < RANDOM_INT_DRAWS; i++) randomInt(RANDOM_INT_RANGE);
}
