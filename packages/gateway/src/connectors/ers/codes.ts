/**
 * ERS result codes and what they mean for a recharge and for a status query.
 *
 * A recharge code is `failed` only when the operator refused before crediting; SYSTEM_BUSY and
 * SERVICE_UNAVAILABLE are conventionally refusals at the door (nothing was attempted), while
 * SYSTEM_ERROR and ACCOUNTSYSTEM_TIMEOUT may come after the account system took the credit.
 * On a status query, codes about our own access (authentication, busy, unavailable) say nothing
 * about the original top-up: they are `error` (ask again later), never `failed`; authentication and
 * access refusals say so (`authFailure`), so that doctor can tell a wrong secret from a busy operator.
 */
import type { CodeTable } from '../outcomes.js';

export const ERS_RESULT_CODES = {
  '0': { name: 'SUCCESS', recharge: 'succeeded', status: 'succeeded', meaning: 'the top-up was credited' },
  '1': {
    name: 'PENDING_APPROVAL',
    recharge: 'unknown',
    status: 'pending',
    meaning: 'accepted, waiting for approval: not final',
  },
  '10': {
    name: 'REJECTED_BUSINESS_LOGIC',
    recharge: 'failed',
    status: 'failed',
    meaning: 'refused by a business rule',
  },
  '11': { name: 'REJECTED_AMOUNT', recharge: 'failed', status: 'failed', meaning: 'amount not allowed' },
  '20': {
    name: 'AUTHENTICATION_FAILED',
    recharge: 'failed',
    status: 'error',
    authFailure: true,
    meaning: 'our credentials were refused (on a status query: the query was refused, not the top-up)',
  },
  '21': {
    name: 'ACCESS_DENIED',
    recharge: 'failed',
    status: 'error',
    authFailure: true,
    meaning: 'not allowed for our principal (on a status query: the query was refused)',
  },
  '32': {
    name: 'INVALID_TOPUP_PRINCIPAL_ID',
    recharge: 'failed',
    status: 'failed',
    meaning: 'the subscriber number is invalid',
  },
  '40': {
    name: 'TOPUP_PRINCIPAL_NOT_FOUND',
    recharge: 'failed',
    status: 'failed',
    meaning: 'no such subscriber',
  },
  '41': { name: 'INVALID_PRODUCT', recharge: 'failed', status: 'failed', meaning: 'no such product' },
  '90': {
    name: 'SYSTEM_ERROR',
    recharge: 'unknown',
    status: 'error',
    meaning: 'internal error after the request was accepted: may have credited',
  },
  '93': {
    name: 'SYSTEM_BUSY',
    recharge: 'failed',
    status: 'error',
    meaning: 'refused at the door under load: nothing was attempted',
  },
  '94': {
    name: 'SERVICE_UNAVAILABLE',
    recharge: 'failed',
    status: 'error',
    meaning: 'the service is down: nothing was attempted',
  },
  '104': {
    name: 'INSUFFICIENT_SENDER_CREDIT',
    recharge: 'failed',
    status: 'failed',
    meaning: 'our reseller float is too low',
  },
  '105': {
    name: 'ACCOUNTSYSTEM_TIMEOUT',
    recharge: 'unknown',
    status: 'error',
    meaning: 'the account system did not answer ERS in time: may have credited',
  },
  '933': {
    name: 'TRANSACTION_NOT_FOUND',
    recharge: 'unknown',
    status: 'not-found',
    meaning: 'no transaction with our clientReference',
  },
  '2016': {
    name: 'TRANSACTION_ALREADY_COMPLETED',
    recharge: 'unknown',
    status: 'error',
    meaning: 'our reference was already processed: the status query decides how',
  },
} as const satisfies CodeTable;

export type ErsResultCode = keyof typeof ERS_RESULT_CODES;
