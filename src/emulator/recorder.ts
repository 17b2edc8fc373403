/**
 * What the emulator saw: every request, the lifecycle errors posted, the ended invocations.
 *
 * @module
 */
import type { InvocationResult, PostedLifecycleError, RecordedRequest } from './types.js';

/** The fields of a request record the transport knows before numbering it. */
export type RequestFacts = Omit<RecordedRequest, 'seq'>;

/** The emulator's records, in arrival order. */
export class Recorder {
  readonly requests: RecordedRequest[] = [];
  readonly errors: PostedLifecycleError[] = [];
  readonly results: InvocationResult[] = [];

  /** Numbers and keeps a request. */
  record(facts: RequestFacts): RecordedRequest {
    const record: RecordedRequest = { seq: this.requests.length + 1, ...facts };
    this.requests.push(record);
    return record;
  }

  /** One line per request so far, for a message: `GET invocation/next, POST invocation/response`. */
  describeRequests(): string {
    return this.requests.map((r) => `${r.method} ${r.endpoint ?? r.path}`).join(', ') || 'none';
  }
}
