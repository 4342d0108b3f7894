import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ResolvedGateway } from '../../src/common/gateway.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { commentText, renderProfile, yamlString } from '../../src/profile/init.js';
import { parseProfile } from '../../src/profile/parse.js';
import { CONTOSO_DOMAINS, partnerConnector, snapshotOf } from './snapshot-of.js';

const MIMECAST_TENANT = {
  'Get-AcceptedDomain': [...CONTOSO_DOMAINS, { DomainName: 'fabrikam.com' }],
  'Get-InboundConnector': [
    partnerConnector({
      TlsSenderCertificateName: '*.mimecast.com',
      RestrictDomainsToCertificate: true,
      SenderIPAddresses: ['203.0.113.10', '198.51.100.0/28', 'garbage'],
    }),
    {
      Name: 'Inbound from 1f2e',
      ConnectorType: 'OnPremises',
      ConnectorSource: 'HybridWizard',
      Enabled: true,
      SenderIPAddresses: ['192.0.2.10'],
      TlsSenderCertificateName: 'mail.contoso.com',
      SenderDomains: ['smtp:*;1'],
    },
  ],
  'Get-AntiPhishPolicy': [
    {
      Name: 'Office365 AntiPhish Default',
      IsDefault: true,
      TargetedUsersToProtect: ['Chief Exec; CEO@contoso.com', 'no address here'],
    },
  ],
  dns: {
    'contoso.com': {
      MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }],
      TXT: [
        'v=spf1 include:spf.protection.outlook.com include:eu._netblocks.mimecast.com ip4:192.0.2.50 -all',
        'MS=ms12345',
      ],
    },
  },
};

describe('renderProfile', () => {
  test('a Mimecast tenant: the golden file', () => {
    const snapshot = snapshotOf(MIMECAST_TENANT);
    const text = renderProfile(snapshot, resolveGateway(undefined, snapshot));
    expect(text).toBe(
      readFileSync(new URL('../fixtures/profile/init-mimecast.expected.yaml', import.meta.url), 'utf8'),
    );
  });

  test('what was inferred parses back; invalid IPs are left out; TODO sections stay empty or commented', () => {
    const snapshot = snapshotOf(MIMECAST_TENANT);
    const profile = parseProfile(renderProfile(snapshot, resolveGateway(undefined, snapshot)), 'mxlock.yaml');
    expect(profile).toEqual({
      gateway: {
        name: 'Mimecast',
        ips: ['203.0.113.10', '198.51.100.0/28'],
        certificate: '*.mimecast.com',
        certificateUnique: false,
        dkimSelectors: [],
      },
      directSendSources: [],
      protectedUsers: ['ceo@contoso.com'],
      waivers: [],
    });
  });

  test('candidates from SPF and OnPremises connectors are comments, not values', () => {
    const snapshot = snapshotOf(MIMECAST_TENANT);
    const text = renderProfile(snapshot, resolveGateway(undefined, snapshot));
    expect(text).toContain(
      '#   contoso.com: "include:spf.protection.outlook.com" (Microsoft 365 itself), "include:eu._netblocks.mimecast.com", "ip4:192.0.2.50"\n',
    );
    expect(text).toContain('#   fabrikam.com: no SPF record\n');
    expect(text).toContain(
      '# candidate: OnPremises inbound connector "Inbound from 1f2e": "192.0.2.10", certificate "mail.contoso.com"\n',
    );
    expect(text).toContain('# left out, not an IP address or CIDR range: "garbage"');
  });

  test('no gateway (every MX at Exchange Online): says so, keeps the template for a gateway, parses to none', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [],
      dns: { 'contoso.com': { MX: [{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }] } },
    });
    const gateway = resolveGateway(undefined, snapshot);
    expect(gateway.source).toBe('none');
    const text = renderProfile(snapshot, gateway);
    expect(text).toContain(
      '# No gateway: mail enters Exchange Online directly, so there is no gateway to go around:\n',
    );
    expect(text).toContain(
      '# If mail does pass a gateway, declare it by removing the leading "# " from these lines:\n',
    );
    expect(text).not.toContain('TODO: no gateway');
    expect(text).not.toMatch(/^gateway:/m);
    expect(parseProfile(text, 'mxlock.yaml').gateway).toBeUndefined();
  });

  test('no gateway inferred: the section is a commented template with the reasons, and parses to no gateway', () => {
    const snapshot = snapshotOf({ 'Get-AcceptedDomain': CONTOSO_DOMAINS, 'Get-InboundConnector': [] });
    const gateway = resolveGateway(undefined, snapshot);
    const text = renderProfile(snapshot, gateway);
    expect(text).toContain('# TODO: no gateway could be inferred from the export:\n');
    expect(text).toContain(
      '#   - DNS not analysed (no dns.json in the export), so the MX records are unknown\n',
    );
    expect(text).toContain('#   SPF not read: DNS not analysed (no dns.json in the export).\n');
    expect(text).not.toMatch(/^gateway:/m);
    expect(parseProfile(text, 'mxlock.yaml')).toEqual({
      directSendSources: [],
      protectedUsers: [],
      waivers: [],
    });
  });

  test('a gateway with a name only keeps ips empty with a TODO, and no certificate key', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      dns: { 'contoso.com': { MX: [{ exchange: 'mx01.hornetsecurity.com', priority: 10 }] } },
    });
    const text = renderProfile(snapshot, resolveGateway(undefined, snapshot));
    expect(text).toContain('  # TODO: unknown; list them');
    expect(text).toContain('  # certificate: TODO');
    expect(parseProfile(text, 'p.yaml').gateway).toEqual({
      name: 'Hornetsecurity',
      ips: [],
      certificateUnique: false,
      dkimSelectors: [],
    });
  });

  // Tenant-derived text (connector names, certificate names, DNS TXT, paths) must never change the YAML structure.
  const HOSTILE = [
    'evil"\ngateway:\n  ips: [0.0.0.0/0]',
    "it's # not a comment",
    'key: value',
    '{a: b}, [x, y]',
    '- item',
    '&anchor *alias !!binary',
    '\r\nwaivers:\r\n  - id: x\r\n    reason: y',
    'line\u2028sep\u2029para\u0085nel',
    'del\u007f csi\u009b[31m bom\ufeff nonchar\uffff',
    'tab\there \u0000 nul \\ backslash',
    '--- ...',
    'null',
    'true',
    '0x1F',
    '~',
    '"',
    "'",
    '%YAML 1.1',
    '@at `tick` |pipe >fold',
    ' leading and trailing ',
    'naïve 🙂 Grüße',
  ];

  test.each(HOSTILE)('hostile value %j round-trips without changing the structure', (hostile) => {
    const snapshot = snapshotOf(
      {
        'Get-AcceptedDomain': CONTOSO_DOMAINS,
        'Get-InboundConnector': [
          partnerConnector({
            Name: hostile,
            TlsSenderCertificateName: `*.${hostile}`,
            RestrictDomainsToCertificate: true,
          }),
          {
            Name: hostile,
            ConnectorType: 'OnPremises',
            Enabled: true,
            SenderIPAddresses: ['192.0.2.10', hostile],
            TlsSenderCertificateName: hostile,
          },
        ],
        'Get-AntiPhishPolicy': [
          {
            Name: hostile,
            IsDefault: true,
            TargetedUsersToProtect: [`${hostile}; ceo@contoso.com`, hostile],
          },
        ],
        dns: {
          'contoso.com': {
            MX: [{ exchange: 'mail.contoso.com', priority: 10 }],
            TXT: [`v=spf1 ip4:192.0.2.50 ${hostile} -all`],
          },
        },
      },
      `exports/${hostile}`,
    );
    const inferred = resolveGateway(undefined, snapshot);
    const gateway: ResolvedGateway = { ...inferred, name: hostile, dkimSelectors: [hostile, 'selector1'] };
    const text = renderProfile(snapshot, gateway);
    expect(parseProfile(text, 'mxlock.yaml')).toEqual({
      gateway: {
        name: hostile,
        ips: ['203.0.113.10', '198.51.100.0/28'],
        certificate: inferred.certificate,
        certificateUnique: false,
        dkimSelectors: hostile.trim() === '' ? ['selector1'] : [hostile, 'selector1'],
      },
      directSendSources: [],
      protectedUsers: ['ceo@contoso.com'],
      waivers: [],
    });
    // Every line is a comment, blank, or one of the keys the renderer writes.
    for (const line of text.split('\n')) {
      expect(line).toMatch(
        /^(\s*#.*|\s*|gateway:|directSendSources: \[\]|protectedUsers:|waivers: \[\]|\s+(name|certificate|certificateUnique|ips|dkimSelectors):.*|\s+- ".*")$/,
      );
    }
  });
});

describe('scalar and comment escaping', () => {
  test.each([
    ['plain', '"plain"'],
    ['a\nb', '"a\\nb"'],
    ['*.mail-gateway.example.com', '"*.mail-gateway.example.com"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['a\u2028b\u0085c\u007f', '"a\\u2028b\\u0085c\\u007f"'],
  ])('yamlString(%j) = %s', (value, expected) => {
    expect(yamlString(value)).toBe(expected);
  });

  test.each([
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['x\u2028y\u2029z\u0085', 'x\\u2028y\\u2029z\\u0085'],
    ['bell\u0007', 'bell\\u0007'],
    ['csi\u009b', 'csi\\u009b'],
    ['# fine: {}', '# fine: {}'],
  ])('commentText(%j) = %s', (value, expected) => {
    expect(commentText(value)).toBe(expected);
  });
});
