/**
 * A Lambda handler with the two classic SnapStart uniqueness bugs. Both tools catch them:
 *
 *   npx eslint examples/uniqueness/buggy.mjs      (with snapstart-hooks/eslint's recommended config)
 *   npx snapstart check --handler examples/uniqueness/buggy.handler
 *
 * Its twin, fixed.mjs, is the same function with the hooks that cure them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';

// Bug 1: made once, at init. Every environment restored from the snapshot gets the same salt and
// the same "instance" id, so salted hashes and ids collide across environments.
const requestSalt = randomBytes(16).toString('hex');
const instanceId = randomUUID();

// Bug 2: a keep-alive agent (its pooled sockets) and a timer started at init, and nothing closes
// them before the snapshot: the sockets are dead after a restore, the timer fires on the
// snapshot's schedule, and a V8 startup snapshot cannot even be built.
const agent = new https.Agent({ keepAlive: true });
let flushes = 0;
setInterval(() => {
  flushes++;
}, 60_000);

/** Calls a downstream service through the keep-alive agent. */
function callDownstream(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { agent }, (response) => resolve(response.statusCode)).on('error', reject);
  });
}

/** The handler: answers with an id for this request, and (buggy) the per-environment ones. */
export async function handler(event) {
  const downstream = event?.downstreamUrl ? await callDownstream(event.downstreamUrl) : undefined;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-instance-id': instanceId },
    body: JSON.stringify({
      message: 'ok',
      requestId: randomUUID(),
      hash: `${requestSalt}:${event?.name ?? 'world'}`,
      flushes,
      downstream,
    }),
  };
}
