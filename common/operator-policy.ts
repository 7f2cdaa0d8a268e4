// What the worker's operator allows, whatever a profile says: the hosts a run may contact, the
// environment variables each target may read, and how much load one run may send. Pure: parsed from
// the worker's environment (worker/operator-policy.ts reads it), decided here.
import { normalizeHost } from './profile';
import { filePathProblem } from './profile-checks';

export interface RunLimits {
  /** Load seconds a run may plan across all its phases (warm-ups included). */
  maxRunSeconds: number;
  /** Requests a run may send across all its load tests (warm-ups included). */
  maxRunRequests: number;
}

export interface OperatorPolicy {
  /** Hosts (normalized, no port) any request may go to. */
  targetHosts: string[];
  /** Target name -> the variable names (exact, or a prefix ending in `*`) it may read; null: the default rule. */
  secrets: Record<string, string[]> | null;
  limits: RunLimits;
  /** Directories (absolute, no trailing /) a profile's database.logFile may be in. */
  logDirs: string[];
  /** Directories a profile's observability.rulesDir may be (alert rules are written there); none by default. */
  rulesDirs: string[];
}

export const DEFAULT_TARGET_HOSTS = ['127.0.0.1', 'localhost', '::1'];
// Generous enough for the demo (about 170 s), an hour-long soak with the other phases, and a fast target.
export const DEFAULT_MAX_RUN_SECONDS = 7_200;
export const DEFAULT_MAX_RUN_REQUESTS = 10_000_000;

// Where Debian and Ubuntu write the server's log (stderr via pg_ctlcluster).
export const DEFAULT_LOG_DIRS = ['/var/log/postgresql'];

export const DEFAULT_OPERATOR_POLICY: OperatorPolicy = {
  targetHosts: DEFAULT_TARGET_HOSTS,
  secrets: null,
  limits: { maxRunSeconds: DEFAULT_MAX_RUN_SECONDS, maxRunRequests: DEFAULT_MAX_RUN_REQUESTS },
  logDirs: DEFAULT_LOG_DIRS,
  rulesDirs: [],
};

/** The worker's own settings: no target ever reads them. */
const WORKER_OWN = /^(PERF|TEMPORAL)_/;

export class OperatorPolicyError extends Error {}

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+|[A-Za-z0-9._-]+)$/;
const TARGET = /^[a-z0-9][a-z0-9-]{0,40}$/;
const PATTERN = /^[A-Z_][A-Z0-9_]*\*?$/;

function parseHosts(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_TARGET_HOSTS;
  const hosts = raw.split(',').map((h) => h.trim());
  for (const h of hosts) {
    if (!HOST.test(h)) {
      throw new OperatorPolicyError(
        `PERF_TARGET_HOSTS: "${h}" is not a host name or IP address. List hosts separated by commas, without scheme, port or wildcard ` +
          `(e.g. PERF_TARGET_HOSTS=127.0.0.1,localhost,shop.internal), or unset it for loopback only.`,
      );
    }
  }
  return [...new Set(hosts.map(normalizeHost))];
}

function parseSecrets(raw: string | undefined): Record<string, string[]> | null {
  if (raw === undefined || raw.trim() === '') return null;
  const fix = 'Write target=NAME,PREFIX_*;other=NAME (e.g. PERF_TARGET_SECRETS="shop=SHOP_*;billing=BILLING_DB_URL,BILLING_TOKEN")';
  const out: Record<string, string[]> = {};
  for (const part of raw.split(';').map((p) => p.trim())) {
    if (part === '') continue;
    const m = /^([^=]+)=(.*)$/.exec(part);
    const target = m?.[1].trim() ?? '';
    if (!m || !TARGET.test(target)) throw new OperatorPolicyError(`PERF_TARGET_SECRETS: "${part}" does not name a target. ${fix}.`);
    if (out[target]) throw new OperatorPolicyError(`PERF_TARGET_SECRETS: target ${target} is listed twice; list it once. ${fix}.`);
    const names = m[2].split(',').map((n) => n.trim());
    for (const n of names) {
      if (!PATTERN.test(n)) {
        throw new OperatorPolicyError(
          `PERF_TARGET_SECRETS: "${n}" (target ${target}) is not a variable name or a PREFIX_* pattern. ${fix}.`,
        );
      }
      const stem = n.replace('*', '');
      if (WORKER_OWN.test(n) || (n.endsWith('*') && ('PERF_'.startsWith(stem) || 'TEMPORAL_'.startsWith(stem)))) {
        throw new OperatorPolicyError(
          `PERF_TARGET_SECRETS: "${n}" (target ${target}) would give a target the worker's own settings (PERF_*, TEMPORAL_*); ` +
            `name the target's variables only.`,
        );
      }
    }
    out[target] = names;
  }
  return out;
}

function parseCap(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new OperatorPolicyError(
      `${name}: "${raw}" is not a positive whole number; set e.g. ${name}=${fallback} (the default) or unset it.`,
    );
  }
  return n;
}

function parseDirs(name: string, raw: string | undefined, fallback: string[], example: string): string[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  const dirs = raw.split(',').map((d) => d.trim().replace(/(.)\/+$/, '$1'));
  for (const d of dirs) {
    const problem = filePathProblem(d);
    if (problem) {
      throw new OperatorPolicyError(
        `${name}: "${d}" ${problem}. List directories separated by commas (e.g. ${name}=${example}), ` +
          `or unset it for ${fallback.length ? fallback.join(', ') : 'none'}.`,
      );
    }
  }
  return [...new Set(dirs)];
}

/** Whether the operator lets alert rules be written into `dir` (one of PERF_PROMETHEUS_RULES_DIRS, exactly). */
export function rulesDirAllowed(policy: Pick<OperatorPolicy, 'rulesDirs'>, dir: string): boolean {
  return policy.rulesDirs.includes(dir.replace(/(.)\/+$/, '$1'));
}

/** Whether `file` (an absolute path written plainly) is inside one of the operator's log directories. */
export function logFileAllowed(policy: Pick<OperatorPolicy, 'logDirs'>, file: string): boolean {
  return policy.logDirs.some((d) => d === '/' || file.startsWith(`${d}/`));
}

/** The policy from the worker's environment; throws OperatorPolicyError naming the variable and the fix. */
export function parseOperatorPolicy(env: Record<string, string | undefined>): OperatorPolicy {
  return {
    targetHosts: parseHosts(env.PERF_TARGET_HOSTS),
    secrets: parseSecrets(env.PERF_TARGET_SECRETS),
    limits: {
      maxRunSeconds: parseCap('PERF_MAX_RUN_SECONDS', env.PERF_MAX_RUN_SECONDS, DEFAULT_MAX_RUN_SECONDS),
      maxRunRequests: parseCap('PERF_MAX_RUN_REQUESTS', env.PERF_MAX_RUN_REQUESTS, DEFAULT_MAX_RUN_REQUESTS),
    },
    logDirs: parseDirs('PERF_DB_LOG_DIRS', env.PERF_DB_LOG_DIRS, DEFAULT_LOG_DIRS, '/var/log/postgresql,/srv/pg/log'),
    rulesDirs: parseDirs('PERF_PROMETHEUS_RULES_DIRS', env.PERF_PROMETHEUS_RULES_DIRS, [], '/etc/prometheus/rules'),
  };
}

/** Whether the operator lets any request go to `hostname` (names compared, not resolved addresses). */
export function operatorHostAllowed(policy: Pick<OperatorPolicy, 'targetHosts'>, hostname: string): boolean {
  return policy.targetHosts.includes(normalizeHost(hostname));
}

/** `shop-eu` -> `SHOP_EU_`: the prefix of the variables a target may read when the operator names none. */
export function targetEnvPrefix(targetName: string): string {
  return `${targetName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** The patterns a target may read: the operator's list for it, or its own prefix. */
export function secretPatterns(policy: Pick<OperatorPolicy, 'secrets'>, targetName: string): string[] {
  if (policy.secrets === null) return [`${targetEnvPrefix(targetName)}*`];
  return policy.secrets[targetName] ?? [];
}

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** Why target `targetName` may not read variable `envName`, or null when it may. */
export function secretRefusal(policy: Pick<OperatorPolicy, 'secrets'>, targetName: string, envName: string): string | null {
  if (WORKER_OWN.test(envName)) {
    return `${envName} is one of the worker's own settings (PERF_*, TEMPORAL_*), which no target may read; name a variable of the target's own`;
  }
  const patterns = secretPatterns(policy, targetName);
  if (patterns.some((p) => matches(p, envName))) return null;
  const may = patterns.length ? `may read only ${patterns.join(', ')}` : 'may read no variable (it is not listed in PERF_TARGET_SECRETS)';
  const how =
    policy.secrets === null
      ? `rename the variable to ${targetEnvPrefix(targetName)}..., or the worker's operator sets PERF_TARGET_SECRETS (e.g. ${targetName}=${envName})`
      : `the worker's operator adds it to PERF_TARGET_SECRETS (e.g. ${targetName}=${[...patterns, envName].join(',')})`;
  return `target ${targetName} ${may} on this worker; ${how}`;
}

/** A connection string (scheme://...) is never sent to a target as a bearer token. */
export function looksLikeConnectionUrl(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value.trim());
}
