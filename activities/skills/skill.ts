// The shape every skill has (see the README's "A skill"): options resolved from the profile, a
// collect step that does all the I/O, a pure analyze step from evidence to findings, and an activity
// of a few lines made from them by skillActivity.
import type { TargetProfile } from '../../common/profile';
import type { SkillName } from '../../common/skills';
import type { SkillRequest, SkillResult } from '../../common/stages';
import type { Finding } from '../../common/types';
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
  /** All the I/O: reads the target, the store, the planner; never decides what to propose. */
  collect(deps: ActivityDeps, req: SkillRequest, options: Options): Promise<Collected<Evidence>>;
  /** Pure: evidence in, findings out (unit-tested without services). */
  analyze(evidence: Evidence, options: Options, req: SkillRequest): SkillAnalysis;
  /** A few figures of the evidence for the Web UI (the evidence itself goes to the store). */
  figures(evidence: Evidence): SkillFigures;
}

export const SKILL_EVIDENCE_KIND = 'skill-evidence';

/** The activity of a skill: collect, analyze, store the evidence, return findings, notes and figures. */
export function skillActivity<Options, Evidence>(skill: Skill<Options, Evidence>, deps: ActivityDeps) {
  return async (req: SkillRequest): Promise<SkillResult> => {
    const skipped = skill.skip(req);
    if (skipped) return { skill: skill.name, findings: [], notes: [], evidence: { artifactId: null, figures: {} }, skipped };
    const options = skill.options(req.target);
    const { evidence, notes } = await skill.collect(deps, req, options);
    const analysis = skill.analyze(evidence, options, req);
    const artifactId = await saveArtifact(deps.store, req.runId, `${SKILL_EVIDENCE_KIND}:${skill.name}`, evidence);
    const figures = skill.figures(evidence);
    return {
      skill: skill.name,
      findings: analysis.findings,
      notes: [...notes, ...analysis.notes],
      evidence: { artifactId, figures },
      skipped: null,
    };
  };
}
