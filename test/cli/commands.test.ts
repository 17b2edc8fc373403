/**
 * The `snapstart` dispatcher: commands are looked up as own properties only, so a name inherited from
 * `Object.prototype` is an unknown command (exit 2), never a crash.
 */
import t from 'tap';
import { main } from '../../src/cli/commands.js';
import { builtCliMain, runNode } from '../helpers/cli.js';

/** Runs `main(argv)` in process, capturing what it writes. */
async function captured(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { stdout, stderr } = process;
  const writeOut = stdout.write;
  const writeErr = stderr.write;
  stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof stdout.write;
  stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof stderr.write;
  try {
    return { code: await main(argv), stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
}

t.test('main() - names inherited from Object.prototype are unknown commands', async (t) => {
  const names = [
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    '__defineGetter__',
    '__lookupSetter__',
    'nope',
  ];
  for (const name of names) {
    const run = await captured([name, '--help']);
    t.equal(run.code, 2, name);
    t.match(
      run.stderr,
      new RegExp(`^snapstart: unknown command ${JSON.stringify(name)}\\n\\nUsage: snapstart <command>`),
      name,
    );
  }
});

t.test('main() - the real commands and help still answer', async (t) => {
  t.equal((await captured(['simulate', '--help'])).code, 0);
  t.equal((await captured(['snapshot', '--help'])).code, 0);
  const help = await captured(['help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Commands:\n {2}simulate +run a Lambda handler[^\n]*\n {2}snapshot +Build a V8/);
  t.equal((await captured([])).code, 2, 'no command is bad usage');
});

t.test('snapstart constructor - the built bin exits 2 without a stack trace', async (t) => {
  const run = await runNode(t, [builtCliMain, 'constructor']);
  t.equal(run.code, 2);
  t.match(run.stderr, /^snapstart: unknown command "constructor"/);
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
});
