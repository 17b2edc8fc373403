/**
 * `NODE_PATH` as AWS's Node.js runtime sets it: the layer directories under `/opt/nodejs`, the
 * runtime's own modules and the task root, so handler modules and the `require`s of the function's
 * code find packages shipped in layers.
 *
 * @module
 */
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** Options of {@link awsNodePath}. */
export interface AwsNodePathOptions {
  /** Where layers are extracted. Default: `/opt`. */
  layersRoot?: string;
  /** The Node.js major version whose layer directory comes first. Default: this process's. */
  nodeMajor?: number;
}

/**
 * The `NODE_PATH` AWS's Node.js runtime uses when the function sets none, in its order:
 * `/opt/nodejs/nodeNN/node_modules`, `/opt/nodejs/node_modules`, `$LAMBDA_RUNTIME_DIR/node_modules`,
 * `$LAMBDA_RUNTIME_DIR`, `$LAMBDA_TASK_ROOT` (`/var/runtime` and `/var/task` when unset).
 *
 * @example
 * ```ts
 * awsNodePath({}, { nodeMajor: 22 });
 * // '/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task'
 * ```
 */
export function awsNodePath(env: NodeJS.ProcessEnv = process.env, options: AwsNodePathOptions = {}): string {
  const layers = path.join(options.layersRoot ?? '/opt', 'nodejs');
  const major = options.nodeMajor ?? Number(process.versions.node.split('.')[0]);
  const runtimeDir = env.LAMBDA_RUNTIME_DIR || '/var/runtime';
  const taskRoot = env.LAMBDA_TASK_ROOT || '/var/task';
  return [
    path.join(layers, `node${major}`, 'node_modules'),
    path.join(layers, 'node_modules'),
    path.join(runtimeDir, 'node_modules'),
    runtimeDir,
    taskRoot,
  ].join(path.delimiter);
}

/**
 * Where Node's `require` looks for a bare module name after the `node_modules` chain, for a given
 * `NODE_PATH`: its entries, then `~/.node_modules`, `~/.node_libraries` and `<prefix>/lib/node`.
 */
export function moduleSearchPaths(nodePath: string | undefined = process.env.NODE_PATH): string[] {
  const entries = (nodePath ?? '').split(path.delimiter).filter((entry) => entry !== '');
  const home = os.homedir();
  const global = [
    ...(home ? [path.join(home, '.node_modules'), path.join(home, '.node_libraries')] : []),
    path.resolve(process.execPath, '..', '..', 'lib', 'node'),
  ];
  return [...entries.map((entry) => path.resolve(entry)), ...global];
}

/**
 * Sets `NODE_PATH` to {@link awsNodePath} when `env` has none, as AWS's bootstrap does, and makes
 * Node's `require` use it for the rest of the process. Returns the `NODE_PATH` in effect.
 */
export function applyAwsNodePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NODE_PATH !== undefined) return env.NODE_PATH;
  env.NODE_PATH = awsNodePath(env);
  // Node reads NODE_PATH once at startup; `_initPaths` (stable since Node 0.x, undocumented) reads it again.
  if (env === process.env) (Module as unknown as { _initPaths?: () => void })._initPaths?.();
  return env.NODE_PATH;
}
