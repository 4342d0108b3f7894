import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step4/antiphish.honor-dmarc.js';
import { customPolicy, evidenceText, run, type CtxOptions } from '../ctx4.js';

const DEF = "anti-phish policy 'Office365 AntiPhish Default'";
const EF_NOTE =
  'EOP applies Honor DMARC only when Enhanced Filtering is enabled on the receiving connector (eop-model EF-5 [D] S27)';

test.each<[string, CtxOptions, string, string]>([
  ['pass', {}, 'pass', `${DEF}: HonorDmarcPolicy = true`],
  [
    'fail: default off',
    { patch: { 'Get-AntiPhishPolicy': { props: { HonorDmarcPolicy: false } } } },
    'fail',
    `${DEF}: HonorDmarcPolicy = false`,
  ],
  [
    'warn: custom off',
    {
      patch: {
        'Get-AntiPhishPolicy': customPolicy('Get-AntiPhishPolicy', 'Exec', { HonorDmarcPolicy: false }),
      },
    },
    'warn',
    "custom anti-phish policy 'Exec': HonorDmarcPolicy = false",
  ],
  [
    'info: DmarcRejectAction Quarantine is a documented choice',
    { patch: { 'Get-AntiPhishPolicy': { props: { DmarcRejectAction: 'Quarantine' } } } },
    'info',
    `${DEF}: DmarcRejectAction = Quarantine`,
  ],
  [
    'unknown: file missing',
    { omit: ['Get-AntiPhishPolicy'] },
    'unknown',
    'Get-AntiPhishPolicy.json was not exported',
  ],
  [
    'unknown: property missing',
    { patch: { 'Get-AntiPhishPolicy': { props: { HonorDmarcPolicy: undefined } } } },
    'unknown',
    `${DEF}: HonorDmarcPolicy is absent from the export`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('with a gateway the evidence says Honor DMARC needs Enhanced Filtering; without one it does not', () => {
  expect(evidenceText(run(check))).toContain(EF_NOTE);
  expect(evidenceText(run(check, { gateway: null }))).not.toContain(EF_NOTE);
  expect(run(check, { gateway: null }).status).toBe('pass');
});

test('remediation only for the policy that does not honour DMARC', () => {
  const out = run(check, {
    patch: {
      'Get-AntiPhishPolicy': [
        { props: { DmarcRejectAction: 'Quarantine' } },
        customPolicy('Get-AntiPhishPolicy', 'Exec', { HonorDmarcPolicy: false }),
      ],
    },
  });
  expect(out.status).toBe('warn');
  expect(out.remediation?.powershell).toBe("Set-AntiPhishPolicy -Identity 'Exec' -HonorDmarcPolicy $true");
});
