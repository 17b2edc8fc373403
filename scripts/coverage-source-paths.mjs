// Makes c8 count the coverage of bundled files (dist/ entries and dist/chunks/, built by
// scripts/bundle-entries.mjs), which child processes in the tests run.
//
// Node writes each loaded script's source map into the coverage files of NODE_V8_COVERAGE, with
// every `sources` entry turned into a `file://` URL. For a map with several sources (a bundle),
// v8-to-istanbul 9.3 (c8 12) then tests c8's include/exclude globs against that URL, which never
// matches `src/**/*.ts`, so it drops every function and branch range of the bundle, and reports
// each of its source files with all lines covered, whatever ran. A map with one source (tsx's,
// tsc's) takes another path in v8-to-istanbul and is not affected. This rewrites those URLs to
// file paths, which is what v8-to-istanbul resolves them to when it writes the report anyway.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Rewrites, in every coverage file of `directory`, the `file://` sources of source maps that have
 * more than one source to plain paths. Returns how many files it changed.
 */
export function bundleSourcesToPaths(directory) {
  let changed = 0;
  for (const name of readdirSync(directory)) {
    if (!name.endsWith('.json')) continue;
    const path = join(directory, name);
    const text = readFileSync(path, 'utf8');
    // A source list of two file URLs or more contains this; most processes load none: no parsing.
    if (!text.includes('","file:')) continue;
    const coverage = JSON.parse(text);
    let touched = false;
    for (const entry of Object.values(coverage['source-map-cache'] ?? {})) {
      const sources = entry?.data?.sources;
      if (!Array.isArray(sources) || sources.length < 2) continue;
      entry.data.sources = sources.map((source) => {
        if (typeof source !== 'string' || !source.startsWith('file:')) return source;
        touched = true;
        return fileURLToPath(source);
      });
    }
    if (touched) {
      writeFileSync(path, JSON.stringify(coverage));
      changed += 1;
    }
  }
  return changed;
}
