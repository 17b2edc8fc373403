/**
 * The runtime's telemetry switches, read from the environment: the phase log record (on unless turned
 * off), CloudWatch EMF metrics (off unless turned on), and per-hook EMF metrics (a second opt-in).
 *
 * @module
 */
import { show } from '../../validate.js';

/** Turns the structured log record written after each SnapStart phase off (`off`); on by default. */
export const PHASE_LOG_ENV = 'SNAPSTART_PHASE_LOG';

/** Turns CloudWatch Embedded Metric Format records of each SnapStart phase on (`on`); off by default. */
export const EMF_ENV = 'SNAPSTART_EMF';

/**
 * Adds one EMF record per hook, with the hook's name as a dimension (`on`); off by default, and only
 * read when {@link EMF_ENV} is on: every distinct hook name becomes a billed custom metric.
 */
export const EMF_HOOKS_ENV = 'SNAPSTART_EMF_HOOKS';

const ON = new Set(['on', '1', 'true', 'yes']);
const OFF = new Set(['off', '0', 'false', 'no']);

/** What the runtime writes after each phase. */
export interface TelemetrySettings {
  /** The structured log record of the phase and its hooks. */
  readonly phaseLog: boolean;
  /** The EMF record of the phase (duration, hook count, failed hooks). */
  readonly emf: boolean;
  /** One EMF record per hook (its duration, the hook's name a dimension). */
  readonly emfHooks: boolean;
  /** One line per variable whose value was not understood (its default was kept). */
  readonly warnings: readonly string[];
}

/**
 * Reads the three switches. Each takes `on`/`1`/`true`/`yes` or `off`/`0`/`false`/`no`, in any case;
 * unset or empty keeps the default. Any other value keeps the default too, with a warning naming it:
 * a typo in a telemetry switch must not stop a function from starting.
 */
export function telemetrySettings(env: NodeJS.ProcessEnv): TelemetrySettings {
  const warnings: string[] = [];
  const phaseLog = readSwitch(env, PHASE_LOG_ENV, true, warnings);
  const emf = readSwitch(env, EMF_ENV, false, warnings);
  const emfHooks = readSwitch(env, EMF_HOOKS_ENV, false, warnings);
  if (emfHooks && !emf) {
    warnings.push(`${EMF_HOOKS_ENV} is on but ${EMF_ENV} is not: no EMF records are written; set ${EMF_ENV}=on too`);
  }
  return { phaseLog, emf, emfHooks: emf && emfHooks, warnings };
}

function readSwitch(env: NodeJS.ProcessEnv, name: string, fallback: boolean, warnings: string[]): boolean {
  const raw = env[name];
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (ON.has(value)) return true;
  if (OFF.has(value)) return false;
  warnings.push(
    `${name}=${show(raw)} is neither on nor off (expected on, off, 1, 0, true, false, yes or no); kept the default, ${fallback ? 'on' : 'off'}`,
  );
  return fallback;
}
