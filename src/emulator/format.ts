/**
 * Text rendering of a {@link Simulation}: one waterfall of the whole lifecycle, then the results.
 *
 * @module
 */
import { drawBar, formatMs as ms } from '../util/format.js';
import type { Simulation, TimelineSpan } from './simulate.js';

/** Options of {@link formatSimulation}. */
export interface FormatSimulationOptions {
  /** Width of the waterfall in characters (>= 10). Default `40`. */
  width?: number;
  /** Colour failures red and successes green with ANSI escapes. Default `false`. */
  color?: boolean;
  /** Include the runtime's output. Default `true`. */
  logs?: boolean;
}

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

/**
 * Renders a simulation as text: a waterfall with one row per lifecycle step and per hook on a
 * common time axis (ms since the runtime was spawned), the invocation results, posted errors and logs.
 *
 * @example
 * ```ts
 * console.log(formatSimulation(await simulate({ taskRoot: '.', handler: 'index.handler' })));
 * ```
 */
export function formatSimulation(simulation: Simulation, options: FormatSimulationOptions = {}): string {
  const width = Math.max(10, Math.floor(options.width ?? 40));
  const paint = (ok: boolean, text: string): string => (options.color ? `${ok ? GREEN : RED}${text}${RESET}` : text);
  const rows = simulation.timeline;
  const total = Math.max(1e-6, ...rows.map((span) => span.startMs + span.durationMs));
  const label = (span: TimelineSpan): string => (span.kind === 'hook' ? `  ${span.name}` : span.name);
  const labelWidth = Math.max(10, ...rows.map((span) => label(span).length));
  const lines = [
    `snapstart simulate: ${simulation.handler} in ${simulation.taskRoot} (${simulation.initType}) ${paint(simulation.ok, simulation.ok ? 'ok' : 'FAILED')}`,
    '',
    `${'step'.padEnd(labelWidth)} ${'start'.padStart(11)} ${'duration'.padStart(10)} |${`0 → ${ms(total)}`.padEnd(width)}|`,
  ];
  for (const span of rows) {
    const skipped = span.startMs < 0;
    const status = paint(span.ok, span.ok ? 'ok' : 'FAIL');
    const detail = span.detail && span.detail !== 'fulfilled' ? ` ${span.detail}` : '';
    lines.push(
      `${label(span).padEnd(labelWidth)} ${(skipped ? '' : `+${ms(span.startMs)}`).padStart(11)} ${(skipped ? '' : ms(span.durationMs)).padStart(10)} |${drawBar(span.startMs, span.durationMs, total, width, span.kind === 'hook' ? '▒' : '█')}| ${status}${detail}`,
    );
  }
  if (simulation.failure !== undefined) lines.push('', `Stopped early: ${simulation.failure}`);
  if (simulation.errors.length > 0) {
    lines.push('', 'Errors posted by the runtime:');
    for (const error of simulation.errors) {
      const body = error.body as { errorMessage?: unknown };
      lines.push(
        `  ${error.endpoint} ${error.errorType}: ${typeof body?.errorMessage === 'string' ? body.errorMessage : JSON.stringify(error.body)}`,
      );
    }
  }
  lines.push('', `Invocations (${simulation.invocations.length}):`);
  simulation.invocations.forEach((invocation, index) => {
    const outcome = invocation.ok ? paint(true, 'ok') : paint(false, invocation.errorType ?? 'error');
    lines.push(
      `  #${index + 1} ${invocation.requestId} ${outcome} in ${ms(invocation.durationMs)}: ${clip(JSON.stringify(invocation.body))}`,
    );
  });
  if (simulation.exitCode !== null) lines.push('', `Runtime exited with code ${simulation.exitCode}`);
  if ((options.logs ?? true) && simulation.logs.length > 0) {
    lines.push('', 'Runtime output:');
    for (const log of simulation.logs) lines.push(`  ${log.stream === 'stderr' ? '!' : '|'} ${log.text}`);
  }
  return lines.join('\n');
}

function clip(text: string | undefined): string {
  const value = text ?? 'undefined';
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}
