import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step1/direct-send.reject-flag.js';
import { simulatePaths } from '../../../src/assess.js';
import { SCUBAGEAR_ORG_CONFIG, evidenceText, makeContext, run, type ContextInput } from '../helpers.js';
import { hardened, onPremConnector } from '../../fixtures/checks/seg-tenant.js';

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

  describe('the flag on without a lock-down: a false sense of safety', () => {
    /** The check over the paths the simulator finds for the input, as assess runs it. */
    const assessed = (input: ContextInput) => {
      const ctx = makeContext(input);
      ctx.paths = simulatePaths(ctx.snapshot, ctx.profile, ctx.gateway, { zone: ctx.dns });
      return { ctx, out: check.evaluate(ctx) };
    };
    const unlocked = (connectors: ContextInput['data'] = {}) =>
      hardened({
        data: {
          'Get-OrganizationConfig': [{ Identity: 'contoso', RejectDirectSend: true }],
          'Get-InboundConnector': [],
          'Get-TransportRule': [],
          ...connectors,
        },
      });

    test('no lock-down connector: warn, naming the attack paths the simulation finds open', () => {
      const { ctx, out } = assessed(unlocked());
      expect(out.status).toBe('warn');
      const text = evidenceText(out);
      expect(text).toContain("organization config 'contoso': RejectDirectSend = true");
      expect(text).toContain('RejectDirectSend alone gives a false sense of safety');
      expect(text).toContain('eop-model DS-3 [D], §3.3');
      // The paths RejectDirectSend does not see are named, each with the evidence that decided it.
      const open = ctx.paths.filter((p) => p.kind === 'attack' && p.status === 'open').map((p) => p.id);
      expect(open).toEqual(
        expect.arrayContaining(['path.spoof-header-own-domain', 'path.foreign-domain-direct']),
      );
      expect(text).toContain('attack path still path.spoof-header-own-domain: open (');
      expect(text).toContain('attack path still path.foreign-domain-direct: open (');
      // Own-domain P1 is refused by the flag itself: not listed as open.
      expect(text).not.toContain('path.direct-send-own-domain: open');
      expect(out.remediation?.powershell).toContain(
        "-TlsSenderCertificateName '*.mail-gateway.example.com' -RestrictDomainsToCertificate $true",
      );
    });

    test('a connector that does not restrict is no lock-down: still warn', () => {
      const { out } = assessed(unlocked({ 'Get-InboundConnector': [onPremConnector()] }));
      expect(out.status).toBe('warn');
    });

    test('with the lock-down in place: pass', () => {
      const { out } = assessed(hardened());
      expect(out.status).toBe('pass');
      expect(out.evidence).toHaveLength(1);
    });

    test('no gateway: the flag alone is what protects the tenant, pass', () => {
      const input = unlocked();
      input.gateway = { source: 'none' };
      const { out } = assessed(input);
      expect(out.status).toBe('pass');
    });
  });

  test('remediation says to inventory Direct Send sources before the switch', () => {
    expect(check.remediation.powershell).toContain('Set-OrganizationConfig -RejectDirectSend $true');
    expect(check.remediation.powershell.indexOf('inventory')).toBeLessThan(
      check.remediation.powershell.indexOf('Set-OrganizationConfig'),
    );
  });
});
