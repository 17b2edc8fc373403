/**
 * Text rendering of phase reports: a one-screen waterfall of the hooks of a phase.
 *
 * @module
 */
import { describeName, describeReason } from './errors.js';
import type { HookOutcome, PhaseReport } from './types.js';
import { drawBar, formatMs } from './util/format.js';
import { checkBoolean, checkFinite, readOptions, show } from './validate.js';

/** The widest waterfall bar {@link formatReport} draws, in characters. */
export const MAX_WIDTH = 1_000;

/** Options of {@link formatReport}. */
export interface FormatOptions {
  /**
   * Width of the waterfall bars in characters: a finite number up to 1000 (a RangeError above),
   * rounded down and raised to at least 10. Default `40`.
   */
  width?: number;
  /** Colour statuses with ANSI escapes. Default `false`. */
  color?: boolean;
}

const STATUS_COLOR: Readonly<Record<HookOutcome['status'], string>> = {
  fulfilled: '\u001b[32m',
  rejected: '\u001b[31m',
  timedOut: '\u001b[33m',
  skipped: '\u001b[90m',
};
const RESET = '\u001b[0m';
/** What stands for the start and duration of a hook that was not timed (`timing: false`). */
const UNTIMED = '–';

/**
 * Renders a phase report as a text waterfall: one line per hook with its priority, status, start
 * and duration, and a bar placed on the phase's time axis. A hook that was not timed (`timing:
 * false`, its times `NaN`) shows "–" and no bar.
 *
 * @example
 * ```ts
 * console.log(formatReport(await bus.emit('afterRestore')));
 * // afterRestore ok in 12.4 ms (2 hooks)
 * //   db     p10 fulfilled   +0.0 ms   10.1 ms |████████████████████████████████        |
 * //   cache  p0  fulfilled  +10.1 ms    2.2 ms |                                ███████ |
 * ```
 */
export function formatReport(report: PhaseReport, options?: FormatOptions): string {
  const given = readOptions('options', options, ['width', 'color']);
  checkFinite('options.width', given.width);
  if (given.width !== undefined && given.width > MAX_WIDTH) {
    throw new RangeError(`options.width must be at most ${MAX_WIDTH}, got ${show(given.width)}`);
  }
  checkBoolean('options.color', given.color);
  const width = Math.max(10, Math.floor(given.width ?? 40));
  const color = given.color ?? false;
  const total = Math.max(report.durationMs, 1e-6);
  // Names are user input: escaped and bounded here; the report keeps them whole.
  const names = report.hooks.map((hook) => describeName(hook.name));
  const nameWidth = Math.max(4, ...names.map((name) => name.length));
  const priorities = report.hooks.map(
    (hook) => `p${typeof hook.priority === 'number' ? hook.priority : describeName(hook.priority)}`,
  );
  const priorityWidth = Math.max(...priorities.map((priority) => priority.length), 2);
  const count = report.hooks.length;
  const lines = [
    `${describeName(report.event)} ${report.ok ? 'ok' : 'FAILED'} in ${formatMs(report.durationMs)} (${count} ${count === 1 ? 'hook' : 'hooks'})`,
  ];
  report.hooks.forEach((hook, index) => {
    const status = hook.status.padEnd(9);
    const painted = color ? `${STATUS_COLOR[hook.status]}${status}${RESET}` : status;
    const skipped = hook.status === 'skipped';
    const started = skipped ? '' : Number.isNaN(hook.startMs) ? UNTIMED : `+${formatMs(hook.startMs)}`;
    const duration = skipped ? '' : Number.isNaN(hook.durationMs) ? UNTIMED : formatMs(hook.durationMs);
    const bar = skipped ? ' '.repeat(width) : drawBar(hook.startMs, hook.durationMs, total, width);
    let line = `  ${names[index]?.padEnd(nameWidth)} ${priorities[index]?.padEnd(priorityWidth)} ${painted} ${started.padStart(11)} ${duration.padStart(10)} |${bar}|`;
    if (hook.error !== undefined) line += ` ${describeReason(hook.error)}`;
    lines.push(line);
  });
  return lines.join('\n');
}
