/**
 * Hostile values a hook may throw or reject with, or an emit's signal abort with: none of them may
 * make the library throw while it turns them into text, and each must reach the report unchanged.
 */

/** Fresh hostile values, each with a label saying what it is. */
export function hostileValues(): [string, unknown][] {
  class FieldError extends Error {
    // An ES2022 class field: `name` becomes an own property holding undefined.
    declare name: string;
    constructor(message: string) {
      super(message);
      Object.defineProperty(this, 'name', { value: undefined, enumerable: true, writable: true });
    }
  }
  const circular: Record<string, unknown> = { id: 1 };
  circular.self = circular;
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const { proxy: revokedError, revoke: revokeError } = Proxy.revocable(new Error('x'), {});
  revokeError();
  const throwingMessage = new Error('hidden');
  Object.defineProperty(throwingMessage, 'message', {
    get() {
      throw new Error('message getter');
    },
  });
  const numericStack = Object.assign(new Error('n'), { stack: 42 });
  const objectMessage = Object.assign(new Error(), { message: { nested: true } });
  const throwingToString = {
    toString() {
      throw new Error('toString');
    },
    toJSON() {
      throw new Error('toJSON');
    },
  };
  const nullProto = Object.assign(Object.create(null), { a: 1 });
  const throwingName = new Error('named');
  Object.defineProperty(throwingName, 'name', {
    get() {
      throw new Error('name getter');
    },
  });
  const throwingProtoTrap = new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error('trap');
      },
    },
  );
  return [
    ['an Error whose name a class field left undefined', new FieldError('field')],
    ['a circular object', circular],
    ['a revoked Proxy', revoked],
    ['a revoked Proxy of an Error', revokedError],
    ['a message getter that throws', throwingMessage],
    ['a numeric stack', numericStack],
    ['an object message', objectMessage],
    ['toString and toJSON that throw', throwingToString],
    ['a null-prototype object', nullProto],
    ['a name getter that throws', throwingName],
    ['a getPrototypeOf trap that throws', throwingProtoTrap],
    ['an empty message with a numeric code', Object.assign(new Error(''), { code: 503 })],
    ['a BigInt', 10n],
    ['a Symbol', Symbol('s')],
    ['a function', function named() {}],
    ['undefined', undefined],
    ['null', null],
    ['a string with control characters', 'line one\nline two\u001b[31m red'],
    ['a 1 MB string', 'x'.repeat(1_000_000)],
    ['an Error with a 1 MB message of emoji', new Error('\u{1f600}'.repeat(500_000))],
    ['a Proxy of an Error whose every get throws', everyGetThrows(new Error('proxied'))],
    ['an Error whose constructor getter throws', throwingConstructor()],
  ];
}

function everyGetThrows(target: object): unknown {
  return new Proxy(target, {
    get() {
      throw new Error('get trap');
    },
  });
}

function throwingConstructor(): Error {
  const error = new Error('');
  Object.defineProperty(error, 'name', { value: '' });
  Object.defineProperty(error, 'constructor', {
    get() {
      throw new Error('constructor getter');
    },
  });
  return error;
}
