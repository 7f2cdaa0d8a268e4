// The shape every skill has (see the README's "A skill"): options resolved from the profile, a
// collect step that does all the I/O, a pure analyze step from evidence to findings, and an activity
// of a few lines made from them by skillActivity.
import type { TargetProfile } from '../../common/profile';
import type { SkillName } from '../../common/skills';
import type { SkillRequest, SkillResult } from '../../common/stages';
import { ApplicationFailure } from '@temporalio/common';
import type { CacheProfile, DatabaseProfile, Finding, LoadTestSummary } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { saveArtifact } from '../store/artifacts';

/** What collect gathered, and what it could not (notes). */
export interface Collected<Evidence> {
  evidence: Evidence;
  notes: string[];
}

/** What analyze concluded from the evidence. */
export interface SkillAnalysis {
  findings: Finding[];
  notes: string[];
}

export type SkillFigures = SkillResult['evidence']['figures'];

export interface Skill<Options, Evidence> {
  name: SkillName;
  /** Why there is nothing to look at for this request (e.g. no database section), or null. */
  skip(req: SkillRequest): string | null;
  options(target: TargetProfile): Options;
  /** All the I/O: reads the target and the store, asks the planner its what-if questions; gathers the evidence. */
  collect(deps: ActivityDeps, req: SkillRequest, options: Options): Promise<Collected<Evidence>>;
  /** Pure: evidence in, findings out (unit-tested without services). */
  analyze(evidence: Evidence, options: Options, req: SkillRequest): SkillAnalysis;
  /** A few figures of the evidence for the Web UI (the evidence itself goes to the store). */
  figures(evidence: Evidence): SkillFigures;
}

export const SKILL_EVIDENCE_KIND = 'skill-evidence';

/** The activity of a skill: collect, store the evidence, analyze, return findings, notes and figures. */
export function skillActivity<Options, Evidence>(skill: Skill<Options, Evidence>, deps: ActivityDeps) {
  return async (input: SkillRequest | LegacySkillRequest): Promise<SkillResult> => {
    const legacy = !('profiling' in input);
    const req = legacy ? fromLegacyRequest(input) : input;
    const result = await runSkill(skill, deps, req);
    // An analysis started before the registry expects bare findings (analysis-before-registry.ts).
    return legacy ? (result.findings as unknown as SkillResult) : result;
  };
}

async function runSkill<Options, Evidence>(skill: Skill<Options, Evidence>, deps: ActivityDeps, req: SkillRequest): Promise<SkillResult> {
  const skipped = skill.skip(req);
  if (skipped) return { skill: skill.name, findings: [], notes: [], evidence: { artifactId: null, figures: {} }, skipped };
  const options = skill.options(req.target);
  const { evidence, notes } = await skill.collect(deps, req, options);
  // Stored first: evidence that breaks analyze is kept for the bug report.
  const artifactId = await saveArtifact(deps.store, req.runId, `${SKILL_EVIDENCE_KIND}:${skill.name}`, evidence);
  let analysis: SkillAnalysis;
  try {
    analysis = skill.analyze(evidence, options, req);
  } catch (err) {
    // Pure: a retry would fail the same way (and collect again for nothing).
    throw ApplicationFailure.nonRetryable(
      `${skill.name} could not analyze its evidence (artifact ${artifactId}): ${(err as Error).message}`,
      'SkillFailed',
    );
  }
  const figures = skill.figures(evidence);
  return {
    skill: skill.name,
    findings: analysis.findings,
    notes: [...notes, ...analysis.notes],
    evidence: { artifactId, figures },
    skipped: null,
  };
}

/**
 * The requests of analyses started before the skill registry, which may still be retrying when a
 * worker with this code takes them over: the database skill got its profile, the cache skill its
 * window and the baseline.
 */
export interface LegacySkillRequest {
  runId?: string;
  target: TargetProfile;
  profile?: DatabaseProfile;
  cache?: CacheProfile;
  baseline?: LoadTestSummary;
}

function fromLegacyRequest(r: LegacySkillRequest): SkillRequest {
  return {
    runId: r.runId ?? 'before-registry',
    target: r.target,
    scope: r.target.scope,
    focus: [],
    profiling: {
      // The database skill never read the baseline; the cache skill always had one.
      baseline: r.baseline as LoadTestSummary,
      database: r.profile ?? null,
      cache: r.cache ?? null,
      process: null,
      network: null,
      cpu: null,
      bottlenecks: [],
    },
  };
}
