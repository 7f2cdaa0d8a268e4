// What a generated CI file needs to know, taken from the command line and the target profile. Pure.
import { DEFAULT_TARGET_HOSTS } from '../../common/operator-policy';
import { normalizeHost, type TargetProfile } from '../../common/profile';
import { namedSecrets } from '../../common/policy-check';

export const PROVIDERS = ['github', 'gitlab'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const DEFAULT_OUT: Record<Provider, string> = { github: '.github/workflows/perf-check.yml', gitlab: '.gitlab-ci.yml' };
export const DEFAULT_BASELINE_FILE = 'perf/baseline.json';
/** Where perf-orchestrator is in the user's repository after `npm ci` (a devDependency); a checkout works too. */
export const DEFAULT_TOOL_HOME = 'node_modules/perf-orchestrator';
export const JUNIT_FILE = 'reports/perf-junit.xml';
export const MARKDOWN_FILE = 'reports/perf-summary.md';
export const LOG_DIR = 'perf-logs';

export interface CiInput {
  /** The profile's path inside the repository (POSIX, relative to its root). */
  profilePath: string;
  targetName: string;
  /** Where the target answers in CI: --base-url, or the profile's http.baseUrl. */
  baseUrl: string;
  /** --base-url as given, passed on to `perf-orch check`. */
  baseUrlOverride?: string;
  /** The command that starts the target; absent: it already runs somewhere (a deployed environment). */
  start?: string;
  baselineFile: string;
  /** Environment variables the profile names (secrets): the worker must have them. */
  secrets: string[];
  /** PERF_TARGET_HOSTS for the worker when the profile's hosts are not all loopback; absent otherwise. */
  targetHosts?: string;
  /** The `perf-orch ci init ...` command line, for the file's header. */
  generatedBy: string;
}

export function ciInput(
  profile: TargetProfile,
  opts: { profilePath: string; baseUrl?: string; start?: string; baselineFile: string; generatedBy: string },
): CiInput {
  const baseUrl = opts.baseUrl ?? profile.http.baseUrl;
  const hosts = [new URL(baseUrl).hostname, ...profile.http.allowedHosts];
  if (profile.process?.inspectorUrl) hosts.push(new URL(profile.process.inspectorUrl).hostname);
  const extra = [...new Set(hosts.map(normalizeHost))].filter((h) => !DEFAULT_TARGET_HOSTS.includes(h));
  return {
    profilePath: opts.profilePath,
    targetName: profile.name,
    baseUrl,
    baseUrlOverride: opts.baseUrl,
    start: opts.start,
    baselineFile: opts.baselineFile,
    secrets: [...new Set(namedSecrets(profile).map((s) => s.name))].sort(),
    targetHosts: extra.length ? [...DEFAULT_TARGET_HOSTS, ...extra].join(',') : undefined,
    generatedBy: opts.generatedBy,
  };
}
