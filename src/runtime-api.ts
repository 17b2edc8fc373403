/**
 * Vocabulary of the AWS Lambda Runtime API shared by the runtime (`lambda/`) and its test oracle
 * (`emulator/`): the initialization types and the names of the endpoints. The wire strings (paths,
 * header names) are deliberately written out on each side instead: a shared wrong header name would
 * pass every test.
 *
 * @module
 */

/** The `AWS_LAMBDA_INITIALIZATION_TYPE` values Lambda documents. */
export const INITIALIZATION_TYPES = [
  'on-demand',
  'provisioned-concurrency',
  'snap-start',
  'lambda-managed-instances',
] as const;

/** An `AWS_LAMBDA_INITIALIZATION_TYPE` value Lambda documents. */
export type InitializationType = (typeof INITIALIZATION_TYPES)[number];

/** Whether `value` is one of the {@link INITIALIZATION_TYPES}. */
export function isInitializationType(value: unknown): value is InitializationType {
  return (INITIALIZATION_TYPES as readonly unknown[]).includes(value);
}

/** The Runtime API endpoints, named without the version prefix and with `{id}` elided. */
export const ENDPOINTS = [
  'restore/next',
  'invocation/next',
  'invocation/response',
  'invocation/error',
  'init/error',
  'restore/error',
] as const;

/** A Runtime API endpoint, named without the version prefix and with `{id}` elided. */
export type Endpoint = (typeof ENDPOINTS)[number];
