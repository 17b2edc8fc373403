/**
 * `snapstart-hooks/lambda`: the AWS Lambda Runtime API bridge and `snapstart-runtime`, a Node.js
 * custom runtime that behaves as AWS's managed Node.js runtime does and adds SnapStart hooks.
 * Reference: docs/lambda-api.md.
 *
 * @packageDocumentation
 */
export { type NextInvocation, RuntimeApiClient, type RuntimeApiClientOptions } from './client.js';
export {
  HandlerLoadError,
  type HandlerLoadErrorType,
  type LambdaErrorBody,
  RuntimeApiError,
  toErrorBody,
} from './errors.js';
export { LambdaExitCode, type LambdaExitCodeValue } from './exit-codes.js';
export { type LoadHandlerOptions, loadHandler } from './handler.js';
export { type InvocationLoopOptions, type InvocationRecord, runInvocationLoop } from './loop.js';
export {
  AFTER_RESTORE_DEADLINE_ENV,
  BEFORE_SNAPSHOT_DEADLINE_ENV,
  DEFAULT_AFTER_RESTORE_DEADLINE,
  DEFAULT_BEFORE_SNAPSHOT_DEADLINE,
  runSnapStartPhases,
  type SnapStartApi,
  SnapStartPhaseError,
  type SnapStartPhasesOptions,
  type SnapStartPhasesResult,
  type SnapStartStep,
} from './phases.js';
export { type RuntimeOptions, startRuntime } from './runtime.js';
export type { HttpResponseMetadata, StreamifyOptions } from './streaming/awslambda.js';
export type { ResponseStream } from './streaming/response-stream.js';
