/**
 * What the runtime writes after each SnapStart phase: a structured log record of the phase and its
 * hooks (on by default, through the patched console), and CloudWatch EMF metrics (opt-in, raw JSON lines
 * on stdout). Loaded by the runtime under SnapStart only, so importing the package never reads it.
 *
 * @module
 */
import type { PhaseReport } from '../../types.js';
import type { LambdaConsole } from '../logging/console.js';
import { hookDocuments, phaseDocument } from './emf.js';
import { phaseRecord, phaseRecordText } from './phase-record.js';
import { telemetrySettings } from './settings.js';

/** Options of {@link createPhaseTelemetry}. */
export interface PhaseTelemetryOptions {
  /** Where the switches and the function's name and version are read. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * The patched console whose format, level filter and telemetry descriptor the record follows; when
   * the console is not patched, the record is a text line through `console.info` / `console.error`.
   */
  readonly console: LambdaConsole | undefined;
  /** Where a warning about a switch's value goes (the runtime's diagnostics). */
  readonly log: (message: string) => void;
  /** Writes one raw line (an EMF document). Default: stdout. */
  readonly writeLine?: (line: string) => void;
}

/**
 * The function the runtime calls with each phase report, or `undefined` when the record and the
 * metrics are both off. It never throws: telemetry must not fail a phase.
 */
export function createPhaseTelemetry(options: PhaseTelemetryOptions): ((report: PhaseReport) => void) | undefined {
  const { env, log } = options;
  const settings = telemetrySettings(env);
  for (const warning of settings.warnings) log(`snapstart-runtime: warning: ${warning}`);
  if (!settings.phaseLog && !settings.emf) return undefined;
  const writeRecord = recordWriter(options.console);
  const writeLine = options.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const source = { functionName: env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION };
  return (report) => {
    try {
      if (settings.phaseLog) writeRecord(report);
      if (settings.emf) {
        // Raw JSON lines, never inside a log record: CloudWatch extracts metrics only from a log event that
        // is an EMF document, which is how AWS's own EMF library writes them under Lambda's JSON log format.
        writeLine(JSON.stringify(phaseDocument(report, source)));
        if (settings.emfHooks)
          for (const document of hookDocuments(report, source)) writeLine(JSON.stringify(document));
      }
    } catch {
      // stdout closed under us: the phase goes on without its telemetry
    }
  };
}

/** Writes the phase record as the console is configured: INFO when the phase succeeded, ERROR when it failed. */
function recordWriter(lambdaConsole: LambdaConsole | undefined): (report: PhaseReport) => void {
  if (lambdaConsole === undefined) {
    return (report) => {
      const text = phaseRecordText(phaseRecord(report));
      if (report.ok) console.info(text);
      else console.error(text);
    };
  }
  return (report) => {
    const record = phaseRecord(report);
    lambdaConsole.record(
      report.ok ? 'INFO' : 'ERROR',
      lambdaConsole.format === 'JSON' ? record : phaseRecordText(record),
    );
  };
}
