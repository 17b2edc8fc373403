/**
 * Text rendering of phase reports: a one-screen waterfall of the hooks of a phase.
 *
 * @module
 */
import { describeReason } from './errors.js';
import type { HookOutcome, PhaseReport } from './types.js';
import { drawBar, formatMs } from './util/format.js';
import { checkBoolean, checkFinite } from './validate.js';

/** Options of {@link formatReport}. */
export interface FormatOptions {
  /** Width of the waterfall bars in characters: a finite number, raised to at least 10. Default `40`. */
  width?: number;
  /** Colour statuses with ANSI escapes. Default `false`. */
  color?: boolean;
}

const STATUS_COLOR: Record<HookOutcome['status'], string> = {
  fulfilled: '\u001b[32m',
  rejected: '\u001b[31m',
  timedOut: '\u001b[33m',
  skipped: '\u001b[90m',
};
const RESET = '\u001b[0m';

/**
 * Renders a phase report as a text waterfall: one line per hook with its priority, status, start
 * and duration, and a bar placed on the phase's time axis.
 *
 * @example
 * ```ts
 * console.log(formatReport(await bus.emit('afterRestore')));
 * // afterRestore ok in 12.4 ms (2 hooks)
 * //   db     p10 fulfilled   +0.0 ms   10.1 ms |████████████████████████████████        |
 * //   cache  p0  fulfilled  +10.1 ms    2.2 ms |                                ███████ |
 * ```
 */
export function formatReport(report: PhaseReport, options: FormatOptions = {}): string {
  checkFinite('options.width', options.width);
  checkBoolean('options.color', options.color);
  const width = Math.max(10, Math.floor(options.width ?? 40));
  const color = options.color ?? false;
  const total = Math.max(report.durationMs, 1e-6);
  const nameWidth = Math.max(4, ...report.hooks.map((hook) => hook.name.length));
  const priorityWidth = Math.max(...report.hooks.map((hook) => `p${hook.priority}`.length), 2);
  const count = report.hooks.length;
  const lines = [
    `${report.event} ${report.ok ? 'ok' : 'FAILED'} in ${formatMs(report.durationMs)} (${count} ${count === 1 ? 'hook' : 'hooks'})`,
  ];
  for (const hook of report.hooks) {
    const status = hook.status.padEnd(9);
    const painted = color ? `${STATUS_COLOR[hook.status]}${status}${RESET}` : status;
    const started = hook.status === 'skipped' ? '' : `+${formatMs(hook.startMs)}`;
    const duration = hook.status === 'skipped' ? '' : formatMs(hook.durationMs);
    let line = `  ${hook.name.padEnd(nameWidth)} ${`p${hook.priority}`.padEnd(priorityWidth)} ${painted} ${started.padStart(11)} ${duration.padStart(10)} |${hook.status === 'skipped' ? ' '.repeat(width) : drawBar(hook.startMs, hook.durationMs, total, width)}|`;
    if (hook.error !== undefined) line += ` ${describeReason(hook.error)}`;
    lines.push(line);
  }
  return lines.join('\n');
}
