/**
 * examples/lambda-container: each Dockerfile "built" into a folder standing for the image (no Docker
 * here: see dockerfile.ts), then its ENTRYPOINT + CMD started the way Lambda starts a container (same
 * argv, the image's environment plus Lambda's, the image's WORKDIR) and taken through the SnapStart
 * lifecycle by the emulator. And the SAM template, which must build that image with SnapStart on.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { baseImages, hostNpm } from './base-images.js';
import { buildImage, containerCommand, mapEnv, mapper, parseDockerfile } from './dockerfile.js';
import { LAMBDA_ENV, packPackage, repoRoot, runLifecycle } from './lifecycle.js';

const example = path.join(repoRoot, 'examples/lambda-container');
const work = mkdtempSync(path.join(tmpdir(), 'snapstart-container-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

// The build context: the example folder with the tarball the guide's install step packs into it.
const context = path.join(work, 'context');
cpSync(example, context, { recursive: true, filter: (source) => !/[\\/](node_modules|cdk)$/.test(source) });
renameSync(packPackage(context, hostNpm()), path.join(context, 'snapstart-hooks.tgz'));

const SNAPSTART_LABEL = 'com.amazonaws.lambda.feature.snapstart';

interface ExampleResult {
  requestId: string;
  handler: string;
  initializationType: string;
  lifecycle: string[];
  environmentId: string;
  connectionOpen: boolean;
  event: unknown;
}

async function buildAndRun(t: Test, dockerfile: string, expectedCommand: string[]) {
  const root = path.join(work, dockerfile);
  const image = buildImage({ context, dockerfile, root, bases: baseImages() });
  t.strictSame([...image.entrypoint, ...image.cmd], expectedCommand, 'ENTRYPOINT + CMD');
  t.notOk(SNAPSTART_LABEL in image.labels, 'no SnapStart label: the runtime itself calls /runtime/restore/next');
  // Lambda adds its reserved variables to the image's environment (the Runtime API's come from the emulator).
  const env = mapEnv(
    { ...image.env, LAMBDA_TASK_ROOT: '/var/task', LAMBDA_RUNTIME_DIR: '/var/runtime', ...LAMBDA_ENV },
    root,
  );
  const events = [{ hello: 'snapstart' }, { again: true }];
  const run = await runLifecycle({
    argv: containerCommand(image, root),
    cwd: mapper(root)(image.workdir),
    env,
    events,
  });
  t.equal(run.sequence[0], 'GET restore/next', 'the first request is restore/next: Lambda may take the snapshot');
  t.notOk(
    run.sequence.some((request) => request.includes('init/error') || request.includes('restore/error')),
    'no init or restore error',
  );
  t.strictSame(
    run.results.map((result) => result.ok),
    [true, true],
    run.stderr,
  );
  const [first, second] = run.results.map((result) => result.body as ExampleResult) as [ExampleResult, ExampleResult];
  t.equal(first.handler, 'index.handler', 'the handler came from CMD');
  t.equal(first.initializationType, 'snap-start');
  t.strictSame(first.lifecycle, ['init', 'beforeSnapshot', 'afterRestore'], 'both hooks ran, in order');
  t.equal(first.connectionOpen, true, 'the after-restore hook reopened what the before-snapshot hook closed');
  t.strictSame(first.event, events[0]);
  t.equal(first.requestId, run.results[0]?.requestId);
  t.equal(second.environmentId, first.environmentId, 'one environment serves both invocations');
  t.match(run.stdout, /beforeSnapshot: connection closed[\s\S]*afterRestore: connection reopened/);
  t.equal(run.exit, 1, 'the runtime stops when the Runtime API goes away');
  return image;
}

t.test('Dockerfile: Lambda nodejs:22 base image, its entrypoint script kept, the runtime swapped', async (t) => {
  const image = await buildAndRun(t, 'Dockerfile', ['/lambda-entrypoint.sh', 'index.handler']);
  t.equal(image.from, 'public.ecr.aws/lambda/nodejs:22');
  t.equal(
    image.env.NODE_PATH,
    '/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
    "NODE_PATH as the managed nodejs22.x runtime's bootstrap sets it",
  );
});

t.test('Dockerfile.node: a plain Node.js image, ENTRYPOINT snapstart-runtime and the handler in CMD', async (t) => {
  const image = await buildAndRun(t, 'Dockerfile.node', [
    '/var/task/node_modules/.bin/snapstart-runtime',
    'index.handler',
  ]);
  t.notOk('_HANDLER' in image.env, 'no _HANDLER: the runtime takes the handler from its argument');
});

t.test('template.yaml: SAM builds the image with SnapStart on published versions and an alias', async (t) => {
  const template = parseYaml(readFileSync(path.join(example, 'template.yaml'), 'utf8')) as {
    Transform: string;
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }>;
  };
  t.equal(template.Transform, 'AWS::Serverless-2016-10-31');
  const functions = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::Serverless::Function',
  );
  t.equal(functions.length, 1);
  const [fn] = functions as [(typeof functions)[number]];
  t.equal(fn.Properties.PackageType, 'Image');
  t.strictSame(fn.Properties.SnapStart, { ApplyOn: 'PublishedVersions' });
  t.type(fn.Properties.AutoPublishAlias, 'string', 'AutoPublishAlias publishes a version on each deploy');
  t.notOk('Runtime' in fn.Properties || 'Handler' in fn.Properties, 'an image function has no Runtime or Handler');
  const dockerfile = fn.Metadata?.Dockerfile as string;
  t.ok(existsSync(path.join(example, fn.Metadata?.DockerContext ?? '', dockerfile)), `${dockerfile} is in the context`);
  const cmd = parseDockerfile(readFileSync(path.join(example, dockerfile), 'utf8')).filter((i) => i.keyword === 'CMD');
  t.equal(cmd.length, 1, 'the Dockerfile names the handler in CMD');
  t.notOk('ImageConfig' in fn.Properties, 'no ImageConfig overrides the CMD tested above');
});
