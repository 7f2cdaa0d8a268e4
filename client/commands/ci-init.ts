// `perf-orch ci init`: writes a CI file (GitHub Actions or GitLab CI) that starts the target and runs
// `perf-orch check` against the committed, pinned baseline on every pull/merge request.
import { Option, type Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { recordCiFile } from '../../activities/store/queries/ci-files';
import { redactedStoreUrl, withStore } from '../store';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { printable } from '../../common/printable';
import { ciInput, DEFAULT_BASELINE_FILE, DEFAULT_OUT, PROVIDERS, type CiInput, type Provider } from '../ci/ci-input';
import { githubWorkflow } from '../ci/github';
import { gitlabCi } from '../ci/gitlab';
import { shellWord } from '../ci/shell';
import { UsageError } from '../errors';
import { loadProfileFile } from '../profile-file';

interface CiInitOptions {
  provider: string;
  target: string;
  start?: string;
  baseUrl?: string;
  baselineFile: string;
  out?: string;
  force?: boolean;
}

export function registerCi(program: Command): void {
  const ci = program.command('ci').description('CI files that run `perf-orch check` on every pull/merge request');
  ci.command('init')
    .description('write .github/workflows/perf-check.yml (github) or .gitlab-ci.yml (gitlab); run it from the repository root')
    .addOption(new Option('--provider <name>', 'github or gitlab').makeOptionMandatory())
    .requiredOption('--target <profile>', 'the target profile (YAML or JSON), inside this repository')
    .option('--start <command>', 'the shell command that starts the target in CI (without: the target already runs at its base URL)')
    .option('--base-url <url>', "where the target answers in CI, if not the profile's http.baseUrl")
    .option('--baseline-file <file>', 'the committed baseline that CI imports and pins', DEFAULT_BASELINE_FILE)
    .option('--out <path>', "where to write the file (default: the provider's usual place)")
    .option('--force', 'overwrite an existing file')
    // A missing or unknown option is a usage error like the others: exit 2, not commander's 1 (help stays 0).
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(async (opts: CiInitOptions) => {
      const { provider, out, input } = ciInitPlan(opts, process.cwd());
      if (existsSync(out) && !opts.force)
        throw new UsageError(`${relative(process.cwd(), out) || out} already exists; pass --force to overwrite it`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, provider === 'github' ? githubWorkflow(input) : gitlabCi(input));
      console.log(
        `wrote ${relative(process.cwd(), out)}: ${provider === 'github' ? 'GitHub Actions' : 'GitLab CI'} perf check of ${input.targetName}`,
      );
      if (!existsSync(resolve(input.baselineFile)))
        console.log(
          `note: ${input.baselineFile} does not exist yet; commit the baseline there before the job runs (its import step needs it)`,
        );
      if (!input.start && isLoopback(input.baseUrl))
        console.log(`note: no --start: the job expects ${input.baseUrl} to answer, but nothing starts it; give --start "<command>"`);
      if (input.secrets.length)
        console.log(
          `the profile names ${input.secrets.join(', ')}: add them as ${provider === 'github' ? 'repository secrets' : 'masked CI/CD variables'}`,
        );
      await recordInStore(input.targetName, provider, relative(process.cwd(), out));
    });
}

/** Records the file in the store, so that a run counts it as regression prevention in place; a store that does not answer is said, not fatal. */
async function recordInStore(target: string, provider: Provider, path: string): Promise<void> {
  try {
    await withStore((pool) => recordCiFile(pool, { target, provider, path }));
    console.log(`recorded in the store (${redactedStoreUrl()}): runs of ${target} count this file as regression prevention in place`);
  } catch (err) {
    console.log(
      `note: the store at ${redactedStoreUrl()} did not answer (${(err as Error).message}); the file is written, but runs of ${target} ` +
        'will not count it as regression prevention until ci init runs again with PERF_STORE_URL pointing at the store',
    );
  }
}

/** Checks the options (exit 2 naming the flag) and reads the profile; what to write, and where. */
export function ciInitPlan(opts: CiInitOptions, cwd: string): { provider: Provider; out: string; input: CiInput } {
  if (!(PROVIDERS as readonly string[]).includes(opts.provider))
    throw new UsageError(`--provider must be ${PROVIDERS.join(' or ')} (got "${printable(opts.provider)}")`);
  const provider = opts.provider as Provider;
  if (opts.start !== undefined && !opts.start.trim())
    throw new UsageError('--start must be the command that starts the target, e.g. --start "npm start" (got an empty one)');
  if (opts.baseUrl !== undefined && !/^https?:\/\/[^/]/.test(opts.baseUrl))
    throw new UsageError(`--base-url must be an absolute http(s) URL such as http://127.0.0.1:3000 (got "${printable(opts.baseUrl)}")`);
  const profilePath = insideRepo('--target', opts.target, cwd);
  const baselineFile = insideRepo('--baseline-file', opts.baselineFile, cwd);
  const profile = loadProfileFile(resolve(cwd, opts.target));
  const generatedBy = ['perf-orch ci init', `--provider ${provider}`, `--target ${shellWord(profilePath)}`];
  if (opts.start) generatedBy.push(`--start ${shellWord(opts.start)}`);
  if (opts.baseUrl) generatedBy.push(`--base-url ${shellWord(opts.baseUrl)}`);
  if (baselineFile !== DEFAULT_BASELINE_FILE) generatedBy.push(`--baseline-file ${shellWord(baselineFile)}`);
  const input = ciInput(profile, {
    profilePath,
    baseUrl: opts.baseUrl,
    start: opts.start?.trim(),
    baselineFile,
    generatedBy: generatedBy.join(' '),
  });
  return { provider, out: resolve(cwd, opts.out ?? DEFAULT_OUT[provider]), input };
}

/** `file` as CI sees it: relative to the repository root (this directory), with forward slashes. */
function insideRepo(flag: string, file: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  if (!rel || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new UsageError(
      `${flag} ${file} is outside this directory; run \`perf-orch ci init\` from the repository root, with a file inside it`,
    );
  return rel.split(sep).join('/');
}

function isLoopback(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}
