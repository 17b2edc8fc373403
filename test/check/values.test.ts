import t from 'tap';
import { childPath, flatten, isTagged, parseValuePath, toPlain, UNDEFINED } from '../../src/check/values.js';

t.test('toPlain() - JSON-safe forms of every kind of value', async (t) => {
  t.same(toPlain({ a: 1, b: 'x', c: true, d: null }), { a: 1, b: 'x', c: true, d: null });
  t.same(toPlain(12n), { $snapstart: 'bigint', value: '12' });
  t.same(toPlain(Number.NaN), { $snapstart: 'number', value: 'NaN' });
  t.same(toPlain(undefined), UNDEFINED);
  t.same(toPlain(Symbol('s')), UNDEFINED);
  t.equal(toPlain(new Date(0)), '1970-01-01T00:00:00.000Z');
  t.equal(toPlain(new Date(Number.NaN)), 'Invalid Date');
  t.same(toPlain(Buffer.from([1, 2, 255])), { $snapstart: 'bytes', hex: '0102ff', length: 3 });
  t.same(toPlain(new Uint8Array([1, 2]).buffer), { $snapstart: 'bytes', hex: '0102', length: 2 });
  t.same(toPlain(new Map<unknown, unknown>([[1, 'one']])), { 1: 'one' });
  t.same(toPlain(new Set(['a', 'b'])), ['a', 'b']);
  t.equal(toPlain(/x+/g), '/x+/g');
  t.equal(toPlain(new URL('https://example.com/a')), 'https://example.com/a');
  t.same(toPlain(new TypeError('bad')), { name: 'TypeError', message: 'bad' });
  t.same(toPlain({ f() {}, s: Symbol('x'), kept: 1 }), { kept: 1 }, 'functions and symbols are left out');
  t.equal((toPlain('x'.repeat(200_000)) as string).length, 100_000, 'long strings are cut');
});

t.test('toPlain() - cycles, throwing getters and depth are bounded', async (t) => {
  const cycle: Record<string, unknown> = { name: 'root' };
  cycle.self = cycle;
  t.same(toPlain(cycle), { name: 'root', self: UNDEFINED });
  const shared = { v: 1 };
  t.same(toPlain([shared, shared]), [{ v: 1 }, { v: 1 }], 'a shared object is not a cycle');
  const hostile = Object.defineProperty({ ok: 1 }, 'boom', {
    enumerable: true,
    get() {
      throw new Error('no');
    },
  });
  t.same(toPlain(hostile), { ok: 1 });
  let deep: unknown = 'bottom';
  for (let i = 0; i < 20; i++) deep = { deep };
  t.match(JSON.stringify(toPlain(deep)), /"\$snapstart":"undefined"/, 'past the depth limit');
  t.equal((toPlain(Array.from({ length: 1500 }, (_, i) => i)) as unknown[]).length, 1_000);
});

t.test('flatten() - leaves by path, JSON bodies parsed', async (t) => {
  const leaves = flatten(
    {
      statusCode: 200,
      headers: { 'x-id': 'abc', 'content-type': 'json' },
      body: JSON.stringify({ id: 'u1', items: [{ n: 1 }] }),
      note: '{not json',
      list: [],
      big: { $snapstart: 'bigint', value: '1' },
    },
    '$',
  );
  t.same(Object.fromEntries(leaves), {
    '$.statusCode': 200,
    '$.headers["x-id"]': 'abc',
    '$.headers["content-type"]': 'json',
    '$.body.id': 'u1',
    '$.body.items[0].n': 1,
    '$.note': '{not json',
    '$.big': { $snapstart: 'bigint', value: '1' },
  });
  t.same(Object.fromEntries(flatten('"just a string"', 'name')), { name: '"just a string"' });
  t.same(Object.fromEntries(flatten('[1,2]', 'xs')), { 'xs[0]': 1, 'xs[1]': 2 });
  t.equal(childPath('a', 'b'), 'a.b');
  t.equal(childPath('a', 3), 'a[3]');
  t.ok(isTagged(UNDEFINED));
  t.notOk(isTagged({ a: 1 }));
});

t.test('parseValuePath() - names, keys, indexes and quoted keys', async (t) => {
  t.same(parseValuePath('requestSalt'), { text: 'requestSalt', root: 'requestSalt', keys: [] });
  t.same(parseValuePath('config.db.host'), { text: 'config.db.host', root: 'config', keys: ['db', 'host'] });
  t.same(parseValuePath('items[2]["x-id"]'), { text: 'items[2]["x-id"]', root: 'items', keys: [2, 'x-id'] });
  t.throws(() => parseValuePath('1abc'), { name: 'RangeError', message: '"1abc" does not start with a variable name' });
  t.throws(() => parseValuePath('class'), { message: '"class" starts with the reserved word class' });
  t.throws(() => parseValuePath('a..b'), { message: '"a..b" has an unexpected "..b"' });
  t.throws(() => parseValuePath("a['x']"), { message: `"a['x']" has an unexpected "['x']"` });
  t.throws(() => parseValuePath('a;process.exit()'), RangeError);
});

t.test('toPlain() - a revoked Proxy, anywhere, is left out instead of throwing', async (t) => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  t.equal(toPlain(proxy), UNDEFINED);
  t.same(toPlain({ a: 1, b: proxy }), { a: 1, b: UNDEFINED });
});
