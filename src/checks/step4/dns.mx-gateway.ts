/** The MX of every accepted domain points at the gateway: the single, scanned path the whole design assumes. */
import { hasGateway } from '../../common/gateway.js';
import { commentSafe } from './shared.js';
import { mxVerdict } from '../../dns/findings.js';
import { DNS_PORTAL, dnsCheck, recordBlock } from './dns-check.js';

export const check = dnsCheck({
  id: 'dns.mx-gateway',
  title: 'The MX of every accepted domain points at the gateway, none at EOP directly',
  severity: 'medium',
  references: [
    'hardening-guide "The problem in a nutshell" (the MX points at the gateway; the EOP endpoint stays reachable anyway)',
    'eop-model §6.1 MX-elsewhere behaviour [D] S25, S27, S35',
    'eop-model §1.2 the SEG use case',
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud',
  ],
  remediation: {
    powershell: [
      '# yourcompany.com: publish at your DNS host the MX hosts your gateway vendor assigns to the domain',
      '#   yourcompany.com. IN MX 10 <gateway MX host>',
      "Resolve-DnsName -Name 'yourcompany.com' -Type MX",
    ].join('\n'),
    portal: DNS_PORTAL,
  },
  // The profile names the gateway freely ("Example SEG"), so the vendor is not compared with the MX vendor here.
  verdict: (d, ctx) => mxVerdict(d, { gatewayDeclared: hasGateway(ctx.gateway) }),
  propose(ctx, needing) {
    const domains = needing.map((d) => d.domain);
    const who = ctx.gateway.name ? `${commentSafe(ctx.gateway.name)} assigns` : 'your gateway vendor assigns';
    return domains
      .map((d) => recordBlock(d, [`${d}. IN MX 10 <the MX host ${who} to ${d}>`], d, 'MX'))
      .join('\n');
  },
});
