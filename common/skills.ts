// The skills registry: every analyzer the analysis step can run, the layers it serves and the
// activity that runs it. Adding a skill: its folder under activities/skills/ and one line here with a
// `since` patch id (the type checker then asks activities/skills/index.ts for its activity).
import type { Layer } from './profile';

export interface SkillEntry {
  /** The specification's skill name; also the `source` of its findings. */
  name: string;
  /** The activity type that runs it (what the Web UI lists). */
  activity: string;
  /** The layers in scope that call for it; it runs when any of them is in the run's scope. */
  layers: readonly Layer[];
  /** What it looks at, for the Web UI's summary of its step. */
  looksAt: string;
  /**
   * The patch id a skill added after the registry gets (e.g. 'skill-edge-computing-architect'): an
   * analysis recorded before it replays without it (workflows/analysis.ts asks patched(since)).
   */
  since?: string;
}

export const SKILLS = [
  {
    name: 'database-optimization-analyzer',
    activity: 'databaseOptimizationAnalyzer',
    layers: ['database', 'application'],
    looksAt: 'missing indexes, N+1 statements, health checks',
  },
  {
    name: 'cache-analyzer',
    activity: 'cacheAnalyzer',
    layers: ['caching'],
    looksAt: 'uncached endpoints, hit ratio, evictions, slow commands',
  },
  {
    name: 'observability-stack-configurator',
    activity: 'observabilityStackConfigurator',
    layers: ['application', 'database', 'caching', 'infrastructure', 'network'],
    looksAt: "the target's own Prometheus: scrape job, latency histogram, exporters, baseline and traffic beside the load test",
    since: 'skill-observability-stack-configurator',
  },
] as const satisfies readonly SkillEntry[];

export type SkillName = (typeof SKILLS)[number]['name'];
export type SkillActivityName = (typeof SKILLS)[number]['activity'];

/**
 * The skills to run for a scope, in the order the decision rules give: those serving the focus layers
 * first (in the focus order), then the others in registry order.
 */
export function skillsInOrder(scope: readonly Layer[], focus: readonly Layer[]): SkillEntry[] {
  const inScope = SKILLS.filter((s) => s.layers.some((l) => scope.includes(l)));
  const rank = (s: SkillEntry): number => {
    const i = focus.findIndex((l) => s.layers.includes(l));
    return i < 0 ? focus.length : i;
  };
  return inScope
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)
    .map(({ s }) => s);
}
