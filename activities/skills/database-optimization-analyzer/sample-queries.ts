// Sample queries (`database.advisor.sampleQueries`): statements with real values, e.g. from the
// application's log. Each is matched by fingerprint (PostgreSQL's parser: constants and $n parameters
// fingerprint alike) to the window's statement it is an instance of. Its plan with these values (a
// custom plan: EXPLAIN only, never executed) is set next to the generic plan in the evidence, before
// and with the proposed index as a hypothetical index; generic plans can hide skew (a value that
// matches half the table). With explainAnalyze, a sample that is a plain SELECT is also run with
// EXPLAIN ANALYZE (explain-analyze.ts); a write never is.
import type { Pool } from 'pg';
import type { IndexRecommendation } from './advisor';
import { candidateKey } from '../../postgres/index-model';
import { GenericPlanner, type PlannerOptions } from '../../postgres/planner';
import { effectiveCost, planExcerpt, planUsesIndex } from '../../postgres/plan-walk';
import { tryParse } from '../../postgres/sql-parse';
import { round } from '../../../common/round';

export interface SampleQuery {
  /** The sample as written in the profile (one statement, real values). */
  text: string;
  /** Its number in the profile's list, from 1, for the notes. */
  n: number;
}

/** By queryid of the window's statements: the sample that is an instance of it. */
export type SamplesByQueryid = Map<string, SampleQuery>;

/** Matches the samples to the statements (both parsed); every sample that matches none gets a note saying why. */
export function matchSamples(samples: string[], statements: { queryid: string; query: string }[], notes: string[]): SamplesByQueryid {
  const out: SamplesByQueryid = new Map();
  if (samples.length === 0) return out;
  const byFingerprint = new Map<string, SampleQuery>();
  samples.forEach((raw, i) => {
    const n = i + 1;
    const parsed = tryParse(raw, { fingerprint: true });
    if ('error' in parsed) {
      notes.push(`sample query ${n} could not be parsed (${parsed.error}): fix it in database.advisor.sampleQueries or remove it`);
      return;
    }
    const f = parsed.facts;
    if (f.statementCount !== 1) {
      notes.push(`sample query ${n} holds ${f.statementCount} statements: give one statement per sample`);
      return;
    }
    if (f.maxParam > 0) {
      notes.push(`sample query ${n} still has parameters ($${f.maxParam}): give it with real values, as the application sends them`);
      return;
    }
    if (!f.fingerprint) return;
    if (!byFingerprint.has(f.fingerprint)) byFingerprint.set(f.fingerprint, { text: f.text, n });
  });
  const matched = new Set<number>();
  for (const s of statements) {
    const parsed = tryParse(s.query, { fingerprint: true });
    if ('error' in parsed || !parsed.facts.fingerprint) continue;
    const sample = byFingerprint.get(parsed.facts.fingerprint);
    if (!sample) continue;
    out.set(s.queryid, sample);
    matched.add(sample.n);
  }
  for (const s of byFingerprint.values()) {
    if (!matched.has(s.n))
      notes.push(`sample query ${s.n} matches no statement of the window (same statement with other values): ${s.text.slice(0, 120)}`);
  }
  return out;
}

export interface SamplePlan {
  sample: SampleQuery;
  costBefore: number;
  planBefore: string;
  /** By recommendation (its candidateKey): the custom plan with the proposed index as a hypothetical index. */
  after: Record<string, { cost: number; plan: string; used: boolean }>;
}

/**
 * The custom plans of the samples of the recommendations' statements: before, and with each
 * recommendation that serves the statement as a hypothetical index (when hypopg is there). EXPLAIN
 * only, in READ ONLY transactions with statement_timeout (planner.ts).
 */
export async function planSamples(
  pool: Pool,
  hypopgSchema: string | null,
  recs: IndexRecommendation[],
  samples: SamplesByQueryid,
  plannerOptions: Partial<PlannerOptions>,
  notes: string[],
): Promise<Map<string, SamplePlan>> {
  const out = new Map<string, SamplePlan>();
  const wanted = recs.flatMap((r) => r.statements.flatMap((s) => s.queryids.filter((q) => samples.has(q)).map((q) => ({ r, q }))));
  if (wanted.length === 0) return out;
  const planner = await GenericPlanner.open(pool, hypopgSchema, plannerOptions);
  try {
    for (const { q } of wanted) {
      if (out.has(q)) continue;
      const sample = samples.get(q)!;
      try {
        const plan = await planner.explain(sample.text, 0);
        out.set(q, { sample, costBefore: effectiveCost(plan, null), planBefore: planExcerpt(plan), after: {} });
      } catch (err) {
        notes.push(`sample query ${sample.n} could not be planned: ${(err as Error).message}`);
      }
    }
    if (!hypopgSchema) return out;
    for (const r of recs) {
      const mine = wanted.filter((w) => w.r === r && out.has(w.q));
      if (mine.length === 0) continue;
      const h = await planner.createHypothetical(r);
      try {
        for (const { q } of mine) {
          const sp = out.get(q)!;
          try {
            const plan = await planner.explain(sp.sample.text, 0);
            sp.after[candidateKey(r)] = { cost: effectiveCost(plan, null), plan: planExcerpt(plan), used: planUsesIndex(plan, h.name) };
          } catch (err) {
            notes.push(`sample query ${sp.sample.n} could not be planned with the proposed index: ${(err as Error).message}`);
          }
        }
      } finally {
        await planner.dropHypothetical(h).catch(() => undefined);
      }
    }
    return out;
  } finally {
    await planner.close();
  }
}

/** The evidence line of a sample for one recommendation. */
export function sampleEvidence(sp: SamplePlan, r: IndexRecommendation): string {
  const head =
    `with sample values (profile sample ${sp.sample.n}: ` +
    `${sp.sample.text.length > 160 ? `${sp.sample.text.slice(0, 157)}...` : sp.sample.text}), ` +
    `custom plan (EXPLAIN, not run): cost ${round(sp.costBefore, 2)}`;
  const a = sp.after[candidateKey(r)];
  if (!a) return `${head}; plan: ${sp.planBefore}`;
  const pct = sp.costBefore > 0 ? round((100 * (sp.costBefore - a.cost)) / sp.costBefore, 1) : 0;
  return a.used
    ? `${head} -> ${round(a.cost, 2)} with the index (-${pct}%), which it uses`
    : `${head}; with the index ${round(a.cost, 2)}: the planner does NOT use it for these values (not selective enough for them); plan: ${a.plan}`;
}
