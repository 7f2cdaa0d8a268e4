// The observability skill's settings, as a zod schema with their defaults. No profile section sets
// them yet (when one does, its schema joins common/profile-observability.ts and is parsed here).
import { z } from 'zod';
import type { TargetProfile } from '../../../common/profile';

export const ObservabilityOptionsSchema = z.object({
  /** How far back before the baseline the service's own traffic is read, to propose the load mix. */
  trafficLookbackHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(6),
  /** Less traffic than this (req/s) before the run is no production pattern to propose. */
  minTrafficRps: z.number().min(0).default(0.05),
  /** Routes left out of every figure: Prometheus's own scrapes are not the load (django-prometheus names its view). */
  excludeRoutes: z.array(z.string()).default(['/metrics', 'prometheus-django-metrics']),
  /** Request rates differing by more than this fraction disagree. */
  rateTolerance: z.number().positive().default(0.1),
  /** Error rates differing by more than this many percentage points disagree. */
  errorPointsTolerance: z.number().positive().default(1),
  /** A rate needs this many scrapes in the window; a shorter window gives latencies only (over a widened window). */
  minScrapesInWindow: z.number().int().min(2).default(3),
  /** Longest wait (s) for the scrape that follows the load window, when the analysis starts right after it. */
  maxWaitForScrapeSeconds: z.number().min(0).default(30),
});

export type ObservabilityOptions = z.infer<typeof ObservabilityOptionsSchema>;

export const DEFAULT_OBSERVABILITY_OPTIONS: ObservabilityOptions = ObservabilityOptionsSchema.parse({});

export function observabilityOptionsFor(_target: TargetProfile): ObservabilityOptions {
  return DEFAULT_OBSERVABILITY_OPTIONS;
}
