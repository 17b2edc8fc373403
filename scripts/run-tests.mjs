#!/usr/bin/env node
// Runs the tap test files, each in its own `node --import=tsx` process, a few at a time, and reports
// one line per file, the full TAP of every failing file, and tap's summary line.
//
// Why not the `tap` CLI: it loads @tapjs/processinfo into every test process and injects it into
// every process a test spawns (a module-loader thread plus per-module bookkeeping), which more than
// doubled the CPU time of this suite (test/lambda/runtime.test.ts: 18 s against 6 s) on 2-core CI
// machines. The files are ordinary tap tests either way: `npx tap test/x.test.ts` still runs one.
// Coverage is c8's: NODE_V8_COVERAGE reaches every process through the environment.
//
// Usage: node scripts/run-tests.mjs [file-or-directory ...]   (default: test/)
// Environment: TEST_JOBS (files at once; default: available cores + 1, since many tests wait on
// child processes), TAP_TIMEOUT (seconds per test, default 120, tap's own variable).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { Parser } from 'tap-parser';
import { bundleSourcesToPaths } from './coverage-source-paths.mjs';

const root = new URL('..', import.meta.url).pathname;
const timeoutSeconds = Number(process.env.TAP_TIMEOUT ?? 120);
const jobs = Number(process.env.TEST_JOBS ?? availableParallelism() + 1);
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`run-tests: TEST_JOBS must be a positive integer, got ${process.env.TEST_JOBS}`);
  process.exit(2);
}

/** Every `*.test.ts` below `path` (or `path` itself). */
function testFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const child = join(path, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(child);
    return entry.name.endsWith('.test.ts') ? [child] : [];
  });
}

const targets = process.argv.slice(2);
// Largest first: size is a fair proxy for duration, and starting the long files early keeps the
// last minute from being one file running alone.
const files = [...new Set((targets.length > 0 ? targets : [join(root, 'test')]).flatMap(testFiles))]
  .map((file) => ({ file, size: statSync(file).size }))
  .sort((a, b) => b.size - a.size)
  .map(({ file }) => file);

const totals = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 };
const failedFiles = [];

/**
 * Counts the assertions of a TAP stream and all its subtests, without the point that closes each
 * subtest in its parent (tap's own runner counts the same way).
 */
function countLeaves(parser, counts = { count: 0, pass: 0, fail: 0, skip: 0, todo: 0 }) {
  let openChildren = 0;
  parser.on('child', (child) => {
    openChildren += 1;
    countLeaves(child, counts);
  });
  parser.on('assert', (result) => {
    if (openChildren > 0) {
      openChildren -= 1;
      return;
    }
    counts.count += 1;
    if (result.skip) counts.skip += 1;
    else if (result.todo) counts.todo += 1;
    else if (result.ok) counts.pass += 1;
    else counts.fail += 1;
  });
  return counts;
}

/** Runs one file; resolves when its process has exited and its TAP is parsed. */
function runFile(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const output = [];
    const parser = new Parser();
    const leaves = countLeaves(parser);
    let results;
    parser.on('complete', (final) => (results = final));
    const child = spawn(process.execPath, ['--import=tsx', '--enable-source-maps', file], {
      cwd: root,
      env: { ...process.env, TAP_TIMEOUT: String(timeoutSeconds) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => {
      output.push(chunk);
      parser.write(chunk);
    });
    child.stderr.on('data', (chunk) => output.push(chunk));
    // tap ends a test at TAP_TIMEOUT itself; this only catches a process that hangs outside any test.
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 30) * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      parser.end();
      const ms = performance.now() - started;
      const name = relative(root, file);
      // A file that crashed, timed out or exited non-zero with no failed assertion still fails once.
      const broken = code !== 0 || signal !== null || results?.ok !== true;
      const extra = broken && leaves.fail === 0 ? 1 : 0;
      const fail = leaves.fail + extra;
      totals.total += leaves.count + extra;
      totals.pass += leaves.pass;
      totals.fail += fail;
      totals.skip += leaves.skip;
      totals.todo += leaves.todo;
      const ok = fail === 0;
      const why = signal ? ` (killed by ${signal})` : code !== 0 ? ` (exit ${code})` : '';
      console.log(
        `${ok ? 'ok' : 'not ok'} - ${name} # ${leaves.pass}/${leaves.count} in ${(ms / 1000).toFixed(1)} s${ok ? '' : why}`,
      );
      if (!ok) {
        failedFiles.push(name);
        console.log(Buffer.concat(output).toString('utf8').replace(/^/gm, '    '));
      }
      resolve();
    });
  });
}

const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(jobs, files.length) }, async () => {
    while (next < files.length) await runFile(files[next++]);
  }),
);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failedFiles.length > 0) console.log(`\n# failed files:\n${failedFiles.map((f) => `#   ${f}`).join('\n')}`);
// tap's summary line, which scripts/test-summary.mjs turns into "N passed, N failed".
console.log(
  `\n# { total: ${totals.total}, pass: ${totals.pass}${totals.fail ? `, fail: ${totals.fail}` : ''}${totals.skip ? `, skip: ${totals.skip}` : ''}${totals.todo ? `, todo: ${totals.todo}` : ''} }`,
);
console.log(`# ${files.length} files in ${seconds} s with ${jobs} at a time`);
process.exitCode = totals.fail > 0 || files.length === 0 ? 1 : 0;
// Under c8: let it count the bundles child processes ran (see the script for why).
if (process.env.NODE_V8_COVERAGE) bundleSourcesToPaths(process.env.NODE_V8_COVERAGE);
