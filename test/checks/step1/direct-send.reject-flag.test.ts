import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step1/direct-send.reject-flag.js';
import { SCUBAGEAR_ORG_CONFIG, evidenceText, run, type ContextInput } from '../helpers.js';
import { hardened } from '../../fixtures/checks/seg-tenant.js';

const org = (o: Record<string, unknown>[]): ContextInput =>
  hardened({ data: { 'Get-OrganizationConfig': o } });

describe('direct-send.reject-flag', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'RejectDirectSend true',
      org([{ Identity: 'contoso', RejectDirectSend: true }]),
      'pass',
      "organization config 'contoso': RejectDirectSend = true",
    ],
    [
      'RejectDirectSend as the string "True" (PowerShell 5.1)',
      org([{ Identity: 'contoso', RejectDirectSend: 'True' }]),
      'pass',
      'RejectDirectSend = true',
    ],
    [
      'RejectDirectSend false',
      org([{ Identity: 'contoso', RejectDirectSend: false }]),
      'fail',
      "organization config 'contoso': RejectDirectSend = false",
    ],
    [
      'RejectDirectSend null (old module)',
      org([{ Identity: 'contoso', RejectDirectSend: null }]),
      'unknown',
      'RejectDirectSend is absent from the export (module or tenant too old, re-export: Update-Module',
    ],
    [
      'RejectDirectSend absent',
      org([{ Identity: 'contoso' }]),
      'unknown',
      'RejectDirectSend is absent from the export',
    ],
    ['the export holds no object', org([]), 'unknown', 'Get-OrganizationConfig.json holds no object'],
  ])('%s', (_name, input, status, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(evidence);
  });

  test('unknown when Get-OrganizationConfig was not exported', () => {
    const input = hardened();
    delete input.data?.['Get-OrganizationConfig'];
    const out = run(check, input);
    expect(out.status).toBe('unknown');
    expect(out.evidence).toEqual(['Get-OrganizationConfig.json was not exported']);
  });

  test('a ScubaGear export (Select-Object of Get-OrganizationConfig): "not in the export", not an old module', () => {
    const input = org([{ Name: 'contoso.onmicrosoft.com', AuditDisabled: false }]);
    const out = run(check, { ...input, partial: SCUBAGEAR_ORG_CONFIG });
    expect(out.status).toBe('unknown');
    expect(out.evidence).toEqual([
      "organization config 'contoso.onmicrosoft.com': RejectDirectSend is not in the export: ScubaGear exports only 3 properties of Get-OrganizationConfig (Name, DisplayName, AuditDisabled); export Get-OrganizationConfig.json beside it (Get-OrganizationConfig | ConvertTo-Json -Depth 10)",
    ]);
  });

  test('remediation says to inventory Direct Send sources before the switch', () => {
    expect(check.remediation.powershell).toContain('Set-OrganizationConfig -RejectDirectSend $true');
    expect(check.remediation.powershell.indexOf('inventory')).toBeLessThan(
      check.remediation.powershell.indexOf('Set-OrganizationConfig'),
    );
  });
});
