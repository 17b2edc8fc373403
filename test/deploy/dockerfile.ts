/**
 * Test helper: "builds" a Dockerfile into a folder that stands for the image's root filesystem, without
 * Docker: FROM lays out a known base image (base-images.ts), ENV/WORKDIR/LABEL/ENTRYPOINT/CMD are
 * recorded, COPY copies from the build context, RUN runs through `sh` with the image's environment.
 * Every container path becomes `<root><path>`: paths in the image's variables (PATH, NODE_PATH,
 * LAMBDA_TASK_ROOT, ...) are mapped the same way, so a RUN step that names paths through them works on
 * the mapped tree. An instruction or form the helper does not know fails the build: the test follows the
 * file, it does not guess.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One instruction, continuation lines joined. */
export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line of the instruction's start. */
  line: number;
}

/** A base image: what its Dockerfile declares, and the executables and files the tests need from it. */
export interface BaseImage {
  env: Record<string, string>;
  workdir: string;
  entrypoint: string[];
  cmd: string[];
  /** Container path → the host file to link there (e.g. `/var/lang/bin/node` → this Node). */
  binaries: Record<string, string>;
  /** Container path → executable script text, given the path mapper. */
  scripts?: (hostPath: (containerPath: string) => string) => Record<string, string>;
}

/** The built image. */
export interface Image {
  from: string;
  env: Record<string, string>;
  workdir: string;
  entrypoint: string[];
  cmd: string[];
  labels: Record<string, string>;
}

/**
 * npm settings for a build without network (and without its update check). Packages come from the npm
 * cache that installed this checkout (`npm ci` fills it), so the package's own dependencies resolve offline.
 */
export const NPM_OFFLINE = {
  npm_config_offline: 'true',
  npm_config_update_notifier: 'false',
  npm_config_cache: process.env.npm_config_cache || path.join(os.homedir(), '.npm'),
};

/** Variables whose values are (lists of) container paths. */
const PATH_VARIABLES = ['PATH', 'LD_LIBRARY_PATH', 'NODE_PATH', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'HOME'];

/** Parses a Dockerfile: comments and blank lines dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#'))) return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    pending = pending === undefined ? { text: part, line: index + 1 } : { ...pending, text: `${pending.text} ${part}` };
    if (continued) return;
    const match = /^(\S+)\s*(.*)$/.exec(pending.text) as RegExpExecArray;
    instructions.push({ keyword: (match[1] as string).toUpperCase(), args: match[2] as string, line: pending.line });
    pending = undefined;
  });
  return instructions;
}

/** Maps a container path to its place under `root`. */
export function mapper(root: string): (containerPath: string) => string {
  return (containerPath) => path.join(root, containerPath);
}

/** The image's environment with every path variable mapped under `root`. */
export function mapEnv(env: Record<string, string>, root: string): Record<string, string> {
  const host = mapper(root);
  const mapped = { ...env };
  for (const name of PATH_VARIABLES) {
    const value = env[name];
    if (value === undefined) continue;
    mapped[name] = value
      .split(':')
      .map((part) => (part.startsWith('/') ? host(part) : part))
      .join(':');
  }
  return mapped;
}

/** `$VAR` and `${VAR}` replaced from `env` (unknown variables fail: the file relies on them). */
function expand(text: string, env: Record<string, string>, where: string): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    const value = env[name];
    if (value === undefined) throw new Error(`${where}: $${name} is not set in the image`);
    return value;
  });
}

/** `KEY=value` pairs (values may be double-quoted), as ENV and LABEL write them. */
function pairs(args: string, where: string): [string, string][] {
  const found: [string, string][] = [];
  const pattern = /\s*([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/y;
  let match = pattern.exec(args);
  let end = 0;
  while (match !== null) {
    const value = match[2] as string;
    found.push([match[1] as string, value.startsWith('"') ? (JSON.parse(value) as string) : value]);
    end = pattern.lastIndex;
    match = pattern.exec(args);
  }
  if (args.slice(end).trim() !== '' || found.length === 0) throw new Error(`${where}: expected KEY=value pairs`);
  return found;
}

/** The exec (JSON array) form of ENTRYPOINT and CMD; the shell form is refused. */
function execForm(args: string, where: string): string[] {
  const value: unknown = JSON.parse(args.trim().startsWith('[') ? args : 'null');
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${where}: only the exec form ["...", "..."] is supported`);
  }
  return value;
}

/**
 * Builds `dockerfile` (a path in `context`) into `root`. RUN steps find `sh` and the base image's tools
 * on the mapped PATH, with the host's `/usr/bin:/bin` after it for coreutils.
 */
export function buildImage(options: {
  context: string;
  dockerfile: string;
  root: string;
  bases: Record<string, BaseImage>;
}): Image {
  const { context, root, bases } = options;
  const host = mapper(root);
  const file = path.join(context, options.dockerfile);
  let image: Image | undefined;
  let cmdFromBase = false;
  for (const { keyword, args, line } of parseDockerfile(readFileSync(file, 'utf8'))) {
    const where = `${options.dockerfile}:${line} ${keyword}`;
    if (keyword === 'FROM') {
      const base = bases[args.trim()];
      if (base === undefined) throw new Error(`${where}: unknown base image ${args}`);
      image = {
        from: args.trim(),
        env: { ...base.env },
        workdir: base.workdir,
        entrypoint: base.entrypoint,
        cmd: base.cmd,
        labels: {},
      };
      cmdFromBase = true;
      for (const [containerPath, target] of Object.entries(base.binaries)) {
        mkdirSync(path.dirname(host(containerPath)), { recursive: true });
        symlinkSync(target, host(containerPath));
      }
      for (const [containerPath, text] of Object.entries(base.scripts?.(host) ?? {})) {
        mkdirSync(path.dirname(host(containerPath)), { recursive: true });
        writeFileSync(host(containerPath), text, { mode: 0o755 });
      }
      mkdirSync(host(image.workdir), { recursive: true });
      continue;
    }
    if (image === undefined) throw new Error(`${where}: before FROM`);
    switch (keyword) {
      case 'ENV':
        for (const [name, value] of pairs(args, where)) image.env[name] = expand(value, image.env, where);
        break;
      case 'LABEL':
        for (const [name, value] of pairs(args, where)) image.labels[name] = value;
        break;
      case 'WORKDIR':
        image.workdir = path.posix.resolve(image.workdir, expand(args.trim(), image.env, where));
        mkdirSync(host(image.workdir), { recursive: true });
        break;
      case 'COPY': {
        if (args.trim().startsWith('--')) throw new Error(`${where}: COPY flags are not supported`);
        const parts = expand(args, image.env, where).trim().split(/\s+/);
        const destination = path.posix.resolve(image.workdir, parts.pop() as string);
        const toDirectory = parts.length > 1 || args.trim().endsWith('/');
        for (const source of parts) {
          if (/[*?[]/.test(source)) throw new Error(`${where}: wildcards are not supported`);
          const from = path.join(context, source);
          const to = toDirectory ? path.join(host(destination), path.basename(source)) : host(destination);
          mkdirSync(path.dirname(to), { recursive: true });
          cpSync(from, to, { recursive: statSync(from).isDirectory() });
        }
        break;
      }
      case 'RUN': {
        if (/(^|[\s=])\/\w/.test(args)) {
          throw new Error(`${where}: write container paths through variables (\${LAMBDA_TASK_ROOT}), not literally`);
        }
        const env = mapEnv(image.env, root);
        env.PATH = `${env.PATH}:/usr/bin:/bin`;
        env.HOME = host('/root');
        mkdirSync(env.HOME, { recursive: true });
        // The test's build machine is offline, as the test suite must be: npm installs from the context only.
        Object.assign(env, NPM_OFFLINE);
        const run = spawnSync('sh', ['-c', args], {
          cwd: host(image.workdir),
          env,
          encoding: 'utf8',
          timeout: 120_000,
        });
        if (run.status !== 0) throw new Error(`${where} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
        break;
      }
      case 'ENTRYPOINT':
        image.entrypoint = execForm(args, where);
        // As Docker does: an ENTRYPOINT set here clears the CMD inherited from the base image.
        if (cmdFromBase) image.cmd = [];
        break;
      case 'CMD':
        image.cmd = execForm(args, where);
        cmdFromBase = false;
        break;
      default:
        throw new Error(`${where}: instruction not supported by the test`);
    }
  }
  if (image === undefined) throw new Error(`${options.dockerfile}: no FROM`);
  return image;
}

/**
 * The command a container of `image` runs (ENTRYPOINT + CMD), its executable mapped under `root`: an
 * absolute path directly, a bare name through the image's PATH.
 */
export function containerCommand(image: Image, root: string): string[] {
  const [command, ...args] = [...image.entrypoint, ...image.cmd];
  if (command === undefined) throw new Error('the image has neither ENTRYPOINT nor CMD');
  const host = mapper(root);
  if (command.startsWith('/')) return [host(command), ...args];
  if (command.includes('/')) return [host(path.posix.resolve(image.workdir, command)), ...args];
  for (const directory of (image.env.PATH ?? '').split(':')) {
    const candidate = host(path.posix.join(directory, command));
    try {
      accessSync(candidate, constants.X_OK);
      return [candidate, ...args];
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${command} is not on the image's PATH`);
}
