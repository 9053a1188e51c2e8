// Writes protocol/schema.json (npm run schema). A test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { protocolJsonSchema } from './json-schema.ts';

const target = new URL('./schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
