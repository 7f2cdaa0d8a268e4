// The target a workflow hands an activity is input like any other: a run or a rollback may be started
// without the CLI (temporal workflow start, another client). Activities that act on the target check
// it with the profile's schema and the operator's policy before anything is sent or changed.
import { ApplicationFailure } from '@temporalio/common';
import type { OperatorPolicy } from '../common/operator-policy';
import { formatPolicyIssues, targetPolicyIssues } from '../common/policy-check';
import { parseTargetProfile, ProfileError, type TargetProfile } from '../common/profile';

/** The profile against its schema: a non-retryable BadProfile naming each field otherwise. */
export function revalidate(target: TargetProfile): void {
  try {
    parseTargetProfile(target, `of the run (target ${String(target?.name)})`);
  } catch (err) {
    if (err instanceof ProfileError) throw ApplicationFailure.nonRetryable(err.message, 'BadProfile');
    // A check that throws is a bug of the check; the profile is still unchecked: nothing may be sent, and a retry would not help.
    throw ApplicationFailure.nonRetryable(`the target profile of the run could not be checked: ${(err as Error).message}`, 'BadProfile');
  }
}

/**
 * Before an action or its rollback: the schema, then the hosts and environment variables the operator
 * allows (the run budget is about load, which an action does not send). Non-retryable BadProfile.
 */
export function checkActionTarget(target: TargetProfile, policy: OperatorPolicy): void {
  revalidate(target);
  const issues = targetPolicyIssues(target, policy);
  if (issues.length) throw ApplicationFailure.nonRetryable(formatPolicyIssues(target.name, issues), 'BadProfile');
}
