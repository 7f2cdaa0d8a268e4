// The worker operator's policy, read from the worker's environment at start. A malformed setting
// stops the worker (naming the variable and the fix) rather than running with a policy it did not mean.
import { OperatorPolicyError, parseOperatorPolicy, type OperatorPolicy } from '../common/operator-policy';

export function readOperatorPolicy(env: NodeJS.ProcessEnv = process.env): OperatorPolicy {
  try {
    return parseOperatorPolicy(env);
  } catch (err) {
    if (err instanceof OperatorPolicyError) throw new Error(`the worker refuses to start: ${err.message}`, { cause: err });
    throw err;
  }
}

/** One line for the worker's log: what it will allow (no values of secrets). */
export function describePolicy(p: OperatorPolicy): string {
  const secrets = p.secrets
    ? Object.entries(p.secrets)
        .map(([t, names]) => `${t}=${names.join(',')}`)
        .join('; ')
    : 'each target its own NAME_* variables';
  return (
    `operator policy: target hosts ${p.targetHosts.join(', ')}; secrets: ${secrets}; ` +
    `per run at most ${p.limits.maxRunSeconds} s of load and ${p.limits.maxRunRequests} requests; ` +
    `database logs read under ${p.logDirs.join(', ')}; ` +
    `alert rules written ${p.rulesDirs.length ? `into ${p.rulesDirs.join(', ')}` : 'nowhere (PERF_PROMETHEUS_RULES_DIRS is unset)'}`
  );
}
