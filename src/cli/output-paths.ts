/**
 * Where `snapstart snapshot` and `snapstart bundle` may write: checks of their output paths, made
 * before anything is written.
 *
 * @module
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathKind } from './args.js';

/**
 * Why `out` or `bundle` may not be written: one of them is one of `inputs` (`what` says which those
 * are), or they are the same file.
 * Paths are compared as the file system resolves them (symbolic links, `.` and `..`, the case it
 * stores), and existing files also by device and inode (hard links).
 */
export async function outputClash(
  out: string,
  bundle: string | undefined,
  inputs: readonly string[],
  what: string,
): Promise<string | undefined> {
  const outputs: [string, string][] = [['--out', out]];
  if (bundle !== undefined) outputs.push(['--bundle', resolve(bundle)]);
  for (const [flag, target] of outputs) {
    for (const input of inputs) {
      if (await sameFile(target, input)) {
        return `${flag} ${JSON.stringify(target)} is ${what} (${input}); writing it would destroy it: name another file`;
      }
    }
  }
  if (bundle !== undefined && (await sameFile(out, resolve(bundle)))) {
    return `--out and --bundle name the same file (${out}): name two files`;
  }
  return undefined;
}

/**
 * Why `snapstart bundle` may not write the files it would: one of `outputs` (labelled paths) is one
 * of `inputs` (labelled paths: the handler entry, the node binary), or two outputs are the same file
 * (a handler named `snapstart-runtime.ts`).
 */
export async function bundleClash(
  outputs: readonly (readonly [string, string])[],
  inputs: readonly (readonly [string, string | undefined])[],
): Promise<string | undefined> {
  for (const [label, target] of outputs) {
    for (const [what, input] of inputs) {
      if (input !== undefined && (await sameFile(target, input))) {
        return `--out would write ${label} ${JSON.stringify(target)}, which is ${what} (${input}); writing it would destroy it: choose another --out`;
      }
    }
  }
  for (const [index, [label, target]] of outputs.entries()) {
    for (const [other, second] of outputs.slice(index + 1)) {
      if (await sameFile(target, second)) {
        return `--out would write ${label} and ${other} to the same file (${target}): rename the handler entry`;
      }
    }
  }
  return undefined;
}

/** Whether `a` and `b` name the same file, existing or not. */
async function sameFile(a: string, b: string): Promise<boolean> {
  const [statA, statB] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  if (statA !== undefined && statB !== undefined && statA.dev === statB.dev && statA.ino === statB.ino) return true;
  return (await realTarget(a)) === (await realTarget(b));
}

/** The real path of `target`, or, when it does not exist, of its directory joined with its name. */
async function realTarget(target: string): Promise<string> {
  try {
    return await realpath(target);
  } catch {
    try {
      return join(await realpath(dirname(target)), basename(target));
    } catch {
      return resolve(target);
    }
  }
}

/** Why a file cannot be written at `target` (an empty path, a directory, a missing parent), or `undefined`. */
export async function unwritableTarget(target: string): Promise<string | undefined> {
  if (target === '') return 'the path is empty';
  const path = resolve(target);
  if ((await pathKind(path)) === 'directory') return 'is a directory; name a file';
  if ((await pathKind(dirname(path))) !== 'directory') return `its directory ${dirname(path)} does not exist`;
  return undefined;
}
