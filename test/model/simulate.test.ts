import { describe, expect, test } from 'vitest';
import { simulate, REPLY_5_7_51, REPLY_5_7_68 } from '../../src/model/simulate.js';
import { classify } from '../../src/model/paths.js';
import type { Attempt, AuthVerdict } from '../../src/model/types.js';
import { baseData, configOf, DNS_MX_SEG, lockdownIp, safetyNet, type Data } from './helpers.js';

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

  test('p=none with spoof intelligence on: implicit failure → AuthenticationFailAction', () => {
    const dns = { ...DNS_MX_SEG, '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=none'] } };
    const r = simulate(configOf(baseData(), { dns, mxPointsToEop: true }), ownSpoof);
    expect(r.outcomes.map((o) => o.disposition)).toEqual(['quarantine']);
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
