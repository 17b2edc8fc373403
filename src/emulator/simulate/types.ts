/**
 * Public types of `simulate()`.
 *
 * @module
 */
import type { ReportedPhase } from '../../lambda/timeline.js';
import type { PostedLifecycleError } from '../types.js';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** The function's code directory (`LAMBDA_TASK_ROOT`). */
  taskRoot: string;
  /** `_HANDLER`, e.g. `index.handler`. */
  handler: string;
  /** The event sent to every invocation (any JSON value, `null` included). Default `{}`. */
  event?: unknown;
  /** How many invocations after the restore, an integer from 0 to 100000. Default `1`. */
  invocations?: number;
  /** `snap-start` (default) runs the hooks and a restore; `on-demand` goes straight to invocations. */
  initType?: 'snap-start' | 'on-demand';
  /** Extra arguments for `node` before the runtime script, e.g. `['--import=tsx']` for TypeScript handlers. */
  nodeArgs?: string[];
  /** Extra environment variables for the runtime. */
  env?: Record<string, string>;
  /** Give up (and kill the runtime) after this many ms, an integer from 1 to 2147483647. Default `60000`. */
  timeout?: number;
  /**
   * The function timeout in ms, as configured on Lambda: an invocation still running after it ends as
   * `Sandbox.Timedout`, and, as on Lambda, the runtime is stopped. An integer from 1 to 2147483647.
   * Default `3000`, Lambda's default.
   */
  functionTimeout?: number;
  /** Called with each step as it happens (see {@link SimulationEvent}), e.g. to print progress. */
  onEvent?: (event: SimulationEvent) => void;
}

/** One row of the timeline: a step of the lifecycle, or a hook inside a phase. */
export interface TimelineSpan {
  /** What the row is. */
  kind: 'process' | 'init' | 'phase' | 'hook' | 'snapshot' | 'invocation';
  /** Its label. */
  name: string;
  /** Start, in ms since the runtime was spawned (`-1` for a skipped hook). */
  startMs: number;
  /** Duration in ms. */
  durationMs: number;
  /**
   * Whether it succeeded. A hook skipped because it was unsubscribed before its turn is `ok` when its
   * phase is (that alone does not fail a phase).
   */
  ok: boolean;
  /** A status or short detail (hook status, error type, `still running at the timeout`, ...). */
  detail?: string;
}

/**
 * A step of a simulation as it happens:
 * - `step`: a step ended (in the order of the timeline; a phase is followed by its hooks);
 * - `running`: a step started whose end is not known yet (the after-restore hooks, an invocation);
 * - `log`: the runtime wrote a line.
 */
export type SimulationEvent =
  | { type: 'step'; span: TimelineSpan }
  | { type: 'running'; name: string; startMs: number }
  | { type: 'log'; stream: 'stdout' | 'stderr'; text: string };

/** One invocation of the simulation. */
export interface SimulatedInvocation {
  /** The request id. */
  requestId: string;
  /** `true` for a response, `false` for an error. */
  ok: boolean;
  /** The response, or the error body. */
  body: unknown;
  /**
   * The error type, for errors: the type Lambda recorded (`Sandbox.Timedout` for one past the function
   * timeout), or the posted body's `errorType` when the runtime sent no error-type header, as AWS's
   * Node.js runtime does for invocation errors.
   */
  errorType?: string;
  /** When the event was delivered, in ms since spawn. */
  startMs: number;
  /** Delivery to answer, in ms. */
  durationMs: number;
}

/** The result of {@link simulate}: everything `snapstart simulate` prints, `--json` verbatim. */
export interface Simulation {
  /** `true` when every step and every invocation succeeded. */
  ok: boolean;
  /** `_HANDLER`. */
  handler: string;
  /** The task root. */
  taskRoot: string;
  /** The initialization type simulated. */
  initType: 'snap-start' | 'on-demand';
  /** The runtime's exit code (`null` if it was still serving and was stopped by the simulator). */
  exitCode: number | null;
  /** Why the simulation stopped early, if it did. */
  failure?: string;
  /** What to try, for failures with a known cure (a TypeScript handler without a loader, ...). */
  hints: string[];
  /** The timeline, in order. Times are ms since the runtime was spawned. */
  timeline: TimelineSpan[];
  /** The before-snapshot phase report, when it ran. */
  beforeSnapshot?: ReportedPhase;
  /** The after-restore phase report, when it ran. */
  afterRestore?: ReportedPhase;
  /** The invocations that ended. */
  invocations: SimulatedInvocation[];
  /** Init and restore errors the runtime posted. */
  errors: PostedLifecycleError[];
  /** Every Runtime API request, in order. */
  requests: { method: string; endpoint: string; atMs: number; status?: number }[];
  /** The runtime's output, line by line. */
  logs: { stream: 'stdout' | 'stderr'; text: string }[];
}
