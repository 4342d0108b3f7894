import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { SCHEMA_PATH, schemaText } from '../../scripts/gen-schema.js';

test('the committed mxlock.schema.json is what `npm run schema` generates from ProfileSchema', () => {
  expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(schemaText());
});

test('the JSON Schema describes every profile section and rejects unknown keys', () => {
  const schema = JSON.parse(schemaText()) as {
    properties: Record<string, unknown>;
    additionalProperties: unknown;
  };
  expect(Object.keys(schema.properties)).toEqual([
    'gateway',
    'hybrid',
    'directSendSources',
    'protectedUsers',
    'waivers',
  ]);
  expect(schema.additionalProperties).toBe(false);
});
