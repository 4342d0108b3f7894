import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step0/inventory.direct-send-sources.js';
import type { ZoneEntry } from '../../../src/common/zone.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import {
  certLockdown,
  hardened,
  hardenedData,
  ipLockdown,
  onPremConnector,
} from '../../fixtures/checks/seg-tenant.js';

const SCANNER = { name: 'HQ scanners', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] };

/** The hardened tenant with contoso.com's SPF replaced and extra DNS names. */
function withSpf(
  spf: string,
  extra: Record<string, ZoneEntry> = {},
  over: Partial<ContextInput> = {},
): ContextInput {
  return hardened({ dns: { 'contoso.com': { TXT: [spf] }, ...extra }, ...over });
}

describe('inventory.direct-send-sources', () => {
  test.each<[string, ContextInput, string]>([
    [
      'SPF names only the gateway and Microsoft 365',
      hardened(),
      'contoso.com: SPF authorises only the gateway',
    ],
    [
      'an ip4 term admitted by an enabled connector',
      withSpf(
        'v=spf1 ip4:192.0.2.50 include:spf.protection.outlook.com -all',
        {},
        {
          data: {
            'Get-InboundConnector': [
              certLockdown(),
              ipLockdown({
                Name: 'Direct Send: scanners',
                SenderDomains: ['contoso.com'],
                SenderIPAddresses: ['192.0.2.50'],
              }),
            ],
          },
        },
      ),
      'SPF authorises only',
    ],
    [
      'an include that resolves to gateway IPs only',
      withSpf('v=spf1 include:_spf.gateway.example -all', {
        '_spf.gateway.example': { TXT: ['v=spf1 ip4:203.0.113.10 ip4:198.51.100.0/28 ~all'] },
      }),
      'SPF authorises only',
    ],
    [
      'mx whose hosts are gateway IPs',
      withSpf('v=spf1 mx -all', {
        'contoso.com': { TXT: ['v=spf1 mx -all'], MX: [{ exchange: 'mx1.gateway.example', priority: 10 }] },
        'mx1.gateway.example': { A: ['203.0.113.11'] },
      }),
      'SPF authorises only',
    ],
    [
      'a gateway host by a term with a prefix length',
      withSpf('v=spf1 a:out.gateway.example/28 -all', { 'out.gateway.example': { A: ['198.51.100.3'] } }),
      'SPF authorises only',
    ],
    [
      'fail/softfail/neutral terms authorise nobody',
      withSpf('v=spf1 -ip4:192.0.2.1 ~ip4:192.0.2.2 ?include:other.example ~all'),
      'SPF authorises only',
    ],
    [
      'no SPF record',
      hardened({ dns: { 'contoso.com': { MX: [{ exchange: 'mx1.gateway.example', priority: 10 }] } } }),
      'contoso.com: no SPF record (no TXT records)',
    ],
    [
      'a declared source admitted by an enabled connector',
      hardened({
        profile: { directSendSources: [SCANNER] },
        data: {
          'Get-InboundConnector': [
            ipLockdown({
              SenderIPAddresses: ['203.0.113.10', '203.0.113.11', '198.51.100.0/28', '192.0.2.50'],
            }),
          ],
        },
      }),
      'no SPF-authorised or declared sender',
    ],
  ])('pass: %s', (_name, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(evidence);
  });

  test.each<[string, ContextInput, string[]]>([
    [
      'an ip4 term outside gateway and connectors',
      withSpf('v=spf1 ip4:192.0.2.77 include:spf.protection.outlook.com -all'),
      ['SPF of contoso.com: ip4:192.0.2.77 (address)'],
    ],
    ['an ip6 term', withSpf('v=spf1 ip6:2001:db8::/64 -all'), ['ip6:2001:db8::/64 (address)']],
    [
      'an include missing from the recorded DNS (SaaS)',
      withSpf('v=spf1 include:sendgrid.net -all'),
      ['include:sendgrid.net (service or host', 'sendgrid.net: no SPF record (NXDOMAIN)'],
    ],
    [
      'an include with addresses beyond the gateway',
      withSpf('v=spf1 include:_spf.crm.example -all', {
        '_spf.crm.example': { TXT: ['v=spf1 ip4:203.0.113.10 ip4:192.0.2.200 -all'] },
      }),
      ['include:_spf.crm.example', '192.0.2.200'],
    ],
    [
      'an a term pointing at a web host',
      withSpf('v=spf1 a -all', { 'contoso.com': { TXT: ['v=spf1 a -all'], A: ['192.0.2.80'] } }),
      ['SPF of contoso.com: a (service or host', 'contoso.com → 192.0.2.80'],
    ],
    [
      'an mx term whose host is not recorded',
      withSpf('v=spf1 mx -all', {
        'contoso.com': { TXT: ['v=spf1 mx -all'], MX: [{ exchange: 'mail.contoso.com', priority: 10 }] },
      }),
      ['mail.contoso.com has no A/AAAA record'],
    ],
    [
      'an exists term with macros',
      withSpf('v=spf1 exists:%{i}._spf.example -all'),
      ['exists:%{i}._spf.example', 'uses macros'],
    ],
    [
      'an a term: its IPv6 address with the IPv6 prefix length, its IPv4 one with the IPv4 length',
      withSpf('v=spf1 a:web.contoso.com/32//64 -all', {
        'web.contoso.com': { A: ['203.0.113.10'], AAAA: ['2001:db8:7::5'] },
      }),
      ['web.contoso.com → 2001:db8:7::5/64'],
    ],
    [
      'an address past the 10th DNS lookup (RFC 7208 §4.6.4)',
      withSpf(
        `v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i}.gateway.example`).join(' ')} ip4:203.0.113.10 -all`,
        Object.fromEntries(
          Array.from({ length: 11 }, (_, i) => [`h${i}.gateway.example`, { A: ['203.0.113.10'] }]),
        ),
      ),
      [
        'a:h10.gateway.example (service or host',
        // Even a gateway address is not reached past the limit: receivers return permerror before it.
        'ip4:203.0.113.10 (address) authorises senders that cannot be listed as addresses',
        'more than 10 DNS lookups',
      ],
    ],
    ['a redirect modifier', withSpf('v=spf1 redirect=_spf.other.example'), ['redirect=_spf.other.example']],
    ['+all', withSpf('v=spf1 +all'), ['all (service or host', 'every address on the internet']],
    [
      'a declared source not admitted (DNS analysed)',
      hardened({ profile: { directSendSources: [SCANNER] } }),
      ["declared source 'HQ scanners' (192.0.2.50", "not in any enabled connector's SenderIPAddresses"],
    ],
    [
      'a declared source not admitted, DNS not analysed',
      { ...hardened({ profile: { directSendSources: [SCANNER] } }), dns: undefined },
      ["declared source 'HQ scanners'", 'DNS not analysed'],
    ],
    [
      'a declared source admitted only by a disabled connector',
      hardened({
        profile: { directSendSources: [SCANNER] },
        data: {
          'Get-InboundConnector': [
            certLockdown(),
            ipLockdown({
              Name: 'Scanners',
              Enabled: false,
              SenderDomains: ['contoso.com'],
              SenderIPAddresses: ['192.0.2.50'],
            }),
          ],
        },
      }),
      ["declared source 'HQ scanners'"],
    ],
  ])('warn: %s', (_name, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('warn');
    const text = evidenceText(out);
    for (const e of evidence) expect(text).toContain(e);
    expect(text).toContain('550 5.7.68');
  });

  test('the gateway without declared IPs: its SPF addresses are candidates, and the evidence says why', () => {
    const out = run(
      check,
      hardened({ gateway: { source: 'inferred', ips: [], certificate: '*.mail-gateway.example.com' } }),
    );
    expect(out.status).toBe('warn');
    expect(evidenceText(out)).toContain('gateway IPs unknown');
  });

  test('onmicrosoft.com domains are not inventoried (Microsoft manages their SPF)', () => {
    const out = run(
      check,
      hardened({
        dns: {
          'contoso.com': { TXT: ['v=spf1 -all'] },
          'contoso.onmicrosoft.com': { TXT: ['v=spf1 ip4:192.0.2.9 -all'] },
        },
      }),
    );
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).not.toContain('192.0.2.9');
  });

  test('include loops and the lookup limit end the walk', () => {
    const loop = withSpf('v=spf1 include:a.example -all', {
      'a.example': { TXT: ['v=spf1 include:b.example -all'] },
      'b.example': { TXT: ['v=spf1 include:a.example ip4:203.0.113.10 -all'] },
    });
    expect(run(check, loop).status).toBe('pass');
    const chain: Record<string, ZoneEntry> = {};
    for (let i = 0; i < 12; i++) chain[`l${i}.example`] = { TXT: [`v=spf1 include:l${i + 1}.example -all`] };
    chain['l12.example'] = { TXT: ['v=spf1 ip4:203.0.113.10 -all'] };
    const out = run(check, withSpf('v=spf1 include:l0.example -all', chain));
    expect(out.status).toBe('warn');
    expect(evidenceText(out)).toContain('more than 10 DNS lookups');
  });

  test.each<[string, ContextInput, string]>([
    ['DNS not analysed', { ...hardened(), dns: undefined }, 'DNS not analysed'],
    [
      'an own domain missing from the recorded DNS',
      hardened({ dns: { 'other.example': { TXT: ['v=spf1 -all'] } } }),
      'contoso.com is not in the recorded DNS (dns.json) (NXDOMAIN for an accepted domain)',
    ],
    [
      'two SPF records on an own domain (permerror, RFC 7208 §4.5)',
      withSpf('v=spf1 -all', { 'contoso.com': { TXT: ['v=spf1 ip4:192.0.2.1 -all', 'v=spf1 -all'] } }),
      'contoso.com: 2 SPF records (§4.5)',
    ],
    [
      'an own SPF record that does not parse',
      withSpf('v=spf1 ip4:192.0.2.300 -all'),
      'contoso.com: the SPF record does not parse',
    ],
    [
      'Get-InboundConnector not exported',
      (() => {
        const h = hardened();
        delete h.data?.['Get-InboundConnector'];
        return h;
      })(),
      'Get-InboundConnector.json was not exported',
    ],
    [
      'Get-AcceptedDomain not exported',
      (() => {
        const h = hardened();
        delete h.data?.['Get-AcceptedDomain'];
        return h;
      })(),
      'Get-AcceptedDomain.json was not exported',
    ],
  ])('unknown: %s', (_name, input, evidence) => {
    const out = run(check, input);
    expect(out.status).toBe('unknown');
    expect(evidenceText(out)).toContain(evidence);
  });

  test('remediation: with an IP lock-down, add the source to its SenderIPAddresses', () => {
    const out = run(
      check,
      hardened({
        profile: { directSendSources: [SCANNER] },
        data: { 'Get-InboundConnector': [ipLockdown()] },
      }),
    );
    expect(out.remediation?.powershell).toContain(
      "Set-InboundConnector -Identity 'From SEG (IP-bound)' -SenderIPAddresses @{Add='192.0.2.50'}",
    );
  });

  test('remediation: with a certificate lock-down, a separate IP-restricted Partner connector; names are quoted', () => {
    const source = { name: "O'Brien's printer", ips: ['192.0.2.51'], senders: ['print@contoso.com'] };
    const out = run(
      check,
      hardened({ profile: { directSendSources: [source] }, data: { ...hardenedData() } }),
    );
    const ps = out.remediation?.powershell ?? '';
    expect(ps).toContain(
      "New-InboundConnector -Name 'Direct Send: O''Brien''s printer' -ConnectorType Partner -SenderDomains 'contoso.com'",
    );
    expect(ps).toContain("-RestrictDomainsToIPAddresses $true -SenderIPAddresses '192.0.2.51'");
  });

  describe('admission is judged as the lock-down judges it (CON-5, §12 OQ-2), not by any connector listing the IP', () => {
    /** A Partner connector listing the scanner, scoped to `domains`, restricting by IP or not. */
    const device = (domains: string[], restrict: boolean) =>
      ipLockdown({
        Name: 'Scanners',
        Identity: 'Scanners',
        SenderDomains: domains,
        SenderIPAddresses: ['192.0.2.50'],
        RestrictDomainsToIPAddresses: restrict,
      });
    /** The gateway's connector before the lock-down (step 2 not done). */
    const open = certLockdown({ RestrictDomainsToCertificate: false });

    test.each<[string, unknown[], 'pass' | 'warn', string[]]>([
      [
        'a restricting connector scoped to its domain admits it',
        [certLockdown(), device(['contoso.com'], true)],
        'pass',
        ["admitted by 'Scanners'"],
      ],
      [
        'an OnPremises connector listing it admits it [I]',
        [certLockdown(), onPremConnector({ SenderIPAddresses: ['192.0.2.50'] })],
        'pass',
        ["admitted by 'Inbound from on-premises'"],
      ],
      [
        'a connector scoped to another domain only exempts it from RejectDirectSend',
        [certLockdown(), device(['partner.example'], true)],
        'warn',
        [
          'exempt from RejectDirectSend only, refused with 550 5.7.51',
          "connector 'Scanners' lists 192.0.2.50 but its SenderDomains (partner.example) do not cover contoso.com",
        ],
      ],
      [
        'a non-restricting connector before the lock-down: restrict it in the same change',
        [open, device(['contoso.com'], false)],
        'pass',
        ['set RestrictDomainsToIPAddresses on it in the same change as the lock-down'],
      ],
      [
        'a non-restricting connector with the lock-down on: refused today',
        [certLockdown(), device(['contoso.com'], false)],
        'warn',
        ["listed on 'Scanners', which does not restrict by IP", '550 5.7.51'],
      ],
    ])('%s', (_name, connectors, status, evidence) => {
      const out = run(
        check,
        hardened({
          profile: { directSendSources: [SCANNER] },
          data: { 'Get-InboundConnector': connectors as never },
        }),
      );
      expect(out.status).toBe(status);
      const text = evidenceText(out);
      for (const e of evidence) expect(text).toContain(e);
    });

    test('the remediation restricts a listed connector when the lock-down is on, and admits an exempt-only source', () => {
      const restrict = run(
        check,
        hardened({
          profile: { directSendSources: [SCANNER] },
          data: { 'Get-InboundConnector': [certLockdown(), device(['contoso.com'], false)] },
        }),
      );
      expect(restrict.remediation?.powershell).toContain(
        "Set-InboundConnector -Identity 'Scanners' -RestrictDomainsToIPAddresses $true",
      );
      const admit = run(
        check,
        hardened({
          profile: { directSendSources: [SCANNER] },
          data: { 'Get-InboundConnector': [certLockdown(), device(['partner.example'], true)] },
        }),
      );
      expect(admit.remediation?.powershell).toContain(
        "New-InboundConnector -Name 'Direct Send: HQ scanners'",
      );
    });

    test('an SPF address listed only on a connector scoped to another domain is still a candidate', () => {
      const out = run(
        check,
        withSpf(
          'v=spf1 ip4:192.0.2.50 include:spf.protection.outlook.com -all',
          {},
          { data: { 'Get-InboundConnector': [certLockdown(), device(['partner.example'], true)] } },
        ),
      );
      expect(out.status).toBe('warn');
      expect(evidenceText(out)).toContain(
        'SPF of contoso.com: ip4:192.0.2.50 (address) is neither a gateway IP nor in the SenderIPAddresses of an enabled connector that admits contoso.com',
      );
    });
  });

  describe('review findings: what admits, per address, for which recipients', () => {
    /** A Partner connector listing `ips`, scoped to `domains`, not restricting unless told. */
    const partner = (name: string, ips: string[], over: Record<string, unknown> = {}) =>
      ipLockdown({
        Name: name,
        Identity: name,
        SenderDomains: ['contoso.com'],
        SenderIPAddresses: ips,
        RestrictDomainsToIPAddresses: false,
        ...over,
      });

    test.each<[string, boolean, string]>([
      ['before the lock-down', false, 'so it gets 550 5.7.51 once the lock-down is on (CON-5 [D])'],
      ['with the lock-down on', true, 'so it gets 550 5.7.51 today (the lock-down is on) (CON-5 [D])'],
    ])(
      'an SPF address on a non-restricting connector for the domain is a candidate, %s',
      (_name, lockdownOn, when) => {
        const out = run(
          check,
          withSpf(
            'v=spf1 ip4:203.0.113.10 ip4:192.0.2.60 include:spf.protection.outlook.com -all',
            {},
            {
              data: {
                'Get-InboundConnector': [
                  certLockdown({ RestrictDomainsToCertificate: lockdownOn }),
                  partner('ERP', ['192.0.2.60']),
                ],
              },
            },
          ),
        );
        expect(out.status).toBe('warn');
        const text = evidenceText(out);
        expect(text).toContain(
          "SPF of contoso.com: ip4:192.0.2.60 (address) is neither a gateway IP nor in the SenderIPAddresses of an enabled connector that admits contoso.com — it is listed on 'ERP' (SenderDomains covering contoso.com), which does not restrict by IP: that exempts it from RejectDirectSend (DS-2 [D]) but satisfies no restricting connector",
        );
        expect(text).toContain(when);
        expect(text).toContain("Declare it under directSendSources: the plan then restricts 'ERP'");
      },
    );

    test('an SPF address on a restricting connector for the domain is admitted (no candidate)', () => {
      const out = run(
        check,
        withSpf(
          'v=spf1 ip4:203.0.113.10 ip4:192.0.2.60 -all',
          {},
          {
            data: {
              'Get-InboundConnector': [
                certLockdown(),
                partner('ERP', ['192.0.2.60'], { RestrictDomainsToIPAddresses: true }),
              ],
            },
          },
        ),
      );
      expect(out.status).toBe('pass');
    });

    test('a declared source inside the gateway ranges: warn, a connector for it opens the shared-gateway path', () => {
      const source = { name: 'SaaS via SEG', ips: ['198.51.100.5'], senders: ['noreply@contoso.com'] };
      const out = run(
        check,
        hardened({
          profile: { directSendSources: [source] },
          data: {
            'Get-InboundConnector': [
              certLockdown(),
              partner('SaaS', ['198.51.100.5'], { RestrictDomainsToIPAddresses: true }),
            ],
          },
        }),
      );
      expect(out.status).toBe('warn');
      const text = evidenceText(out);
      expect(text).toContain("admitted by 'SaaS'");
      expect(text).toContain(
        "198.51.100.5 lies within the gateway's addresses (198.51.100.0/28): a connector that admits it by IP lets the gateway's other customers send as contoso.com past the lock-down (residual path path.shared-gateway-ip",
      );
    });

    test('listed only on the gateway connector the certificate lock-down will restrict: needs a connector of its own', () => {
      const out = run(
        check,
        hardened({
          profile: { directSendSources: [SCANNER] },
          data: {
            'Get-InboundConnector': [
              certLockdown({ RestrictDomainsToCertificate: false, SenderIPAddresses: ['192.0.2.50'] }),
            ],
          },
        }),
      );
      expect(out.status).toBe('warn');
      expect(evidenceText(out)).toContain(
        "connector 'From Secure Email Gateway' lists 192.0.2.50 but the lock-down restricts it by certificate",
      );
      expect(out.remediation?.powershell).toContain("New-InboundConnector -Name 'Direct Send: HQ scanners'");
      expect(out.remediation?.powershell).not.toContain('RestrictDomainsToIPAddresses $true   #');
    });

    test('a connector scoped to another recipient domain does not admit (AssociatedAcceptedDomains, CON-5 [D])', () => {
      const out = run(
        check,
        hardened({
          profile: { directSendSources: [SCANNER] },
          data: {
            'Get-InboundConnector': [
              certLockdown(),
              partner('Scanners', ['192.0.2.50'], {
                RestrictDomainsToIPAddresses: true,
                AssociatedAcceptedDomains: ['fabrikam.com'],
              }),
            ],
          },
        }),
      );
      expect(out.status).toBe('warn');
      expect(evidenceText(out)).toContain(
        "connector 'Scanners' lists 192.0.2.50 but its AssociatedAcceptedDomains (fabrikam.com) do not include contoso.com, which the source delivers to",
      );
    });

    test('addresses judged one by one: only the Partner connector of the pending address is restricted (CON-4 [D])', () => {
      const copiers = { name: 'Copiers', ips: ['192.0.2.50', '192.0.2.51'], senders: ['scan@contoso.com'] };
      const out = run(
        check,
        hardened({
          profile: { directSendSources: [copiers] },
          data: {
            'Get-InboundConnector': [
              certLockdown(),
              onPremConnector({ Name: 'On-prem relay', SenderIPAddresses: ['192.0.2.50'] }),
              partner('Scanners', ['192.0.2.51']),
            ],
          },
        }),
      );
      expect(out.status).toBe('warn');
      const text = evidenceText(out);
      expect(text).toContain("address 192.0.2.50: admitted by 'On-prem relay'");
      expect(text).toContain("address 192.0.2.51: listed on 'Scanners', which does not restrict by IP");
      const ps = out.remediation?.powershell ?? '';
      expect(ps).toContain("Set-InboundConnector -Identity 'Scanners' -RestrictDomainsToIPAddresses $true");
      expect(ps).not.toContain("'On-prem relay'");
    });

    test('a line per address names that address, not all the others: evidence grows with the addresses, not their square (issue 10, found by test/fuzz)', () => {
      // 400 addresses, one of them admitted elsewhere: each is judged on its own line (seed 10045 of the profile
      // property had 1,869 addresses and a 48 MB finding, which the terminal reporter could not render).
      const ips = Array.from({ length: 400 }, (_, i) => `198.51.100.${i % 250}`).map((ip, i) =>
        i < 250 ? ip : `203.0.113.${i - 250}`,
      );
      const wide = { name: 'Fleet', ips, senders: ['fleet@contoso.com'] };
      const out = run(
        check,
        hardened({
          profile: { directSendSources: [wide] },
          data: {
            'Get-InboundConnector': [
              certLockdown(),
              onPremConnector({ Name: 'On-prem relay', SenderIPAddresses: ['198.51.100.7'] }),
            ],
          },
        }),
      );
      const perAddress = out.evidence.filter((l) => /, address \S+:/.test(l));
      expect(perAddress).toHaveLength(ips.length);
      expect(perAddress.find((l) => l.includes('address 198.51.100.7:'))).toContain(
        "admitted by 'On-prem relay'",
      );
      for (const line of perAddress) {
        expect(line).toContain("declared source 'Fleet'");
        expect(line).not.toContain(ips.join(', '));
      }
      expect(evidenceText(out).length).toBeLessThan(200 * ips.length + 10_000);
    });
  });
});

test('remediation before any lock-down: the device connector is created without the restriction and without RequireTls', () => {
  const source = { name: 'Copier', ips: ['192.0.2.52'], senders: ['copier@contoso.com'] };
  const data = hardenedData();
  const open = certLockdown({ RestrictDomainsToCertificate: false });
  const out = run(
    check,
    hardened({ profile: { directSendSources: [source] }, data: { ...data, 'Get-InboundConnector': [open] } }),
  );
  const ps = out.remediation?.powershell ?? '';
  expect(ps).toContain(
    "New-InboundConnector -Name 'Direct Send: Copier' -ConnectorType Partner -SenderDomains 'contoso.com'",
  );
  expect(ps).toContain("  -SenderIPAddresses '192.0.2.52' -Enabled $true");
  expect(ps).not.toContain('-RestrictDomainsToIPAddresses $true -SenderIPAddresses');
  expect(ps).not.toMatch(/-RequireTls \$true -/);
  expect(ps).toContain('in the same change as the lock-down, not before');
});
