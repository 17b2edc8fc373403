/**
 * Small statistics helpers shared by the bench modules.
 *
 * @module
 */

/** The `q` quantile (0..1) of `values`, by linear interpolation; `NaN` for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** p50, p99, min and max of a sample, in the sample's unit. */
export interface Summary {
  readonly runs: number;
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** Summarises a sample. */
export function summarise(values: readonly number[]): Summary {
  return {
    runs: values.length,
    p50: quantile(values, 0.5),
    p99: quantile(values, 0.99),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** A module that could not run here, and why. */
export interface Skipped {
  readonly skipped: string;
}

/** Whether a module result is a skip. */
export function isSkipped(value: unknown): value is Skipped {
  return typeof value === 'object' && value !== null && 'skipped' in value;
}
