/**
 * PreTUPS TXNSTATUS codes. 200, 205, 206 and 250 are the protocol's own; every other TXNSTATUS is an
 * error code, and on a recharge answer an error code means the request was refused (failed).
 */
import type { CodeClass, CodeTable } from '../outcomes.js';

export const PRETUPS_TXN_STATUS = {
  '200': {
    name: 'SUCCESS',
    recharge: 'succeeded',
    status: 'succeeded',
    meaning: 'the recharge was credited',
  },
  '205': {
    name: 'UNDER_PROCESS',
    recharge: 'unknown',
    status: 'pending',
    meaning: 'accepted and still being processed: not final',
  },
  '206': {
    name: 'FAILED',
    recharge: 'failed',
    status: 'failed',
    meaning: 'the recharge failed; nothing was credited',
  },
  '250': {
    name: 'AMBIGUOUS',
    recharge: 'unknown',
    status: 'pending',
    meaning: 'the operator itself does not know yet: ask again later',
  },
} as const satisfies CodeTable;

/** Any other TXNSTATUS on a recharge answer: an error code, the request was refused. */
export const PRETUPS_ERROR_CODE: CodeClass = {
  name: 'ERROR',
  recharge: 'failed',
  status: 'failed',
  meaning: 'an error code: the request was refused',
};

/**
 * TXNSTATUS codes that refuse our credentials (1001: login, password or gateway code; 1002: PIN).
 * A status query answered with one is an `error` with reason `auth`. Option `authFailedCodes`
 * (comma-separated) replaces them for a deployment with other codes.
 */
export const PRETUPS_AUTH_FAILED_CODES: readonly string[] = ['1001', '1002'];
