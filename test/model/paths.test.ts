import { describe, expect, test } from 'vitest';
import { evaluatePaths, standardPaths, verdictOf } from '../../src/model/paths.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import { NO_GATEWAY, type ResolvedGateway } from '../../src/common/gateway.js';
import { baseData, configOf, DNS_MX_SEG, GATEWAY_IPS, ipv4Only, lockdownIp, safetyNet } from './helpers.js';

const gateway: ResolvedGateway = { ...NO_GATEWAY, source: 'profile', name: 'SEG', ips: GATEWAY_IPS };
const profile: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'HQ scanners', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
};

describe('standard paths (DESIGN §5)', () => {
  test('every path of the catalogue is generated, declared sources by name', () => {
    const cfg = configOf(baseData(), { dns: DNS_MX_SEG });
    const ids = standardPaths(cfg, { ...profile, hybrid: { ips: ['192.0.2.10'] } }, gateway)
      .map((p) => p.id)
      .sort();
    expect(ids).toEqual([
      'path.declared-source:HQ scanners',
      'path.direct-send-own-domain',
      'path.foreign-domain-direct',
      'path.gateway-delivery',
      'path.hybrid-onpremises',
      'path.initial-domain-direct',
      'path.null-sender-direct',
      'path.shared-gateway-ip',
      'path.spoof-header-own-domain',
    ]);
  });

  test('the attacker IP is one no configuration names', () => {
    const d = baseData();
    d['Get-InboundConnector'] = [lockdownIp({ SenderIPAddresses: ['198.18.7.7'] })];
    const p = standardPaths(configOf(d, { dns: DNS_MX_SEG }), EMPTY_PROFILE, gateway).find(
      (x) => x.id === 'path.foreign-domain-direct',
    );
    expect(p?.attempt.clientIp).not.toBe('198.18.7.7');
  });

  test('an open tenant: verdict open, listing the open paths', () => {
    const paths = evaluatePaths(configOf(baseData(), { dns: DNS_MX_SEG }), profile, gateway);
    const v = verdictOf(paths, gateway);
    expect(v.bypass).toBe('open');
    expect(v.summary).toContain('path.foreign-domain-direct');
  });

  test('a locked-down tenant with the scanner admitted: closed and preserved', () => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    d['Get-InboundConnector'] = [
      lockdownIp(),
      lockdownIp({
        Name: 'Scanners',
        SenderDomains: ['contoso.com'],
        SenderIPAddresses: ['192.0.2.50'],
        RequireTls: false,
      }),
    ];
    d['Get-TransportRule'] = [safetyNet({ ExceptIfSenderIpRanges: [...GATEWAY_IPS, '192.0.2.50'] })];
    // IPv4 only: over IPv6 the IP lock-down cannot admit the gateway (test/model/ipv6.test.ts).
    const paths = evaluatePaths(configOf(ipv4Only(d), { dns: DNS_MX_SEG }), profile, gateway);
    const status = Object.fromEntries(paths.map((p) => [p.id, p.status]));
    expect(status).toEqual({
      'path.declared-source:HQ scanners': 'preserved',
      'path.direct-send-own-domain': 'closed',
      'path.foreign-domain-direct': 'closed',
      'path.gateway-delivery': 'preserved',
      'path.initial-domain-direct': 'closed',
      'path.null-sender-direct': 'closed',
      'path.shared-gateway-ip': 'open', // residual: the shared IP is excepted everywhere
      'path.spoof-header-own-domain': 'closed',
    });
    expect(verdictOf(paths, gateway)).toMatchObject({ bypass: 'closed', legitimateFlows: 'preserved' });
  });

  test('the scanner not admitted: RejectDirectSend breaks it', () => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    const paths = evaluatePaths(configOf(d, { dns: DNS_MX_SEG }), profile, gateway);
    expect(paths.find((p) => p.id === 'path.declared-source:HQ scanners')).toMatchObject({
      status: 'broken',
      outcome: { stage: 'rcpt' },
    });
    expect(verdictOf(paths, gateway).legitimateFlows).toBe('broken');
  });

  test('missing Get-InboundConnector: never closed, and the verdict says what is missing', () => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    d['Get-TransportRule'] = [safetyNet()];
    delete d['Get-InboundConnector'];
    const paths = evaluatePaths(configOf(d, { dns: DNS_MX_SEG }), profile, gateway, ['Get-InboundConnector']);
    for (const p of paths.filter((x) => x.kind === 'attack'))
      expect(['open', 'uncertain']).toContain(p.status);
    const v = verdictOf(paths, gateway, ['Get-InboundConnector']);
    expect(v.bypass).not.toBe('closed');
    expect(v.summary).toContain('Get-InboundConnector.json');
  });
});

describe('every declared address and sender is checked (DESIGN §5)', () => {
  const locked = () => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    d['Get-InboundConnector'] = [
      lockdownIp(),
      lockdownIp({
        Name: 'Scanners',
        SenderDomains: ['contoso.com'],
        SenderIPAddresses: ['192.0.2.50'],
        RequireTls: false,
      }),
    ];
    d['Get-TransportRule'] = [safetyNet({ ExceptIfSenderIpRanges: [...GATEWAY_IPS, '192.0.2.0/24'] })];
    return ipv4Only(d);
  };
  const statusOf = (paths: ReturnType<typeof evaluatePaths>, id: string) => paths.find((p) => p.id === id);

  test('a gateway range the lock-down connector does not list breaks gateway delivery', () => {
    const gw: ResolvedGateway = { ...gateway, ips: [...GATEWAY_IPS, '192.0.2.128/26'] };
    const paths = evaluatePaths(configOf(locked(), { dns: DNS_MX_SEG }), EMPTY_PROFILE, gw);
    const p = statusOf(paths, 'path.gateway-delivery');
    expect(p?.status).toBe('broken');
    expect(p?.evidence.join('\n')).toMatch(/192\.0\.2\.1(29|90)/);
  });

  test('the last address of a range counts too: a connector covering only part of it', () => {
    const d = locked();
    d['Get-InboundConnector']![0] = lockdownIp({
      SenderIPAddresses: ['203.0.113.10', '203.0.113.11', '198.51.100.0/29'],
    });
    const paths = evaluatePaths(configOf(d, { dns: DNS_MX_SEG }), EMPTY_PROFILE, gateway);
    expect(statusOf(paths, 'path.gateway-delivery')?.status).toBe('broken');
  });

  test('a declared source with a second IP that is not admitted is broken', () => {
    const prof: Profile = {
      ...EMPTY_PROFILE,
      directSendSources: [
        { name: 'HQ scanners', ips: ['192.0.2.50', '192.0.2.51'], senders: ['scanner@contoso.com'] },
      ],
    };
    const paths = evaluatePaths(configOf(locked(), { dns: DNS_MX_SEG }), prof, gateway);
    expect(statusOf(paths, 'path.declared-source:HQ scanners')?.status).toBe('broken');
  });

  test('a declared source with a second sender outside the connector scope is broken', () => {
    const prof: Profile = {
      ...EMPTY_PROFILE,
      directSendSources: [
        {
          name: 'HQ scanners',
          ips: ['192.0.2.50'],
          senders: ['scanner@contoso.com', 'alerts@contoso.onmicrosoft.com'],
        },
      ],
    };
    const paths = evaluatePaths(configOf(locked(), { dns: DNS_MX_SEG }), prof, gateway);
    const p = statusOf(paths, 'path.declared-source:HQ scanners');
    expect(p?.status).toBe('broken');
    expect(p?.evidence.join('\n')).toMatch(/alerts@contoso\.onmicrosoft\.com/);
  });

  test('all declared addresses and senders admitted: preserved', () => {
    const paths = evaluatePaths(configOf(locked(), { dns: DNS_MX_SEG }), profile, gateway);
    expect(statusOf(paths, 'path.declared-source:HQ scanners')?.status).toBe('preserved');
    expect(statusOf(paths, 'path.gateway-delivery')?.status).toBe('preserved');
  });
});

describe('path.hybrid-onpremises (CON-8)', () => {
  const hybridData = (csme: boolean) => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    d['Get-InboundConnector'] = [
      lockdownIp(),
      {
        Name: 'From on-premises',
        Enabled: true,
        ConnectorType: 'OnPremises',
        SenderDomains: ['*'],
        SenderIPAddresses: ['192.0.2.10'],
        CloudServicesMailEnabled: csme,
        TreatMessagesAsInternal: false,
        RestrictDomainsToIPAddresses: false,
        RestrictDomainsToCertificate: false,
        RequireTls: false,
        EFSkipLastIP: false,
        EFSkipIPs: [],
        EFTestMode: false,
      },
    ];
    d['Get-TransportRule'] = [
      safetyNet({
        ExceptIfHeaderMatchesMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
        ExceptIfHeaderMatchesPatterns: ['Internal'],
      }),
    ];
    return d;
  };
  const hybridProfile: Profile = { ...EMPTY_PROFILE, hybrid: { ips: ['192.0.2.10'] } };

  test('with CloudServicesMailEnabled the hybrid mail is promoted to Internal and passes the safety net', () => {
    const paths = evaluatePaths(configOf(hybridData(true), { dns: DNS_MX_SEG }), hybridProfile, gateway);
    const p = paths.find((x) => x.id === 'path.hybrid-onpremises');
    expect(p?.status).toBe('preserved');
    expect(p?.evidence.join('\n')).toMatch(/CON-8 \[D\]/);
  });

  test('without it the hybrid mail is anonymous and the safety net rejects it', () => {
    const paths = evaluatePaths(configOf(hybridData(false), { dns: DNS_MX_SEG }), hybridProfile, gateway);
    expect(paths.find((x) => x.id === 'path.hybrid-onpremises')?.status).toBe('broken');
  });
});

describe('path.gateway-delivery is simulated from every gateway egress entry (CON-5 [D])', () => {
  /** The gateway's IPs for a connector that lists `listed`; no declared sources, so only the gateway paths matter. */
  const lockedTo = (listed: string[]) => {
    const d = baseData();
    d['Get-InboundConnector'] = [lockdownIp({ SenderIPAddresses: listed })];
    return configOf(ipv4Only(d), { dns: DNS_MX_SEG });
  };
  const gatewayPath = (gw: ResolvedGateway, listed: string[]) =>
    evaluatePaths(lockedTo(listed), EMPTY_PROFILE, gw).find((p) => p.id === 'path.gateway-delivery')!;
  const attemptsOf = (gw: ResolvedGateway) => {
    const p = standardPaths(lockedTo(GATEWAY_IPS), EMPTY_PROFILE, gw).find(
      (x) => x.id === 'path.gateway-delivery',
    )!;
    return [p.attempt, ...(p.variants ?? [])];
  };

  test('one attempt per single address, the first and last host of each range', () => {
    const attempts = attemptsOf(gateway);
    expect(attempts.map((a) => a.clientIp)).toEqual([
      '203.0.113.10',
      '203.0.113.11',
      '198.51.100.1',
      '198.51.100.14',
    ]);
    // Apart from the address, every attempt is the same gateway relay.
    expect(new Set(attempts.map((a) => JSON.stringify({ ...a, clientIp: '' }))).size).toBe(1);
  });

  // The lock-down lists every gateway entry but one: only the attempts from that entry are refused.
  test.each<[string, string[]]>([
    ['203.0.113.10', ['203.0.113.10']],
    ['203.0.113.11', ['203.0.113.11']],
    ['198.51.100.0/28', ['198.51.100.1', '198.51.100.14']],
  ])('broken when only %s is missing from the lock-down, naming its addresses', (missing, refused) => {
    const p = gatewayPath(
      gateway,
      GATEWAY_IPS.filter((e) => e !== missing),
    );
    expect(p.status).toBe('broken');
    expect(p.outcome.reply).toMatch(/^550 5\.7\.51 /);
    const via = (ip: string) => `${ip} with MAIL FROM <partner@sender.example>`;
    expect(p.evidence).toContain(`broken in ${refused.length} of 4 attempts: ${refused.map(via).join(', ')}`);
    expect(p.evidence.join('\n')).toContain(`shown: ${refused[0]} with`);
  });

  test('every entry listed: preserved, and no attempt is reported as failing', () => {
    const p = gatewayPath(gateway, GATEWAY_IPS);
    expect(p.status).toBe('preserved');
    expect(p.evidence.join('\n')).not.toMatch(/(broken|uncertain) in \d+ of/);
    expect(p.evidence).toContainEqual(
      expect.stringMatching(/^4 attempts evaluated \(every declared address/),
    );
  });

  describe('a long gateway list is simulated whole, never sampled', () => {
    const many = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`);
    const big: ResolvedGateway = { ...gateway, ips: many };

    test('one attempt per entry, in list order', () => {
      expect(attemptsOf(big).map((a) => a.clientIp)).toEqual(many);
    });

    test('every entry listed: preserved, and the evidence counts every attempt', () => {
      const p = gatewayPath(big, many);
      expect(p.status).toBe('preserved');
      expect(p.evidence[1]).toMatch(/^40 attempts evaluated \(every declared address and sender\)/);
    });

    // An entry inside the list, not at either end: a sample spread over the list used to miss it (false "preserved").
    test.each(['198.51.100.2', '198.51.100.23'])('the lock-down lacks %s: broken, naming it', (missing) => {
      const p = gatewayPath(
        big,
        many.filter((ip) => ip !== missing),
      );
      expect(p.status).toBe('broken');
      expect(p.outcome.reply).toMatch(/^550 5\.7\.51 /);
      expect(p.evidence).toContain(
        `broken in 1 of 40 attempts: ${missing} with MAIL FROM <partner@sender.example>`,
      );
    });
  });
});

describe('path.shared-gateway-ip tries the certificates other restricting connectors accept (CON-5 [D], OQ-2)', () => {
  const UNIQUE = 'mx.contoso-gw.example';
  const certLock = (name: string, certificate: string, over: Record<string, unknown> = {}) =>
    lockdownIp({
      Name: name,
      SenderIPAddresses: [],
      TlsSenderCertificateName: certificate,
      RestrictDomainsToIPAddresses: false,
      RestrictDomainsToCertificate: true,
      ...over,
    });
  const uniqueGateway = (certificate = UNIQUE): ResolvedGateway => ({
    ...gateway,
    certificate,
    certificateUnique: true,
  });
  const shared = (connectors: ReturnType<typeof lockdownIp>[], gw: ResolvedGateway) => {
    const d = baseData();
    d['Get-InboundConnector'] = connectors;
    const cfg = configOf(d, { dns: DNS_MX_SEG });
    const path = standardPaths(cfg, EMPTY_PROFILE, gw).find((p) => p.id === 'path.shared-gateway-ip')!;
    const result = evaluatePaths(cfg, EMPTY_PROFILE, gw).find((p) => p.id === 'path.shared-gateway-ip')!;
    const certs = [...new Set([path.attempt, ...(path.variants ?? [])].map((a) => a.certNames.join(',')))];
    return { path, result, certs };
  };

  test('a unique certificate alone: no certificate is tried, the lock-down refuses it', () => {
    const { result, certs } = shared([certLock('SEG unique', UNIQUE)], uniqueGateway());
    expect(certs).toEqual(['']);
    expect(result.status).toBe('closed');
  });

  // The s2 shape: the lock-down moved to a unique certificate, the old one to the SEG's shared certificate stays.
  test('an old lock-down to the shared certificate beside it: open, naming the certificate tried', () => {
    const { path, result, certs } = shared(
      [certLock('SEG unique', UNIQUE), certLock('SEG shared', '*.seg.example')],
      uniqueGateway(),
    );
    expect(certs).toEqual(['', 'mail.seg.example']);
    expect(path.description).toContain(
      'or presenting mail.seg.example, which a restricting connector accepts',
    );
    expect(result.status).toBe('open');
    expect(result.evidence).toContainEqual(
      expect.stringMatching(
        /shown: 203\.0\.113\.10 presenting certificate mail\.seg\.example with MAIL FROM <attacker@sender\.example>$/,
      ),
    );
    expect(result.evidence.join('\n')).toContain("'SEG shared'");
  });

  test.each<[string, string, ReturnType<typeof lockdownIp>[], string[]]>([
    [
      'a wildcard over the unique name: a host under it the unique certificate does not cover',
      'mail.seg.example',
      [certLock('SEG', '*.seg.example')],
      ['', 'other-customer.seg.example'],
    ],
    [
      'names the unique wildcard covers are this tenant’s alone',
      '*.contoso-gw.example',
      [certLock('A', '*.contoso-gw.example'), certLock('B', 'relay.contoso-gw.example')],
      [''],
    ],
    [
      'disabled or non-restricting connectors accept nothing',
      UNIQUE,
      [
        certLock('off', '*.seg.example', { Enabled: false }),
        certLock('allow', '*.other.example', { RestrictDomainsToCertificate: false }),
      ],
      [''],
    ],
    [
      'one name per certificate, case aside',
      UNIQUE,
      [certLock('A', '*.seg.example'), certLock('B', '*.SEG.example'), certLock('C', 'gw.other.example')],
      ['', 'mail.seg.example', 'gw.other.example'],
    ],
  ])('unique certificate: %s', (_n, certificate, connectors, expected) => {
    expect(shared(connectors, uniqueGateway(certificate)).certs).toEqual(expected);
  });

  test.each<[string, string | undefined, string[]]>([
    ['the shared certificate already tried is not repeated', '*.seg.example', ['mail.seg.example']],
    [
      'another accepted certificate is tried beside it',
      'mail.other.example',
      ['mail.other.example', 'mail.seg.example'],
    ],
    [
      'the gateway certificate unknown: tried without one, and with the accepted one',
      undefined,
      ['', 'mail.seg.example'],
    ],
  ])('shared certificate: %s', (_n, certificate, expected) => {
    const gw: ResolvedGateway = { ...gateway, certificate, certificateUnique: false };
    const { path, certs } = shared([certLock('SEG', '*.seg.example')], gw);
    expect(certs).toEqual(expected);
    expect(path.description).toMatch(
      certificate
        ? /^Another customer of the same gateway: its IP and shared certificate/
        : /its IP \(the gateway's certificate is unknown\), or presenting mail\.seg\.example/,
    );
  });
});

describe('a gateway whose certificate is unknown among several the lock-downs name', () => {
  const certLock = (name: string, cert: string) =>
    lockdownIp({
      Name: name,
      SenderIPAddresses: [],
      RestrictDomainsToIPAddresses: false,
      RestrictDomainsToCertificate: true,
      TlsSenderCertificateName: cert,
    });
  const tenant = (certs: [string, string][]) => {
    const d = baseData();
    d['Get-InboundConnector'] = certs.map(([n, c]) => certLock(n, c));
    return configOf(d, { dns: DNS_MX_SEG });
  };
  const gw: ResolvedGateway = {
    ...gateway,
    certificateCandidates: ['*.seg-old.example', 'mx.seg-new.example'],
  };
  const delivery = (cfg: ReturnType<typeof tenant>, g: ResolvedGateway) =>
    evaluatePaths(cfg, EMPTY_PROFILE, g).find((p) => p.id === 'path.gateway-delivery')!;

  test('delivery passes with either certificate and not without: uncertain, saying why (not broken)', () => {
    const cfg = tenant([
      ['SEG old', '*.seg-old.example'],
      ['SEG new', 'mx.seg-new.example'],
    ]);
    // Without the candidates the simulator presents no certificate: refused by both lock-downs.
    expect(delivery(cfg, gateway).status).toBe('broken');
    const p = delivery(cfg, gw);
    expect(p.status).toBe('uncertain');
    expect(p.evidence.join('\n')).toContain(
      'uncertain: which certificate the sender presents is unknown (none, "*.seg-old.example", "mx.seg-new.example"), and the outcome depends on it',
    );
  });

  test('no candidate passes the lock-down in place: still broken', () => {
    const cfg = tenant([['SEG other', '*.other.example']]);
    expect(delivery(cfg, gw).status).toBe('broken');
  });

  test('a declared certificate is presented as it is: no candidates are tried', () => {
    const cfg = tenant([['SEG old', '*.seg-old.example']]);
    const declared: ResolvedGateway = { ...gw, certificate: 'mx.seg-new.example' };
    expect(delivery(cfg, declared).status).toBe('broken');
  });
});
