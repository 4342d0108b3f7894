import { describe, expect, test } from 'vitest';
import { check as spf } from '../../../src/checks/step4/dns.spf.js';
import { check as dmarcPolicy } from '../../../src/checks/step4/dns.dmarc-policy.js';
import { check as dmarcReporting } from '../../../src/checks/step4/dns.dmarc-reporting.js';
import { check as dkimSelectors } from '../../../src/checks/step4/dns.dkim-selectors.js';
import { check as mxGateway } from '../../../src/checks/step4/dns.mx-gateway.js';
import { makeCtx, run } from '../ctx4.js';

const DNS_CHECKS = [
  [spf, 'SPF', 'high'],
  [dmarcPolicy, 'DMARC', 'high'],
  [dmarcReporting, 'DMARC reporting', 'low'],
  [dkimSelectors, 'DKIM', 'medium'],
  [mxGateway, 'MX', 'medium'],
] as const;

describe('DNS checks until mxlock issue 3', () => {
  test.each(DNS_CHECKS)(
    '%s is unknown with the not-analysed reason, even with recorded DNS',
    (check, protocol, severity) => {
      expect(check.step).toBe(4);
      expect(check.severity).toBe(severity);
      for (const opts of [
        {},
        {
          dns: {
            'contoso.com': { TXT: ['v=spf1 -all'], MX: [{ exchange: 'mx1.gateway.example', priority: 10 }] },
          },
        },
      ]) {
        const out = run(check, opts);
        expect(out.status).toBe('unknown');
        expect(out.evidence).toEqual([
          `DNS not analysed: the ${protocol} analysis is not implemented yet (mxlock issue 3)`,
        ]);
      }
    },
  );

  test.each(DNS_CHECKS)('%s proposes records for the own domains only (not *.onmicrosoft.com)', (check) => {
    const ps = run(check).remediation?.powershell ?? '';
    expect(ps).toContain("Resolve-DnsName -Name '");
    expect(ps).toMatch(/contoso\.com/);
    expect(ps).toMatch(/fabrikam\.com/);
    expect(ps).not.toMatch(/onmicrosoft\.com['"]|onmicrosoft\.com\. IN/);
  });

  test.each(DNS_CHECKS)('%s has no tenant remediation when no accepted domain is known', (check) => {
    const out = run(check, { omit: ['Get-AcceptedDomain'] });
    expect(out.status).toBe('unknown');
    expect(out.remediation).toBeUndefined();
  });

  test('SPF proposal lists the gateway IPs as ip4 terms before -all', () => {
    const ps = run(spf).remediation?.powershell ?? '';
    expect(ps).toContain(
      '#   contoso.com. IN TXT "v=spf1 ip4:203.0.113.10 ip4:203.0.113.11 ip4:198.51.100.0/28 include:spf.protection.outlook.com -all"',
    );
    expect(ps).toContain("Resolve-DnsName -Name 'contoso.com' -Type TXT");
    // Publishing the proposal as is would drop every other legitimate sender of the current record.
    expect(ps).toContain('keep every other legitimate sender of the current record');
  });

  test('SPF proposal says so when the gateway IPs are unknown, and flags ranges with no SPF form', () => {
    expect(run(spf, { gateway: { ips: [] } }).remediation?.powershell).toContain(
      "The gateway's egress IPs are not known",
    );
    const ps =
      run(spf, { gateway: { ips: ['2001:db8::/48', '192.0.2.1-192.0.2.9'] } }).remediation?.powershell ?? '';
    expect(ps).toContain('"v=spf1 ip6:2001:db8::/48 include:spf.protection.outlook.com -all"');
    expect(ps).toContain('Rewrite these gateway ranges as CIDR ip4: terms: 192.0.2.1-192.0.2.9');
  });

  test('DMARC proposal is the guide record at _dmarc', () => {
    const ps = run(dmarcPolicy).remediation?.powershell ?? '';
    expect(ps).toContain(
      '_dmarc.contoso.com. IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc-reports@contoso.com;',
    );
    expect(ps).toContain("Resolve-DnsName -Name '_dmarc.fabrikam.com' -Type TXT");
  });

  test('DKIM proposal uses the CNAME targets from Get-DkimSigningConfig, or creates the config when absent', () => {
    const ps =
      run(dkimSelectors, {
        set: {
          'Get-DkimSigningConfig': [
            {
              Domain: 'contoso.com',
              Enabled: true,
              Status: 'Valid',
              Selector1CNAME: 's1.example',
              Selector2CNAME: 's2.example',
            },
          ],
        },
      }).remediation?.powershell ?? '';
    expect(ps).toContain('selector1._domainkey.contoso.com. IN CNAME s1.example.');
    expect(ps).toContain('selector2._domainkey.contoso.com. IN CNAME s2.example.');
    expect(ps).toContain("New-DkimSigningConfig -DomainName 'fabrikam.com' -Enabled $false");
  });

  test('DKIM proposal names the gateway selectors when the gateway signs', () => {
    expect(run(dkimSelectors, { gateway: { dkimSelectors: ['seg2024'] } }).remediation?.powershell).toContain(
      'selector(s) seg2024',
    );
  });

  test('MX proposal names the gateway', () => {
    expect(run(mxGateway).remediation?.powershell).toContain(
      '#   contoso.com. IN MX 10 <the MX host Example SEG assigns to contoso.com>',
    );
  });

  test('a hostile domain name cannot break out of a comment line', () => {
    const ctx = makeCtx({
      set: {
        'Get-AcceptedDomain': [
          {
            DomainName: "evil.com\nRemove-Mailbox -Identity 'x'",
            DomainType: 'Authoritative',
            Default: true,
          },
        ],
      },
    });
    for (const [check] of DNS_CHECKS) {
      const ps = check.evaluate(ctx).remediation?.powershell ?? '';
      // Every executable line is one mxlock wrote; the newline survives only inside a quoted literal.
      const lines = ps.split('\n');
      for (const [i, line] of lines.entries()) {
        if (line.startsWith('Remove-Mailbox'))
          expect(lines[i - 1]).toMatch(/'evil\.com$|'selector1\._domainkey\.evil\.com$|'_dmarc\.evil\.com$/);
      }
    }
  });
});

test('ExternalRelay domains get no proposal', () => {
  const ps =
    run(spf, {
      patch: {
        'Get-AcceptedDomain': {
          index: 5,
          props: { DomainName: 'hosted-elsewhere.example', DomainType: 'ExternalRelay' },
        },
      },
    }).remediation?.powershell ?? '';
  expect(ps).toContain('relay.contoso.net');
  expect(ps).not.toContain('hosted-elsewhere.example');
});
