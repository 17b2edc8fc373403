/**
 * A Lambda function with SnapStart hooks, deployed as a container image (see docs/lambda.md).
 *
 * Its top level is the init phase: with SnapStart it runs once, when Lambda publishes a version, and
 * every execution environment is then restored from the snapshot taken after it.
 */
import { randomUUID } from 'node:crypto';
import { registerAfterRestore, registerBeforeSnapshot } from 'snapstart-hooks';

/** What happened to this process, in order: ['init', 'beforeSnapshot', 'afterRestore'] under SnapStart. */
const lifecycle = ['init'];
// Must differ between environments restored from one snapshot: made again after each restore.
let environmentId = randomUUID();
// Stands for a database pool or an HTTP keep-alive agent: its sockets would be dead after a restore.
let connection = openConnection();

function openConnection() {
  return { open: true, openedAt: new Date().toISOString() };
}

registerBeforeSnapshot(function closeConnection() {
  connection.open = false;
  lifecycle.push('beforeSnapshot');
  console.log('beforeSnapshot: connection closed');
});

registerAfterRestore(function reopenConnection() {
  environmentId = randomUUID();
  connection = openConnection();
  lifecycle.push('afterRestore');
  console.log('afterRestore: connection reopened');
});

/** The Lambda handler: reports the lifecycle this environment went through. */
export async function handler(event, context) {
  return {
    requestId: context.awsRequestId,
    handler: process.env._HANDLER,
    initializationType: process.env.AWS_LAMBDA_INITIALIZATION_TYPE,
    lifecycle,
    environmentId,
    connectionOpen: connection.open,
    event,
  };
}
