/**
 * A short soak (test/helpers/soak.ts) in the test command: 20 000 emits of 10 hooks in a child process
 * started without --expose-gc, as `npm run soak` starts it, so the script's re-run with
 * --expose-gc is exercised too. `npm run soak` runs the full 100 000.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import type { SoakResult } from '../helpers/soak.js';

const SOAK_SCRIPT = fileURLToPath(new URL('../helpers/soak.ts', import.meta.url));
const TWO_MB = 2 * 1024 * 1024;

/** Runs the soak script with `args`; resolves its exit code and the JSON figures it printed last. */
function runSoak(t: Test, args: string[]): Promise<{ code: number | null; result: SoakResult; output: string }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SOAK_SCRIPT, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ code, result: JSON.parse(last) as SoakResult, output });
      } catch {
        reject(new Error(`soak printed no JSON result (exit ${code}):\n${output}`));
      }
    });
  });
}

t.test('emit() soak - 20 000 emits of 10 hooks: heap growth < 2 MB after GC, resources back to baseline', async (t) => {
  const { code, result, output } = await runSoak(t, ['--emits', '20000']);
  t.comment(output.trim().split('\n').slice(0, -1).join('\n'));
  t.equal(result.emits, 20_000);
  t.equal(result.hooksPerEmit, 10);
  t.ok(result.heapGrowthBytes < TWO_MB, `heap grew by ${result.heapGrowthBytes} bytes`);
  t.same([...result.resourcesAfter].sort(), [...result.resourcesBefore].sort(), 'same active resources');
  t.equal(result.unhandledRejections, 0);
  t.equal(result.failedEmits, result.expectedFailedEmits, 'exactly the scheduled failures');
  t.ok(result.failedEmits > 0, 'failures did happen');
  t.equal(result.timedOutHooks, result.expectedTimedOutHooks, 'exactly the scheduled timeouts');
  t.ok(result.timedOutHooks > 0, 'timeouts did happen');
  t.equal(result.ok, true);
  t.equal(code, 0);
});

t.test('emit() soak - a deliberate leak (--retain keeps every report) is caught and exits 1', async (t) => {
  const { code, result } = await runSoak(t, ['--emits', '5000', '--retain']);
  t.equal(result.retainedReports, 5_000);
  t.ok(result.heapGrowthBytes >= TWO_MB, `heap grew by ${result.heapGrowthBytes} bytes`);
  t.equal(result.ok, false);
  t.equal(code, 1);
});
