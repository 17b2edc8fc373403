/**
 * Locates and loads the built package (`dist/`), building it first when it is missing or older
 * than `src/`, so the bench measures the JavaScript users actually run rather than tsx's output.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The repository root: the nearest directory up from this module whose package.json is this
 * package's (found by walking up, so a bundled copy of the bench elsewhere in the tree works too).
 */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'snapstart-hooks'
    ) {
      return directory;
    }
    if (dirname(directory) === directory) throw new Error(`no snapstart-hooks package.json above ${from}`);
  }
}

/** Absolute path of a file under `dist/`. */
export function distPath(...parts: string[]): string {
  return join(ROOT, 'dist', ...parts);
}

/** The type of the main entry, taken from the sources so the type check works without a build. */
export type Library = typeof import('../src/index.js');

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/**
 * Runs `npm run build` when `dist/index.js` is missing or any file of `src/` is newer.
 *
 * @returns whether a build was run.
 */
export function ensureBuilt(log: (line: string) => void): boolean {
  const entry = distPath('index.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(ROOT, 'src'))) return false;
  log('dist/ is missing or older than src/: running npm run build');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  return true;
}

/** Imports `dist/index.js`. Call {@link ensureBuilt} first. */
export async function loadLibrary(): Promise<Library> {
  return (await import(pathToFileURL(distPath('index.js')).href)) as Library;
}
