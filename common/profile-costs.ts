// The profile's optional cost inputs, for the cost-performance summary (common/rules/roi.ts). All amounts
// are in `currency`; none is a secret. Without them the summary says what is missing instead of an ROI.
import { z } from 'zod';

const amount = (what: string) =>
  z
    .number({ error: `must be a number: ${what}` })
    .min(0, `must be 0 or more: ${what}`)
    .optional();

export const CostsSchema = z.strictObject({
  // An ISO 4217 code, only a label for the amounts below.
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'use a three-letter currency code such as USD or EUR')
    .default('USD'),
  // What an engineer-day costs: the one-time cost of the changes is their effort days x this.
  engineeringPerDay: amount('what one engineer-day costs, e.g. 800'),
  // What the target's infrastructure costs a month now: the base of the rightsizing savings.
  infrastructurePerMonth: amount("what the target's infrastructure costs a month, e.g. 4000"),
  // What meeting the targets is worth a month to the business (conversion, SLA credits avoided, ...).
  businessValuePerMonth: amount('what meeting the targets is worth a month, e.g. 10000'),
});
export type CostInputs = z.infer<typeof CostsSchema>;
