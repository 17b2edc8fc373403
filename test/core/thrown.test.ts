import t from 'tap';
import { boundText, escapeControl, truncate } from '../../src/util/text.js';
import { describeThrown, inspectThrown, renderValue } from '../../src/util/thrown.js';
import { hostileValues } from '../helpers/hostile.js';

t.test('inspectThrown() - never throws and always gives strings', async (t) => {
  for (const [label, value] of hostileValues()) {
    const parts = inspectThrown(value);
    t.type(parts.name, 'string', `${label}: name`);
    t.ok(parts.name.length > 0, `${label}: name is not empty`);
    t.type(parts.message, 'string', `${label}: message`);
    t.ok(parts.stack === undefined || typeof parts.stack === 'string', `${label}: stack`);
    const reason = describeThrown(value);
    t.type(reason, 'string', `${label}: reason`);
    t.notMatch(reason, /\n/, `${label}: reason is one line`);
  }
});

t.test('inspectThrown() - reads what can be read', async (t) => {
  const [[, fieldError]] = hostileValues() as [[string, unknown]];
  t.equal(inspectThrown(fieldError).name, 'FieldError', 'class name when `name` is undefined');
  t.equal(inspectThrown(new TypeError('t')).name, 'TypeError');
  t.same(inspectThrown('text'), { isError: false, name: 'string', message: 'text', stack: undefined, code: undefined });
  t.equal(inspectThrown({ a: 1 }).name, 'object');
  t.equal(inspectThrown(null).name, 'object');
  t.equal(inspectThrown(Object.assign(new Error(''), { code: 503 })).code, 503);
  t.equal(describeThrown(Object.assign(new Error(''), { code: 503 })), '503', 'code when the message is empty');
  t.equal(describeThrown(new RangeError('')), 'RangeError', 'name when message and code are empty');
  t.equal(describeThrown({ status: 500 }), 'non-Error value {"status":500}');
  t.equal(describeThrown(10n), 'non-Error value 10n');
});

t.test('renderValue() - JSON where possible, inspect otherwise', async (t) => {
  t.equal(renderValue({ a: [1, 2] }), '{"a":[1,2]}');
  t.equal(renderValue('s'), 's');
  t.equal(renderValue(undefined), 'undefined');
  t.match(renderValue({ big: 1n }), /big: 1n/);
  t.equal(renderValue(Object.assign(Object.create(null), { a: 1 })), '{"a":1}');
});

t.test('escapeControl(), truncate(), boundText() - one line, bounded, surrogate pairs whole', async (t) => {
  t.equal(escapeControl('a\nb\r\tc\u001b[31m\u2028'), 'a\\nb\\r\\tc\\u001b[31m\\u2028');
  t.equal(truncate('abcdef', 4), 'abc…');
  t.equal(truncate('abc', 3), 'abc');
  const emoji = '😀'.repeat(10); // 20 UTF-16 code units
  for (let max = 1; max <= 21; max++) {
    const cut = truncate(emoji, max);
    t.ok(cut.length <= max, `length ${cut.length} <= ${max}`);
    t.notOk(/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut), `no lone high surrogate at ${max}`);
  }
  t.equal(boundText('x'.repeat(1_000_000)).length, 200);
});

t.test('escapeControl() - a lone surrogate is escaped, a whole pair is kept', async (t) => {
  const rows: [string, string, string][] = [
    ['a lone high surrogate', 'a\ud800b', 'a\\ud800b'],
    ['a lone low surrogate', 'a\udc00b', 'a\\udc00b'],
    ['a high surrogate at the end', 'ab\ud83d', 'ab\\ud83d'],
    ['two high surrogates', '\ud83d\ud83d\ude00', '\\ud83d\ud83d\ude00'],
    ['a whole pair', 'x\u{1f600}y', 'x\u{1f600}y'],
  ];
  for (const [what, input, expected] of rows) {
    t.equal(escapeControl(input), expected, what);
    t.notMatch(boundText(input), /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, what);
  }
});
