/**
 * The base images the example Dockerfiles build on, as far as a runtime can tell: their ENV, WORKDIR,
 * ENTRYPOINT and CMD, where their `node` and `npm` are, and Lambda's entrypoint script.
 *
 * Sources: AWS's Dockerfile for the Node.js 22 base image (aws/aws-lambda-base-images,
 * Dockerfile.nodejs22.x: the ENV lines, `WORKDIR /var/task`, `ENTRYPOINT ["/lambda-entrypoint.sh"]`;
 * node and npm in /var/lang/bin), the behaviour of that entrypoint script as AWS documents it (the
 * handler is its one argument; it exports it as _HANDLER, then runs /var/runtime/bootstrap, under the
 * Runtime Interface Emulator at /usr/local/bin/aws-lambda-rie when AWS_LAMBDA_RUNTIME_API is unset), and
 * the official node:22 image (node and npm in /usr/local/bin, Docker's default PATH).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { BaseImage } from './dockerfile.js';
import { nodeBinary } from './lifecycle.js';

/** This machine's npm (its CLI script, which runs on whatever `node` the PATH finds first). */
export function hostNpm(): string {
  const directories = [path.dirname(nodeBinary), ...(process.env.PATH ?? '').split(':')];
  for (const directory of directories) {
    try {
      return realpathSync(path.join(directory, 'npm'));
    } catch {
      // not here
    }
  }
  throw new Error('npm not found next to node or on the PATH');
}

/** A stand-in for the base image's /lambda-entrypoint.sh, written from its documented behaviour. */
function lambdaEntrypoint(host: (containerPath: string) => string): string {
  return `#!/bin/sh
# Test stand-in for /lambda-entrypoint.sh of Lambda's base images (see base-images.ts).
if [ "$#" -ne 1 ]; then
  echo "the handler must be the one argument (the image's CMD)" >&2
  exit 142
fi
export _HANDLER="$1"
if [ -z "\${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  exec ${host('/usr/local/bin/aws-lambda-rie')} ${host('/var/runtime/bootstrap')}
fi
exec ${host('/var/runtime/bootstrap')}
`;
}

/** What the base image's own bootstrap (AWS's Node.js runtime client) stands for here: it must be swapped out. */
const AWS_NODE_RUNTIME = `#!/bin/sh
echo "AWS's Node.js runtime client started: the Dockerfile did not swap /var/runtime/bootstrap" >&2
exit 99
`;

/** The base images by their FROM names. */
export function baseImages(): Record<string, BaseImage> {
  const npm = hostNpm();
  return {
    'public.ecr.aws/lambda/nodejs:22': {
      env: {
        LANG: 'en_US.UTF-8',
        TZ: ':/etc/localtime',
        PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
        LD_LIBRARY_PATH:
          '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
        LAMBDA_TASK_ROOT: '/var/task',
        LAMBDA_RUNTIME_DIR: '/var/runtime',
      },
      workdir: '/var/task',
      entrypoint: ['/lambda-entrypoint.sh'],
      cmd: [],
      binaries: { '/var/lang/bin/node': nodeBinary, '/var/lang/bin/npm': npm },
      scripts: (host) => ({
        '/lambda-entrypoint.sh': lambdaEntrypoint(host),
        '/var/runtime/bootstrap': AWS_NODE_RUNTIME,
      }),
    },
    'node:22-bookworm-slim': {
      env: { NODE_VERSION: '22', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
      workdir: '/',
      entrypoint: ['docker-entrypoint.sh'],
      cmd: ['node'],
      binaries: { '/usr/local/bin/node': nodeBinary, '/usr/local/bin/npm': npm },
    },
  };
}
