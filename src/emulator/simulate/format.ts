/**
 * Text rendering of a simulation: one line per step as it happens, then one waterfall of the whole
 * lifecycle and the results. Every text from the runtime (names, reasons, logs) is escaped, so it
 * cannot drive the terminal.
 *
 * @module
 */
import { drawBar, formatMs as ms } from '../../util/format.js';
import { boundText, escapeControl } from '../../util/text.js';
import { renderValue } from '../../util/thrown.js';
import { checkBoolean, checkInteger, readOptions } from '../../validate.js';
import type { Simulation, SimulationEvent, TimelineSpan } from './types.js';

/** Options of {@link formatSimulation} and {@link formatSimulationEvent}. */
export interface FormatSimulationOptions {
  /** Width of the waterfall in characters, an integer from 10 to 1000. Default `40`. */
  width?: number;
  /** Colour failures red and successes green with ANSI escapes. Default `false`. */
  color?: boolean;
  /** Include the runtime's output. Default `true`. */
  logs?: boolean;
}

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

function checkFormatOptions(options: FormatSimulationOptions | undefined): Required<FormatSimulationOptions> {
  const {
    width = 40,
    color = false,
    logs = true,
  } = readOptions('options', options, ['width', 'color', 'logs']) as FormatSimulationOptions;
  checkInteger('options.width', width, 10, 1_000);
  checkBoolean('options.color', color);
  checkBoolean('options.logs', logs);
  return { width, color, logs };
}

function painter(color: boolean): (ok: boolean, text: string) => string {
  return (ok, text) => (color ? `${ok ? GREEN : RED}${text}${RESET}` : text);
}

/**
 * Renders a simulation as text: a waterfall with one row per lifecycle step and per hook on a
 * common time axis (ms since the runtime was spawned), the invocation results, posted errors, hints
 * and logs.
 *
 * @example
 * ```ts no-run
 * console.log(formatSimulation(await simulate({ taskRoot: '.', handler: 'index.handler' })));
 * ```
 */
export function formatSimulation(simulation: Simulation, options?: FormatSimulationOptions): string {
  const { width, color, logs } = checkFormatOptions(options);
  const paint = painter(color);
  const rows = simulation.timeline;
  const total = Math.max(1e-6, ...rows.map((span) => span.startMs + span.durationMs));
  const label = (span: TimelineSpan): string => boundText(span.kind === 'hook' ? `  ${span.name}` : span.name, 60);
  const labelWidth = Math.max(10, ...rows.map((span) => label(span).length));
  const lines = [
    `snapstart simulate: ${escapeControl(simulation.handler)} in ${escapeControl(simulation.taskRoot)} (${simulation.initType}) ${paint(simulation.ok, simulation.ok ? 'ok' : 'FAILED')}`,
    '',
    `${'step'.padEnd(labelWidth)} ${'start'.padStart(11)} ${'duration'.padStart(10)} |${`0 → ${ms(total)}`.padEnd(width)}|`,
  ];
  for (const span of rows) {
    const skipped = span.startMs < 0;
    const bar = drawBar(span.startMs, span.durationMs, total, width, span.kind === 'hook' ? '▒' : '█');
    lines.push(
      `${label(span).padEnd(labelWidth)} ${(skipped ? '' : `+${ms(span.startMs)}`).padStart(11)} ${(skipped ? '' : ms(span.durationMs)).padStart(10)} |${bar}| ${status(span, paint)}`,
    );
  }
  if (simulation.failure !== undefined) lines.push('', `Stopped early: ${boundText(simulation.failure, 500)}`);
  if (simulation.errors.length > 0) {
    lines.push('', 'Errors posted by the runtime:');
    for (const error of simulation.errors) {
      const body = error.body as { errorMessage?: unknown } | null;
      const message = typeof body?.errorMessage === 'string' ? body.errorMessage : showBody(error.body);
      lines.push(`  ${error.endpoint} ${error.errorType}: ${boundText(message, 500)}`);
    }
  }
  for (const hint of simulation.hints) lines.push('', `Hint: ${hint}`);
  lines.push('', `Invocations (${simulation.invocations.length}):`);
  simulation.invocations.forEach((invocation, index) => {
    const outcome = invocation.ok ? paint(true, 'ok') : paint(false, escapeControl(invocation.errorType ?? 'error'));
    lines.push(
      `  #${index + 1} ${escapeControl(invocation.requestId)} ${outcome} in ${ms(invocation.durationMs)}: ${boundText(showBody(invocation.body), 120)}`,
    );
  });
  if (simulation.exitCode !== null) lines.push('', `Runtime exited with code ${simulation.exitCode}`);
  if (logs && simulation.logs.length > 0) {
    lines.push('', 'Runtime output:');
    for (const log of simulation.logs) lines.push(logLine(log.stream, log.text));
  }
  return lines.join('\n');
}

/**
 * Renders one {@link SimulationEvent} as a progress line, as `snapstart simulate` prints them while
 * the simulation runs: a finished step with its time, a step that started, or a line of the runtime's output.
 *
 * @example
 * ```ts no-run
 * await simulate({ taskRoot: '.', handler: 'index.handler', onEvent: (e) => console.log(formatSimulationEvent(e)) });
 * ```
 */
export function formatSimulationEvent(event: SimulationEvent, options?: FormatSimulationOptions): string {
  const { color } = checkFormatOptions(options);
  const paint = painter(color);
  if (event.type === 'log') return logLine(event.stream, event.text);
  if (event.type === 'running') return `${`+${ms(event.startMs)}`.padStart(11)}  ${boundText(event.name, 60)} running…`;
  const { span } = event;
  const name = boundText(span.kind === 'hook' ? `  ${span.name}` : span.name, 60);
  const at = span.startMs < 0 ? '' : `+${ms(span.startMs)}`;
  const took = span.startMs < 0 ? '' : ` in ${ms(span.durationMs)}`;
  return `${at.padStart(11)}  ${name} ${status(span, paint)}${took}`;
}

function status(span: TimelineSpan, paint: (ok: boolean, text: string) => string): string {
  const detail = span.detail && span.detail !== 'fulfilled' ? ` ${boundText(span.detail, 200)}` : '';
  return `${paint(span.ok, span.ok ? 'ok' : 'FAIL')}${detail}`;
}

/** A body for one line: a string quoted, anything else as JSON where it can be. */
function showBody(body: unknown): string {
  if (body === undefined) return 'undefined';
  return typeof body === 'string' ? JSON.stringify(body) : renderValue(body);
}

function logLine(stream: 'stdout' | 'stderr', text: string): string {
  return `  ${stream === 'stderr' ? '!' : '|'} ${escapeControl(text, true)}`;
}
