/**
 * CloudWatch Embedded Metric Format (EMF) documents of a SnapStart phase: one for the phase (its
 * duration, hook count and failed hooks, by function and phase) and, on a second opt-in, one per hook
 * (its duration, by function, phase and hook name). Written to the spec: a root `_aws` object with
 * `Timestamp` (ms since the epoch) and `CloudWatchMetrics` (`Namespace`, `Dimensions`, `Metrics` with
 * `Name` and `Unit`), every dimension and metric a member of the root.
 *
 * @module
 */
import type { HookOutcome, PhaseReport } from '../../types.js';
import { listedHooks, roundMs } from './phase-record.js';

/** The CloudWatch namespace of every metric the runtime publishes. */
export const EMF_NAMESPACE = 'SnapStartHooks';

/** At most this many per-hook documents per phase (the failed hooks and the slowest are kept). */
export const MAX_HOOK_DOCUMENTS = 100;

/** Dimension values are cut at this many characters (CloudWatch allows 1024). */
export const MAX_DIMENSION_LENGTH = 250;

/** Where the metrics come from: the function's name (a dimension) and version (a plain member). */
export interface EmfSource {
  /** `AWS_LAMBDA_FUNCTION_NAME`. */
  readonly functionName: string | undefined;
  /** `AWS_LAMBDA_FUNCTION_VERSION`. */
  readonly functionVersion: string | undefined;
}

/** One metric directive of an EMF document. */
interface MetricDirective {
  readonly Namespace: string;
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
}

/** An EMF document: the `_aws` metadata plus the dimension, metric and context members. */
export interface EmfDocument {
  readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: readonly MetricDirective[] };
  readonly [member: string]: unknown;
}

/**
 * A dimension value CloudWatch accepts: ASCII without control characters, at least one non-blank
 * character, at most {@link MAX_DIMENSION_LENGTH} characters. Other characters are written as `\uXXXX`
 * (so distinct names stay distinct); a blank name has its spaces escaped, an empty one reads `(empty)`.
 */
export function dimensionValue(text: string): string {
  let value = text.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (value === '') return '(empty)';
  if (value.trim() === '') value = value.replace(/ /g, '\\u0020');
  return value.length <= MAX_DIMENSION_LENGTH ? value : `${value.slice(0, MAX_DIMENSION_LENGTH - 3)}...`;
}

/** The members every document of a phase shares: its dimensions' values and the function's version. */
function sourceMembers(source: EmfSource, report: PhaseReport): Record<string, string> {
  const members: Record<string, string> = {
    FunctionName: dimensionValue(source.functionName ?? '(unknown)'),
    Phase: dimensionValue(report.event),
  };
  if (source.functionVersion) members.FunctionVersion = source.functionVersion;
  return members;
}

/** The metrics' timestamp: when the phase ended, in whole ms since the epoch. */
function endOf(report: PhaseReport): number {
  return Math.round(report.startedAt + report.durationMs);
}

/**
 * The phase's document: `PhaseDuration` (Milliseconds), `HookCount` and `FailedHooks` (Count), with the
 * dimensions `FunctionName` and `Phase`.
 */
export function phaseDocument(report: PhaseReport, source: EmfSource): EmfDocument {
  const failed = report.hooks.filter((outcome) => outcome.status === 'rejected' || outcome.status === 'timedOut');
  return {
    _aws: {
      Timestamp: endOf(report),
      CloudWatchMetrics: [
        {
          Namespace: EMF_NAMESPACE,
          Dimensions: [['FunctionName', 'Phase']],
          Metrics: [
            { Name: 'PhaseDuration', Unit: 'Milliseconds' },
            { Name: 'HookCount', Unit: 'Count' },
            { Name: 'FailedHooks', Unit: 'Count' },
          ],
        },
      ],
    },
    ...sourceMembers(source, report),
    PhaseDuration: roundMs(report.durationMs),
    HookCount: report.hooks.length,
    FailedHooks: failed.length,
  };
}

/**
 * One document per hook that ran (skipped hooks have no duration): `HookDuration` (Milliseconds) with
 * the dimensions `FunctionName`, `Phase` and `Hook`, and the hook's `HookStatus` as a plain member. At
 * most {@link MAX_HOOK_DOCUMENTS}, the failed and the slowest first.
 */
export function hookDocuments(report: PhaseReport, source: EmfSource): EmfDocument[] {
  const ran = report.hooks.filter((outcome) => outcome.status !== 'skipped');
  const members = sourceMembers(source, report);
  const timestamp = endOf(report);
  return listedHooks(ran, MAX_HOOK_DOCUMENTS).map((index) => {
    const outcome = ran[index] as HookOutcome;
    return {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: EMF_NAMESPACE,
            Dimensions: [['FunctionName', 'Phase', 'Hook']],
            Metrics: [{ Name: 'HookDuration', Unit: 'Milliseconds' }],
          },
        ],
      },
      ...members,
      Hook: dimensionValue(outcome.name),
      HookDuration: roundMs(outcome.durationMs),
      HookStatus: outcome.status,
    };
  });
}
