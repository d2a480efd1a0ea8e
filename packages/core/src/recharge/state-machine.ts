/**
 * The recharge state machine of DESIGN.md as a transition table:
 *
 *   accepted --> submitting --> succeeded
 *      |             |--------> failed
 *      |             '--------> unknown --> succeeded | failed   (status query or admin)
 *      '--> failed   (refused before anything was sent)
 *
 * succeeded and failed are final.
 */
import { MnogateError } from '../errors.js';

export const RECHARGE_STATES = ['accepted', 'submitting', 'succeeded', 'failed', 'unknown'] as const;
export type RechargeState = (typeof RECHARGE_STATES)[number];

export const TRANSITIONS: Readonly<Record<RechargeState, readonly RechargeState[]>> = {
  accepted: ['submitting', 'failed'],
  submitting: ['succeeded', 'failed', 'unknown'],
  unknown: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export function isFinalState(state: RechargeState): boolean {
  return TRANSITIONS[state].length === 0;
}

export function canTransition(from: RechargeState, to: RechargeState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: RechargeState, to: RechargeState): void {
  if (!canTransition(from, to)) {
    throw new MnogateError('MNOGATE_ERR_STATE_TRANSITION', `a recharge cannot go from ${from} to ${to}`, {
      from,
      to,
    });
  }
}
