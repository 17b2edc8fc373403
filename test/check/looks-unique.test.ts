import fc from 'fast-check';
import t from 'tap';
import { uniqueKind } from '../../src/check/looks-unique.js';
import type { Leaf } from '../../src/check/values.js';

const initTime = Date.parse('2026-06-01T12:00:00.000Z');

t.test('uniqueKind() - names values that should differ per environment', async (t) => {
  const cases: [Leaf, string][] = [
    ['3b241101-e2bb-4255-8caf-4136c566a962', 'UUID'],
    ['req-3b241101-e2bb-4255-8caf-4136c566a962-v2', 'UUID'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'JWT'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'ULID'],
    ['9f86d081884c7d659a2feaa0c55ad015', 'hex id'],
    ['sess_9F86D081884C7D65', 'hex id'],
    ['G/Cqujfppe51mA4IuwmEjImdN2VBZj+7', 'random token'],
    ['V1StGXR8_Z5jdHi6B-myT', 'random token'],
    ['k3j2h1g9f8x7', 'random token'],
    ['2026-06-01T11:59:58.123Z', 'timestamp'],
    ['started 2026-06-01 11:00', 'timestamp'],
    ['Mon Jun 01 2026 11:59:58 GMT+0000 (Coordinated Universal Time)', 'timestamp'],
    ['Mon, 01 Jun 2026 11:59:58 GMT', 'timestamp'],
    [initTime - 5_000, 'timestamp (ms since the epoch)'],
    [String(initTime - 5_000), 'timestamp (ms since the epoch)'],
    [(initTime - 5_000) / 1000, 'timestamp (s since the epoch)'],
    [Math.floor(initTime / 1000), 'timestamp (s since the epoch)'],
    [0.8234872345634, 'random-looking number'],
    [-41.20394857263, 'random-looking number'],
    [8374659201, 'random-looking integer'],
    ['8374659201', 'random-looking integer'],
    [{ $snapstart: 'bigint', value: '193847562910385' }, 'random-looking integer'],
    [{ $snapstart: 'bigint', value: String(BigInt(initTime) - 1n) }, 'timestamp (ms since the epoch)'],
    [{ $snapstart: 'bytes', hex: '9f86d081884c7d659a2feaa0c55ad015', length: 16 }, 'random bytes'],
  ];
  for (const [value, kind] of cases) t.equal(uniqueKind(value, initTime), kind, JSON.stringify(value));
});

t.test('uniqueKind() - leaves constants alone', async (t) => {
  const constants: Leaf[] = [
    'ok',
    'OK',
    '',
    'world',
    200,
    0,
    1,
    42,
    -7,
    443,
    8080,
    65535,
    3.14,
    0.5,
    1 / 3,
    0.1 + 0.2,
    2 / 7,
    Math.PI,
    Math.E,
    Math.SQRT2,
    86_400_000,
    1_048_576,
    2_147_483_647,
    4_294_967_296,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    1_234_567,
    1_111_111,
    9_999_999,
    true,
    false,
    null,
    'default_config_value',
    'DB_Connection_to_localhost',
    'ApplicationLoadBalancer01',
    'MyServiceStack-ProdEnvironment2',
    'arn:aws:lambda:us-east-1:123456789012:function:my-function',
    'https://example.com/api/v1/users?page=2',
    'application/json',
    'Function executed successfully!',
    'us-east-1',
    'orders-table-v2',
    'x-instance-id',
    '2019-01-01T00:00:00Z',
    '2024-12-31',
    'Tue, 01 Jan 2019 00:00:00 GMT',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'deadbeefdeadbeef',
    '0000000000000000',
    '12345678',
    { $snapstart: 'bytes', hex: '0000000000000000', length: 8 },
    { $snapstart: 'bytes', hex: 'abcd', length: 2 },
    { $snapstart: 'bigint', value: '42' },
    { $snapstart: 'undefined' },
    { $snapstart: 'number', value: 'NaN' },
  ];
  for (const value of constants) t.equal(uniqueKind(value, initTime), undefined, JSON.stringify(value));
});

t.test('uniqueKind() - every UUID is one, whatever its letters', async () => {
  fc.assert(
    fc.property(fc.uuid(), (uuid) => {
      const nilOrMax = /^(?:[0-]+|[f-]+)$/i.test(uuid);
      return nilOrMax || uniqueKind(uuid, initTime) === 'UUID';
    }),
  );
});
