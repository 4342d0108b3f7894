/** Guide §4.1: SPF hard fail (`-all`) listing only the gateway's egress IPs and legitimate cloud senders. */
import { DNS_PORTAL, pendingDnsCheck, recordBlock } from './dns-pending.js';

/** Microsoft 365's SPF include (formats.md §5.1). */
const EXO_SPF_INCLUDE = 'include:spf.protection.outlook.com';

function spfTerm(entry: string): string | undefined {
  // ip4:/ip6: take an address or CIDR; an `a-b` range has no SPF form and must be rewritten as CIDR blocks.
  if (entry.includes('-')) return undefined;
  return entry.includes(':') ? `ip6:${entry}` : `ip4:${entry}`;
}

export const check = pendingDnsCheck({
  id: 'dns.spf',
  protocol: 'SPF',
  title: 'SPF of every sending domain lists only the gateway and legitimate senders and ends in -all',
  severity: 'high',
  references: [
    'hardening-guide step 4.1 (SPF: hard fail -all, only the gateway egress IPs and legitimate cloud senders)',
    'eop-model §6.2 composite authentication [D] S28',
    'eop-model EF-1 [D] S19 (without Enhanced Filtering EOP checks SPF against the gateway IP)',
    'https://learn.microsoft.com/defender-office-365/email-authentication-about',
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
  propose(ctx, domains) {
    if (domains.length === 0) return undefined;
    const terms = ctx.gateway.ips.map(spfTerm).filter((t): t is string => t !== undefined);
    const ranges = ctx.gateway.ips.filter((ip) => spfTerm(ip) === undefined);
    // The record replaces the whole TXT value: a sender left out of it fails SPF once -all is published.
    const head: string[] = [
      '# Before publishing, keep every other legitimate sender of the current record (SaaS, on-premises, devices: see inventory.direct-send-sources) ahead of -all.',
    ];
    if (terms.length === 0)
      head.push(
        "# The gateway's egress IPs are not known: add its ip4:/ip6:/include: terms (and every other legitimate sender) before -all.",
      );
    if (ranges.length > 0)
      head.push(`# Rewrite these gateway ranges as CIDR ip4: terms: ${ranges.join(', ')}`);
    const value = ['v=spf1', ...terms, EXO_SPF_INCLUDE, '-all'].join(' ');
    return [...head, ...domains.map((d) => recordBlock(d, [`${d}. IN TXT "${value}"`], d, 'TXT'))].join('\n');
  },
});
