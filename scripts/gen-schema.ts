/** Writes mxlock.schema.json (repo root) from the profile's zod schema (STYLE.md habit 7). Run: `npm run schema`. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ProfileSchema } from '../src/profile/schema.js';

export const SCHEMA_PATH = fileURLToPath(new URL('../mxlock.schema.json', import.meta.url));

/** The JSON Schema text, as committed. `io: 'input'`: defaults make keys optional for the person writing the file. */
export function schemaText(): string {
  const schema = {
    ...z.toJSONSchema(ProfileSchema, { io: 'input' }),
    title: 'mxlock profile (mxlock.yaml)',
    description:
      'Gateway, hybrid servers, declared Direct Send sources, protected users and waivers for mxlock.',
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(SCHEMA_PATH, schemaText(), 'utf8');
  process.stderr.write(`wrote ${SCHEMA_PATH}\n`);
}
