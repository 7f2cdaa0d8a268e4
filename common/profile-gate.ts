// The profile's gate section: what `perf-orch check` holds the target to. Pure.
import { z } from 'zod';
import { parseThreshold, ThresholdError } from './gate/thresholds';

export const BASELINE_CHOICE = /^(pinned(:\d+)?|recent:\d+|none)$/;

export const GateSchema = z.strictObject({
  // e.g. ["p95<300", "p99<800", "error_rate<1%", "throughput>500", "p95{product}<200"]; default: the SLO targets.
  thresholds: z.array(z.string()).optional(),
  // Fail when the p95 ratio (candidate / baseline) is above this and its 95% interval is above 1.
  maxP95Ratio: z.number().min(1).max(10).default(1.05),
  // pinned (the latest pinned baseline), pinned:ID, recent:N (the last N passing checks), none.
  baseline: z.string().regex(BASELINE_CHOICE, 'must be pinned, pinned:ID, recent:N or none').default('pinned'),
});
export type GateSettings = z.infer<typeof GateSchema>;

/** Thresholds that do not parse, or name an endpoint the profile lacks. */
export function gateIssues(p: {
  gate?: GateSettings;
  http: { endpoints: { name: string }[] };
}): { path: (string | number)[]; message: string }[] {
  const names = p.http.endpoints.map((e) => e.name);
  const out: { path: (string | number)[]; message: string }[] = [];
  (p.gate?.thresholds ?? []).forEach((t, i) => {
    try {
      parseThreshold(t, names);
    } catch (err) {
      if (!(err instanceof ThresholdError)) throw err;
      out.push({ path: ['gate', 'thresholds', i], message: err.message });
    }
  });
  return out;
}
