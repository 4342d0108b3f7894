/** Guide §4.1 and Monitoring: DMARC records request aggregate reports (rua), and someone reads them. */
import { DNS_PORTAL, pendingDnsCheck, recordBlock } from './dns-pending.js';
import { proposedDmarc } from './dns.dmarc-policy.js';

export const check = pendingDnsCheck({
  id: 'dns.dmarc-reporting',
  protocol: 'DMARC reporting',
  title: 'DMARC records of every sending domain request aggregate reports (rua)',
  severity: 'low',
  references: [
    'hardening-guide step 4.1 (rua=mailto:… and a DMARC reporting service) and Monitoring (review RUA reports)',
    'eop-model EF-5 [D] S29 (EOP sends no DMARC aggregate reports for mail it receives while the MX points elsewhere)',
    'https://learn.microsoft.com/defender-office-365/email-authentication-dmarc-configure',
  ],
  remediation: {
    powershell: [
      '# yourcompany.com: publish at your DNS host (rua= names the mailbox or reporting service that receives aggregate reports)',
      `#   ${proposedDmarc('yourcompany.com')}`,
      "Resolve-DnsName -Name '_dmarc.yourcompany.com' -Type TXT",
    ].join('\n'),
    portal: DNS_PORTAL,
  },
  propose(_ctx, domains) {
    if (domains.length === 0) return undefined;
    return [
      '# rua= names the mailbox or reporting service that receives aggregate reports; analyse them with `mxlock dmarc`.',
      ...domains.map((d) => recordBlock(d, [proposedDmarc(d)], `_dmarc.${d}`, 'TXT')),
    ].join('\n');
  },
});
