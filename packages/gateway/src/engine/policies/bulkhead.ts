/** A concurrency bulkhead: at most `maxConcurrent` calls in flight to one operator; more are refused at once. */
import { MnogateError } from '@mnogate/core';
import type { CallResult, PolicyLayer } from './policy-layer.js';

export interface BulkheadOptions {
  readonly operatorId: string;
  readonly maxConcurrent: number;
}

export interface Bulkhead extends PolicyLayer {
  admit(): (result: CallResult) => void;
  inFlight(): number;
}

export function createBulkhead(options: BulkheadOptions): Bulkhead {
  if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
    throw new RangeError(`bulkhead maxConcurrent must be a positive integer, got ${options.maxConcurrent}`);
  }
  let inFlight = 0;
  return {
    name: 'bulkhead',
    inFlight: () => inFlight,
    admit() {
      if (inFlight >= options.maxConcurrent) {
        throw new MnogateError(
          'MNOGATE_ERR_POLICY_BULKHEAD_FULL',
          `operator ${options.operatorId} already has ${inFlight} calls in flight (limit ${options.maxConcurrent})`,
          { operatorId: options.operatorId, limit: options.maxConcurrent },
        );
      }
      inFlight++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight--;
      };
    },
  };
}
