// The one check before any request leaves the worker: load tests, probes, the inspector, feature
// toggles and pre-checks only ever contact http.baseUrl's host or a host in http.allowedHosts, and
// only if the worker's operator allows that host too (PERF_TARGET_HOSTS; loopback by default).
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_OPERATOR_POLICY, operatorHostAllowed, type OperatorPolicy } from '../../common/operator-policy';
import { allowedHosts, hostAllowed, normalizeHost, type TargetProfile } from '../../common/profile';

/**
 * Throws a non-retryable ApplicationFailure unless `url` is an absolute http(s) URL whose host both
 * the profile and the operator's policy allow; `what` names the request in the message (e.g. "a
 * toggle request"). Without a policy, the default one (loopback only) applies.
 */
export function assertAllowedHost(
  target: TargetProfile,
  url: string | URL,
  what = 'load',
  policy: Pick<OperatorPolicy, 'targetHosts'> = DEFAULT_OPERATOR_POLICY,
): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw ApplicationFailure.nonRetryable(
      `"${String(url)}" (${what}) is not an absolute URL; fix http.baseUrl of target ${target.name}`,
      'BadProfile',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw ApplicationFailure.nonRetryable(`only http and https are supported, not ${u.protocol} (${u.origin})`, 'BadProfile');
  }
  if (!hostAllowed(target, u.hostname)) {
    const allowed = allowedHosts(target).map(normalizeHost);
    throw ApplicationFailure.nonRetryable(
      `refusing to send ${what} to ${u.hostname}: it is not an allowed host of target ${target.name} ` +
        `(allowed: ${allowed.join(', ')}). Add it to http.allowedHosts in the target profile if it really belongs to the target.`,
      'HostNotAllowed',
    );
  }
  if (!operatorHostAllowed(policy, u.hostname)) {
    throw ApplicationFailure.nonRetryable(
      `refusing to send ${what} to ${u.hostname}: this worker's operator does not allow that host ` +
        `(PERF_TARGET_HOSTS: ${policy.targetHosts.join(', ')}). The operator adds it to PERF_TARGET_HOSTS on the worker if load may go there.`,
      'HostNotAllowed',
    );
  }
  return u;
}
