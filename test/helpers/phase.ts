/** Test helper for phases expected to fail. */
import { LifecycleError } from '../../src/index.js';

/** Awaits `promise` (an `emit`) and returns its `LifecycleError`; fails if it resolves or rejects otherwise. */
export async function failedPhase(promise: Promise<unknown>): Promise<LifecycleError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LifecycleError) return error;
    throw error;
  }
  throw new Error('the phase was expected to fail with a LifecycleError');
}
