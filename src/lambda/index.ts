/**
 * `snapstart-hooks/lambda`: the AWS Lambda Runtime API bridge and a complete Node.js custom runtime.
 *
 * @packageDocumentation
 */
export {
  ERROR_CONTENT_TYPE,
  ERROR_TYPE_HEADER,
  type NextInvocation,
  RUNTIME_API_VERSION,
  RuntimeApiClient,
  type RuntimeApiClientOptions,
} from './client.js';
export { createContext } from './context.js';
export {
  functionErrorType,
  HandlerLoadError,
  type LambdaErrorBody,
  RuntimeApiError,
  toErrorBody,
} from './errors.js';
export { HANDLER_EXTENSIONS, type HandlerName, loadHandler, parseHandlerName } from './handler.js';
export { type InvocationLoopOptions, type InvocationRecord, runInvocationLoop } from './loop.js';
export {
  AFTER_RESTORE_DEADLINE_ENV,
  AFTER_RESTORE_EXIT_CODE,
  afterRestoreDeadlineFromEnv,
  BEFORE_SNAPSHOT_EXIT_CODE,
  DEFAULT_AFTER_RESTORE_DEADLINE_MS,
  LAMBDA_AFTER_RESTORE_LIMIT_MS,
  runSnapStartPhases,
  SnapStartPhaseError,
  type SnapStartPhasesOptions,
  type SnapStartPhasesResult,
  type SnapStartStep,
} from './phases.js';
export {
  type ProcessFailureWatch,
  UNCAUGHT_EXCEPTION_EXIT_CODE,
  UNHANDLED_REJECTION_EXIT_CODE,
  watchProcessFailures,
} from './process-failures.js';
export { INITIALIZATION_TYPES, type RuntimeOptions, startRuntime } from './runtime.js';
export type { HttpResponseMetadata, StreamifyOptions } from './streaming/awslambda.js';
export type { ResponseStream } from './streaming/response-stream.js';
export {
  createReportWriter,
  parseReportLine,
  REPORT_FD_ENV,
  type ReportedHookOutcome,
  type ReportedPhase,
  type RuntimeReportEntry,
  toReportedPhase,
} from './timeline.js';
