#!/usr/bin/env node
// Runs the given command (the tap suite under c8), passes its output through, and ends with the plain
// summary line "N passed, N failed" that CI systems read, taken from tap's own final count.
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('usage: node scripts/test-summary.mjs <command> [args...]');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'inherit'], shell: process.platform === 'win32' });
let last;
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const match = /^# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(line);
    if (match) last = match;
  }
});
child.on('close', (code, signal) => {
  if (last) {
    const [, total, pass, fail = '0', skip = '0'] = last;
    const failed = Number(fail) + Math.max(0, Number(total) - Number(pass) - Number(fail) - Number(skip));
    process.stdout.write(`\n${pass} passed, ${failed} failed${skip !== '0' ? `, ${skip} skipped` : ''}\n`);
  } else {
    process.stdout.write('\n0 passed, 1 failed (no test summary was printed)\n');
  }
  process.exit(code ?? (signal ? 1 : 0));
});
