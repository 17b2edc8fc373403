// snapstart-hooks/lambda exports exactly what docs/lambda-api.md documents (issue 13.6): nothing leaks in unnoticed.
import t from 'tap';
import * as lambda from '../../src/lambda/index.js';

t.test('snapstart-hooks/lambda - exports exactly the documented values', async (t) => {
  t.same(Object.keys(lambda).sort(), [
    'AFTER_RESTORE_DEADLINE_ENV',
    'BEFORE_SNAPSHOT_DEADLINE_ENV',
    'DEFAULT_AFTER_RESTORE_DEADLINE',
    'DEFAULT_BEFORE_SNAPSHOT_DEADLINE',
    'HandlerLoadError',
    'LambdaExitCode',
    'RuntimeApiClient',
    'RuntimeApiError',
    'SnapStartPhaseError',
    'loadHandler',
    'runInvocationLoop',
    'runSnapStartPhases',
    'startRuntime',
    'toErrorBody',
  ]);
  t.same(lambda.LambdaExitCode, {
    done: 0,
    runtimeApiUnavailable: 1,
    initFailed: 129,
    beforeSnapshotFailed: 64,
    afterRestoreFailed: 65,
    unhandledRejection: 128,
    uncaughtException: 129,
  });
  t.ok(Object.isFrozen(lambda.LambdaExitCode));
  t.equal(lambda.AFTER_RESTORE_DEADLINE_ENV, 'SNAPSTART_AFTER_RESTORE_DEADLINE_MS');
  t.equal(lambda.BEFORE_SNAPSHOT_DEADLINE_ENV, 'SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS');
  t.equal(lambda.DEFAULT_AFTER_RESTORE_DEADLINE, 9_000);
  t.equal(lambda.DEFAULT_BEFORE_SNAPSHOT_DEADLINE, 100_000);
});
