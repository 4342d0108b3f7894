import { describe, expect, test } from 'vitest';
import { admissionOf, admittingEntries, sourceAdmission } from '../../src/model/admission.js';
import type { InboundConnector } from '../../src/snapshot/schema.js';

const partner = (over: Partial<InboundConnector>): InboundConnector =>
  ({
    Name: 'P',
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['contoso.com'],
    SenderIPAddresses: ['192.0.2.0/28'],
    RestrictDomainsToIPAddresses: true,
    RestrictDomainsToCertificate: false,
    ...over,
  }) as InboundConnector;

describe('admissionOf (DS-2 [D], CON-5 [D], §12 OQ-2/OQ-3 [I])', () => {
  test.each<[string, InboundConnector[], string, string[], string]>([
    [
      'no connector lists the address',
      [partner({ SenderIPAddresses: ['198.51.100.1'] })],
      '192.0.2.5',
      ['contoso.com'],
      'none',
    ],
    [
      'a disabled connector does not count',
      [partner({ Enabled: false })],
      '192.0.2.5',
      ['contoso.com'],
      'none',
    ],
    ['restricting by IP, scoped to the domain', [partner({})], '192.0.2.5', ['contoso.com'], 'admitted'],
    [
      'restricting by IP, SenderDomains *',
      [partner({ SenderDomains: ['*'] })],
      '192.0.2.5',
      ['fabrikam.com'],
      'admitted',
    ],
    [
      'a *.x pattern covers the subdomain',
      [partner({ SenderDomains: ['*.contoso.com'] })],
      '192.0.2.5',
      ['mail.contoso.com'],
      'admitted',
    ],
    [
      'OnPremises, whatever its scope',
      [
        partner({
          ConnectorType: 'OnPremises',
          SenderDomains: ['other.example'],
          RestrictDomainsToIPAddresses: false,
        }),
      ],
      '192.0.2.5',
      ['contoso.com'],
      'admitted',
    ],
    [
      'scoped to the domain but not restricting',
      [partner({ RestrictDomainsToIPAddresses: false })],
      '192.0.2.5',
      ['contoso.com'],
      'restrict-with-lockdown',
    ],
    [
      'restricting by certificate only: the IP satisfies nothing',
      [partner({ RestrictDomainsToIPAddresses: false, RestrictDomainsToCertificate: true })],
      '192.0.2.5',
      ['contoso.com'],
      'exempt-only',
    ],
    [
      'scoped to another domain',
      [partner({ SenderDomains: ['partner.example'] })],
      '192.0.2.5',
      ['contoso.com'],
      'exempt-only',
    ],
    [
      'one of two domains not covered',
      [partner({})],
      '192.0.2.5',
      ['contoso.com', 'fabrikam.com'],
      'exempt-only',
    ],
    ['senders not declared: only * covers', [partner({})], '192.0.2.5', [], 'exempt-only'],
    [
      'senders not declared, SenderDomains *',
      [partner({ SenderDomains: ['*'] })],
      '192.0.2.5',
      [],
      'admitted',
    ],
    ['a range entry must cover the whole range', [partner({})], '192.0.2.0/24', ['contoso.com'], 'none'],
  ])('%s → %s', (_n, connectors, ip, domains, kind) => {
    expect(admissionOf(connectors, ip, domains).kind).toBe(kind);
  });

  test('exempt-only names the connector and the domains it misses', () => {
    const a = admissionOf([partner({ Name: "O'Hare", SenderDomains: ['partner.example'] })], '192.0.2.5', [
      'contoso.com',
    ]);
    expect(a.reasons).toEqual([
      "connector 'O'Hare' lists 192.0.2.5 but its SenderDomains (partner.example) do not cover contoso.com",
    ]);
  });

  test('a connector restricting by certificate is no remedy for an IP source', () => {
    const a = admissionOf(
      [partner({ RestrictDomainsToIPAddresses: false, RestrictDomainsToCertificate: true })],
      '192.0.2.5',
      ['contoso.com'],
    );
    expect(a.reasons[0]).toContain('restricts by certificate, which the source does not present');
  });

  test('a source is as admitted as its least admitted address', () => {
    const connectors = [
      partner({ SenderIPAddresses: ['192.0.2.5'] }),
      partner({ Name: 'Q', SenderIPAddresses: ['192.0.2.6'], SenderDomains: ['x.example'] }),
    ];
    const s = sourceAdmission(connectors, ['192.0.2.5', '192.0.2.6'], ['contoso.com']);
    expect(s.kind).toBe('exempt-only');
    expect(s.perIp.map((p) => p.admission.kind)).toEqual(['admitted', 'exempt-only']);
    expect(sourceAdmission(connectors, [], ['contoso.com']).kind).toBe('none');
  });

  test('admittingEntries: OnPremises and Partner connectors covering the domain, enabled only', () => {
    const connectors = [
      partner({ SenderIPAddresses: ['192.0.2.1'] }),
      partner({ SenderIPAddresses: ['192.0.2.2'], SenderDomains: ['other.example'] }),
      partner({
        SenderIPAddresses: ['192.0.2.3'],
        ConnectorType: 'OnPremises',
        SenderDomains: ['other.example'],
      }),
      partner({ SenderIPAddresses: ['192.0.2.4'], Enabled: false }),
    ];
    expect(admittingEntries(connectors, 'contoso.com')).toEqual(['192.0.2.1', '192.0.2.3']);
  });
});
