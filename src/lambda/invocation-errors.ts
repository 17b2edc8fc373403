/**
 * The `Runtime.*` errors of serving invocations, named as AWS's Node.js runtime names them: the
 * `name`, set on the prototype as AWS does, is the `errorType` of the error body.
 *
 * @module
 */

/** An `async` handler's promise could never settle: the event loop emptied with nothing left to settle it. */
export class NodeJsExitError extends Error {
  constructor() {
    super(
      'The event loop emptied while the async handler had not settled: nothing was left that could settle its promise (a Promise that is never resolved or rejected?). The runtime answers instead of letting Node.js exit.',
    );
  }
}
NodeJsExitError.prototype.name = 'Runtime.NodeJsExit';

/** A response stream was used in a way AWS's runtime refuses (e.g. `setContentType` after the first write). */
export class InvalidStreamingOperationError extends Error {}
InvalidStreamingOperationError.prototype.name = 'Runtime.InvalidStreamingOperation';

/** A handler marked for streaming with a mode other than `'response'` (reported at init). */
export class MalformedStreamingHandlerError extends Error {}
MalformedStreamingHandlerError.prototype.name = 'Runtime.MalformedStreamingHandler';

/** A callback-style handler where invocations are served concurrently (reported at init). */
export class CallbackHandlerNotSupportedError extends Error {}
CallbackHandlerNotSupportedError.prototype.name = 'Runtime.CallbackHandlerDeprecated';
