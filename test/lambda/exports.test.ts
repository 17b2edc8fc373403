// The values of snapstart-hooks/lambda's constants, as docs/lambda-api.md documents them. The entry's
// export list itself is pinned, with every other entry's, in test/package/exports.test.ts.
import t from 'tap';
import * as lambda from '../../src/lambda/index.js';

t.test('snapstart-hooks/lambda - exit codes and deadline constants are the documented values', async (t) => {
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
