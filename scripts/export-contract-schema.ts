// Writes the output contract's JSON Schema to docs/output-contract.schema.json (npm run schema:contract).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_SCHEMA_FILE, contractJsonSchema } from '../common/contract-json-schema';

const file = join(__dirname, '..', CONTRACT_SCHEMA_FILE);
writeFileSync(file, `${JSON.stringify(contractJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
