/** Guide §4.1: SPF hard fail (`-all`) listing only the gateway's egress IPs and legitimate cloud senders. */
import { spfVerdict } from '../../dns/findings.js';
import { coversTooMuch, IpSet, sampleAddress } from '../../common/ip.js';
import { parseSpf, type Mechanism } from '../../dns/spf/parse.js';
import { MICROSOFT_SPF_INCLUDE } from '../../common/vendors.js';
import type { CheckContext } from '../types.js';
import { DNS_PORTAL, dnsCheck, recordBlock, zoneTxt } from './dns-check.js';

/** Microsoft 365's SPF include (formats.md §5.1). */
const EXO_SPF_INCLUDE = `include:${MICROSOFT_SPF_INCLUDE}`;

function spfTerm(entry: string): string | undefined {
  // ip4:/ip6: take an address or CIDR; an `a-b` range has no SPF form and must be rewritten as CIDR blocks.
  if (entry.includes('-')) return undefined;
  return entry.includes(':') ? `ip6:${entry}` : `ip4:${entry}`;
}

/** Outbound mail leaves through the gateway: an enabled outbound connector with smart hosts for all domains. */
export function outboundViaGateway(ctx: CheckContext): boolean | undefined {
  const out = ctx.snapshot.data['Get-OutboundConnector'];
  if (out === undefined) return undefined;
  return out.some(
    (c) => c.Enabled === true && (c.SmartHosts?.length ?? 0) > 0 && (c.RecipientDomains ?? []).includes('*'),
  );
}

/** The network an ip4:/ip6: mechanism authorises, as an IP entry (`192.0.2.0/24`); undefined for other mechanisms. */
function networkOf(m: Mechanism): string | undefined {
  if (m.name === 'ip4') return `${m.value}${m.cidr4 !== undefined ? `/${m.cidr4}` : ''}`;
  if (m.name === 'ip6') return `${m.value}${m.cidr6 !== undefined ? `/${m.cidr6}` : ''}`;
  return undefined;
}

/**
 * The current record made to satisfy the guide: its terms kept (other legitimate senders stay), the gateway's IPs
 * and Microsoft 365's include added when missing, and the `all` term set to -all.
 */
export function proposedSpf(
  current: string | undefined,
  gatewayIps: readonly string[],
  authorised: (entry: string) => boolean = () => false,
): { value: string; notes: string[] } {
  const notes: string[] = [];
  const parsed = current ? parseSpf(current) : undefined;
  const terms = parsed?.ok ? parsed.record.terms : [];
  // An ip4/ip6 term wider than one sender can be (common/ip.ts coversTooMuch) authorises a large part of the
  // internet: the proposal never keeps it.
  const wide = (t: (typeof terms)[number]) => {
    const net = t.kind === 'mechanism' ? networkOf(t) : undefined;
    return net !== undefined && coversTooMuch(net);
  };
  for (const t of terms.filter(wide))
    notes.push(`${t.text} is dropped: it authorises a large part of the internet, not one sender`);
  const kept = terms
    .filter((t) => !(t.kind === 'mechanism' && t.name === 'all') && !wide(t))
    .map((t) => t.text);
  if (current && !parsed?.ok)
    notes.push('the current record does not parse; rebuild it from the senders you know');
  const known = new IpSet(
    parsed?.ok
      ? parsed.record.mechanisms
          .map(networkOf)
          .filter((n): n is string => n !== undefined && !coversTooMuch(n))
      : [],
  );
  const add: string[] = [];
  for (const ip of gatewayIps) {
    const term = spfTerm(ip);
    if (term === undefined) notes.push(`rewrite the gateway range ${ip} as CIDR ip4: terms`);
    else if (!known.covers(ip) && !authorised(ip)) add.push(term);
  }
  if (!kept.some((t) => t.toLowerCase() === EXO_SPF_INCLUDE)) add.push(EXO_SPF_INCLUDE);
  const redirect = kept.filter((t) => /^redirect=/i.test(t));
  const body = kept.filter((t) => !/^redirect=/i.test(t));
  if (redirect.length)
    notes.push(
      'a redirect= is dropped: with "-all" present it would be ignored (RFC 7208 §6.1); inline the redirected senders',
    );
  return { value: ['v=spf1', ...body, ...add, '-all'].join(' '), notes };
}

export const check = dnsCheck({
  id: 'dns.spf',
  title: 'SPF of every sending domain lists only the gateway and legitimate senders and ends in -all',
  severity: 'high',
  references: [
    'hardening-guide step 4.1 (SPF: hard fail -all, only the gateway egress IPs and legitimate cloud senders)',
    'RFC 7208 §4.6.4 (10 DNS-querying terms, 2 void lookups), §5.5 (ptr SHOULD NOT be used)',
    'eop-model §6.2 composite authentication [D] S28',
    'eop-model EF-1 [D] S19 (without Enhanced Filtering EOP checks SPF against the gateway IP)',
    'https://learn.microsoft.com/defender-office-365/email-authentication-spf-configure',
  ],
  remediation: {
    powershell: [
      '# yourcompany.com: publish at your DNS host',
      `#   yourcompany.com. IN TXT "v=spf1 ip4:203.0.113.10 ip4:203.0.113.11 ${EXO_SPF_INCLUDE} -all"`,
      "Resolve-DnsName -Name 'yourcompany.com' -Type TXT",
    ].join('\n'),
    portal: DNS_PORTAL,
  },
  reads: { 'Get-OutboundConnector': ['Enabled', 'SmartHosts', 'RecipientDomains'] },
  checklist: 'checklist.email-authentication',
  verdict(d, ctx) {
    const gw = new IpSet(ctx.gateway.ips);
    const via = outboundViaGateway(ctx);
    const v = spfVerdict(d, {
      // Gateway IPs must be authorised only when outbound mail leaves through the gateway.
      requiredIps: via === true ? d.spf.ipResults.map((r) => r.ip) : [],
      gatewayNetworks: (n) => gw.size > 0 && gw.covers(n),
    });
    if (via === undefined && ctx.gateway.ips.length > 0) {
      const missing = d.spf.ipResults.filter((r) => r.result !== 'pass');
      if (missing.length > 0) {
        return {
          status: v.status === 'pass' || v.status === 'info' ? 'warn' : v.status,
          evidence: [
            ...v.evidence,
            `${d.domain}: gateway IPs not authorised (${missing.map((m) => `${m.ip}: ${m.result}`).join(', ')}); that matters if outbound mail leaves through the gateway (Get-OutboundConnector.json was not exported)`,
          ],
        };
      }
    }
    return v;
  },
  propose(ctx, domains) {
    const blocks: string[] = [
      '# Keep every legitimate sender of the current record (SaaS, on-premises, devices: see inventory.direct-send-sources) ahead of -all.',
    ];
    for (const d of domains) {
      // A gateway entry whose sample address already passes check_host (e.g. through the vendor's include) needs no term.
      const passing = new Set(d.spf.ipResults.filter((r) => r.result === 'pass').map((r) => r.ip));
      const { value, notes } = proposedSpf(d.spf.record, ctx.gateway.ips, (entry) => {
        const sample = sampleAddress(entry);
        return sample !== undefined && passing.has(sample);
      });
      blocks.push(...notes.map((n) => `# ${d.domain}: ${n}`));
      blocks.push(recordBlock(d.domain, [`${d.domain}. IN TXT ${zoneTxt(value)}`], d.domain, 'TXT'));
    }
    return blocks.join('\n');
  },
});
