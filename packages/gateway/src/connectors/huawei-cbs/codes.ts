/**
 * Huawei CBS ResultCode values. CBS answers synchronously and transactionally: a well-formed
 * RechargeResultMsg whose ResultCode is not 0 means the recharge was not applied, so every other
 * code is `failed` unless the operator's deployment lists it in the `ambiguousResultCodes` option
 * (comma-separated), which makes it `unknown`. A SOAP fault or HTTP 5xx is never read as a code.
 * On a status query every non-zero code is the query failing (`error`); AUTHENTICATION_FAILED says so.
 */
import type { CodeClass, CodeTable } from '../outcomes.js';

export const HUAWEI_CBS_RESULT_CODES = {
  '0': { name: 'SUCCESS', recharge: 'succeeded', status: 'succeeded', meaning: 'the recharge was applied' },
  '102010107': {
    name: 'AUTHENTICATION_FAILED',
    recharge: 'failed',
    status: 'error',
    authFailure: true,
    meaning: 'our LoginSystemCode or password was refused: nothing was applied',
  },
} as const satisfies CodeTable;

/** Any non-zero ResultCode: refused and not applied (on a status query: the query itself failed). */
export const HUAWEI_CBS_OTHER_CODE: CodeClass = {
  name: 'ERROR',
  recharge: 'failed',
  status: 'error',
  meaning: 'a non-zero ResultCode: the recharge was not applied',
};

/** A code configured in `ambiguousResultCodes`: may or may not have been applied. */
export const HUAWEI_CBS_AMBIGUOUS_CODE: CodeClass = {
  name: 'AMBIGUOUS',
  recharge: 'unknown',
  status: 'error',
  meaning: 'listed as ambiguous for this deployment: the status query decides',
};
