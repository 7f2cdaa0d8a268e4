// A run's profile against the worker operator's policy: every host it names, every environment
// variable it names, its limits and the load it plans. Pure: the pre-check refuses a run with any
// issue before anything is sent.
import { logFileAllowed, operatorHostAllowed, secretRefusal, type OperatorPolicy } from './operator-policy';
import { normalizeHost, type TargetProfile } from './profile';
import { runBudgetIssues, type PolicyIssue } from './run-budget';
import { envReferences } from './template-placeholders';
import { urlEnvNames } from './notify/url-secret';

export type { PolicyIssue };

function hostIssues(target: TargetProfile, policy: OperatorPolicy): PolicyIssue[] {
  const hosts: [PolicyIssue['path'], string][] = [
    [['http', 'baseUrl'], new URL(target.http.baseUrl).hostname],
    ...target.http.allowedHosts.map((h, i): [PolicyIssue['path'], string] => [['http', 'allowedHosts', i], h]),
  ];
  if (target.process?.inspectorUrl) hosts.push([['process', 'inspectorUrl'], new URL(target.process.inspectorUrl).hostname]);
  (target.notifiers ?? []).forEach((n, i) => hosts.push([['notifiers', i, 'url'], new URL(n.url).hostname]));
  if (target.observability) hosts.push([['observability', 'prometheusUrl'], new URL(target.observability.prometheusUrl).hostname]);
  return hosts
    .filter(([, h]) => !operatorHostAllowed(policy, h))
    .map(([path, h]) => ({
      path,
      message:
        `host ${normalizeHost(h)} is not in this worker's PERF_TARGET_HOSTS (allowed: ${policy.targetHosts.join(', ')}); ` +
        `the worker's operator adds it to PERF_TARGET_HOSTS if load may go there`,
    }));
}

/** Every environment variable the profile names, with where it is named. */
export function namedSecrets(target: TargetProfile): { path: PolicyIssue['path']; name: string }[] {
  const out: { path: PolicyIssue['path']; name: string }[] = [];
  if (target.database) out.push({ path: ['database', 'urlEnv'], name: target.database.urlEnv });
  if (target.redis) out.push({ path: ['redis', 'urlEnv'], name: target.redis.urlEnv });
  target.actions.featureToggles.forEach((t, i) => {
    if (t.tokenEnv) out.push({ path: ['actions', 'featureToggles', i, 'tokenEnv'], name: t.tokenEnv });
  });
  (target.notifiers ?? []).forEach((n, i) => {
    if (n.kind === 'webhook' && n.secretEnv) out.push({ path: ['notifiers', i, 'secretEnv'], name: n.secretEnv });
    for (const name of urlEnvNames(n.url)) out.push({ path: ['notifiers', i, 'url'], name });
  });
  if (target.observability?.tokenEnv) out.push({ path: ['observability', 'tokenEnv'], name: target.observability.tokenEnv });
  out.push(...envReferences(target));
  return out;
}

function secretIssues(target: TargetProfile, policy: OperatorPolicy): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (const { path, name } of namedSecrets(target)) {
    const why = secretRefusal(policy, target.name, name);
    if (why) issues.push({ path, message: `${name}: ${why}` });
  }
  return issues;
}

/** The database log must be in a directory the operator lets profiles read (a profile names any path it likes). */
function logFileIssues(target: TargetProfile, policy: OperatorPolicy): PolicyIssue[] {
  const file = target.database?.logFile;
  if (!file || logFileAllowed(policy, file)) return [];
  return [
    {
      path: ['database', 'logFile'],
      message:
        `${file} is not under this worker's PERF_DB_LOG_DIRS (allowed: ${policy.logDirs.join(', ')}); ` +
        `the worker's operator adds the directory of PostgreSQL's log to PERF_DB_LOG_DIRS`,
    },
  ];
}

/** The hosts and environment variables the profile names that the operator does not allow (what a single action is checked against). */
export function targetPolicyIssues(target: TargetProfile, policy: OperatorPolicy): PolicyIssue[] {
  // observability.rulesDir is not refused here: a worker that may not write there makes the alert rules a manual item.
  return [...hostIssues(target, policy), ...secretIssues(target, policy), ...logFileIssues(target, policy)];
}

/** All the ways the profile goes beyond what the operator allows (empty: the run may start). */
export function policyIssues(target: TargetProfile, policy: OperatorPolicy): PolicyIssue[] {
  return [...targetPolicyIssues(target, policy), ...runBudgetIssues(target, policy)];
}

/** One message for a refused run: each issue on its line, the field first. */
export function formatPolicyIssues(targetName: string, issues: PolicyIssue[]): string {
  const lines = issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
  return `target ${targetName} goes beyond what this worker's operator allows (nothing was sent):\n${lines.join('\n')}`;
}
