/**
 * Issue 10 item 6: a tenant with thousands of transport rules is assessed and planned, each rule handled, in work that
 * grows about linearly (no recursion per rule, no search of every rule for each change). examples/half-done with its
 * safety net (in AuditAndNotify) copied thousands of times: audit-mode rules change no delivery, so the paths read as
 * with the one rule, and the plan is that of the one rule, for the first copy.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { decodeText } from '../../src/snapshot/decode.js';
import { planExportOffline } from './builders.js';
import { cases } from '../support/scale.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'half-done');
const NOW = new Date('2026-11-28T00:00:00Z');
/** Thousands for `npm test`, the 5,000 of the issue under `npm run test:full`. */
const COPIES = cases(2000, 5000);
const dir = mkdtempSync(join(tmpdir(), 'mxlock-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test(`examples/half-done with its safety net ${COPIES} times: the same paths and the same plan`, async () => {
  cpSync(EXAMPLE, dir, { recursive: true });
  const file = join(dir, 'Get-TransportRule.json');
  const full = JSON.parse(decodeText(readFileSync(file), file).text) as Record<string, unknown>;
  // The properties the export holds a value for (of ~200, most are null): a smaller file to read thousands of times over.
  const rule = Object.fromEntries(Object.entries(full).filter(([, v]) => v !== null));
  const copies = Array.from({ length: COPIES }, (_, i) => ({
    ...rule,
    Name: `${String(rule['Name'])} ${i}`,
    Identity: `${String(rule['Name'])} ${i}`,
    Guid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    Priority: i,
  }));
  writeFileSync(file, JSON.stringify(copies));

  const one = await planExportOffline(EXAMPLE, NOW);
  const many = await planExportOffline(dir, NOW);
  const statuses = (r: typeof one) => r.assessed.report.paths.map((p) => [p.id, p.status]);
  expect(statuses(many)).toEqual(statuses(one));
  const changes = (r: typeof one) =>
    r.checked.plan.stages.map((s) => s.changes.map((c) => [c.kind, c.identity, c.after]));
  const expected = changes(one).map((s) =>
    s.map(([kind, id, after]) => [kind, kind === 'TransportRule' ? `${String(id)} 0` : id, after]),
  );
  expect(changes(many)).toEqual(expected);
  expect(many.checked.plan.refusal).toBeUndefined();
});
