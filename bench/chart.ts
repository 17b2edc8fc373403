/**
 * Writes the latency chart as a standalone SVG: time per hook against N, both axes in log scale,
 * one line per implementation. No browser or plotting library needed.
 *
 * @module
 */
import type { CaseKind } from './cases.js';

/** One line of the chart. */
export interface Series {
  readonly label: string;
  readonly kind: CaseKind;
  /** `[n, nanoseconds per hook]` points. */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

const WIDTH = 900;
const HEIGHT = 520;
const PLOT = { left: 70, top: 40, right: 600, bottom: 460 };
/** Distinct colours per kind; ours are saturated, the floor grey, the reference light. */
const PALETTE: Record<CaseKind, string[]> = {
  floor: ['#555555', '#999999'],
  ours: ['#d62728', '#ff7f0e', '#e377c2', '#8c564b', '#bcbd22'],
  peer: ['#1f77b4', '#17becf', '#2ca02c', '#9467bd', '#7f7f7f', '#393b79', '#637939'],
  reference: ['#aec7e8'],
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function format(value: number): string {
  if (value >= 1e6) return `${value / 1e6} ms`;
  if (value >= 1e3) return `${value / 1e3} µs`;
  return `${value} ns`;
}

/** Renders the chart. `title` goes on top, `note` under the plot (machine, Node version). */
export function renderChart(series: readonly Series[], title: string, note: string): string {
  const xs = series.flatMap((line) => line.points.map(([n]) => n));
  const ys = series.flatMap((line) => line.points.map(([, y]) => y)).filter((y) => y > 0);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yLow = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yHigh = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const x = (n: number): number =>
    PLOT.left +
    ((Math.log10(n) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin) || 1)) * (PLOT.right - PLOT.left);
  const y = (v: number): number =>
    PLOT.bottom -
    ((Math.log10(v) - Math.log10(yLow)) / (Math.log10(yHigh) - Math.log10(yLow))) * (PLOT.bottom - PLOT.top);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );
  // Grid: one line per decade on y, one per N on x.
  for (let decade = yLow; decade <= yHigh; decade *= 10) {
    const at = y(decade).toFixed(1);
    parts.push(
      `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${at}" y2="${at}" stroke="#e5e5e5"/>`,
      `<text x="${PLOT.left - 8}" y="${at}" text-anchor="end" dominant-baseline="middle">${format(decade)}</text>`,
    );
  }
  for (const n of [...new Set(xs)].sort((a, b) => a - b)) {
    const at = x(n).toFixed(1);
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="#e5e5e5"/>`,
      `<text x="${at}" y="${PLOT.bottom + 18}" text-anchor="middle">${n}</text>`,
    );
  }
  parts.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#888888"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 38}" text-anchor="middle">N hooks per emit (log)</text>`,
    `<text transform="translate(16 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">time per hook, p50 (log)</text>`,
    `<text x="${PLOT.left}" y="${HEIGHT - 8}" fill="#555555">${escapeXml(note)}</text>`,
  );
  const used: Record<CaseKind, number> = { floor: 0, ours: 0, peer: 0, reference: 0 };
  series.forEach((line, index) => {
    const colours = PALETTE[line.kind];
    const colour = colours[used[line.kind]++ % colours.length] as string;
    const dash = line.kind === 'floor' || line.kind === 'reference' ? ' stroke-dasharray="6 4"' : '';
    const width = line.kind === 'ours' ? 2.5 : 1.5;
    const points = line.points
      .filter(([, v]) => v > 0)
      .map(([n, v]) => `${x(n).toFixed(1)},${y(v).toFixed(1)}`)
      .join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="${width}"${dash}/>`);
    for (const [n, v] of line.points) {
      if (v > 0) parts.push(`<circle cx="${x(n).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    }
    const legendY = PLOT.top + 8 + index * 20;
    parts.push(
      `<line x1="${PLOT.right + 20}" x2="${PLOT.right + 48}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="${width}"${dash}/>`,
      `<text x="${PLOT.right + 56}" y="${legendY}" dominant-baseline="middle">${escapeXml(line.label)}</text>`,
    );
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
