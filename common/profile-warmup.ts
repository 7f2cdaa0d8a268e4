// The profile's load.warmup section (common/warmup.ts says what it does).
import { z } from 'zod';
import { DEFAULT_STEADY_WARMUP } from './warmup';

export { DEFAULT_STEADY_WARMUP };

/** load.warmup: the steady warm-up's cap and the steadiness check (common/warmup.ts). */
export const SteadyWarmupSchema = z
  .strictObject({
    until: z.literal('steady', { error: 'must be "steady" (for a fixed warm-up, set load.warmupSeconds alone)' }),
    maxSeconds: z.number().min(1).max(600).default(DEFAULT_STEADY_WARMUP.maxSeconds),
    windowSeconds: z.number().int().min(1).max(60).default(DEFAULT_STEADY_WARMUP.windowSeconds),
    tolerancePct: z.number().gt(0).max(100).default(DEFAULT_STEADY_WARMUP.tolerancePct),
  })
  .superRefine((w, ctx) => {
    if (w.maxSeconds < 2 * w.windowSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxSeconds'],
        message: `the steady check compares two windows of ${w.windowSeconds} s: maxSeconds must be at least ${2 * w.windowSeconds}`,
      });
    }
  });

/** load.warmupSeconds when a profile sets neither it nor load.warmup (then only stress steps use it: 1 s of it). */
export const DEFAULT_FIXED_WARMUP_SECONDS = 2;
