/**
 * examples/lambda-container/cdk: the guide's `sh cdk` block (`cdk synth`, offline: no AWS account, no
 * Docker daemon) run in a copy of the example, and the synthesized template checked for the image
 * function, SnapStart on published versions and the alias.
 *
 * The CDK app has its own dependencies (aws-cdk-lib, constructs, the aws-cdk CLI: about 214 MB), which
 * this package does not install: `npm run test:cdk` installs them and runs this file. Without them the
 * test is skipped, saying so.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { shellBlocks } from './guide.js';
import { nodeBinary, repoRoot } from './lifecycle.js';

const example = path.join(repoRoot, 'examples/lambda-container');
const installed = path.join(example, 'cdk/node_modules');
const skip =
  existsSync(path.join(installed, 'aws-cdk-lib')) && existsSync(path.join(installed, '.bin/cdk'))
    ? false
    : "the CDK app's dependencies are not installed (about 214 MB): run `npm run test:cdk`";

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };

t.test(
  'cdk synth: a DockerImageFunction with SnapStart on published versions and the alias live',
  { skip },
  async (t) => {
    const [block, ...more] = shellBlocks().filter((candidate) => candidate.tag === 'cdk');
    t.equal(more.length, 0, 'one cdk block in the guide');
    const work = mkdtempSync(path.join(tmpdir(), 'snapstart-cdk-'));
    t.teardown(() => rmSync(work, { recursive: true, force: true }));
    const folder = path.join(work, 'lambda-container');
    cpSync(example, folder, { recursive: true, filter: (source) => !/[\\/](node_modules|cdk\.out)$/.test(source) });
    symlinkSync(installed, path.join(folder, 'cdk/node_modules'));
    const home = path.join(work, 'home');
    mkdirSync(home);
    const run = spawnSync('sh', ['-e', '-c', block?.code ?? 'false'], {
      cwd: folder,
      env: { PATH: `${path.dirname(nodeBinary)}:/usr/bin:/bin`, HOME: home, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    t.equal(run.status, 0, run.stderr);
    t.notMatch(
      run.stderr,
      /SnapStart only supports published/,
      'the SnapStart warning is acknowledged: the alias publishes',
    );

    const out = path.join(folder, 'cdk/cdk.out');
    const template = JSON.parse(readFileSync(path.join(out, 'SnapStartHooksContainer.template.json'), 'utf8')) as {
      Resources: Record<string, Resource>;
    };
    const byType = (type: string) =>
      Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
    const functions = byType('AWS::Lambda::Function');
    t.equal(functions.length, 1, 'one function');
    const [[functionId, fn]] = functions as [[string, Resource]];
    t.equal(fn.Properties.PackageType, 'Image', 'an image function');
    t.strictSame(fn.Properties.SnapStart, { ApplyOn: 'PublishedVersions' }, 'SnapStart on published versions');
    t.equal(fn.Metadata?.['aws:asset:dockerfile-path'], 'Dockerfile');
    const versions = byType('AWS::Lambda::Version');
    t.equal(versions.length, 1, 'a published version');
    const [[versionId, version]] = versions as [[string, Resource]];
    t.strictSame(version.Properties.FunctionName, { Ref: functionId });
    const aliases = byType('AWS::Lambda::Alias');
    t.equal(aliases.length, 1, 'an alias');
    const [[, alias]] = aliases as [[string, Resource]];
    t.equal(alias.Properties.Name, 'live');
    t.strictSame(alias.Properties.FunctionVersion, { 'Fn::GetAtt': [versionId, 'Version'] }, 'on that version');

    // The image's build context, staged without Docker: the example folder minus .dockerignore's entries.
    const staged = readdirSync(out).filter((name) => name.startsWith('asset.'));
    t.equal(staged.length, 1, 'one staged asset');
    const context = readdirSync(path.join(out, staged[0] as string));
    for (const file of ['Dockerfile', 'index.mjs', 'package.json']) t.ok(context.includes(file), `${file} staged`);
    t.notOk(context.includes('cdk') || context.includes('node_modules'), 'the CDK app and node_modules left out');
  },
);
