// Evaluation is pure and lives in core; storage's code names it from here.
export { evaluateMemberships, type MembershipChange, type MembershipOutcome } from '@cairn/core';
