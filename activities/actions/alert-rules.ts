// Installing the observability skill's alert rules, and undoing it. The file is written beside its
// final name and renamed (Prometheus never reads half a file), Prometheus is reloaded, and the
// groups of the file must all be loaded with healthy rules (evaluated without error) within a
// minute; a file Prometheus does not take is put back as it was before this call returns. The undo
// puts back what the file replaced (or removes it) and reloads, unless the file is no longer the one
// the run wrote (its SHA-256 differs: someone changed it since), which it leaves alone. Both are
// idempotent: run again, they find the state they leave. What the file held before is recorded
// (onPrevious: the activity's heartbeat) before it is overwritten, so the retry of an attempt whose
// worker died undoes to that, not to the run's own file it finds there.
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { rulesDirAllowed, type OperatorPolicy } from '../../common/operator-policy';
import type { TargetProfile } from '../../common/profile';
import type { ActionSpec, AppliedChange } from '../../common/types';
import { sleep } from '../activity-context';
import type { PrometheusApi } from '../prometheus/client';
import { loadArtifact } from '../store/artifacts';
import type { UndoResult } from './feature-toggle';
import type { AlertRulesArtifact } from '../../common/observability/slo-rules';

type InstallAction = Extract<ActionSpec, { type: 'install_alert_rules' }>;
type RemoveUndo = Extract<AppliedChange['undo'], { type: 'remove_alert_rules' }>;

export const RULES_HEALTHY_WITHIN_MS = 60_000;

export function rulesDirOf(target: TargetProfile, policy: Pick<OperatorPolicy, 'rulesDirs'>): string {
  const dir = target.observability?.rulesDir;
  if (!dir)
    throw ApplicationFailure.nonRetryable(`target ${target.name} names no observability.rulesDir to install alert rules in`, 'BadPlan');
  if (!rulesDirAllowed(policy, dir))
    throw ApplicationFailure.nonRetryable(`${dir} is not in this worker's PERF_PROMETHEUS_RULES_DIRS`, 'PolicyRefused');
  return dir;
}

const readIfThere = (path: string): Promise<string | null> =>
  readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The groups Prometheus loaded from `file`: by its path, or, when Prometheus reads the directory under
 * another path (a container's mount), by the file's name.
 */
export function groupsOfFile<G extends { file: string }>(all: readonly G[], file: string): G[] {
  const exact = all.filter((g) => g.file === file);
  return exact.length ? exact : all.filter((g) => basename(g.file) === basename(file));
}

/** Waits until every group of `file` is loaded and evaluated without error; the reason when it is not. */
export async function unhealthy(api: PrometheusApi, file: string, groups: readonly string[]): Promise<string | null> {
  const deadline = Date.now() + RULES_HEALTHY_WITHIN_MS;
  for (;;) {
    const loaded = groupsOfFile(await api.ruleGroups(), file);
    const missing = groups.filter((g) => !loaded.some((l) => l.name === g));
    const failing = loaded.flatMap((g) => g.rules.filter((r) => r.health === 'err').map((r) => `${r.name}: ${r.lastError}`));
    if (failing.length > 0) return `rules evaluated with errors: ${failing.slice(0, 3).join('; ')}`;
    const pending = loaded.flatMap((g) => g.rules.filter((r) => r.health !== 'ok'));
    if (missing.length === 0 && pending.length === 0) return null;
    if (Date.now() > deadline) {
      return missing.length
        ? `Prometheus did not load group(s) ${missing.join(', ')} from ${file}: is ${file} matched by its rule_files?`
        : `${pending.length} rule(s) not evaluated within ${RULES_HEALTHY_WITHIN_MS / 1000} s`;
    }
    await sleep(1000);
  }
}

/** What an earlier attempt of the same install recorded the file held before it (absent: no earlier attempt got that far). */
export interface InstallMemory {
  knownPrevious?: { text: string | null };
  onPrevious?: (text: string | null) => void;
}

export async function installAlertRules(
  target: TargetProfile,
  a: InstallAction,
  deps: { store: Pool; policy: Pick<OperatorPolicy, 'rulesDirs'>; api: PrometheusApi },
  memory: InstallMemory = {},
): Promise<{ undo: AppliedChange['undo']; details: string }> {
  // The name comes from the plan: one plain file name, never a path out of the directory.
  if (basename(a.fileName) !== a.fileName || !/^[A-Za-z0-9._-]+\.ya?ml$/.test(a.fileName))
    throw ApplicationFailure.nonRetryable(`alert rules file name ${JSON.stringify(a.fileName)} is not a plain *.yml name`, 'BadPlan');
  const path = join(rulesDirOf(target, deps.policy), a.fileName);
  const art = await loadArtifact<AlertRulesArtifact>(deps.store, a.artifactId);
  const current = await readIfThere(path);
  const previous = memory.knownPrevious ? memory.knownPrevious.text : current;
  const undo: RemoveUndo = { type: 'remove_alert_rules', path, previous, installedSha256: sha256(art.yaml) };
  if (current === art.yaml && (await unhealthy(deps.api, path, art.groups)) === null) {
    // Installed before this attempt: by an earlier attempt of this run (undo to what it recorded), or by someone else.
    if (memory.knownPrevious) return { undo, details: `${path}: installed by an earlier attempt, loaded and healthy` };
    return { undo: { type: 'none', why: `${path} was already installed as it is` }, details: `${path}: already installed and healthy` };
  }
  memory.onPrevious?.(previous);
  await writeAtomically(path, art.yaml);
  try {
    await deps.api.reload();
    const why = await unhealthy(deps.api, path, art.groups);
    if (why) throw ApplicationFailure.nonRetryable(`Prometheus did not take ${path}: ${why}`, 'AlertRulesRefused');
  } catch (err) {
    await removeAlertRules(undo, deps.api).catch(() => undefined);
    throw err;
  }
  return { undo, details: `${path}: ${a.rules} rules in ${art.groups.length} groups loaded by Prometheus and healthy` };
}

export async function removeAlertRules(u: RemoveUndo, api: PrometheusApi): Promise<UndoResult> {
  const now = await readIfThere(u.path);
  if (u.previous === null && now === null) {
    await api.reload();
    return { details: `${u.path} is already gone`, skipped: `${u.path} is already gone` };
  }
  // Undone already (the earlier file is back), or changed by someone since the run wrote it: left as it is.
  if (now !== null && now === u.previous) return { details: `${u.path} already holds what it held before`, skipped: 'already undone' };
  if (now !== null && u.installedSha256 && sha256(now) !== u.installedSha256) {
    const why = `${u.path} was changed after the run installed it (its SHA-256 differs): left as it is`;
    return { details: why, skipped: why };
  }
  if (u.previous === null) await rm(u.path, { force: true });
  else await writeAtomically(u.path, u.previous);
  await api.reload();
  return {
    details: u.previous === null ? `removed ${u.path} and reloaded Prometheus` : `put back the earlier ${u.path} and reloaded Prometheus`,
  };
}
