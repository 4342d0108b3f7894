import { expect, test } from 'vitest';
import { checks } from '../../../src/checks/step4/index.js';
import { checkCatalogContract } from '../helpers.js';
import { contractProblems, makeCtx } from '../ctx4.js';

// DESIGN §4, step 4, in catalog order.
const CATALOG = [
  'dns.spf',
  'dns.dmarc-policy',
  'dns.dmarc-reporting',
  'dns.dkim-selectors',
  'dns.mx-gateway',
  'dkim.signing-enabled',
  'antiphish.spoof-intelligence',
  'antiphish.honor-dmarc',
  'antiphish.unauthenticated-action',
  'antiphish.impersonation',
  'antiphish.mailbox-intelligence',
  'antispam.thresholds',
  'antispam.allowed-senders',
  'connfilter.ip-allow-list',
  'connfilter.safe-list',
  'tabl.spoof-allow',
  'dns.dmarc-initial-domain',
  'tabl.allow-entries',
  'antiphish.trusted-senders',
  'antiphish.org-domain-impersonation',
  'antispam.phish-action',
];

test('registers the step-4 catalog in order', () => {
  expect(checks.map((c) => c.id)).toEqual(CATALOG);
});

checkCatalogContract(checks, 4, 'step4');

test.each(checks.map((c) => [c.id, c] as const))('%s keeps the check contract', (_id, check) => {
  expect(check.step).toBe(4);
  expect(contractProblems(check, 'step4')).toEqual([]);
});

test.each(checks.map((c) => [c.id, c] as const))(
  '%s passes on the hardened tenant or says why not (never throws)',
  (id, check) => {
    const out = check.evaluate(makeCtx());
    const expected = id.startsWith('dns.') ? 'unknown' : 'pass';
    expect(out.status).toBe(expected);
    expect(out.evidence.length).toBeGreaterThan(0);
  },
);

test.each(checks.map((c) => [c.id, c] as const))(
  '%s is unknown, not pass, on an export with no files it needs',
  (_id, check) => {
    const out = check.evaluate(
      makeCtx({
        omit: [
          'Get-AcceptedDomain',
          'Get-AntiPhishPolicy',
          'Get-HostedContentFilterPolicy',
          'Get-HostedConnectionFilterPolicy',
          'Get-DkimSigningConfig',
          'Get-TenantAllowBlockListSpoofItems',
          'Get-TenantAllowBlockListItems',
        ],
      }),
    );
    expect(out.status).toBe('unknown');
  },
);
