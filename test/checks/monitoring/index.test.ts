import { expect, test } from 'vitest';
import { checks } from '../../../src/checks/monitoring/index.js';
import { contractProblems } from '../ctx4.js';

test('registers the monitoring catalog (DESIGN §4)', () => {
  expect(checks.map((c) => c.id)).toEqual(['audit.unified-audit-log']);
});

test.each(checks.map((c) => [c.id, c] as const))('%s keeps the check contract', (_id, check) => {
  expect(check.step).toBe(6);
  // Monitoring is not in eop-model; the guide's Monitoring section is its basis.
  expect(contractProblems(check, 'monitoring')).toEqual([]);
});
