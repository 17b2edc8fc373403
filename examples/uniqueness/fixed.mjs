/**
 * buggy.mjs with its uniqueness bugs cured by SnapStart hooks. Both tools pass it:
 *
 *   npx eslint examples/uniqueness/fixed.mjs      (with snapstart-hooks/eslint's recommended config)
 *   npx snapstart check --handler examples/uniqueness/fixed.handler
 */
import { randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import { registerAfterRestore, registerBeforeSnapshot } from 'snapstart-hooks';

// Made at init for the first environment, and made again after every restore.
let requestSalt = randomBytes(16).toString('hex');
let instanceId = randomUUID();
registerAfterRestore(function freshIdentity() {
  requestSalt = randomBytes(16).toString('hex');
  instanceId = randomUUID();
});

// The agent survives the snapshot, its sockets do not: destroy them before it (the agent opens
// new ones on its next request).
const agent = new https.Agent({ keepAlive: true });
registerBeforeSnapshot(function closeSockets() {
  agent.destroy();
});

// The timer stops before the snapshot and starts again after every restore.
let flushes = 0;
const flush = () => {
  flushes++;
};
let flushTimer = setInterval(flush, 60_000);
registerBeforeSnapshot(function stopFlushing() {
  clearInterval(flushTimer);
});
registerAfterRestore(function startFlushing() {
  flushTimer = setInterval(flush, 60_000);
});

/** Calls a downstream service through the keep-alive agent. */
function callDownstream(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { agent }, (response) => resolve(response.statusCode)).on('error', reject);
  });
}

/** The handler: answers with an id for this request and the environment's own ones. */
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
