// Finding the handler as AWS's Node.js runtime does (aws-lambda-nodejs-runtime-interface-client src/UserFunction.js:
// _tryRequire's order, _throwIfInvalidHandler, _loadUserApp's error types), in process, on fixture directories.
// The spawned runtime's side (plain node: extensionless beats .js, NODE_PATH layers, exit codes, posts) is in
// aws-parity.test.ts.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { HandlerLoadError } from '../../src/lambda/errors.js';
import { loadHandler, parseHandlerName } from '../../src/lambda/handler.js';
import { awsNodePath, moduleSearchPaths } from '../../src/lambda/node-path.js';

type Tree = { [name: string]: string | Tree };

/**
 * Writes `files` under a fresh directory in the OS temp dir (no package.json above it, like /var/task)
 * and returns its path; removed at teardown.
 */
function tree(t: { teardown(fn: () => void): void }, files: Tree): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'snapstart-handler-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  write(root, files);
  return root;
}

function write(directory: string, files: Tree): void {
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(directory, name);
    if (typeof content === 'string') writeFileSync(target, content);
    else {
      mkdirSync(target);
      write(target, content);
    }
  }
}

const call = async (root: string, handler: string, searchPaths: string[] = []) =>
  (await loadHandler(root, handler, { searchPaths }))({}, {} as never, () => {});

t.test('parseHandlerName() - module root, module (to the first dot), export path; AWS refusals', async (t) => {
  t.same(parseHandlerName('index.handler'), { moduleRoot: '', moduleName: 'index', exportPath: ['handler'] });
  t.same(parseHandlerName('src/v1.2/app.handlers.main'), {
    moduleRoot: 'src/v1.2/',
    moduleName: 'app',
    exportPath: ['handlers', 'main'],
  });
  t.same(parseHandlerName('/opt/nodejs/app.handler').moduleRoot, '/opt/nodejs/');
  for (const bad of ['../x.handler', 'src/../../x.handler', 'app..handler', 'a/..b/c.d']) {
    t.throws(
      () => parseHandlerName(bad),
      {
        name: 'Runtime.MalformedHandlerName',
        message: `'${bad}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
      },
      bad,
    );
  }
  for (const bad of [undefined, '', 'index', 'src/', 'dir.x/app']) {
    t.throws(
      () => parseHandlerName(bad),
      { name: 'Runtime.MalformedHandlerName', message: 'Bad handler' },
      String(bad),
    );
  }
});

t.test('loadHandler() - AWS search order in the task root', async (t) => {
  const root = tree(t, {
    extensionless: 'exports.handler = () => "extensionless file";',
    dir: { 'index.js': 'exports.handler = () => "dir/index.js";' },
    pkg: { 'package.json': '{"main":"lib/entry.js"}', lib: { 'entry.js': 'exports.handler = () => "package main";' } },
    'cjs.js': 'module.exports = { handler: () => "commonjs .js", nested: { deep: () => "nested" } };',
    'order.js': 'exports.handler = () => ".js before .mjs";',
    'order.mjs': 'export const handler = () => ".mjs";',
    'only.mjs': 'export const handler = () => ".mjs";',
    'only.cjs': 'exports.handler = () => ".cjs";',
    esm: { 'package.json': '{"type":"module"}', 'app.js': 'export const handler = () => "type: module .js";' },
  });
  t.equal(await call(root, 'extensionless.handler'), 'extensionless file');
  t.equal(await call(root, 'dir.handler'), 'dir/index.js');
  t.equal(await call(root, 'pkg.handler'), 'package main');
  t.equal(await call(root, 'cjs.handler'), 'commonjs .js');
  t.equal(await call(root, 'cjs.nested.deep'), 'nested');
  t.equal(await call(root, 'order.handler'), '.js before .mjs');
  t.equal(await call(root, 'only.handler'), '.mjs');
  t.equal(await call(path.join(root, 'esm'), 'app.handler'), 'type: module .js');
  t.equal(await call(root, 'esm/app.handler'), 'type: module .js', 'the module root is a directory of the task root');
  const cjsOnly = tree(t, { 'only.cjs': 'exports.handler = () => ".cjs";' });
  t.equal(await call(cjsOnly, 'only.handler'), '.cjs');
});

t.test(
  'loadHandler() - a module not in the task root: node_modules chain, then NODE_PATH (layers), in order',
  async (t) => {
    const root = tree(t, {
      task: { node_modules: { shadowed: { 'index.js': 'exports.handler = () => "task node_modules";' } } },
      opt: {
        nodejs: {
          node22: { node_modules: { 'layered.js': 'exports.handler = () => "node22 layer";' } },
          node_modules: {
            'layered.js': 'exports.handler = () => "generic layer";',
            'generic.js': 'exports.handler = () => "generic layer only";',
            'shadowed.js': 'exports.handler = () => "layer";',
            esm: {
              'package.json': '{"type":"module","main":"main.mjs"}',
              'main.mjs': 'export const handler = () => "esm";',
            },
          },
        },
      },
    });
    const task = path.join(root, 'task');
    const nodePath = awsNodePath({ LAMBDA_TASK_ROOT: task }, { layersRoot: path.join(root, 'opt'), nodeMajor: 22 });
    const searchPaths = moduleSearchPaths(nodePath);
    t.equal(await call(task, 'layered.handler', searchPaths), 'node22 layer', '/opt/nodejs/nodeNN first');
    t.equal(await call(task, 'generic.handler', searchPaths), 'generic layer only');
    t.equal(
      await call(task, 'shadowed.handler', searchPaths),
      'task node_modules',
      "the task root's node_modules first",
    );
    t.equal(await call(task, 'esm.handler', searchPaths), 'esm', 'an ES module package is imported');
    await t.rejects(loadHandler(task, 'layered.handler', { searchPaths: [] }), {
      name: 'Runtime.ImportModuleError',
      message: /^Error: Cannot find module 'layered'\nRequire stack:\n- /,
    });
  },
);

t.test('awsNodePath() and moduleSearchPaths() - AWS default NODE_PATH, Node global folders after it', async (t) => {
  t.equal(
    awsNodePath({}, { nodeMajor: 22 }),
    '/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
  );
  t.equal(
    awsNodePath({ LAMBDA_RUNTIME_DIR: '/rt', LAMBDA_TASK_ROOT: '/code' }, { layersRoot: '/layers', nodeMajor: 20 }),
    '/layers/nodejs/node20/node_modules:/layers/nodejs/node_modules:/rt/node_modules:/rt:/code',
  );
  t.match(awsNodePath(), new RegExp(`^/opt/nodejs/node${process.versions.node.split('.')[0]}/node_modules:`));
  const paths = moduleSearchPaths('/a::/b');
  t.same(paths.slice(0, 2), ['/a', '/b'], 'NODE_PATH entries first, empty ones skipped');
  t.same(paths.slice(2, 4), [path.join(os.homedir(), '.node_modules'), path.join(os.homedir(), '.node_libraries')]);
  t.match(paths[4], /lib[/\\]node$/);
  t.type(moduleSearchPaths(), Array);
});

t.test('loadHandler() - only the module own exports are served (issue 11.11)', async (t) => {
  const root = tree(t, {
    'own.cjs':
      'module.exports = { handler: () => 1, handlers: { main: () => 2 }, zero: 0, notAFunction: 42 };\n' +
      'Object.setPrototypeOf(module.exports.handlers, { inherited: () => 3 });',
  });
  for (const name of ['constructor', 'hasOwnProperty', 'toString', 'valueOf', '__proto__', 'missing', 'zero']) {
    await t.rejects(
      loadHandler(root, `own.${name}`),
      { name: 'Runtime.HandlerNotFound', message: `own.${name} is undefined or not exported` },
      name,
    );
  }
  await t.rejects(loadHandler(root, 'own.handlers.inherited'), { name: 'Runtime.HandlerNotFound' });
  await t.rejects(loadHandler(root, 'own.handlers.constructor'), { name: 'Runtime.HandlerNotFound' });
  await t.rejects(
    loadHandler(root, 'own.handler.call'),
    { name: 'Runtime.HandlerNotFound' },
    "a function's own methods",
  );
  await t.rejects(loadHandler(root, 'own.notAFunction'), {
    name: 'Runtime.HandlerNotFound',
    message: 'own.notAFunction is not a function',
  });
  await t.rejects(loadHandler(root, 'own.'), { message: 'own. is undefined or not exported' });
  t.equal(await call(root, 'own.handlers.main'), 2);
});

t.test('loadHandler() - a link inside the task root to code outside it is refused (issue 11.11)', async (t) => {
  const root = tree(t, {
    outside: { 'evil.js': 'exports.handler = () => "outside";', dir: { 'index.js': 'exports.handler = () => 1;' } },
    task: { 'real.js': 'exports.handler = () => "inside";', node_modules: {} },
  });
  const task = path.join(root, 'task');
  symlinkSync(path.join(root, 'outside', 'evil.js'), path.join(task, 'app.js'));
  symlinkSync(path.join(root, 'outside', 'dir'), path.join(task, 'linkdir'));
  symlinkSync(path.join(root, 'outside', 'evil.js'), path.join(task, 'node_modules', 'pkg.js'));
  symlinkSync(path.join(task, 'real.js'), path.join(task, 'alias.js'));
  for (const handler of ['app.handler', 'linkdir.handler', 'pkg.handler']) {
    await t.rejects(
      loadHandler(task, handler, { searchPaths: [] }),
      { name: 'Runtime.ImportModuleError', message: /is a link to '.*outside.*', outside / },
      handler,
    );
  }
  t.equal(await call(task, 'alias.handler'), 'inside', 'a link that stays inside is fine');
  t.equal(
    await call('/nonexistent-task-root', `${path.join(root, 'outside')}/evil.handler`),
    'outside',
    'an absolute _HANDLER loads where it points, as AWS does',
  );
});

t.test(
  'loadHandler() - AWS error types: syntax errors with file:line, missing modules, the rest as thrown',
  async (t) => {
    const root = tree(t, {
      'syntax.cjs': 'exports.handler = () => 1;\nconst x = {\n  a: 1,,\n};\n',
      'imports-bad.mjs': "import './lib/bad.mjs';\nexport const handler = () => 1;\n",
      lib: { 'bad.mjs': 'export const a = 1;\nexport const b = ;\n' },
      'json-at-init.cjs': 'JSON.parse("{oops");',
      'needs-missing.cjs': "require('definitely-not-installed-pkg');",
      'imports-missing.mjs': "import 'definitely-not-installed-pkg';\nexport const handler = () => 1;",
      'throws-type.mjs': "throw new TypeError('top level');",
      'throws-string.cjs': "throw 'plain string';",
      'getter.cjs':
        "Object.defineProperty(exports, 'handler', { enumerable: true, get() { throw new RangeError('lazy'); } });",
      'hostile-code.cjs':
        "throw Object.defineProperty(new Error('code getter'), 'code', { get() { throw new Error('no code'); } });",
      'hostile-syntax.cjs':
        "const e = new SyntaxError('x'); e.stack = 'SyntaxError'; Object.defineProperty(e, 'message', { get() { throw 1; } }); throw e;",
      empty: {},
    });
    const cjs = await loadHandler(root, 'syntax.handler').catch((e: unknown) => e);
    t.ok(cjs instanceof HandlerLoadError);
    t.match(cjs, {
      name: 'Runtime.UserCodeSyntaxError',
      message: `SyntaxError: Unexpected token ',' (${path.join(root, 'syntax.cjs')}:3)`,
    });
    t.match((cjs as Error).stack, new RegExp(`\\n {4}at ${path.join(root, 'syntax.cjs')}:3\\n`), 'first frame');
    const mjsRoot = tree(t, { 'syntax.mjs': 'export const handler = () => 1;\n\nconst x = {\n  a: 1,,\n};\n' });
    t.match(await loadHandler(mjsRoot, 'syntax.handler').catch((e: unknown) => e), {
      name: 'Runtime.UserCodeSyntaxError',
      message: `SyntaxError: Unexpected token ',' (${path.join(mjsRoot, 'syntax.mjs')}:4)`,
    });
    t.match(await loadHandler(root, 'imports-bad.handler').catch((e: unknown) => e), {
      name: 'Runtime.UserCodeSyntaxError',
      message: new RegExp(`\\(${path.join(root, 'lib', 'bad.mjs')}:2\\)$`),
    });
    t.match(await loadHandler(root, 'json-at-init.handler').catch((e: unknown) => e), {
      name: 'Runtime.UserCodeSyntaxError',
      message: /^SyntaxError: .*JSON/,
    });
    t.match(await loadHandler(root, 'needs-missing.handler').catch((e: unknown) => e), {
      name: 'Runtime.ImportModuleError',
      message: /^Error: Cannot find module 'definitely-not-installed-pkg'/,
    });
    t.match(await loadHandler(root, 'empty.handler').catch((e: unknown) => e), {
      name: 'Runtime.ImportModuleError',
      message: /Cannot find module/,
    });
    const esmMissing = await loadHandler(root, 'imports-missing.handler').catch((e: unknown) => e);
    t.notOk(
      esmMissing instanceof HandlerLoadError,
      'an ES module import of a missing package is its own Error, as AWS',
    );
    // The message, not `code`: a module loader in front of Node's (tsx here) may rethrow the
    // resolution error without its own properties.
    t.match(esmMissing, { message: /Cannot find (package|module) 'definitely-not-installed-pkg'/ });
    t.match(await loadHandler(root, 'throws-type.handler').catch((e: unknown) => e), {
      name: 'TypeError',
      message: 'top level',
    });
    t.equal(await loadHandler(root, 'throws-string.handler').catch((e: unknown) => e), 'plain string');
    t.match(await loadHandler(root, 'getter.handler').catch((e: unknown) => e), {
      name: 'RangeError',
      message: 'lazy',
    });
    const hostileCode = await loadHandler(root, 'hostile-code.handler').catch((e: unknown) => e);
    t.ok(
      hostileCode instanceof Error && !(hostileCode instanceof HandlerLoadError),
      'a throwing code getter: as thrown',
    );
    t.match(await loadHandler(root, 'hostile-syntax.handler').catch((e: unknown) => e), {
      name: 'Runtime.UserCodeSyntaxError',
      message: 'SyntaxError',
    });
  },
);

t.test('loadHandler() - an unreadable package.json is ignored for module detection, as AWS does', async (t) => {
  const root = tree(t, { sub: { 'package.json': '{not json', 'app.js': 'exports.handler = () => "cjs";' } });
  t.equal(await call(path.join(root, 'sub'), 'app.handler'), 'cjs');
  const nm = tree(t, { node_modules: { dep: { 'app.js': 'exports.handler = () => "stops at node_modules";' } } });
  t.equal(await call(path.join(nm, 'node_modules', 'dep'), 'app.handler'), 'stops at node_modules');
  mkdirSync(path.join(nm, 'plain'));
  writeFileSync(path.join(nm, 'plain', 'app.js'), 'exports.handler = () => "no package.json up to /";');
  t.equal(await call(path.join(nm, 'plain'), 'app.handler'), 'no package.json up to /');
});
