import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { planChanges } from '../../src/plan/planner.js';
import { acceptedDomainMx, mxPointsToEop, resolveGateway } from '../../src/profile/infer.js';
import { parseProfile } from '../../src/profile/parse.js';
import { CONTOSO_DOMAINS, partnerConnector, snapshotOf } from './snapshot-of.js';

const MIMECAST_DNS = {
  'contoso.com': {
    MX: [
      { exchange: 'eu-smtp-inbound-2.mimecast.com', priority: 20 },
      { exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 },
    ],
  },
};
const EOP_DNS = {
  'contoso.com': { MX: [{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }] },
};

describe('resolveGateway', () => {
  test('a gateway declared in the profile wins over everything the export says', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector()],
      dns: MIMECAST_DNS,
    });
    const profile = parseProfile('gateway:\n  ips: [192.0.2.1]\n  certificate: "*.seg.example"\n', 'p.yaml');
    expect(resolveGateway(profile, snapshot)).toEqual({
      source: 'profile',
      name: 'Mimecast',
      vendor: 'mimecast',
      ips: ['192.0.2.1'],
      certificate: '*.seg.example',
      certificateUnique: false,
      dkimSelectors: [],
      basis: ['declared in the profile (gateway section)'],
    });
  });

  // The certificate lock-down in place tells which certificate the gateway must present (CON-5 [D]); taking it is [I].
  const BY_IP = /which matches the declared IPs and restricts to it \[I\]; declare gateway\.certificate/;
  const NO_IP =
    /which restricts every sender domain to it, lists none of the declared IPs and names the gateway vendor's zone: the gateway's mail passes it only with that certificate \(CON-5 \[D\]\) \[I\]/;
  const CERT_LOCK = { RestrictDomainsToIPAddresses: false, RestrictDomainsToCertificate: true };
  test.each<[string, Record<string, unknown>[], string | undefined, RegExp | undefined]>([
    [
      'a connector matching the declared IPs that restricts to a certificate lends it [I]',
      [{ RestrictDomainsToCertificate: true, TlsSenderCertificateName: '*.seg.example' }],
      '*.seg.example',
      BY_IP,
    ],
    [
      'not restricting: nothing is taken',
      [{ RestrictDomainsToIPAddresses: false, TlsSenderCertificateName: '*.seg.example' }],
      undefined,
      undefined,
    ],
    [
      'restricting by IP only: its certificate name restricts nothing, so nothing is taken',
      [{ TlsSenderCertificateName: '*.seg.example' }],
      undefined,
      undefined,
    ],
    [
      'disabled: nothing is taken',
      [{ Enabled: false, RestrictDomainsToCertificate: true, TlsSenderCertificateName: '*.seg.example' }],
      undefined,
      undefined,
    ],
    [
      "a certificate lock-down without IPs lends its certificate when it is the gateway vendor's (MX: Mimecast) [I]",
      [{ ...CERT_LOCK, SenderIPAddresses: [], TlsSenderCertificateName: '*.mimecast.com' }],
      '*.mimecast.com',
      NO_IP,
    ],
    [
      'a certificate lock-down listing none of the declared IPs lends it too [I]',
      [{ ...CERT_LOCK, SenderIPAddresses: ['198.18.0.1'], TlsSenderCertificateName: '*.mimecast.com' }],
      '*.mimecast.com',
      NO_IP,
    ],
    [
      'beside a non-restricting IP connector, the certificate lock-down lends its certificate [I]',
      [
        { Name: 'SEG ip', RestrictDomainsToIPAddresses: false },
        { ...CERT_LOCK, Name: 'SEG cert', SenderIPAddresses: [], TlsSenderCertificateName: '*.mimecast.com' },
      ],
      '*.mimecast.com',
      /taken from connector 'SEG cert', which restricts every sender domain to it/,
    ],
    [
      "a lock-down of another vendor's certificate listing none of the declared IPs (a previous gateway) is not taken",
      [
        {
          ...CERT_LOCK,
          Name: 'Proofpoint (old)',
          SenderIPAddresses: [],
          TlsSenderCertificateName: '*.pphosted.com',
        },
      ],
      undefined,
      /^connector 'Proofpoint \(old\)' restricts every sender domain to "\*\.pphosted\.com", which is not known to be this gateway's \(not Mimecast's/,
    ],
    [
      'a lock-down scoped to some sender domains only is not the gateway lock-down: nothing is taken',
      [
        {
          ...CERT_LOCK,
          SenderDomains: ['smtp:contoso.com;1'],
          SenderIPAddresses: [],
          TlsSenderCertificateName: '*.seg.example',
        },
      ],
      undefined,
      undefined,
    ],
    [
      'two lock-downs naming one certificate (case aside): the one matching the declared IPs is named',
      [
        {
          ...CERT_LOCK,
          Name: 'cert only',
          SenderIPAddresses: [],
          TlsSenderCertificateName: '*.Mimecast.com',
        },
        { ...CERT_LOCK, Name: 'with IPs', TlsSenderCertificateName: '*.mimecast.com' },
      ],
      '*.mimecast.com',
      /taken from connector 'with IPs', which matches the declared IPs/,
    ],
    [
      'lock-downs naming different certificates: none is guessed, and the basis says why',
      [
        { ...CERT_LOCK, Name: 'SEG old', TlsSenderCertificateName: '*.seg.example' },
        {
          ...CERT_LOCK,
          Name: 'SEG new',
          SenderIPAddresses: [],
          TlsSenderCertificateName: 'eu.mimecast.com',
        },
      ],
      undefined,
      /^certificate unknown: the enabled connectors 'SEG old' \("\*\.seg\.example"\), 'SEG new' \("eu\.mimecast\.com"\) restrict every sender domain to different certificates/,
    ],
  ])('a declared gateway without a certificate: %s', (_n, connectors, certificate, line) => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': connectors.map((c) =>
        partnerConnector({ SenderIPAddresses: ['203.0.113.10'], ...c }),
      ),
      dns: MIMECAST_DNS,
    });
    const gw = resolveGateway(parseProfile('gateway:\n  ips: [203.0.113.10]\n', 'p.yaml'), snapshot);
    expect(gw.certificate).toBe(certificate);
    if (line) {
      expect(gw.basis).toHaveLength(2);
      expect(gw.basis[1]).toMatch(line);
      if (certificate)
        expect(gw.basis[1]).toContain(`certificate ${JSON.stringify(certificate)} taken from connector '`);
    } else expect(gw.basis).toEqual(['declared in the profile (gateway section)']);
  });

  test('lock-downs naming different certificates: those are the candidates the simulation tries', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [
        partnerConnector({
          ...CERT_LOCK,
          Name: 'a',
          SenderIPAddresses: ['203.0.113.10'],
          TlsSenderCertificateName: '*.seg.example',
        }),
        partnerConnector({
          ...CERT_LOCK,
          Name: 'b',
          SenderIPAddresses: [],
          TlsSenderCertificateName: 'eu.mimecast.com',
        }),
        partnerConnector({
          ...CERT_LOCK,
          Name: 'c',
          SenderIPAddresses: ['203.0.113.10'],
          TlsSenderCertificateName: '*.SEG.example',
        }),
      ],
      dns: MIMECAST_DNS,
    });
    const gw = resolveGateway(parseProfile('gateway:\n  ips: [203.0.113.10]\n', 'p.yaml'), snapshot);
    expect(gw.certificate).toBeUndefined();
    expect(gw.certificateCandidates).toEqual(['*.seg.example', 'eu.mimecast.com']);
    const one = resolveGateway(
      parseProfile('gateway:\n  ips: [203.0.113.10]\n', 'p.yaml'),
      snapshotOf({
        'Get-AcceptedDomain': CONTOSO_DOMAINS,
        'Get-InboundConnector': [partnerConnector({ ...CERT_LOCK, SenderIPAddresses: ['203.0.113.10'] })],
        dns: MIMECAST_DNS,
      }),
    );
    expect(one.certificateCandidates).toBeUndefined();
  });

  test("a declared certificate is never replaced by the lock-down's", () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [
        partnerConnector({ ...CERT_LOCK, SenderIPAddresses: [], TlsSenderCertificateName: '*.seg.example' }),
      ],
    });
    const gw = resolveGateway(
      parseProfile('gateway:\n  ips: [203.0.113.10]\n  certificate: mx.contoso-gw.example\n', 'p.yaml'),
      snapshot,
    );
    expect(gw.certificate).toBe('mx.contoso-gw.example');
    expect(gw.basis).toEqual(['declared in the profile (gateway section)']);
  });

  test("inferred gateway: a lock-down naming another vendor's certificate than the MX's is passed over", () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [
        partnerConnector({ Name: 'Mimecast Inbound', RestrictDomainsToIPAddresses: true }),
        partnerConnector({
          Name: 'Proofpoint (old)',
          SenderIPAddresses: [],
          RestrictDomainsToCertificate: true,
          TlsSenderCertificateName: '*.pphosted.com',
        }),
      ],
      dns: MIMECAST_DNS,
    });
    const gw = resolveGateway(undefined, snapshot);
    expect(gw.name).toBe('Mimecast');
    expect(gw.certificate).toBeUndefined();
    expect(gw.ips).toEqual(['203.0.113.10', '198.51.100.0/28']);
    expect(gw.basis.join('\n')).toContain(
      "names Proofpoint's certificate \"*.pphosted.com\" while the MX is Mimecast's: not taken as the gateway's",
    );
    // Shown as warnings by assess and plan, so the administrator sees it without --format json.
    expect(gw.cautions).toEqual([expect.stringContaining("names Proofpoint's certificate")]);
    const { warnings } = assessSnapshot(snapshot);
    expect(warnings).toContainEqual(
      expect.stringMatching(/^gateway: connector .*names Proofpoint's certificate/),
    );
  });

  test('a certificate lent by a connector is a caution the plan repeats', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [
        partnerConnector({
          SenderIPAddresses: ['203.0.113.10'],
          RestrictDomainsToCertificate: true,
          TlsSenderCertificateName: '*.mimecast.com',
        }),
      ],
      'Get-TransportRule': [],
      'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: false }],
      dns: MIMECAST_DNS,
    });
    const profile = parseProfile('gateway:\n  ips: [203.0.113.10]\n', 'p.yaml');
    const gw = resolveGateway(profile, snapshot);
    expect(gw.cautions).toEqual([
      expect.stringMatching(/^certificate "\*\.mimecast\.com" taken from connector/),
    ]);
    const draft = planChanges({ snapshot, profile, gateway: gw });
    expect(draft.warnings).toContainEqual(
      expect.stringMatching(/^gateway: certificate "\*\.mimecast\.com" taken from connector/),
    );
  });

  test('MX at a known SEG plus a restricting * Partner connector: vendor, IPs and certificate inferred', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [
        partnerConnector({ RestrictDomainsToCertificate: true, TlsSenderCertificateName: '*.Mimecast.com' }),
        partnerConnector({
          Name: 'Printers',
          SenderDomains: ['smtp:contoso.com;1'],
          SenderIPAddresses: ['192.0.2.50'],
        }),
      ],
      dns: MIMECAST_DNS,
    });
    expect(resolveGateway(undefined, snapshot)).toEqual({
      source: 'inferred',
      name: 'Mimecast',
      vendor: 'mimecast',
      ips: ['203.0.113.10', '198.51.100.0/28'],
      certificate: '*.mimecast.com',
      certificateUnique: false,
      dkimSelectors: [],
      basis: [
        'MX of contoso.com → eu-smtp-inbound-1.mimecast.com (Mimecast)',
        'Partner connector "From SEG" with SenderDomains * and RestrictDomainsToIPAddresses and RestrictDomainsToCertificate',
      ],
    });
  });

  test.each([
    ['no name', 'gateway:\n  ips: [192.0.2.1]\n', 'mimecast'],
    ['a name that mentions the MX vendor', 'gateway:\n  name: Mimecast EU grid\n', 'mimecast'],
    ['a name that contradicts the MX vendor', 'gateway:\n  name: Proofpoint\n', undefined],
  ])('a profile gateway with %s gets vendor %s', (_label, yaml, vendor) => {
    const snapshot = snapshotOf({ 'Get-AcceptedDomain': CONTOSO_DOMAINS, dns: MIMECAST_DNS });
    expect(resolveGateway(parseProfile(yaml, 'p.yaml'), snapshot).vendor).toBe(vendor);
  });

  test('without DNS, the connector certificate can name the vendor', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [
        partnerConnector({
          Name: 'SEG',
          RestrictDomainsToCertificate: true,
          TlsSenderCertificateName: '*.pphosted.com',
        }),
      ],
    });
    const g = resolveGateway(undefined, snapshot);
    expect(g).toMatchObject({
      source: 'inferred',
      name: 'Proofpoint',
      vendor: 'proofpoint',
      certificate: '*.pphosted.com',
    });
    expect(g.basis).toContain('certificate "*.pphosted.com" is Proofpoint\'s');
  });

  test('the connector alone is enough when DNS was not recorded', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector()],
    });
    const g = resolveGateway(undefined, snapshot);
    expect(g).toMatchObject({
      source: 'inferred',
      name: 'From SEG',
      vendor: undefined,
      ips: ['203.0.113.10', '198.51.100.0/28'],
    });
    expect(g.basis).toEqual([
      'Partner connector "From SEG" with SenderDomains * and RestrictDomainsToIPAddresses',
    ]);
  });

  test('the MX alone is enough; IPs stay unknown and the basis says why', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [],
      dns: MIMECAST_DNS,
    });
    expect(resolveGateway(undefined, snapshot)).toMatchObject({
      source: 'inferred',
      name: 'Mimecast',
      vendor: 'mimecast',
      ips: [],
      certificate: undefined,
      basis: [
        'MX of contoso.com → eu-smtp-inbound-1.mimecast.com (Mimecast)',
        'no enabled Partner inbound connector with SenderDomains *: the gateway IPs and certificate are unknown',
      ],
    });
  });

  test('an MX at an unrecognised host (on-premises edge) still means a gateway, named after the host', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      dns: { 'contoso.com': { MX: [{ exchange: 'edge.contoso.com', priority: 10 }] } },
    });
    const g = resolveGateway(undefined, snapshot);
    expect(g).toMatchObject({ source: 'inferred', name: 'edge.contoso.com', vendor: undefined });
    expect(g.basis).toEqual([
      'MX of contoso.com → edge.contoso.com (not EOP, vendor not recognised)',
      'Get-InboundConnector.json is not in the export: the gateway IPs and certificate are unknown',
    ]);
  });

  test('MX at EOP and no * Partner connector → none, with the reasons', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector({ SenderDomains: ['smtp:contoso.com;1'] })],
      dns: EOP_DNS,
    });
    expect(resolveGateway(undefined, snapshot)).toEqual({
      source: 'none',
      name: undefined,
      vendor: undefined,
      ips: [],
      certificate: undefined,
      certificateUnique: false,
      dkimSelectors: [],
      basis: [
        'MX of contoso.com → contoso-com.mail.protection.outlook.com (EOP)',
        'every MX of the accepted domains points at Exchange Online, and no gateway is declared: there is no gateway to go around',
      ],
    });
  });

  test.each([
    ['disabled', { Enabled: false }],
    ['Enabled absent (unknown)', { Enabled: null }],
    ['OnPremises', { ConnectorType: 'OnPremises' }],
    ['OnPremises as enum int 1', { ConnectorType: 1 }],
    ['unknown connector type int', { ConnectorType: 7 }],
  ])('a %s * connector is not evidence of a gateway', (_label, overrides) => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector(overrides)],
      dns: EOP_DNS,
    });
    expect(resolveGateway(undefined, snapshot).source).toBe('none');
  });

  test('Partner as enum int 2 (Windows PowerShell 5.1) counts', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector({ ConnectorType: 2 })],
    });
    expect(resolveGateway(undefined, snapshot).source).toBe('inferred');
  });

  test('restricting connectors are preferred; IP and certificate connectors are combined (eop-model CON-3)', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [
        partnerConnector({
          Name: 'Old allow-all',
          RestrictDomainsToIPAddresses: false,
          SenderIPAddresses: ['192.0.2.99'],
        }),
        partnerConnector({ Name: 'SEG by IP' }),
        partnerConnector({
          Name: 'SEG by cert',
          RestrictDomainsToIPAddresses: false,
          RestrictDomainsToCertificate: true,
          SenderIPAddresses: [],
          TlsSenderCertificateName: '*.seg.example',
        }),
      ],
    });
    const g = resolveGateway(undefined, snapshot);
    expect(g.ips).toEqual(['203.0.113.10', '198.51.100.0/28']);
    expect(g.certificate).toBe('*.seg.example');
    expect(g.name).toBe('SEG by IP');
    expect(g.basis).toEqual([
      'Partner connector "SEG by IP" with SenderDomains * and RestrictDomainsToIPAddresses',
      'Partner connector "SEG by cert" with SenderDomains * and RestrictDomainsToCertificate',
    ]);
  });

  test('a * connector that restricts nothing is still used, and the basis says it restricts nothing', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector({ RestrictDomainsToIPAddresses: false })],
      dns: MIMECAST_DNS,
    });
    const g = resolveGateway(undefined, snapshot);
    expect(g).toMatchObject({
      source: 'inferred',
      name: 'Mimecast',
      ips: ['203.0.113.10', '198.51.100.0/28'],
    });
    expect(g.basis).toEqual([
      'MX of contoso.com → eu-smtp-inbound-1.mimecast.com (Mimecast)',
      'Partner connector "From SEG" with SenderDomains * but without RestrictDomainsTo* (it does not restrict anything)',
      'no connector restricts by IP or certificate yet; the IPs above are what the connector lists',
    ]);
  });

  test('a secondary MX at EOP is reported in the basis', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector()],
      dns: {
        'contoso.com': {
          MX: [
            { exchange: 'mx1.hc1-2.eu.iphmx.com', priority: 10 },
            { exchange: 'contoso-com.mail.protection.outlook.com', priority: 50 },
          ],
        },
      },
    });
    expect(resolveGateway(undefined, snapshot).basis.slice(0, 2)).toEqual([
      'MX of contoso.com → mx1.hc1-2.eu.iphmx.com (Cisco Secure Email)',
      'MX of contoso.com also lists contoso-com.mail.protection.outlook.com at preference 50 (EOP)',
    ]);
  });

  test('the default domain decides the vendor when domains disagree', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': [
        { DomainName: 'a-brand.com', Default: false },
        { DomainName: 'b-brand.com', Default: false },
        { DomainName: 'contoso.com', Default: true },
      ],
      dns: {
        'a-brand.com': { MX: [{ exchange: 'mx01.hornetsecurity.com', priority: 10 }] },
        'b-brand.com': { MX: [{ exchange: 'mx02.hornetsecurity.com', priority: 10 }] },
        'contoso.com': { MX: [{ exchange: 'mx0a-1.pphosted.com', priority: 10 }] },
      },
    });
    expect(resolveGateway(undefined, snapshot)).toMatchObject({ vendor: 'proofpoint', name: 'Proofpoint' });
  });

  test.each([
    [
      'no DNS and no connectors file',
      { 'Get-AcceptedDomain': CONTOSO_DOMAINS },
      [
        'DNS not analysed (no dns.json in the export), so the MX records are unknown',
        'Get-InboundConnector.json is not in the export, so connectors could not be read',
      ],
    ],
    [
      'DNS recorded but no MX for the domain (NODATA): a missing MX is not "MX elsewhere"',
      {
        'Get-AcceptedDomain': CONTOSO_DOMAINS,
        'Get-InboundConnector': [],
        dns: { 'contoso.com': { TXT: ['v=spf1 -all'] } },
      },
      [
        'MX of contoso.com: no MX records (NODATA)',
        'no accepted domain has an MX record in the recorded DNS (contoso.com), so where mail enters is unknown',
        'no enabled Partner inbound connector with SenderDomains *',
      ],
    ],
    [
      'the domain absent from dns.json (NXDOMAIN)',
      { 'Get-AcceptedDomain': CONTOSO_DOMAINS, 'Get-InboundConnector': [], dns: {} },
      [
        'MX of contoso.com: not in the recorded DNS (NXDOMAIN)',
        'no accepted domain has an MX record in the recorded DNS (contoso.com), so where mail enters is unknown',
        'no enabled Partner inbound connector with SenderDomains *',
      ],
    ],
    [
      'no accepted domains exported',
      { 'Get-InboundConnector': [], dns: EOP_DNS },
      [
        'Get-AcceptedDomain.json is not in the export, so the MX records of the accepted domains are unknown',
        'no enabled Partner inbound connector with SenderDomains *',
      ],
    ],
  ])('unknown: %s', (_label, bundle, basis) => {
    const g = resolveGateway(undefined, snapshotOf(bundle));
    expect(g.source).toBe('unknown');
    expect(g.basis).toEqual(basis);
  });

  test.each([
    [
      'only *.onmicrosoft.com domains: their MX is always Exchange Online',
      {
        'Get-AcceptedDomain': [{ DomainName: 'contoso.onmicrosoft.com', Default: true }],
        'Get-InboundConnector': [],
      },
      ['only *.onmicrosoft.com domains are accepted, and their MX is always Exchange Online'],
    ],
    [
      'every answered MX at EOP, another domain without MX (it receives no mail by MX)',
      {
        'Get-AcceptedDomain': [{ DomainName: 'parked.example' }, ...CONTOSO_DOMAINS],
        dns: EOP_DNS,
      },
      [
        'MX of contoso.com → contoso-com.mail.protection.outlook.com (EOP)',
        'MX of parked.example: not in the recorded DNS (NXDOMAIN)',
        'every MX of the accepted domains points at Exchange Online, and no gateway is declared: there is no gateway to go around',
        'without MX (they receive no mail by MX): parked.example',
      ],
    ],
  ])('none: %s', (_label, bundle, basis) => {
    const g = resolveGateway(undefined, snapshotOf(bundle));
    expect(g.source).toBe('none');
    expect(g.basis).toEqual(basis);
  });

  test('MX at EOP with a * Partner connector that restricts nothing left over: none, and the leftover is a caution', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector({ Name: 'Old SEG', RestrictDomainsToIPAddresses: false })],
      dns: EOP_DNS,
    });
    const g = resolveGateway(undefined, snapshot);
    expect(g.source).toBe('none');
    expect(g.cautions).toEqual([
      'Partner connector "Old SEG" accepts every sender domain (*) while every MX points at Exchange Online: a previous gateway\'s leftover? Declare the gateway in mxlock.yaml if mail still passes one',
    ]);
  });

  test('MX at EOP but an enabled * lock-down in force: inferred from it, never none (it refuses internet mail, CON-5)', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector({ Name: 'Old SEG' })],
      dns: EOP_DNS,
    });
    const g = resolveGateway(undefined, snapshot);
    expect(g).toMatchObject({ source: 'inferred', ips: ['203.0.113.10', '198.51.100.0/28'] });
    expect(g.cautions?.join(' ')).toContain('yet an enabled Partner connector restricts every sender domain');
  });

  test('a null MX (RFC 7505) is a domain that takes no mail, not a gateway host', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': [{ DomainName: 'parked.example' }, ...CONTOSO_DOMAINS],
      'Get-InboundConnector': [],
      dns: { ...EOP_DNS, 'parked.example': { MX: [{ exchange: '.', priority: 0 }] } },
    });
    const g = resolveGateway(undefined, snapshot);
    expect(g.source).toBe('none');
    expect(g.basis).toContain('MX of parked.example: null MX (RFC 7505), it accepts no mail');
  });

  test('the default domain without MX while another is at EOP: unknown (the default domain certainly takes mail)', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': [...CONTOSO_DOMAINS, { DomainName: 'brand.example' }],
      'Get-InboundConnector': [],
      dns: {
        'brand.example': { MX: [{ exchange: 'brand-example.mail.protection.outlook.com', priority: 0 }] },
      },
    });
    expect(resolveGateway(undefined, snapshot).source).toBe('unknown');
  });

  test('MX unknown but a * Partner connector: inferred from the connector, as before', () => {
    const snapshot = snapshotOf({
      'Get-AcceptedDomain': CONTOSO_DOMAINS,
      'Get-InboundConnector': [partnerConnector()],
    });
    expect(resolveGateway(undefined, snapshot)).toMatchObject({
      source: 'inferred',
      ips: ['203.0.113.10', '198.51.100.0/28'],
    });
  });
});

describe('mxPointsToEop', () => {
  test.each([
    ['no dns.json', { 'Get-AcceptedDomain': CONTOSO_DOMAINS }, undefined],
    ['no accepted domains', { dns: EOP_DNS }, undefined],
    ['MX at EOP', { 'Get-AcceptedDomain': CONTOSO_DOMAINS, dns: EOP_DNS }, true],
    [
      'MX at the DNSSEC form',
      {
        'Get-AcceptedDomain': CONTOSO_DOMAINS,
        dns: { 'contoso.com': { MX: [{ exchange: 'contoso-com.r-v1.mx.microsoft', priority: 0 }] } },
      },
      true,
    ],
    ['MX at a SEG', { 'Get-AcceptedDomain': CONTOSO_DOMAINS, dns: MIMECAST_DNS }, false],
    [
      'SEG primary, EOP backup',
      {
        'Get-AcceptedDomain': CONTOSO_DOMAINS,
        dns: {
          'contoso.com': {
            MX: [
              { exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 },
              { exchange: 'contoso-com.mail.protection.outlook.com', priority: 20 },
            ],
          },
        },
      },
      false,
    ],
    [
      'EOP and SEG at the same preference',
      {
        'Get-AcceptedDomain': CONTOSO_DOMAINS,
        dns: {
          'contoso.com': {
            MX: [
              { exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 },
              { exchange: 'contoso-com.mail.protection.outlook.com', priority: 10 },
            ],
          },
        },
      },
      true,
    ],
    ['NODATA', { 'Get-AcceptedDomain': CONTOSO_DOMAINS, dns: { 'contoso.com': {} } }, false],
    ['NXDOMAIN', { 'Get-AcceptedDomain': CONTOSO_DOMAINS, dns: {} }, false],
  ])('%s → %s', (_label, bundle, expected) => {
    expect(mxPointsToEop(snapshotOf(bundle))).toBe(expected);
  });
});

test('acceptedDomainMx lists own domains, default first, primary MX first', () => {
  const snapshot = snapshotOf({
    'Get-AcceptedDomain': [{ DomainName: 'fabrikam.com' }, ...CONTOSO_DOMAINS],
    dns: MIMECAST_DNS,
  });
  const mx = acceptedDomainMx(snapshot);
  expect(mx.map((d) => [d.domain, d.status, d.records.map((r) => r.exchange)])).toEqual([
    ['contoso.com', 'answer', ['eu-smtp-inbound-1.mimecast.com', 'eu-smtp-inbound-2.mimecast.com']],
    ['fabrikam.com', 'nxdomain', []],
  ]);
});
