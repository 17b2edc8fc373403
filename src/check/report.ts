/**
 * The text form of a check report.
 *
 * @module
 */
import { relative } from 'node:path';
import { escapeControl, truncate } from '../util/text.js';
import type { CheckReport } from './run.js';
import type { Leaf } from './values.js';

const GUIDE = 'docs/uniqueness.md';

/** Renders `report` for a terminal; paths are shown relative to `cwd`. */
export function formatCheckReport(report: CheckReport, cwd = process.cwd()): string {
  const target = report.call ? ` (${report.call.kind}: ${report.call.export})` : '';
  const how =
    report.mode === 'v8'
      ? `${report.restores} processes restored from a V8 startup snapshot`
      : `${report.restores} restores in one process`;
  const near = relative(cwd, report.module);
  const shown = near === '' || near.startsWith('..') ? report.module : near;
  const lines = [`snapstart check: ${shown}${target}, ${how}`];
  if (report.fallback !== undefined) lines.push(`  note: not in V8 mode: ${report.fallback}`);
  if (report.error !== undefined) {
    lines.push(`✗ could not check (${report.error.stage}): ${report.error.message}`);
    return lines.join('\n');
  }
  if (!report.controlled) lines.push('  note: the control init failed, so values are judged by their look alone');
  if (report.findings.length === 0) {
    lines.push(`✓ no value made at init repeats across the restores (${report.compared} compared)`);
    return lines.join('\n');
  }
  const count = report.findings.length;
  lines.push(
    `✗ ${count} ${count === 1 ? 'value is' : 'values are'} the same after every restore but should differ per environment:`,
  );
  const width = Math.min(48, Math.max(...report.findings.map((finding) => finding.path.length)));
  const kindWidth = Math.max(...report.findings.map((finding) => finding.kind.length));
  for (const finding of report.findings) {
    lines.push(`  ${finding.path.padEnd(width)}  ${finding.kind.padEnd(kindWidth)}  ${renderLeaf(finding.value)}`);
  }
  lines.push(
    `They were made at init, so the snapshot copies them into every environment. Make them in an afterRestore hook or per invocation (${GUIDE}).`,
  );
  return lines.join('\n');
}

/** A compared value, bounded and safe to print. */
export function renderLeaf(value: Leaf): string {
  if (value !== null && typeof value === 'object') {
    if (value.$snapstart === 'bigint') return `${value.value}n`;
    if (value.$snapstart === 'bytes') return `<${value.length} bytes ${truncate(value.hex, 32)}>`;
    return value.$snapstart === 'number' ? value.value : 'undefined';
  }
  return escapeControl(truncate(typeof value === 'string' ? JSON.stringify(value) : String(value), 80));
}
