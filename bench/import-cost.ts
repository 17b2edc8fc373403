/**
 * Import cost: wall time of a Node process that imports an entry of the package and exits, as a
 * ratio against a bare `node -e ''`, the variants interleaved run by run so load on the machine
 * hits them alike. Entries are imported by package name (a package may import itself through its
 * `exports`), so what is measured is what users load from `dist/`.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distPath, ROOT } from './dist.js';
import { median, type Summary, summarise } from './stats.js';

/** One measured process start. */
export interface ImportVariant {
  readonly id: string;
  readonly label: string;
  /** Wall time of the whole process, ms. */
  readonly wallMs: Summary;
  /** Median wall time over the bare `node -e ''` median. */
  readonly ratio: number;
  /** Median wall time minus the bare median, ms. */
  readonly extraMs: number;
}

/** The import-cost result: measured variants, and entries that could not be measured here. */
export interface ImportCostResult {
  readonly runs: number;
  readonly variants: ImportVariant[];
  /** Entries not built in this checkout, and why. */
  readonly missing: Array<{ id: string; reason: string }>;
}

interface Candidate {
  readonly id: string;
  readonly label: string;
  readonly args: string[];
  /** A file that must exist under dist/ for the variant to run. */
  readonly requires?: string;
}

function candidates(emptyModule: string): Candidate[] {
  return [
    { id: 'bare', label: "node -e ''", args: ['-e', ''] },
    { id: 'bare-esm', label: "node --input-type=module -e ''", args: ['--input-type=module', '-e', ''] },
    {
      // Loading any file as ES module costs Node a few ms of loader start-up: this is that floor.
      id: 'empty-module',
      label: "import './empty.mjs' (an empty file)",
      args: ['--input-type=module', '-e', `import ${JSON.stringify(pathToFileURL(emptyModule).href)}`],
    },
    {
      id: 'main',
      label: "import 'snapstart-hooks'",
      args: ['--input-type=module', '-e', "import 'snapstart-hooks'"],
      requires: 'index.js',
    },
    {
      id: 'lambda',
      label: "import 'snapstart-hooks/lambda'",
      args: ['--input-type=module', '-e', "import 'snapstart-hooks/lambda'"],
      requires: 'lambda/index.js',
    },
  ];
}

function timeStart(args: string[]): number {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - start;
  if (child.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${child.status}: ${child.stderr.toString().trim()}`);
  }
  return elapsed;
}

/** Runs the import-cost bench. */
export function runImportCost(options: { runs: number }): ImportCostResult {
  const directory = mkdtempSync(join(tmpdir(), 'snapstart-bench-import-'));
  const emptyModule = join(directory, 'empty.mjs');
  writeFileSync(emptyModule, '');
  try {
    return measureAll(candidates(emptyModule), options.runs);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function measureAll(all: Candidate[], runs: number): ImportCostResult {
  const missing: Array<{ id: string; reason: string }> = [];
  const candidates = all.filter((candidate) => {
    if (candidate.requires === undefined || existsSync(distPath(candidate.requires))) return true;
    missing.push({ id: candidate.id, reason: `dist/${candidate.requires} is missing (not built in this checkout)` });
    return false;
  });
  const times = new Map<string, number[]>(candidates.map((candidate) => [candidate.id, []]));
  for (const candidate of candidates) timeStart(candidate.args); // warm the file cache
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? candidates : [...candidates].reverse();
    for (const candidate of order) times.get(candidate.id)?.push(timeStart(candidate.args));
  }
  const bare = median(times.get('bare') ?? []);
  return {
    runs,
    variants: candidates.map((candidate) => {
      const wall = times.get(candidate.id) ?? [];
      return {
        id: candidate.id,
        label: candidate.label,
        wallMs: summarise(wall),
        ratio: median(wall) / bare,
        extraMs: median(wall) - bare,
      };
    }),
    missing,
  };
}
