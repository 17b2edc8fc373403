// A handler with SnapStart hooks; FIXTURE_MODE selects a failure to exercise.
import { registerAfterRestore, registerBeforeSnapshot, snapStartBus } from 'snapstart-hooks';

const calls = [];
const mode = process.env.FIXTURE_MODE ?? '';

registerBeforeSnapshot(function closeDb() {
  calls.push('closeDb');
  if (mode === 'before-fail') throw new Error('cannot close db');
});
registerBeforeSnapshot(function flushCache() {
  calls.push('flushCache');
});
registerAfterRestore(function reconnectDb() {
  calls.push('reconnectDb');
  if (mode === 'after-fail') throw new Error('ECONNREFUSED 10.0.0.1:5432');
});
registerAfterRestore(function refreshConfig() {
  calls.push('refreshConfig');
});
if (mode === 'after-slow') {
  snapStartBus.on('afterRestore', () => new Promise((resolve) => setTimeout(resolve, 60_000)), { name: 'warmCache' });
}

export const handler = async (event, context) => {
  if (event?.throw) throw new TypeError(event.throw);
  if (event?.throwString) throw event.throwString;
  if (event?.bigint) return { value: 1n };
  return {
    event,
    calls: [...calls],
    awsRequestId: context.awsRequestId,
    invokedFunctionArn: context.invokedFunctionArn,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remainingMs: context.getRemainingTimeInMillis(),
    clientContext: context.clientContext ?? null,
    identity: context.identity ?? null,
    traceId: process.env._X_AMZN_TRACE_ID ?? null,
  };
};

export const notAFunction = 42;
export const handlers = { deep: { main: async () => 'nested export' } };
