import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antispam.allowed-senders.js';
import { customPolicy, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-spam policy 'Default'";
const cf = (props: Record<string, unknown>): CtxOptions => ({
  patch: { 'Get-HostedContentFilterPolicy': { props } },
});

test.each<[string, CtxOptions, string, string | undefined, string]>([
  ['pass: both lists empty', {}, 'pass', undefined, `${DEF}: AllowedSenderDomains is empty`],
  [
    'fail + critical: own accepted domain allowed',
    cf({ AllowedSenderDomains: ['Contoso.com'] }),
    'fail',
    'critical',
    `${DEF}: AllowedSenderDomains contains own domain(s) contoso.com`,
  ],
  [
    'fail + critical: own address allowed',
    cf({ AllowedSenders: ['ceo@fabrikam.com'] }),
    'fail',
    'critical',
    `${DEF}: AllowedSenders contains own address(s) ceo@fabrikam.com`,
  ],
  [
    'fail + critical: own subdomain allowed',
    cf({ AllowedSenderDomains: ['news.contoso.com'] }),
    'fail',
    'critical',
    `${DEF}: AllowedSenderDomains contains own domain(s) news.contoso.com`,
  ],
  [
    'fail + critical: own domain in a custom policy (not downgraded)',
    {
      patch: {
        'Get-HostedContentFilterPolicy': customPolicy('Get-HostedContentFilterPolicy', 'Execs', {
          AllowedSenderDomains: ['contoso.com'],
        }),
      },
    },
    'fail',
    'critical',
    "custom anti-spam policy 'Execs': AllowedSenderDomains contains own domain(s) contoso.com",
  ],
  [
    'warn: foreign sender domain allowed',
    cf({ AllowedSenderDomains: ['partner.example'] }),
    'warn',
    undefined,
    `${DEF}: AllowedSenderDomains contains partner.example (these senders bypass spam filtering, SFV:SKA`,
  ],
  [
    'warn: foreign sender allowed',
    cf({ AllowedSenders: ['bob@partner.example'] }),
    'warn',
    undefined,
    `${DEF}: AllowedSenders contains bob@partner.example`,
  ],
  [
    'unknown: file missing',
    { omit: ['Get-HostedContentFilterPolicy'] },
    'unknown',
    undefined,
    'Get-HostedContentFilterPolicy.json was not exported',
  ],
  [
    'unknown: property missing',
    cf({ AllowedSenders: undefined }),
    'unknown',
    undefined,
    `${DEF}: AllowedSenders is absent from the export`,
  ],
])('%s', (_n, opts, status, severity, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.severity).toBe(severity);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('without accepted domains, foreign-looking entries cannot be cleared of being own domains', () => {
  const out = run(check, { ...cf({ AllowedSenderDomains: ['contoso.com'] }), omit: ['Get-AcceptedDomain'] });
  expect(out.status).toBe('warn');
  expect(out.severity).toBeUndefined();
  expect(out.evidence).toContain(
    `${DEF}: Get-AcceptedDomain.json was not exported, so AllowedSenderDomains entries cannot be checked for own domains`,
  );
});

test('remediation removes every allow entry, quoted', () => {
  const out = run(
    check,
    cf({ AllowedSenderDomains: ['contoso.com', "it's.example"], AllowedSenders: ['bob@partner.example'] }),
  );
  expect(out.remediation?.powershell).toBe(
    "Set-HostedContentFilterPolicy -Identity 'Default' -AllowedSenderDomains @{Remove='contoso.com','it''s.example'} -AllowedSenders @{Remove='bob@partner.example'}",
  );
});
