// The output contract as JSON Schema (draft 2020-12), for tools outside this project. Committed as
// docs/output-contract.schema.json (npm run schema:contract writes it; a unit test checks it is current).
import { z } from 'zod';
import { OutputContractSchema } from './output-contract';

export const CONTRACT_SCHEMA_FILE = 'docs/output-contract.schema.json';

export function contractJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(OutputContractSchema) as Record<string, unknown>;
}
