import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step5/arc.trusted-sealers.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import { hardened } from '../../fixtures/checks/seg-tenant.js';
import { readValue, tokenize } from '../../support/ps-tokenizer.js';
import type { ResolvedGateway } from '../../../src/common/gateway.js';

/** The hardened tenant (gateway certificate *.mail-gateway.example.com) with this Get-ArcConfig export. */
const arc = (objects: Record<string, unknown>[] | undefined, over: ContextInput = {}): ContextInput => {
  const input = hardened({ ...over, data: { 'Get-ArcConfig': objects as never } });
  if (objects === undefined) input.omit = ['Get-ArcConfig'];
  return input;
};
const cisco: Partial<ResolvedGateway> = {
  source: 'profile',
  name: 'Cisco',
  vendor: 'cisco',
  ips: ['203.0.113.10'],
};

describe('arc.trusted-sealers', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'one comma-separated string, as Get-ArcConfig returns it: the gateway certificate’s domain is trusted',
      arc([{ Identity: 'Default', ArcTrustedSealers: 'fabrikam.com,mail-gateway.example.com' }]),
      'pass',
      "trusted sealer mail-gateway.example.com is the gateway's: it matches the gateway's certificate *.mail-gateway.example.com [I]",
    ],
    [
      'a list (REST), the organisation domain above the certificate',
      arc([{ Identity: 'Default', ArcTrustedSealers: ['Example.com'] }]),
      'pass',
      "trusted sealer example.com is the gateway's",
    ],
    [
      'the PowerShell 5.1 {value,Count} wrapper',
      arc([{ Identity: 'Default', ArcTrustedSealers: { value: ['mail-gateway.example.com'], Count: 1 } }]),
      'pass',
      "ARC config 'Default': ArcTrustedSealers = mail-gateway.example.com",
    ],
    [
      'Cisco gateway (vendor from its MX) sealing as iphmx.com',
      arc([{ Identity: 'Default', ArcTrustedSealers: 'iphmx.com' }], { gateway: cisco }),
      'pass',
      "trusted sealer iphmx.com is the gateway's: it matches Cisco Secure Email's MX zone iphmx.com [I]",
    ],
    [
      'an empty string: no sealer',
      arc([{ Identity: 'Default', ArcTrustedSealers: '' }]),
      'fail',
      "ARC config 'Default': ArcTrustedSealers is empty: no trusted ARC sealer is configured",
    ],
    [
      'null: no sealer',
      arc([{ Identity: 'Default', ArcTrustedSealers: null }]),
      'fail',
      'ArcTrustedSealers is empty',
    ],
    [
      'the cmdlet returned nothing (Learn: no sealers configured)',
      arc([]),
      'fail',
      'Get-ArcConfig returned nothing: no trusted ARC sealer is configured',
    ],
    [
      "only another vendor's domain is trusted (a previous gateway)",
      arc([{ Identity: 'Default', ArcTrustedSealers: 'mimecast.com' }], { gateway: cisco }),
      'warn',
      'trusted sealer mimecast.com belongs to Mimecast, not to the gateway (Cisco)',
    ],
    [
      'a sealer mxlock cannot tie to the gateway',
      arc([{ Identity: 'Default', ArcTrustedSealers: 'fabrikam.com' }]),
      'unknown',
      "the gateway is known by the gateway's certificate *.mail-gateway.example.com: none of the trusted sealers is tied to it",
    ],
    [
      'a gateway mxlock knows no domain of',
      arc([{ Identity: 'Default', ArcTrustedSealers: 'mimecast.com' }], {
        gateway: { source: 'profile', ips: ['203.0.113.10'] },
      }),
      'unknown',
      'mxlock knows no domain of the gateway',
    ],
    [
      'ArcTrustedSealers absent from the export',
      arc([{ Identity: 'Default' }]),
      'unknown',
      "ARC config 'Default': ArcTrustedSealers is absent from the export",
    ],
    ['Get-ArcConfig not exported', arc(undefined), 'unknown', 'Get-ArcConfig.json was not exported'],
  ])('%s → %s', (_name, input, status, line) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(line);
  });

  test('a failing tenant gets Set-ArcConfig with the gateway’s domain, marked as inferred', () => {
    const out = run(check, arc([{ Identity: 'Default', ArcTrustedSealers: '' }], { gateway: cisco }));
    expect(out.remediation?.powershell).toContain(
      "Set-ArcConfig -Identity Default -ArcTrustedSealers 'iphmx.com'",
    );
    expect(out.remediation?.powershell).toContain(
      'iphmx.com is inferred from what mxlock knows of the gateway',
    );
    expect(out.remediation?.portal).toContain('https://security.microsoft.com/authentication');
  });

  test('the remediation keeps the sealers already trusted, each one literal', () => {
    const hostile = "x.com'; Remove-Item C:\\ -Recurse; '";
    const out = run(
      check,
      arc([{ Identity: 'Default', ArcTrustedSealers: [hostile, 'mimecast.com'] }], { gateway: cisco }),
    );
    const line = out.remediation!.powershell.split('\n').find((l) => l.startsWith('Set-ArcConfig'))!;
    const tokens = tokenize(line);
    const at = tokens.findIndex((t) => t.kind === 'parameter' && t.value === 'ArcTrustedSealers');
    // One comma-separated list of literals: the hostile entry comes back whole, then the others.
    const values: string[] = [];
    let i = at + 1;
    for (;;) {
      const v = readValue(tokens, i);
      values.push(v.value);
      i = v.next;
      if (tokens[i]?.value !== ',') break;
      i++;
    }
    expect(values).toEqual([hostile.toLowerCase(), 'mimecast.com', 'iphmx.com']);
  });
});
