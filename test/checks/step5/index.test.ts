import { expect, test } from 'vitest';
import { checks } from '../../../src/checks/step5/index.js';
import { checkCatalogContract } from '../helpers.js';
import { contractProblems, makeCtx } from '../ctx4.js';

test('registers the step-5 catalog in order (DESIGN §4)', () => {
  expect(checks.map((c) => c.id)).toEqual([
    'ef.configured',
    'ef.scope',
    'ef.gateway-coverage',
    'ef.hybrid-skip',
    'arc.trusted-sealers',
  ]);
});

checkCatalogContract(checks, 5, 'step5');

test.each(checks.map((c) => [c.id, c] as const))('%s keeps the check contract', (_id, check) => {
  expect(check.step).toBe(5);
  expect(contractProblems(check, 'step5')).toEqual([]);
});

// The checks that read the connectors (arc.trusted-sealers reads Get-ArcConfig only).
test.each(checks.filter((c) => c.reads['Get-InboundConnector']).map((c) => [c.id, c] as const))(
  '%s is unknown without Get-InboundConnector',
  (_id, check) => {
    const out = check.evaluate(
      makeCtx({ omit: ['Get-InboundConnector'], profile: { hybrid: { ips: ['192.0.2.10'] } } }),
    );
    expect(out.status).toBe('unknown');
  },
);
