import { describe, expect, test } from 'vitest';
import {
  admissionOf,
  ConnectorAddresses,
  connectorsFor,
  deviceRecipientDomains,
  sourceAdmission,
  type AdmissionScope,
} from '../../src/model/admission.js';
import type { InboundConnector } from '../../src/snapshot/schema.js';
import { IpSet } from '../../src/common/ip.js';
import { Gen } from './generate.js';

/** Sends as `senders` to the tenant's one custom domain. */
const scope = (senders: string[], recipients: string[] = ['contoso.com']): AdmissionScope => ({
  senders,
  recipients,
});

const partner = (over: Partial<InboundConnector>): InboundConnector =>
  ({
    Name: 'P',
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['contoso.com'],
    SenderIPAddresses: ['192.0.2.0/28'],
    RestrictDomainsToIPAddresses: true,
    RestrictDomainsToCertificate: false,
    AssociatedAcceptedDomains: [],
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
    expect(admissionOf(connectors, ip, scope(domains)).kind).toBe(kind);
  });

  test('exempt-only names the connector and the domains it misses', () => {
    const a = admissionOf(
      [partner({ Name: "O'Hare", SenderDomains: ['partner.example'] })],
      '192.0.2.5',
      scope(['contoso.com']),
    );
    expect(a.reasons).toEqual([
      "connector 'O'Hare' lists 192.0.2.5 but its SenderDomains (partner.example) do not cover contoso.com",
    ]);
  });

  test('a connector restricting by certificate is no remedy for an IP source', () => {
    const a = admissionOf(
      [partner({ RestrictDomainsToIPAddresses: false, RestrictDomainsToCertificate: true })],
      '192.0.2.5',
      scope(['contoso.com']),
    );
    expect(a.reasons[0]).toContain('restricts by certificate, which the source does not present');
  });

  test('a source is as admitted as its least admitted address', () => {
    const connectors = [
      partner({ SenderIPAddresses: ['192.0.2.5'] }),
      partner({ Name: 'Q', SenderIPAddresses: ['192.0.2.6'], SenderDomains: ['x.example'] }),
    ];
    const s = sourceAdmission(connectors, ['192.0.2.5', '192.0.2.6'], scope(['contoso.com']));
    expect(s.kind).toBe('exempt-only');
    expect(s.perIp.map((p) => p.admission.kind)).toEqual(['admitted', 'exempt-only']);
    expect(sourceAdmission(connectors, [], scope(['contoso.com'])).kind).toBe('none');
  });

  test('connectorsFor: the admitting ones are OnPremises and Partner connectors covering the domain, enabled only', () => {
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
    const entries = connectorsFor(connectors, 'contoso.com', ['contoso.com']).admitting.flatMap(
      (c) => c.SenderIPAddresses ?? [],
    );
    expect(entries).toEqual(['192.0.2.1', '192.0.2.3']);
  });
});

describe('recipient scope: AssociatedAcceptedDomains (CON-5 [D], §2.2 [D] S8)', () => {
  const both = ['contoso.com', 'fabrikam.com'];
  test.each<[string, Partial<InboundConnector>, string[], string, string | undefined]>([
    ['empty: every accepted domain', { AssociatedAcceptedDomains: [] }, both, 'admitted', undefined],
    [
      'lists every recipient domain',
      { AssociatedAcceptedDomains: ['fabrikam.com', 'contoso.com'] },
      both,
      'admitted',
      undefined,
    ],
    [
      'scoped to another recipient domain',
      { AssociatedAcceptedDomains: ['fabrikam.com'] },
      ['contoso.com'],
      'exempt-only',
      'its AssociatedAcceptedDomains (fabrikam.com) do not include contoso.com, which the source delivers to',
    ],
    [
      'one recipient domain missing',
      { AssociatedAcceptedDomains: ['contoso.com'] },
      both,
      'exempt-only',
      'do not include fabrikam.com',
    ],
    [
      'not exported is not "all"',
      { AssociatedAcceptedDomains: undefined },
      ['contoso.com'],
      'exempt-only',
      'its AssociatedAcceptedDomains were not exported',
    ],
    [
      'scoped, with the accepted domains unknown',
      { AssociatedAcceptedDomains: ['contoso.com'] },
      [],
      'exempt-only',
      "the tenant's accepted domains are not known",
    ],
    [
      'an OnPremises connector scoped elsewhere admits nothing either',
      {
        ConnectorType: 'OnPremises',
        RestrictDomainsToIPAddresses: false,
        AssociatedAcceptedDomains: ['fabrikam.com'],
      },
      ['contoso.com'],
      'exempt-only',
      'do not include contoso.com',
    ],
    [
      'a non-restricting connector scoped elsewhere: restricting it would not admit either',
      { RestrictDomainsToIPAddresses: false, AssociatedAcceptedDomains: ['fabrikam.com'] },
      ['contoso.com'],
      'exempt-only',
      'do not include contoso.com',
    ],
  ])('%s → %s', (_n, over, recipients, kind, reason) => {
    const a = admissionOf([partner(over)], '192.0.2.5', scope(['contoso.com'], recipients));
    expect(a.kind).toBe(kind);
    if (reason) expect(a.reasons.join('\n')).toContain(reason);
    else expect(a.reasons).toEqual([]);
  });

  test('deviceRecipientDomains: the default and custom domains, not the onmicrosoft.com routing domains', () => {
    const names = ['contoso.com', 'contoso.onmicrosoft.com', 'contoso.mail.onmicrosoft.com', 'Fabrikam.com'];
    expect(deviceRecipientDomains(names, 'contoso.com')).toEqual(['contoso.com', 'fabrikam.com']);
    // A tenant without a custom domain still has its default one.
    expect(deviceRecipientDomains(['contoso.onmicrosoft.com'], 'contoso.onmicrosoft.com')).toEqual([
      'contoso.onmicrosoft.com',
    ]);
  });
});

describe('the connector the lock-down restricts by certificate admits no source by IP (CON-3 [D])', () => {
  const gateway = partner({
    Name: 'From SEG',
    SenderDomains: ['*'],
    SenderIPAddresses: ['203.0.113.10', '192.0.2.5'],
    RestrictDomainsToIPAddresses: false,
  });
  test('listed on the gateway connector before the lock-down: pending, unless it is the certificate lock-down', () => {
    expect(admissionOf([gateway], '192.0.2.5', scope(['contoso.com'])).kind).toBe('restrict-with-lockdown');
    const locked = admissionOf([gateway], '192.0.2.5', {
      ...scope(['contoso.com']),
      lockedByCertificate: gateway,
    });
    expect(locked.kind).toBe('exempt-only');
    expect(locked.reasons).toEqual([
      "connector 'From SEG' lists 192.0.2.5 but the lock-down restricts it by certificate, which the source does not present (CON-5; CON-3 [D]: IPs and a certificate belong in separate connectors)",
    ]);
  });
  test('an IP lock-down that the certificate lock-down replaces no longer admits', () => {
    const ipLocked = { ...gateway, RestrictDomainsToIPAddresses: true };
    expect(admissionOf([ipLocked], '192.0.2.5', scope(['contoso.com'])).kind).toBe('admitted');
    expect(
      admissionOf([ipLocked], '192.0.2.5', { ...scope(['contoso.com']), lockedByCertificate: ipLocked }).kind,
    ).toBe('exempt-only');
  });
});

describe('per address: only the Partner connectors of the addresses that need restricting (CON-4 [D])', () => {
  test('one address on an OnPremises relay, one on a non-restricting Partner connector', () => {
    const relay = partner({
      Name: 'On-prem relay',
      ConnectorType: 'OnPremises',
      SenderDomains: ['*'],
      SenderIPAddresses: ['192.0.2.50'],
      RestrictDomainsToIPAddresses: false,
    });
    const scanners = partner({
      Name: 'Scanners',
      SenderIPAddresses: ['192.0.2.51'],
      RestrictDomainsToIPAddresses: false,
    });
    const s = sourceAdmission([relay, scanners], ['192.0.2.50', '192.0.2.51'], scope(['contoso.com']));
    expect(s.kind).toBe('restrict-with-lockdown');
    expect(s.connectors.map((c) => c.Name)).toEqual(['Scanners']);
    expect(s.perIp.map((p) => [p.ip, p.admission.kind, p.admission.connectors.map((c) => c.Name)])).toEqual([
      ['192.0.2.50', 'admitted', ['On-prem relay']],
      ['192.0.2.51', 'restrict-with-lockdown', ['Scanners']],
    ]);
  });
});

describe('connectorsFor: admitting vs pending (DS-2 [D], CON-5 [D])', () => {
  test('a non-restricting Partner connector covering the domain is pending, not admitting', () => {
    const erp = partner({
      Name: 'ERP',
      SenderIPAddresses: ['192.0.2.60'],
      RestrictDomainsToIPAddresses: false,
    });
    const locked = partner({ Name: 'Scanners', SenderIPAddresses: ['192.0.2.50'] });
    const onPrem = partner({ Name: 'Relay', ConnectorType: 'OnPremises', SenderIPAddresses: ['192.0.2.70'] });
    const other = partner({
      Name: 'Other',
      SenderDomains: ['other.example'],
      RestrictDomainsToIPAddresses: false,
    });
    const { admitting, pending } = connectorsFor([erp, locked, onPrem, other], 'contoso.com', [
      'contoso.com',
    ]);
    expect(admitting.map((c) => c.Name)).toEqual(['Scanners', 'Relay']);
    expect(pending.map((c) => c.Name)).toEqual(['ERP']);
    expect(admitting.flatMap((c) => c.SenderIPAddresses ?? [])).toEqual(['192.0.2.50', '192.0.2.70']);
  });
});

describe('ConnectorAddresses: the listing connectors found through the IP index (issue 10 item 6)', () => {
  const ENTRIES = [
    '192.0.2.0/24',
    '192.0.2.0/28',
    '192.0.2.5',
    '192.0.2.8-192.0.2.20',
    '192.0.2.16/28',
    '198.51.100.0/30',
    '::ffff:192.0.2.0/124',
    '2001:db8::/32',
    '2001:db8:1::/48',
    'bogus',
  ];
  const PROBES = [
    ...ENTRIES,
    '192.0.2.0/27',
    '192.0.2.9',
    '192.0.2.15-192.0.2.17',
    '198.51.100.3',
    '2001:db8:1::5',
  ];

  test.each([1, 2, 3, 4])(
    'seed %i: the enabled connectors whose SenderIPAddresses cover the entry, in order',
    (seed) => {
      const g = new Gen(seed);
      const connectors = Array.from({ length: 60 }, (_, i) => {
        const c = partner({ Name: `c${i}`, SenderIPAddresses: g.some(ENTRIES, 1 + g.int(3)) });
        const enabled = g.pick([true, true, false, undefined]);
        if (enabled === undefined) delete (c as Partial<InboundConnector>).Enabled;
        else c.Enabled = enabled;
        return c;
      });
      const addresses = new ConnectorAddresses(connectors);
      for (const ip of PROBES) {
        const expected = connectors.filter(
          (c) => c.Enabled === true && new IpSet(c.SenderIPAddresses ?? []).covers(ip),
        );
        expect(
          addresses.listing(ip).map((c) => c.Name),
          ip,
        ).toEqual(expected.map((c) => c.Name));
      }
    },
  );
});
