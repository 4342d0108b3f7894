import { describe, expect, test } from 'vitest';
import { classify } from '../../src/model/paths.js';
import { simulate } from '../../src/model/simulate.js';
import type { Attempt } from '../../src/model/types.js';
import { baseData, configOf, DNS_MX_SEG, GATEWAY_IPS, lockdownIp, type Data } from './helpers.js';

/** A spoof of the own domain (DMARC p=reject in DNS_MX_SEG fails for this IP), MX at EOP unless said otherwise. */
const spoof = (over: Partial<Attempt> = {}): Attempt => ({
  clientIp: '198.18.7.7',
  tls: true,
  certNames: [],
  mailFrom: 'x@sender.example',
  headerFrom: 'ceo@contoso.com',
  rcpts: ['user@contoso.com'],
  adversarial: true,
  ...over,
});
const dispositions = (data: Data, attempt = spoof(), dns: Record<string, object> = DNS_MX_SEG) =>
  [
    ...new Set(
      simulate(configOf(data, { dns, mxPointsToEop: true }), attempt).outcomes.map((o) => o.disposition),
    ),
  ].sort();
type Tabl = NonNullable<Data['Get-TenantAllowBlockListSpoofItems']>[number];
const withTabl = (...items: Tabl[]): Data => ({ ...baseData(), 'Get-TenantAllowBlockListSpoofItems': items });

describe('Tenant Allow/Block List spoof entries (§6.6)', () => {
  test.each<[string, Tabl[], string[]]>([
    ['no entry: DMARC reject applies', [], ['ndr']],
    [
      'Allow for the domain and the sender /24',
      [
        {
          SpoofedUser: 'contoso.com',
          SendingInfrastructure: '198.18.7.0/24',
          SpoofType: 'Internal',
          Action: 'Allow',
        },
      ],
      ['inbox'],
    ],
    [
      'Allow for another /24',
      [
        {
          SpoofedUser: 'contoso.com',
          SendingInfrastructure: '198.18.8.0/24',
          SpoofType: 'Internal',
          Action: 'Allow',
        },
      ],
      ['ndr'],
    ],
    [
      'Allow and Block for the same pair: block wins (S24)',
      [
        {
          SpoofedUser: 'contoso.com',
          SendingInfrastructure: '198.18.7.0/24',
          SpoofType: 'Internal',
          Action: 'Allow',
        },
        {
          SpoofedUser: 'contoso.com',
          SendingInfrastructure: '198.18.7.0/24',
          SpoofType: 'Internal',
          Action: 'Block',
        },
      ],
      ['ndr'],
    ],
    [
      'Allow for a PTR domain: whether the IP resolves to it is not known offline → both',
      [
        {
          SpoofedUser: 'contoso.com',
          SendingInfrastructure: 'mailer.example',
          SpoofType: 'Internal',
          Action: 'Allow',
        },
      ],
      ['inbox', 'ndr'],
    ],
  ])('%s', (_name, items, expected) => {
    expect(dispositions(withTabl(...items))).toEqual(expected);
  });

  test('with Enhanced Filtering the sending infrastructure is the original IP, not the gateway', () => {
    const data = withTabl({
      SpoofedUser: 'contoso.com',
      SendingInfrastructure: '198.18.40.0/24',
      SpoofType: 'Internal',
      Action: 'Allow',
    });
    data['Get-InboundConnector'] = [
      lockdownIp({ EFSkipIPs: GATEWAY_IPS, EFSkipLastIP: false, EFTestMode: false }),
    ];
    const viaGateway = spoof({ clientIp: '203.0.113.10', receivedIps: ['198.18.40.40'], adversarial: false });
    expect(dispositions(data, viaGateway)).toEqual(['inbox']);
  });
});

describe('anti-phish matrix (§6.3) and composite authentication (§6.2)', () => {
  test('DMARC reject → NDR with the 5.7.509 text, stage left open (OQ-14)', () => {
    const r = simulate(configOf(baseData(), { dns: DNS_MX_SEG, mxPointsToEop: true }), spoof());
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]).toMatchObject({
      disposition: 'ndr',
      reply: '550 5.7.509 Access denied, sending domain [contoso.com] does not pass DMARC verification',
    });
    expect(r.outcomes[0]!.decisions.at(-1)?.text).toMatch(/OQ-14/);
  });

  test.each<[string, string, Record<string, unknown>, string[]]>([
    // Implicit failure: compauth may fail or softpass on undocumented implicit signals → both outcomes.
    ['p=none, spoof intelligence on', 'v=DMARC1; p=none', {}, ['inbox', 'quarantine']],
    ['no DMARC record, spoof intelligence on', '', {}, ['inbox', 'quarantine']],
    [
      'p=none, spoof intelligence off: not a spoof',
      'v=DMARC1; p=none',
      { EnableSpoofIntelligence: false },
      ['inbox'],
    ],
    ['p=quarantine, honour on', 'v=DMARC1; p=quarantine', {}, ['quarantine']],
    [
      'p=quarantine, honour on, DmarcQuarantineAction MoveToJmf',
      'v=DMARC1; p=quarantine',
      { DmarcQuarantineAction: 'MoveToJmf' },
      ['junk'],
    ],
    [
      'p=reject, honour off, spoof intelligence MoveToJmf',
      'v=DMARC1; p=reject',
      { HonorDmarcPolicy: false, AuthenticationFailAction: 'MoveToJmf' },
      ['junk'],
    ],
    [
      'p=reject, both off: quarantined',
      'v=DMARC1; p=reject',
      { HonorDmarcPolicy: false, EnableSpoofIntelligence: false },
      ['quarantine'],
    ],
  ])('%s → %j', (_name, dmarc, policy, expected) => {
    const dns = { ...DNS_MX_SEG, '_dmarc.contoso.com': dmarc ? { TXT: [dmarc] } : {} };
    const d = baseData();
    d['Get-AntiPhishPolicy'] = [{ ...d['Get-AntiPhishPolicy']![0], ...policy }];
    expect(dispositions(d, spoof(), dns)).toEqual(expected);
  });

  test('an implicit failure is uncertain and says why', () => {
    const dns = { ...DNS_MX_SEG, '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=none'] } };
    const r = simulate(configOf(baseData(), { dns, mxPointsToEop: true }), spoof());
    expect(classify('attack', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/composite authentication/);
  });
});

describe('which policy applies to the recipient', () => {
  test('a second, weaker anti-phish policy may cover the recipient → uncertain', () => {
    const d = baseData();
    d['Get-AntiPhishPolicy']!.push({
      Name: 'Pilot',
      IsDefault: false,
      Enabled: true,
      EnableSpoofIntelligence: true,
      HonorDmarcPolicy: true,
      AuthenticationFailAction: 'MoveToJmf',
      DmarcQuarantineAction: 'Quarantine',
      DmarcRejectAction: 'Quarantine',
    });
    const r = simulate(configOf(d, { dns: DNS_MX_SEG, mxPointsToEop: true }), spoof());
    expect([...new Set(r.outcomes.map((o) => o.disposition))].sort()).toEqual(['ndr', 'quarantine']);
    expect(r.uncertainties.join(' ')).toMatch(/Pilot/);
  });

  test('a disabled second policy does not count', () => {
    const d = baseData();
    d['Get-AntiPhishPolicy']!.push({
      Name: 'Off',
      Enabled: false,
      HonorDmarcPolicy: false,
      EnableSpoofIntelligence: false,
    });
    expect(dispositions(d)).toEqual(['ndr']);
  });

  test('an anti-spam policy other than the default that allows the own domain may apply → inbox is possible', () => {
    const d = baseData();
    d['Get-HostedContentFilterPolicy']!.push({
      Name: 'Marketing',
      IsDefault: false,
      AllowedSenderDomains: ['contoso.com'],
    });
    expect(dispositions(d)).toEqual(['inbox', 'ndr']);
  });

  test('anti-spam policies not exported: the allow lists are unknown → inbox is possible', () => {
    const d = baseData();
    delete d['Get-HostedContentFilterPolicy'];
    const r = simulate(configOf(d, { dns: DNS_MX_SEG, mxPointsToEop: true }), spoof());
    expect(classify('attack', r)).toBe('uncertain');
    expect(r.uncertainties.join(' ')).toMatch(/Get-HostedContentFilterPolicy/);
  });

  test('the connection-filter IP Allow List skips spoof filtering only by inference [I]', () => {
    const d = baseData();
    d['Get-HostedConnectionFilterPolicy'] = [
      { IsDefault: true, IPAllowList: ['198.18.7.7'], IPBlockList: [] },
    ];
    const r = simulate(configOf(d, { dns: DNS_MX_SEG, mxPointsToEop: true }), spoof());
    expect(r.outcomes[0]!.decisions.find((x) => x.rule === 'CF-6.5')?.evidence).toBe('I');
    expect(classify('attack', r)).toBe('open');
  });
});

describe('authentication unknown (no DNS for the sender): the failing branch is decided like any spoof', () => {
  // No dns.json at all: SPF and DMARC of contoso.com are unknown for every attempt.
  const unknownAuth = (mxPointsToEop: boolean | undefined, data: Data = baseData()) =>
    simulate(configOf(data, { mxPointsToEop }), spoof());

  test('MX elsewhere: delivered whether it authenticates or not → open, and the unknown is still said', () => {
    const result = unknownAuth(false);
    expect([...new Set(result.outcomes.map((o) => o.disposition))]).toEqual(['inbox']);
    expect(classify('attack', result)).toBe('open');
    expect(result.uncertainties.join('\n')).toMatch(/authentication of contoso\.com is unknown/);
    // The failing branch carries the rule that delivers it, after the "if it fails" step.
    const failing = result.outcomes.find((o) => o.decisions.some((d) => d.text.startsWith('if it fails')));
    expect(failing?.decisions.map((d) => d.rule)).toContain('MX-6.1');
  });

  test('MX at EOP: the spoof action may apply if it fails → a delivered and a filtered outcome, uncertain', () => {
    const result = unknownAuth(true);
    const seen = new Set(result.outcomes.map((o) => o.disposition));
    expect(seen.has('inbox')).toBe(true);
    expect([...seen].some((d) => d !== 'inbox' && d !== 'junk')).toBe(true);
    expect(classify('attack', result)).toBe('uncertain');
  });
});
