/**
 * The `snapstart` dispatcher: commands are looked up as own properties only, so a name inherited from
 * `Object.prototype` is an unknown command (exit 2), never a crash.
 */
import t from 'tap';
import { builtCliMain, runMain, runNode } from '../helpers/cli.js';

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
    const run = await runMain([name, '--help']);
    t.equal(run.code, 2, name);
    t.match(
      run.stderr,
      new RegExp(`^snapstart: unknown command ${JSON.stringify(name)}\\n\\nUsage: snapstart <command>`),
      name,
    );
  }
});

t.test('main() - the real commands and help still answer', async (t) => {
  t.equal((await runMain(['simulate', '--help'])).code, 0);
  t.equal((await runMain(['snapshot', '--help'])).code, 0);
  const help = await runMain(['help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Commands:\n {2}simulate +run a Lambda handler[^\n]*\n {2}snapshot +Build a V8/);
  t.equal((await runMain([])).code, 2, 'no command is bad usage');
});

t.test('snapstart constructor - the built bin exits 2 without a stack trace', async (t) => {
  const run = await runNode(t, [builtCliMain, 'constructor']);
  t.equal(run.code, 2);
  t.match(run.stderr, /^snapstart: unknown command "constructor"/);
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
});
