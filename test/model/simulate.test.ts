import { describe, expect, test } from 'vitest';
import { REPLY_5_7_51, REPLY_5_7_68 } from '../../src/model/rcpt.js';
import { simulate } from '../../src/model/simulate.js';
import { classify } from '../../src/model/paths.js';
import type { SimConfig } from '../../src/model/config.js';
import type { Attempt, AuthVerdict } from '../../src/model/types.js';
import { baseData, configOf, DNS_MX_SEG, GATEWAY_IPS, lockdownIp, safetyNet, type Data } from './helpers.js';

const PASS: AuthVerdict = { spf: 'pass', dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'reject', notes: [] };
const attacker = (over: Partial<Attempt> = {}): Attempt => ({
  clientIp: '198.18.7.7',
  tls: true,
  certNames: [],
  mailFrom: 'x@sender.example',
  headerFrom: 'x@sender.example',
  rcpts: ['user@contoso.com'],
  adversarial: true,
  ...over,
});

function withData(mut: (d: Data) => void): Data {
  const d = baseData();
  mut(d);
  return d;
}

describe('RCPT stage', () => {
  test('CON-5: a * lock-down by IP refuses a foreign sender from elsewhere with 5.7.51', () => {
    const cfg = configOf(
      withData((d) => (d['Get-InboundConnector'] = [lockdownIp()])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ auth: PASS }));
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({ stage: 'rcpt', disposition: 'rejected', reply: REPLY_5_7_51 });
    expect(r.outcomes[0]!.decisions.map((x) => x.rule)).toContain('CON-5');
    expect(classify('attack', r)).toBe('closed');
  });

  test('CON-5: the gateway IP satisfies the restriction', () => {
    const cfg = configOf(
      withData((d) => (d['Get-InboundConnector'] = [lockdownIp()])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ clientIp: '198.51.100.5', adversarial: false, auth: PASS }));
    expect(classify('legitimate', r)).toBe('preserved');
  });

  test('CON-5: a disabled lock-down does not refuse', () => {
    const cfg = configOf(
      withData((d) => (d['Get-InboundConnector'] = [lockdownIp({ Enabled: false })])),
      { dns: DNS_MX_SEG },
    );
    expect(classify('attack', simulate(cfg, attacker({ auth: PASS })))).toBe('open');
  });

  test('CON-5: AssociatedAcceptedDomains limited to contoso.com leaves the initial domain open', () => {
    const cfg = configOf(
      withData(
        (d) => (d['Get-InboundConnector'] = [lockdownIp({ AssociatedAcceptedDomains: ['contoso.com'] })]),
      ),
      { dns: DNS_MX_SEG },
    );
    expect(classify('attack', simulate(cfg, attacker({ auth: PASS })))).toBe('closed');
    expect(
      classify('attack', simulate(cfg, attacker({ auth: PASS, rcpts: ['user@contoso.onmicrosoft.com'] }))),
    ).toBe('open');
  });

  test('CON-5 with certificate: the matching certificate over TLS satisfies it, without TLS it does not', () => {
    const conn = lockdownIp({
      RestrictDomainsToIPAddresses: false,
      RestrictDomainsToCertificate: true,
      SenderIPAddresses: [],
      TlsSenderCertificateName: '*.gw.example',
    });
    const cfg = configOf(
      withData((d) => (d['Get-InboundConnector'] = [conn])),
      { dns: DNS_MX_SEG },
    );
    expect(
      classify(
        'legitimate',
        simulate(cfg, attacker({ certNames: ['mx1.gw.example'], adversarial: false, auth: PASS })),
      ),
    ).toBe('preserved');
    expect(
      classify('attack', simulate(cfg, attacker({ certNames: ['mx1.gw.example'], tls: false, auth: PASS }))),
    ).toBe('closed');
    expect(classify('attack', simulate(cfg, attacker({ certNames: ['evil.example'], auth: PASS })))).toBe(
      'closed',
    );
  });

  test('CON-5 §12: one satisfying restricting connector admits a device beside a certificate lock-down', () => {
    const cert = lockdownIp({
      RestrictDomainsToIPAddresses: false,
      RestrictDomainsToCertificate: true,
      SenderIPAddresses: [],
      TlsSenderCertificateName: '*.gw.example',
    });
    const printer = lockdownIp({
      Name: 'Scanners',
      SenderDomains: ['contoso.com'],
      SenderIPAddresses: ['192.0.2.50'],
      RequireTls: false,
    });
    const cfg = configOf(
      withData((d) => {
        d['Get-InboundConnector'] = [cert, printer];
        d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
      }),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, {
      clientIp: '192.0.2.50',
      tls: false,
      certNames: [],
      mailFrom: 'scanner@contoso.com',
      headerFrom: 'scanner@contoso.com',
      rcpts: ['user@contoso.com'],
    });
    expect(classify('legitimate', r)).toBe('preserved');
    expect(r.outcomes[0]!.decisions.find((x) => x.rule === 'CON-5')?.evidence).toBe('I');
  });

  test('DS-2: RejectDirectSend refuses own P1 from an unmatched IP with 5.7.68, not a foreign P1', () => {
    const cfg = configOf(
      withData((d) => (d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }])),
      { dns: DNS_MX_SEG },
    );
    const own = simulate(cfg, attacker({ mailFrom: 'ceo@contoso.com', headerFrom: 'ceo@contoso.com' }));
    expect(own.outcomes).toEqual([expect.objectContaining({ stage: 'rcpt', reply: REPLY_5_7_68 })]);
    const header = simulate(cfg, attacker({ headerFrom: 'ceo@contoso.com' }));
    expect(header.outcomes.every((o) => o.stage === 'post-acceptance')).toBe(true);
    const nullSender = simulate(cfg, attacker({ mailFrom: '', headerFrom: 'ceo@contoso.com' }));
    expect(nullSender.outcomes.some((o) => o.stage === 'rcpt')).toBe(false);
  });

  test('DS-2: a connector matched by IP exempts the sender', () => {
    const cfg = configOf(
      withData((d) => {
        d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
        d['Get-InboundConnector'] = [
          {
            Name: 'printer',
            Enabled: true,
            ConnectorType: 'Partner',
            SenderDomains: ['contoso.com'],
            SenderIPAddresses: ['192.0.2.50'],
            RequireTls: false,
            RestrictDomainsToIPAddresses: false,
            RestrictDomainsToCertificate: false,
          },
        ];
      }),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(
      cfg,
      attacker({
        clientIp: '192.0.2.50',
        mailFrom: 'scanner@contoso.com',
        headerFrom: 'scanner@contoso.com',
        adversarial: false,
      }),
    );
    expect(classify('legitimate', r)).toBe('preserved');
  });

  test.each([
    ['the P1 domain itself', ['contoso.com']],
    ['a wildcard', ['*.contoso.com']],
    ['every domain', ['*']],
  ])(
    'DS-1 (2026-03-17): an allow-by-domain Partner connector covering %s does not exempt: 550 5.7.68, the connector named',
    (_what, senderDomains) => {
      const printer = {
        Name: 'Allow printers',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: senderDomains,
        SenderIPAddresses: [],
        RequireTls: false,
        RestrictDomainsToIPAddresses: false,
        RestrictDomainsToCertificate: false,
      };
      const cfg = configOf(
        withData((d) => {
          d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
          d['Get-InboundConnector'] = [printer];
        }),
        { dns: DNS_MX_SEG },
      );
      const send = { mailFrom: 'scanner@contoso.com', headerFrom: 'scanner@contoso.com', adversarial: false };
      const r = simulate(cfg, attacker({ clientIp: '192.0.2.50', ...send }));
      expect(r.outcomes).toEqual([expect.objectContaining({ stage: 'rcpt', reply: REPLY_5_7_68 })]);
      expect(classify('legitimate', r)).toBe('broken');
      const note = r.outcomes[0]!.decisions.find((x) => x.rule === 'DS-1');
      expect(note).toMatchObject({ evidence: 'D' });
      expect(note?.text).toContain(
        "'Allow printers' cover P1 domain contoso.com by SenderDomains but match this connection neither by IP nor by certificate",
      );
      expect(note?.text).toContain('2026-03-17');
      // The same connector with the device's IP listed matches it by IP (CON-1) and exempts it (DS-2 [D]).
      const listed = configOf(
        withData((d) => {
          d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
          d['Get-InboundConnector'] = [{ ...printer, SenderIPAddresses: ['192.0.2.50'] }];
        }),
        { dns: DNS_MX_SEG },
      );
      const exempt = simulate(listed, attacker({ clientIp: '192.0.2.50', ...send }));
      expect(exempt.outcomes.some((o) => o.reply === REPLY_5_7_68)).toBe(false);
      expect(exempt.outcomes[0]!.decisions.find((x) => x.rule === 'DS-3')?.text).toBe(
        "exempt from RejectDirectSend: matched connector 'Allow printers' by IP or certificate",
      );
    },
  );

  test('DS-1 note: an allow-by-domain connector for another domain is not named', () => {
    const cfg = configOf(
      withData((d) => {
        d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
        d['Get-InboundConnector'] = [
          {
            Name: 'Allow partner',
            Enabled: true,
            ConnectorType: 'Partner',
            SenderDomains: ['fabrikam.com'],
            RequireTls: false,
            RestrictDomainsToIPAddresses: false,
            RestrictDomainsToCertificate: false,
          },
        ];
      }),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ mailFrom: 'ceo@contoso.com', headerFrom: 'ceo@contoso.com' }));
    expect(r.outcomes).toEqual([expect.objectContaining({ reply: REPLY_5_7_68 })]);
    expect(r.outcomes[0]!.decisions.map((x) => x.rule)).toEqual(['DS-2']);
  });

  test('RejectDirectSend absent from the export is explored both ways → uncertain', () => {
    const cfg = configOf(
      withData((d) => (d['Get-OrganizationConfig'] = [{ Name: 'x' }])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ mailFrom: 'ceo@contoso.com', headerFrom: 'ceo@contoso.com' }));
    expect(classify('attack', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/RejectDirectSend/);
  });

  test('CON-7: a recipient outside the accepted domains is a relay attempt', () => {
    const cfg = configOf(baseData(), { dns: DNS_MX_SEG });
    const r = simulate(cfg, attacker({ rcpts: ['someone@elsewhere.example'], auth: PASS }));
    expect(r.outcomes[0]).toMatchObject({ stage: 'rcpt', reply: expect.stringMatching(/^550 5\.7\.64/) });
  });

  test('CON-6: a matched Partner connector with RequireTls refuses plain text (reply unknown, OQ-6)', () => {
    const cfg = configOf(
      withData((d) => (d['Get-InboundConnector'] = [lockdownIp()])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ clientIp: '203.0.113.10', tls: false, auth: PASS }));
    expect(r.outcomes[0]).toMatchObject({ stage: 'rcpt', reply: 'unknown' });
  });
});

describe('transport rules (TR-1..TR-4)', () => {
  test('an enforced safety net NDRs direct mail after acceptance → mitigated', () => {
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [safetyNet()])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ auth: PASS }));
    expect(r.outcomes).toEqual([
      expect.objectContaining({
        stage: 'post-acceptance',
        disposition: 'ndr',
        reply: '550 5.7.1 Mail not delivered via SEG.',
      }),
    ]);
    expect(classify('attack', r)).toBe('mitigated');
  });

  test.each([
    ['AuditAndNotify mode', { Mode: 'AuditAndNotify' }],
    ['Audit mode', { Mode: 'Audit' }],
    ['Disabled', { State: 'Disabled' }],
  ])('a safety net in %s has no effect on delivery', (_name, over) => {
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [safetyNet(over)])),
      { dns: DNS_MX_SEG },
    );
    expect(classify('attack', simulate(cfg, attacker({ auth: PASS })))).toBe('open');
  });

  test('the gateway IP is excepted from the safety net', () => {
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [safetyNet()])),
      { dns: DNS_MX_SEG },
    );
    expect(
      classify(
        'legitimate',
        simulate(cfg, attacker({ clientIp: '203.0.113.11', adversarial: false, auth: PASS })),
      ),
    ).toBe('preserved');
  });

  test('a StopRuleProcessing rule above the safety net defeats it (TR-2)', () => {
    const stop = {
      Name: 'stop',
      Priority: 0,
      State: 'Enabled',
      Mode: 'Enforce',
      FromScope: 'NotInOrganization',
      StopRuleProcessing: true,
    } as const;
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [stop, safetyNet({ Priority: 1 })])),
      { dns: DNS_MX_SEG },
    );
    expect(classify('attack', simulate(cfg, attacker({ auth: PASS })))).toBe('open');
  });

  test('priority, not list order, decides (TR-2)', () => {
    const stop = {
      Name: 'stop',
      Priority: 5,
      State: 'Enabled',
      Mode: 'Enforce',
      FromScope: 'NotInOrganization',
      StopRuleProcessing: true,
    } as const;
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [stop, safetyNet({ Priority: 0 })])),
      { dns: DNS_MX_SEG },
    );
    expect(classify('attack', simulate(cfg, attacker({ auth: PASS })))).toBe('mitigated');
  });

  test('an exception on a header the attacker writes lets the attacker through', () => {
    const rule = safetyNet({
      ExceptIfHeaderContainsMessageHeader: 'X-Gateway-Scanned',
      ExceptIfHeaderContainsWords: ['yes'],
    });
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [rule])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ auth: PASS }));
    expect(classify('attack', r)).toBe('open');
    expect(r.outcomes[0]!.decisions.some((x) => x.rule === 'TR-4' && x.evidence === 'I')).toBe(true);
  });

  test('the AuthAs header is stamped by EOP, so an anonymous attacker cannot fake the hybrid exception', () => {
    const rule = safetyNet({
      ExceptIfHeaderMatchesMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
      ExceptIfHeaderMatchesPatterns: ['Internal'],
    });
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [rule])),
      { dns: DNS_MX_SEG },
    );
    expect(
      classify(
        'attack',
        simulate(cfg, attacker({ auth: PASS, headers: { 'X-MS-Exchange-Organization-AuthAs': 'Internal' } })),
      ),
    ).toBe('mitigated');
  });

  test('an SCL -1 rule on the own sender domain delivers a DMARC-failing spoof (§4.5)', () => {
    const bypass = {
      Name: 'bypass',
      Priority: 0,
      State: 'Enabled',
      Mode: 'Enforce',
      SenderDomainIs: ['contoso.com'],
      SetSCL: -1,
    };
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [bypass])),
      { dns: DNS_MX_SEG, mxPointsToEop: true },
    );
    const r = simulate(cfg, attacker({ headerFrom: 'ceo@contoso.com' }));
    expect(r.outcomes).toEqual([expect.objectContaining({ disposition: 'inbox' })]);
    expect(r.outcomes[0]!.decisions.map((x) => x.rule)).toContain('TR-SCL');
  });

  test('an unmodelled condition makes the rule undecided → uncertain, never closed', () => {
    const rule = safetyNet({
      Conditions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.AttachmentSizeOverPredicate'],
    });
    const cfg = configOf(
      withData((d) => (d['Get-TransportRule'] = [rule])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ auth: PASS }));
    expect(classify('attack', r)).toBe('uncertain');
  });

  test('a transport-rule export that is missing never yields a clean result', () => {
    const cfg = configOf(
      withData((d) => delete d['Get-TransportRule']),
      { dns: DNS_MX_SEG },
    );
    expect(classify('attack', simulate(cfg, attacker({ auth: PASS })))).toBe('uncertain');
  });
});

describe('spoof and DMARC (§6)', () => {
  const ownSpoof = attacker({ headerFrom: 'ceo@contoso.com' });
  test.each([
    ['MX at EOP, p=reject, honour DMARC, Reject', {}, true, 'ndr'],
    [
      'MX at EOP, p=reject, honour DMARC, DmarcRejectAction Quarantine',
      { DmarcRejectAction: 'Quarantine' },
      true,
      'quarantine',
    ],
    [
      'MX at EOP, honour off, spoof intelligence MoveToJmf',
      { HonorDmarcPolicy: false, AuthenticationFailAction: 'MoveToJmf' },
      true,
      'junk',
    ],
    [
      'MX at EOP, both off: quarantined',
      { HonorDmarcPolicy: false, EnableSpoofIntelligence: false },
      true,
      'quarantine',
    ],
    ['MX elsewhere, no EF: suppressed (Ghost-Sender [C])', {}, false, 'inbox'],
  ] as const)('%s', (_name, policy, mxEop, disposition) => {
    const d = baseData();
    d['Get-AntiPhishPolicy'] = [{ ...d['Get-AntiPhishPolicy']![0], ...policy }];
    const r = simulate(configOf(d, { dns: DNS_MX_SEG, mxPointsToEop: mxEop }), ownSpoof);
    expect(r.outcomes.map((o) => o.disposition)).toEqual([disposition]);
  });

  test('p=none with spoof intelligence on: AuthenticationFailAction only if composite auth fails → uncertain', () => {
    // §6.3 gives "no spoof action" for p=none, §6.2 calls it an implicit failure: which applies is undocumented.
    const dns = { ...DNS_MX_SEG, '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=none'] } };
    const r = simulate(configOf(baseData(), { dns, mxPointsToEop: true }), ownSpoof);
    expect(r.outcomes.map((o) => o.disposition)).toEqual(['quarantine', 'inbox']);
    expect(classify('attack', r)).toBe('uncertain');
  });

  test('without DNS the authentication is unknown → uncertain', () => {
    const r = simulate(configOf(baseData(), { mxPointsToEop: true }), ownSpoof);
    expect(classify('attack', r)).toBe('uncertain');
  });

  test('an own domain in AllowedSenderDomains delivers the spoof (S31)', () => {
    const d = baseData();
    d['Get-HostedContentFilterPolicy'] = [{ IsDefault: true, AllowedSenderDomains: ['contoso.com'] }];
    const r = simulate(configOf(d, { dns: DNS_MX_SEG, mxPointsToEop: true }), ownSpoof);
    expect(r.outcomes.map((o) => o.disposition)).toEqual(['inbox']);
  });
});

describe('OQ-4 and unknowns', () => {
  test('P1 in a subdomain of a MatchSubDomains accepted domain: RejectDirectSend undecided → uncertain', () => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    d['Get-AcceptedDomain']!.push({
      DomainName: 'relay.example',
      DomainType: 'InternalRelay',
      MatchSubDomains: true,
    });
    const r = simulate(
      configOf(d, { dns: DNS_MX_SEG }),
      attacker({ mailFrom: 'x@sub.relay.example', headerFrom: 'x@sub.relay.example' }),
    );
    expect(r.outcomes.some((o) => o.stage === 'rcpt' && o.reply === REPLY_5_7_68)).toBe(true);
    expect(r.outcomes.some((o) => o.stage === 'post-acceptance')).toBe(true);
    expect(classify('attack', r)).toBe('uncertain');
  });

  test('a connector whose Enabled is not exported is explored both ways', () => {
    const d = baseData();
    const { Enabled: _drop, ...conn } = lockdownIp();
    d['Get-InboundConnector'] = [conn];
    const r = simulate(
      configOf(d, { dns: DNS_MX_SEG }),
      attacker({ auth: { spf: 'pass', dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'none', notes: [] } }),
    );
    expect(classify('attack', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/Enabled/);
  });
});

const own = (over: Partial<Attempt> = {}) =>
  attacker({ mailFrom: 'ceo@contoso.com', headerFrom: 'ceo@contoso.com', ...over });
const statusesOf = (r: ReturnType<typeof simulate>) => r.outcomes.map((o) => `${o.stage}:${o.disposition}`);

describe('RCPT stage: review cases', () => {
  test('CON-5: AssociatedAcceptedDomains is an exact list of accepted domains, not a suffix match', () => {
    const d = withData((x) => {
      x['Get-AcceptedDomain']!.push({ DomainName: 'sub.contoso.com', DomainType: 'Authoritative' });
      x['Get-InboundConnector'] = [lockdownIp({ AssociatedAcceptedDomains: ['contoso.com'] })];
    });
    const cfg = configOf(d, { dns: DNS_MX_SEG });
    expect(classify('attack', simulate(cfg, attacker({ auth: PASS })))).toBe('closed');
    expect(classify('attack', simulate(cfg, attacker({ auth: PASS, rcpts: ['user@sub.contoso.com'] })))).toBe(
      'open',
    );
  });

  test('IP Block List (OQ-7): refused with 5.7.513 or silently dropped → mitigated, never closed', () => {
    const d = withData((x) => {
      x['Get-HostedConnectionFilterPolicy'] = [
        { IsDefault: true, IPBlockList: ['198.18.7.0/24'], IPAllowList: [] },
      ];
    });
    const r = simulate(configOf(d, { dns: DNS_MX_SEG }), attacker({ auth: PASS }));
    expect(r.outcomes[0]).toMatchObject({
      stage: 'rcpt',
      reply:
        '550 5.7.513 Service unavailable, Client host [198.18.7.7] blocked by contoso.com using Customer Block list (AS16012607)',
    });
    expect(statusesOf(r)).toContain('post-acceptance:dropped');
    expect(classify('attack', r)).toBe('mitigated');
    expect(classify('legitimate', r)).toBe('broken');
    expect(r.uncertainties.join(' ')).toMatch(/OQ-7/);
  });

  test('IP Allow List beats the Block List for the same IP (§6.5)', () => {
    const d = withData((x) => {
      x['Get-HostedConnectionFilterPolicy'] = [
        { IsDefault: true, IPBlockList: ['198.18.7.0/24'], IPAllowList: ['198.18.7.7'] },
      ];
    });
    const r = simulate(configOf(d, { dns: DNS_MX_SEG }), attacker({ auth: PASS }));
    expect(r.outcomes.every((o) => o.stage === 'post-acceptance' && o.disposition === 'inbox')).toBe(true);
  });

  test('unknown settings are explored in every combination: Restrict flags absent on an IP+certificate connector', () => {
    // RestrictDomainsToIPAddresses=false with RestrictDomainsToCertificate=true would refuse the gateway's
    // certificate-less delivery; the all-true and all-false worlds alone would both admit it.
    const d = withData((x) => {
      const {
        RestrictDomainsToIPAddresses: _a,
        RestrictDomainsToCertificate: _b,
        ...c
      } = lockdownIp({
        TlsSenderCertificateName: '*.gw.example',
      });
      x['Get-InboundConnector'] = [c];
    });
    const r = simulate(
      configOf(d, { dns: DNS_MX_SEG }),
      attacker({ clientIp: '203.0.113.10', adversarial: false, auth: PASS }),
    );
    expect(classify('legitimate', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/RestrictDomainsToCertificate/);
  });

  test('a connector whose ConnectorType is not exported may be a restricting Partner connector', () => {
    const d = withData((x) => {
      const { ConnectorType: _t, ...c } = lockdownIp();
      x['Get-InboundConnector'] = [c];
    });
    const cfg = configOf(d, { dns: DNS_MX_SEG });
    const device = simulate(cfg, {
      clientIp: '192.0.2.50',
      tls: true,
      certNames: [],
      mailFrom: 'scanner@contoso.com',
      headerFrom: 'scanner@contoso.com',
      rcpts: ['user@contoso.com'],
      auth: PASS,
    });
    expect(classify('legitimate', device)).toBe('uncertain');
    expect(device.uncertainties.join(' ')).toMatch(/ConnectorType/);
  });

  test.each([
    ['Authoritative', 'closed', 'D'],
    ['InternalRelay', 'closed', 'I'], // §12 OQ-4: InternalRelay domains count as accepted [I]
    ['ExternalRelay', 'uncertain', 'I'], // OQ-4 open for ExternalRelay
    [undefined, 'uncertain', 'I'], // DomainType not exported
  ] as const)('DS-2 with the P1 domain of type %s → %s [%s]', (type, status, evidence) => {
    const d = withData((x) => {
      x['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
      x['Get-AcceptedDomain']!.push(
        type === undefined
          ? { DomainName: 'relay.example' }
          : { DomainName: 'relay.example', DomainType: type },
      );
    });
    const r = simulate(
      configOf(d, { dns: DNS_MX_SEG }),
      attacker({ mailFrom: 'x@relay.example', headerFrom: 'x@relay.example', auth: PASS }),
    );
    expect(classify('attack', r)).toBe(status);
    const ds = r.outcomes.flatMap((o) => o.decisions).find((x) => x.rule === 'DS-2');
    expect(ds?.evidence).toBe(evidence);
  });

  test('DS-3: a subdomain of an accepted domain is not covered by RejectDirectSend, on [I] grounds (§12 OQ-4)', () => {
    const d = withData((x) => (x['Get-OrganizationConfig'] = [{ RejectDirectSend: true }]));
    const r = simulate(
      configOf(d, { dns: DNS_MX_SEG }),
      attacker({ mailFrom: 'ceo@mail.contoso.com', headerFrom: 'ceo@mail.contoso.com', auth: PASS }),
    );
    expect(r.outcomes.every((o) => o.stage === 'post-acceptance')).toBe(true);
    expect(r.outcomes[0]!.decisions.find((x) => x.rule === 'DS-3')?.evidence).toBe('I');
  });

  test('CON-7: an OnPremises connector matched by a certificate in an accepted domain may relay a foreign P1', () => {
    const d = withData((x) => {
      x['Get-InboundConnector'] = [
        {
          Name: 'On-prem',
          Enabled: true,
          ConnectorType: 'OnPremises',
          SenderDomains: ['*'],
          TlsSenderCertificateName: 'mail.contoso.com',
        },
      ];
    });
    const cfg = configOf(d, { dns: DNS_MX_SEG });
    const relay = (certNames: string[]) =>
      simulate(cfg, {
        clientIp: '192.0.2.10',
        tls: true,
        certNames,
        mailFrom: 'newsletter@partner.example',
        headerFrom: 'newsletter@partner.example',
        rcpts: ['someone@elsewhere.example'],
        auth: PASS,
      });
    expect(relay(['mail.contoso.com']).outcomes.some((o) => o.reply?.startsWith('550 5.7.64'))).toBe(false);
    expect(relay([]).outcomes[0]).toMatchObject({ reply: expect.stringMatching(/^550 5\.7\.64/) });
  });

  test('accepted domains not exported: a recipient cannot be called a relay attempt', () => {
    const d = withData((x) => delete x['Get-AcceptedDomain']);
    const r = simulate(configOf(d, { dns: DNS_MX_SEG }), attacker({ auth: PASS }));
    expect(classify('attack', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/Get-AcceptedDomain/);
  });

  test('OQ-3: a restricting connector scoped to the own domain does not see a header-only spoof (P1, [C])', () => {
    const d = withData((x) => (x['Get-InboundConnector'] = [lockdownIp({ SenderDomains: ['contoso.com'] })]));
    const r = simulate(configOf(d, { dns: DNS_MX_SEG }), attacker({ headerFrom: 'ceo@contoso.com' }));
    expect(r.outcomes.every((o) => o.stage === 'post-acceptance')).toBe(true);
    const con2 = r.outcomes[0]!.decisions.find((x) => x.rule === 'CON-2');
    expect(con2).toMatchObject({ evidence: 'C' });
    expect(con2?.text).toMatch(/OQ-3/);
  });
});

describe('post-acceptance: Enhanced Filtering (EF-2, EF-3)', () => {
  const gwConnector = (over: Parameters<typeof lockdownIp>[0] = {}) =>
    lockdownIp({ EFSkipIPs: GATEWAY_IPS, EFSkipLastIP: false, EFTestMode: false, EFUsers: [], ...over });
  /** The IP the authentication oracle is asked about, i.e. the IP SPF/DMARC are evaluated for. */
  function authIpFor(conn: ReturnType<typeof gwConnector>, over: Partial<Attempt> = {}): string[] {
    const cfg = configOf(
      withData((x) => (x['Get-InboundConnector'] = [conn])),
      { dns: DNS_MX_SEG },
    );
    const asked: string[] = [];
    const spy: SimConfig = {
      ...cfg,
      auth: {
        verdict: (input) => {
          asked.push(input.ip);
          return cfg.auth.verdict(input);
        },
      },
    };
    simulate(spy, {
      clientIp: '203.0.113.10',
      tls: true,
      certNames: [],
      mailFrom: 'partner@sender.example',
      headerFrom: 'partner@sender.example',
      rcpts: ['user@contoso.com'],
      receivedIps: ['203.0.113.11', '198.18.40.40', '192.0.2.99'],
      ...over,
    });
    return [...new Set(asked)];
  }

  test.each<[string, Parameters<typeof lockdownIp>[0], Partial<Attempt>, string]>([
    ['EF off: the connecting IP', { EFSkipIPs: [] }, {}, '203.0.113.10'],
    ['EFSkipIPs: first hop not skip-listed', {}, {}, '198.18.40.40'],
    ['EFSkipLastIP: the previous hop only', { EFSkipIPs: [], EFSkipLastIP: true }, {}, '203.0.113.11'],
    ['EFSkipIPs covering every hop: the oldest hop', { EFSkipIPs: ['0.0.0.0/0'] }, {}, '192.0.2.99'],
    ['no Received hops: the connecting IP', {}, { receivedIps: [] }, '203.0.113.10'],
    ['EFTestMode: EF is not applied, so the connecting IP', { EFTestMode: true }, {}, '203.0.113.10'],
    [
      'EFUsers lists every recipient: EF applies',
      { EFUsers: ['user@contoso.com', 'cfo@contoso.com'] },
      { rcpts: ['user@contoso.com', 'CFO@contoso.com'] },
      '198.18.40.40',
    ],
    [
      'EFUsers misses one recipient: EF applies to none (EF-3)',
      { EFUsers: ['user@contoso.com'] },
      { rcpts: ['user@contoso.com', 'cfo@contoso.com'] },
      '203.0.113.10',
    ],
  ])('%s', (_name, conn, attempt, ip) => {
    expect(authIpFor(gwConnector(conn), attempt)).toEqual([ip]);
  });

  test.each<[string, Parameters<typeof lockdownIp>[0], string, string]>([
    ['EF applied: DMARC is honoured although MX points elsewhere', {}, 'ndr', 'D'],
    ['EFTestMode: treated as EF not applied (ORCA [C]) → suppressed', { EFTestMode: true }, 'inbox', 'C'],
    ['EFUsers pilot without this recipient → suppressed', { EFUsers: ['pilot@contoso.com'] }, 'inbox', 'D'],
  ])('%s', (_name, conn, disposition, efEvidence) => {
    const cfg = configOf(
      withData((x) => (x['Get-InboundConnector'] = [gwConnector(conn)])),
      {
        dns: DNS_MX_SEG,
        mxPointsToEop: false,
      },
    );
    // A spoof of the own domain relayed by the gateway from an internet IP the own SPF does not list.
    const r = simulate(cfg, {
      clientIp: '203.0.113.10',
      tls: true,
      certNames: [],
      mailFrom: 'ceo@contoso.com',
      headerFrom: 'ceo@contoso.com',
      rcpts: ['user@contoso.com'],
      receivedIps: ['198.18.40.40'],
    });
    expect(r.outcomes.map((o) => o.disposition)).toEqual([disposition]);
    expect(r.outcomes[0]!.decisions.find((x) => x.rule === 'EF-3')?.evidence).toBe(efEvidence);
  });
});

describe('post-acceptance: hybrid promotion (CON-8) and FromScope', () => {
  const onPrem = (over: Record<string, unknown> = {}) => ({
    Name: 'From on-premises',
    Enabled: true,
    ConnectorType: 'OnPremises',
    SenderDomains: ['*'],
    SenderIPAddresses: ['192.0.2.10'],
    CloudServicesMailEnabled: true,
    TreatMessagesAsInternal: false,
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    RequireTls: false,
    EFSkipLastIP: false,
    EFSkipIPs: [],
    EFTestMode: false,
    ...over,
  });
  const fromOnPrem = (over: Partial<Attempt> = {}): Attempt => ({
    clientIp: '192.0.2.10',
    tls: true,
    certNames: [],
    mailFrom: 'onprem.user@contoso.com',
    headerFrom: 'onprem.user@contoso.com',
    rcpts: ['user@contoso.com'],
    headers: { 'X-MS-Exchange-CrossPremises-AuthAs': 'Internal' },
    ...over,
  });
  const withRules = (conn: ReturnType<typeof onPrem>, rules: NonNullable<Data['Get-TransportRule']>) =>
    configOf(
      withData((x) => {
        x['Get-InboundConnector'] = [lockdownIp(), conn];
        x['Get-TransportRule'] = rules;
      }),
      { dns: DNS_MX_SEG },
    );

  test('Exchange hybrid with CloudServicesMailEnabled: promoted to Internal, not hit by a NotInOrganization net', () => {
    const r = simulate(withRules(onPrem(), [safetyNet()]), fromOnPrem());
    expect(classify('legitimate', r)).toBe('preserved');
    expect(r.outcomes[0]!.decisions.map((x) => x.rule)).toContain('CON-8');
  });

  test('an InOrganization rule matches the promoted hybrid message', () => {
    const tag = {
      Name: 'internal tag',
      Priority: 0,
      State: 'Enabled',
      Mode: 'Enforce',
      FromScope: 'InOrganization',
      Quarantine: true,
    };
    expect(classify('legitimate', simulate(withRules(onPrem(), [tag]), fromOnPrem()))).toBe('broken');
  });

  test('a device relaying through the same connector writes no cross-premises headers: not promoted', () => {
    const r = simulate(withRules(onPrem(), [safetyNet()]), fromOnPrem({ headers: {} }));
    expect(r.outcomes.map((o) => o.disposition)).toEqual(['ndr']);
    expect(r.outcomes[0]!.decisions.some((x) => x.rule === 'CON-8')).toBe(false);
  });

  test('without CloudServicesMailEnabled the hybrid message stays Anonymous: the net rejects it', () => {
    const r = simulate(withRules(onPrem({ CloudServicesMailEnabled: false }), [safetyNet()]), fromOnPrem());
    expect(classify('legitimate', r)).toBe('broken');
  });

  test('an attacker who matches the OnPremises connector can write the cross-premises headers [I]', () => {
    const r = simulate(withRules(onPrem(), [safetyNet()]), fromOnPrem({ headers: {}, adversarial: true }));
    expect(classify('attack', r)).toBe('open');
    expect(r.outcomes[0]!.decisions.find((x) => x.rule === 'CON-8')?.evidence).toBe('I');
  });

  test('InOrganization needs an Authoritative or InternalRelay sender domain: ExternalRelay is outside (S20)', () => {
    const d = withData((x) => {
      x['Get-AcceptedDomain']!.push({ DomainName: 'partner-relay.example', DomainType: 'ExternalRelay' });
      x['Get-InboundConnector'] = [lockdownIp(), onPrem()];
      x['Get-TransportRule'] = [safetyNet()];
    });
    const r = simulate(
      configOf(d, { dns: DNS_MX_SEG }),
      fromOnPrem({ mailFrom: 'x@partner-relay.example', headerFrom: 'x@partner-relay.example' }),
    );
    expect(r.outcomes.map((o) => o.disposition)).toEqual(['ndr']);
  });

  test('OQ-9: the net matching an anonymous own-domain spoof says it rests on NotInOrganization = not InOrganization [C]', () => {
    const cfg = configOf(
      withData((x) => (x['Get-TransportRule'] = [safetyNet()])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, own());
    expect(classify('attack', r)).toBe('mitigated');
    const oq9 = r.outcomes[0]!.decisions.find((x) => /OQ-9/.test(x.text));
    expect(oq9?.evidence).toBe('C');
  });

  test('OQ-9 is not invoked for a foreign sender (the literal definition fits)', () => {
    const cfg = configOf(
      withData((x) => (x['Get-TransportRule'] = [safetyNet()])),
      { dns: DNS_MX_SEG },
    );
    const r = simulate(cfg, attacker({ auth: PASS }));
    expect(r.outcomes[0]!.decisions.some((x) => /OQ-9/.test(x.text))).toBe(false);
  });
});

describe('connector lists missing from the export', () => {
  const without = (key: 'AssociatedAcceptedDomains' | 'SenderDomains') => {
    const c = Object.fromEntries(Object.entries(lockdownIp()).filter(([k]) => k !== key));
    return withData((x) => (x['Get-InboundConnector'] = [c]));
  };

  test('AssociatedAcceptedDomains not exported: the lock-down may not cover the recipient domain', () => {
    const r = simulate(
      configOf(without('AssociatedAcceptedDomains'), { dns: DNS_MX_SEG }),
      attacker({ auth: PASS }),
    );
    expect(classify('attack', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/AssociatedAcceptedDomains/);
  });

  test('SenderDomains not exported: the lock-down may not cover the sender domain', () => {
    const r = simulate(configOf(without('SenderDomains'), { dns: DNS_MX_SEG }), attacker({ auth: PASS }));
    expect(classify('attack', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/SenderDomains/);
  });
});

test('two connectors match the gateway and only one has Enhanced Filtering: which one applies is undecided', () => {
  const d = withData((x) => {
    x['Get-InboundConnector'] = [
      lockdownIp({ Name: 'A (EF)', EFSkipIPs: GATEWAY_IPS, EFSkipLastIP: false, EFTestMode: false }),
      lockdownIp({ Name: 'B (no EF)', EFSkipIPs: [], EFSkipLastIP: false, EFTestMode: false }),
    ];
  });
  const r = simulate(configOf(d, { dns: DNS_MX_SEG, mxPointsToEop: false }), {
    clientIp: '203.0.113.10',
    tls: true,
    certNames: [],
    mailFrom: 'ceo@contoso.com',
    headerFrom: 'ceo@contoso.com',
    rcpts: ['user@contoso.com'],
    receivedIps: ['198.18.40.40'],
  });
  expect([...new Set(r.outcomes.map((o) => o.disposition))].sort()).toEqual(['inbox', 'ndr']);
  expect(r.uncertainties.join(' ')).toMatch(/attributed/);
});
