/**
 * IPv6 inbound in the simulator (src/model/ipv6.ts, eop-model §13): the opt-out refusal (IPV6-1), the PTR and
 * SPF-or-DKIM requirements of anonymous IPv6 senders (IPV6-2, IPV6-3), the IP-only lock-down that cannot admit IPv6
 * (IPV6-4), the default when the export does not say (IPV6-5), and how the standard paths are tried over IPv6.
 */
import { describe, expect, test } from 'vitest';
import { NO_GATEWAY, type ResolvedGateway } from '../../src/common/gateway.js';
import {
  evaluatePaths,
  standardPaths,
  UNDECLARED_GATEWAY_V6,
  type DeclaredSenders,
} from '../../src/model/paths.js';
import { simulate, simulateReference } from '../../src/model/simulate.js';
import type { Attempt } from '../../src/model/types.js';
import { baseData, configOf, DNS_MX_SEG, GATEWAY_IPS, lockdownIp, safetyNet, type Data } from './helpers.js';

const V6 = '2001:db8:1:2::25';
const CERT = '*.mail-gateway.example.com';
const gateway = (over: Partial<ResolvedGateway> = {}): ResolvedGateway => ({
  ...NO_GATEWAY,
  source: 'profile',
  name: 'SEG',
  ips: GATEWAY_IPS,
  ...over,
});
const NOBODY: DeclaredSenders = { directSendSources: [] };

const DNS = {
  ...DNS_MX_SEG,
  'sender.example': { TXT: [`v=spf1 ip6:2001:db8:1::/48 -all`] },
  '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
};

function data(ipv6: Record<string, string> | undefined, over: Partial<Data> = {}): Data {
  const d: Data = { ...baseData(), ...over };
  if (ipv6)
    d['Get-IPv6StatusForAcceptedDomain'] = Object.entries(ipv6).map(([Domain, Status]) => ({
      Domain,
      Status,
    }));
  return d;
}

const certLockdown = lockdownIp({
  Name: 'From SEG (certificate)',
  SenderIPAddresses: [],
  RestrictDomainsToIPAddresses: false,
  RestrictDomainsToCertificate: true,
  TlsSenderCertificateName: CERT,
});

/** Without a PTR answer: unknown, both explored. */
const noPtr = (a: Attempt): Attempt => {
  const { ptr: _ptr, ...rest } = a;
  return rest;
};

const attempt = (over: Partial<Attempt> = {}): Attempt => ({
  clientIp: V6,
  tls: true,
  certNames: [],
  mailFrom: 'partner@sender.example',
  headerFrom: 'partner@sender.example',
  rcpts: ['user@contoso.com'],
  ptr: true,
  ...over,
});

const rules = (r: { outcomes: { decisions: { rule: string; evidence: string }[] }[] }) =>
  r.outcomes.flatMap((o) => o.decisions.map((d) => `${d.rule} [${d.evidence}]`));

describe('the IPv6 rules at RCPT (eop-model §13 [D] S42)', () => {
  test.each<[string, Data, Partial<Attempt>, string | undefined, string[]]>([
    [
      'opted-out domain: 550 5.2.1 (IPV6-1)',
      data({ 'contoso.com': 'Disabled' }),
      {},
      '550 5.2.1 Service unavailable, [contoso.com] does not accept email over IPv6',
      ['IPV6-1 [D]'],
    ],
    [
      'no PTR record: 450 4.7.25 (IPV6-2)',
      data({ 'contoso.com': 'Enabled' }),
      { ptr: false },
      `450 4.7.25 Service unavailable, sending IPv6 address [${V6}] must have reverse DNS record`,
      ['IPV6-2 [D]'],
    ],
    [
      'SPF fails and no DKIM: 450 4.7.26 (IPV6-3), a temporary refusal, not delivery',
      data({ 'contoso.com': 'Enabled' }),
      { clientIp: '2001:db8:99::1' },
      '450 4.7.26 Service unavailable, message sent over IPv6 [2001:db8:99::1] must pass either SPF or DKIM validation',
      ['IPV6-3 [D]'],
    ],
    [
      'SPF passes for the IPv6 address: through the gate',
      data({ 'contoso.com': 'Enabled' }),
      {},
      undefined,
      ['IPV6-3 [D]'],
    ],
    [
      "an unaligned DKIM signature of the sender's own domain passes the gate [I]",
      data({ 'contoso.com': 'Enabled' }),
      { clientIp: '2001:db8:99::1', signedBy: ['sender.example'] },
      undefined,
      ['IPV6-3 [I]'],
    ],
    [
      'status not exported: Microsoft’s default, Enabled (IPV6-5 [I])',
      data(undefined),
      {},
      undefined,
      ['IPV6-5 [I]', 'IPV6-3 [D]'],
    ],
    [
      'IP-only lock-down: no IP restriction can admit IPv6 (5.7.51, IPV6-4)',
      data({ 'contoso.com': 'Enabled' }, { 'Get-InboundConnector': [lockdownIp()] }),
      {},
      "550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set",
      ['CON-5 [D]', 'IPV6-4 [I]'],
    ],
    [
      'certificate lock-down with the certificate: admitted, and not anonymous',
      data({ 'contoso.com': 'Enabled' }, { 'Get-InboundConnector': [certLockdown] }),
      { certNames: ['mail.mail-gateway.example.com'], ptr: false, clientIp: '2001:db8:99::1' },
      undefined,
      ['IPV6-2 [I]', 'CON-5 [D]'],
    ],
  ])('%s', (_name, d, over, reply, expected) => {
    const cfg = configOf(d, { dns: DNS });
    const r = simulate(cfg, attempt(over));
    if (reply === undefined) {
      expect(r.outcomes.every((o) => o.stage !== 'rcpt')).toBe(true);
    } else {
      expect(r.outcomes.length).toBe(1);
      expect(r.outcomes[0]).toMatchObject({ stage: 'rcpt', disposition: 'rejected', reply });
    }
    for (const e of expected) expect(rules(r)).toContain(e);
    // The fast path and the reference model agree on IPv6 attempts too.
    expect(simulateReference(cfg, attempt(over))).toEqual(r);
  });

  test('PTR unknown: both answers explored, the reason said', () => {
    const cfg = configOf(data({ 'contoso.com': 'Enabled' }), { dns: DNS });
    const r = simulate(cfg, noPtr(attempt()));
    expect(r.outcomes.map((o) => o.disposition).sort()).toEqual(['inbox', 'rejected']);
    expect(r.uncertainties.join('\n')).toContain(`PTR record of the sending IPv6 address ${V6}`);
  });

  test('an IPv6 attempt that comes again is answered from its exact content, with lists of its own', () => {
    const cfg = configOf(data({ 'contoso.com': 'Enabled' }), { dns: DNS });
    const first = simulate(cfg, attempt({ ptr: false }));
    const again = simulate(cfg, attempt({ ptr: false }));
    expect(again).toEqual(first);
    expect(again.outcomes).not.toBe(first.outcomes);
    again.outcomes.pop();
    expect(simulate(cfg, attempt({ ptr: false }))).toEqual(first);
    // Another PTR answer is another attempt.
    expect(simulate(cfg, attempt({ ptr: true })).outcomes[0]?.stage).toBe('post-acceptance');
  });

  test('an IPv4-mapped address is IPv4: no IPv6 rule applies', () => {
    const cfg = configOf(data({ 'contoso.com': 'Disabled' }), { dns: DNS });
    const r = simulate(cfg, noPtr(attempt({ clientIp: '::ffff:198.18.7.7' })));
    expect(rules(r).some((x) => x.startsWith('IPV6-'))).toBe(false);
  });
});

describe('standard paths over IPv6 (DESIGN §5)', () => {
  const ipLocked = (ipv6?: Record<string, string>) =>
    configOf(
      data(ipv6, {
        'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: true }],
        'Get-InboundConnector': [lockdownIp()],
        'Get-TransportRule': [safetyNet()],
      }),
      { dns: DNS },
    );
  const path = (cfg: ReturnType<typeof configOf>, id: string, gw = gateway(), senders = NOBODY) =>
    evaluatePaths(cfg, senders, gw).find((p) => p.id === id)!;

  test('IP-only lock-down, IPv6 on, gateway IPv6 undeclared: gateway delivery uncertain, with rule and reply', () => {
    const p = path(
      ipLocked({ 'contoso.com': 'Enabled', 'contoso.onmicrosoft.com': 'Enabled' }),
      'path.gateway-delivery',
    );
    expect(p.status).toBe('uncertain');
    expect(p.outcome).toMatchObject({ stage: 'rcpt', disposition: 'rejected' });
    expect(p.outcome.reply).toMatch(/^550 5\.7\.51 /);
    const text = p.evidence.join('\n');
    expect(text).toContain(`broken if the sender makes this attempt: ${UNDECLARED_GATEWAY_V6}`);
    expect(text).toContain('IPV6-4 [I]');
    expect(text).toContain('mxlock.yaml lists no IPv6 address for the gateway');
    // Not `modelStatus` broken: the plan warns rather than refuses a lock-down over an unknown.
    expect(p.modelStatus).toBeUndefined();
  });

  test('gateway IPv6 egress declared: broken over IPv6 under an IP-only lock-down', () => {
    const gw = gateway({ ips: [...GATEWAY_IPS, '2001:db8:6a7e::/48'] });
    const p = path(ipLocked({ 'contoso.com': 'Enabled' }), 'path.gateway-delivery', gw);
    expect(p.status).toBe('broken');
    expect(p.outcome.reply).toMatch(/^550 5\.7\.51 /);
  });

  test('every domain opted out: IPv4 only, preserved', () => {
    const p = path(
      ipLocked({ 'contoso.com': 'Disabled', 'contoso.onmicrosoft.com': 'Disabled' }),
      'path.gateway-delivery',
    );
    expect(p.status).toBe('preserved');
    const attack = path(
      ipLocked({ 'contoso.com': 'Disabled', 'contoso.onmicrosoft.com': 'Disabled' }),
      'path.direct-send-own-domain',
    );
    expect(attack.evidence.join('\n')).toContain('does not accept email over IPv6 (IPV6-1 [D])');
  });

  test('certificate lock-down and no IP-based net: the gateway over IPv6 is admitted by its certificate', () => {
    const cfg = configOf(data({ 'contoso.com': 'Enabled' }, { 'Get-InboundConnector': [certLockdown] }), {
      dns: DNS,
    });
    expect(path(cfg, 'path.gateway-delivery', gateway({ certificate: CERT })).status).toBe('preserved');
  });

  test('attack paths are also tried from an IPv6 address for every domain that takes IPv6', () => {
    const cfg = ipLocked({ 'contoso.com': 'Enabled', 'contoso.onmicrosoft.com': 'Disabled' });
    const sp = standardPaths(cfg, NOBODY, gateway()).find((p) => p.id === 'path.direct-send-own-domain')!;
    const all = [sp.attempt, ...(sp.variants ?? [])];
    const v6 = all.filter((a) => a.clientIp.includes(':'));
    expect(v6.map((a) => a.rcpts[0])).toEqual(['user@contoso.com']);
    expect(v6[0]).toMatchObject({ ptr: true, signedBy: ['sender.example'], adversarial: true });
    const p = path(cfg, 'path.direct-send-own-domain');
    // Closed over IPv4 and IPv6 alike: the lock-down refuses both (5.7.51).
    expect(p.status).toBe('closed');
    expect(p.domains?.map((d) => d.domain)).toEqual(['contoso.com', 'contoso.onmicrosoft.com']);
  });

  const printer: DeclaredSenders = {
    directSendSources: [{ name: 'printer', ips: ['2001:db8:50::50'], senders: ['scanner@contoso.com'] }],
  };

  test('a declared source over IPv6 that SPF authorises: its PTR record is unknown, so the path is uncertain', () => {
    const dns = {
      ...DNS_MX_SEG,
      'contoso.com': { ...DNS_MX_SEG['contoso.com'], TXT: ['v=spf1 ip6:2001:db8:50::/48 -all'] },
    };
    const cfg = configOf(data({ 'contoso.com': 'Enabled' }), { dns });
    const p = path(cfg, 'path.declared-source:printer', gateway(), printer);
    expect(p.status).toBe('uncertain');
    expect(p.evidence.join('\n')).toContain('PTR record of the sending IPv6 address 2001:db8:50::50');
  });

  test('a declared source over IPv6 that SPF does not authorise and that does not sign: broken (4.7.26)', () => {
    const cfg = configOf(data({ 'contoso.com': 'Enabled' }), { dns: DNS_MX_SEG });
    const p = path(cfg, 'path.declared-source:printer', gateway(), printer);
    expect(p.status).toBe('broken');
    expect(p.outcome.reply).toMatch(/^450 4\.7\.26 /);
  });

  test('no domain takes IPv6: a source with IPv4 too is tried over IPv4 only', () => {
    const cfg = configOf(data({ 'contoso.com': 'Disabled', 'contoso.onmicrosoft.com': 'Disabled' }), {
      dns: DNS_MX_SEG,
    });
    const senders: DeclaredSenders = {
      directSendSources: [
        { name: 'printer', ips: ['192.0.2.50', '2001:db8:50::50'], senders: ['scanner@contoso.com'] },
      ],
    };
    const sp = standardPaths(cfg, senders, gateway()).find((p) => p.id === 'path.declared-source:printer')!;
    expect([sp.attempt, ...(sp.variants ?? [])].map((a) => a.clientIp)).toEqual(['192.0.2.50']);
  });
});
