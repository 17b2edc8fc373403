// Error bodies as AWS's Node.js runtime writes them (aws-lambda-nodejs-runtime-interface-client src/Errors.js
// toRapidResponse, src/XRayError.js), for every kind of thrown value, in process.
import t from 'tap';
import {
  errorHeadline,
  HandlerLoadError,
  RuntimeApiError,
  RuntimeError,
  toErrorBody,
  valueText,
} from '../../src/lambda/errors.js';
import { NodeJsExitError } from '../../src/lambda/invoke.js';
import { CallbackHandlerNotSupportedError, MalformedStreamingHandlerError } from '../../src/lambda/loop.js';
import { unhandledRejection } from '../../src/lambda/process-failures.js';
import { InvalidStreamingOperationError } from '../../src/lambda/streaming/response-stream.js';
import { xrayErrorCause } from '../../src/lambda/xray-cause.js';

class HttpError extends Error {
  // An ES2022 class field: `name` is an own property set to undefined after super().
  declare name: string;
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, 'name', { value: undefined, writable: true, enumerable: true });
  }
}

t.test('toErrorBody() - Errors: name, message, trace lines starting "Name: message"', async (t) => {
  const body = toErrorBody(new TypeError('bad input'));
  t.equal(body.errorType, 'TypeError');
  t.equal(body.errorMessage, 'bad input');
  t.equal(body.trace[0], 'TypeError: bad input');
  t.match(body.trace[1], /^ {4}at /);
  t.same(Object.keys(body), ['errorType', 'errorMessage', 'trace'], 'exactly the three fields, in AWS order');
  const renamed = new Error('x');
  renamed.name = 'CustomName';
  t.equal(toErrorBody(renamed).errorType, 'CustomName', 'the name property, as AWS reads it');
  t.same(toErrorBody(Object.assign(new Error('a\x7Fb'), { stack: 'Error: a\x7Fb' })), {
    errorType: 'Error',
    errorMessage: 'a%7Fb',
    trace: ['Error: a%7Fb'],
  });
});

t.test('toErrorBody() - values that are not Errors: typeof and String(value), as AWS', async (t) => {
  const rows: [unknown, string, string][] = [
    ['plain text', 'string', 'plain text'],
    [{ status: 500 }, 'object', '[object Object]'],
    [42, 'number', '42'],
    [null, 'object', 'null'],
    [undefined, 'undefined', 'undefined'],
    [true, 'boolean', 'true'],
    [10n, 'bigint', '10'],
    [Symbol('s'), 'symbol', 'Symbol(s)'],
    [{ toString: () => 'custom text' }, 'object', 'custom text'],
  ];
  for (const [value, errorType, errorMessage] of rows) {
    t.same(toErrorBody(value), { errorType, errorMessage, trace: [] }, String(errorType));
  }
  t.same(
    toErrorBody({ name: 'Remote', message: 'from afar', stack: 'Remote: from afar\n    at x' }),
    { errorType: 'Remote', errorMessage: 'from afar', trace: ['Remote: from afar', '    at x'] },
    'an error-like object (string name, message, stack) is read as an error',
  );
});

t.test('toErrorBody() - badly behaved thrown values are answered, never thrown (issue 11.1)', async (t) => {
  const nullProto = Object.assign(Object.create(null), { a: 1 });
  const circular: Record<string, unknown> = { id: 1 };
  circular.self = circular;
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const throwingGetter = new Error('x');
  Object.defineProperty(throwingGetter, 'message', {
    get() {
      throw new Error('getter');
    },
  });
  const numericCode = Object.assign(new Error(''), { code: 503 });
  const nonStringStack = Object.assign(new Error('s'), { stack: 12 });
  const nonStringMessage = Object.assign(new Error(), { message: 42 });
  const throwingToString = {
    toString() {
      throw new Error('no');
    },
  };
  const rows: [string, unknown, { errorType: string; errorMessage: string | RegExp }][] = [
    ['class-field name undefined', new HttpError('nope'), { errorType: 'HttpError', errorMessage: 'nope' }],
    ['null prototype', nullProto, { errorType: 'object', errorMessage: '{"a":1}' }],
    ['circular', circular, { errorType: 'object', errorMessage: '[object Object]' }],
    ['revoked proxy', proxy, { errorType: 'object', errorMessage: /./ }],
    ['throwing message getter', throwingGetter, { errorType: 'Error', errorMessage: '' }],
    ['empty message, numeric code', numericCode, { errorType: 'Error', errorMessage: '' }],
    ['non-string stack', nonStringStack, { errorType: 'Error', errorMessage: 's' }],
    ['non-string message', nonStringMessage, { errorType: 'Error', errorMessage: '42' }],
    ['throwing toString', throwingToString, { errorType: 'object', errorMessage: '{}' }],
  ];
  for (const [what, value, expected] of rows) {
    let body: ReturnType<typeof toErrorBody> | undefined;
    t.doesNotThrow(() => {
      body = toErrorBody(value);
    }, what);
    t.match(body, expected, what);
    t.doesNotThrow(() => JSON.stringify(body), `${what}: the body is JSON`);
  }
  t.same(toErrorBody(nonStringStack).trace, ['Error: s'], 'no stack: the headline alone');
  t.equal(valueText(new HttpError('m')), 'HttpError: m');
  t.equal(errorHeadline('', 'only message'), 'only message');
  t.equal(errorHeadline('Name', ''), 'Name');
});

t.test('RuntimeError and HandlerLoadError - the Runtime. type is the name and the stack headline', async (t) => {
  const error = new HandlerLoadError('Runtime.ImportModuleError', "Error: Cannot find module 'x'\nRequire stack:\n- y");
  t.equal(error.name, 'Runtime.ImportModuleError');
  t.equal(error.errorType, 'Runtime.ImportModuleError');
  t.ok(error instanceof RuntimeError);
  const body = toErrorBody(error);
  t.equal(body.errorType, 'Runtime.ImportModuleError', 'the prefix is kept in the body');
  t.same(body.trace.slice(0, 3), ["Runtime.ImportModuleError: Error: Cannot find module 'x'", 'Require stack:', '- y']);
  t.match(body.trace[3], /^ {4}at /);
  t.equal(new RuntimeError('Runtime.X', '').stack?.split('\n')[0], 'Runtime.X');
  // AWS's classes are named without the prefix: a JSON log record's errorType is the class name.
  t.equal(error.constructor.name, 'ImportModuleError');
  t.ok(error instanceof HandlerLoadError, 'still an instance of its own class');
  t.equal(new RuntimeError('Runtime.Odd-Type!', '').constructor.name, 'OddType');
  t.equal(new RuntimeError('Runtime.', '').constructor.name, 'RuntimeError', 'nothing left: the base name');
  t.equal(
    new HandlerLoadError('Runtime.ImportModuleError', 'again').constructor,
    error.constructor,
    'one class per type',
  );
  t.same(Object.keys(error), [], "no enumerable field of its own, as none of AWS's");
  for (const [errorClass, name] of [
    [NodeJsExitError, 'NodeJsExit'],
    [MalformedStreamingHandlerError, 'MalformedStreamingHandler'],
    [InvalidStreamingOperationError, 'InvalidStreamingOperation'],
    [CallbackHandlerNotSupportedError, 'CallbackHandlerDeprecatedError'],
  ] as const) {
    t.equal(errorClass.name, name);
  }
  t.match(
    new RuntimeApiError('GET', '/p', { cause: Object.assign(new Error(''), { code: 'ECONNRESET' }) }).message,
    /ECONNRESET/,
  );
  t.match(new RuntimeApiError('GET', '/p', { cause: 'down' }).message, /failed: down/);
});

t.test('unhandledRejection() - Runtime.UnhandledPromiseRejection, the reason as text, kept as reason', async (t) => {
  const rows: [unknown, string][] = [
    [new Error('boom'), 'Error: boom'],
    ['text', 'text'],
    [undefined, ''],
    [Object.assign(Object.create(null), { a: 1 }), '{"a":1}'],
  ];
  for (const [reason, message] of rows) {
    const promise = Promise.resolve();
    const error = unhandledRejection(reason, promise);
    t.equal(error.promise, promise, 'the rejected promise is kept, as AWS keeps it');
    t.same(Object.keys(error), ['reason', 'promise'], 'what a text log record shows of it');
    t.equal(error.name, 'Runtime.UnhandledPromiseRejection');
    t.equal(error.message, message);
    t.equal(error.reason, reason);
    t.match(toErrorBody(error), { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: message });
  }
});

t.test('xrayErrorCause() - the X-Ray cause AWS sends: working directory, exception, frames, paths', async (t) => {
  const error = new TypeError('bad');
  error.stack = [
    'TypeError: bad',
    '    at handler (/var/task/index.mjs:3:9)',
    '    at file:///var/task/lib/util.mjs:10:2',
    '    at new Thing (/var/task/index.mjs:5:1)',
    '    at native',
  ].join('\n');
  t.same(JSON.parse(xrayErrorCause(error, '/var/task')), {
    working_directory: '/var/task',
    exceptions: [
      {
        type: 'TypeError',
        message: 'bad',
        stack: [
          { path: '/var/task/index.mjs', line: 3, label: 'handler' },
          { path: '/var/task/lib/util.mjs', line: 10, label: 'anonymous' },
          { path: '/var/task/index.mjs', line: 5, label: 'new Thing' },
          { path: 'native', line: null, label: 'anonymous' },
        ],
      },
    ],
    paths: ['/var/task/index.mjs', '/var/task/lib/util.mjs', 'native'],
  });
  const header = xrayErrorCause(new Error('Grüße 日本 \u2028'));
  t.match(header, /^[\x20-\x7e]+$/, 'printable ASCII only: a header cannot carry more');
  t.equal(JSON.parse(header).exceptions[0].message, 'Grüße 日本 \u2028');
  t.match(JSON.parse(xrayErrorCause('thrown text')), {
    exceptions: [{ type: 'string', message: 'thrown text', stack: [] }],
  });
  const huge = new Error('m'.repeat(20_000));
  huge.stack = `Error: ${huge.message}\n${'    at f (/var/task/a.js:1:1)\n'.repeat(2_000)}`;
  const bounded = xrayErrorCause(huge);
  t.ok(bounded.length <= 8_192 && bounded.length > 0, `bounded to 8 KiB (${bounded.length})`);
  t.equal(xrayErrorCause(new Error('m'), '/'.repeat(9_000)), '', 'nothing fits: no header at all');
});
