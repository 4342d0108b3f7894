/** Guide §4.1: DMARC at least p=quarantine, target p=reject, for every sending domain. */
import { DNS_PORTAL, pendingDnsCheck, recordBlock } from './dns-pending.js';

/** The guide's target record (§4.1); reporting addresses at the domain itself, to be replaced by a reporting service's. */
export function proposedDmarc(domain: string): string {
  return `_dmarc.${domain}. IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc-reports@${domain}; ruf=mailto:dmarc-forensics@${domain}; fo=1; adkim=s; aspf=s"`;
}

export const check = pendingDnsCheck({
  id: 'dns.dmarc-policy',
  protocol: 'DMARC',
  title: 'DMARC of every sending domain is at least p=quarantine (target p=reject)',
  severity: 'high',
  references: [
    'hardening-guide step 4.1 (DMARC: at minimum p=quarantine, target p=reject)',
    'eop-model §6.3 DMARC × spoof-intelligence matrix [D] S27',
    'eop-model §6.2 compauth reason 000/001/010 [D] S26, S28',
    'https://learn.microsoft.com/defender-office-365/email-authentication-dmarc-configure',
    'https://learn.microsoft.com/defender-office-365/email-authentication-about',
  ],
  remediation: {
    powershell: [
      '# yourcompany.com: publish at your DNS host (start with p=quarantine while the aggregate reports are not yet clean)',
      `#   ${proposedDmarc('yourcompany.com')}`,
      "Resolve-DnsName -Name '_dmarc.yourcompany.com' -Type TXT",
    ].join('\n'),
    portal: DNS_PORTAL,
  },
  propose(_ctx, domains) {
    if (domains.length === 0) return undefined;
    return [
      '# Start with p=quarantine while the aggregate reports are not yet clean, then move to p=reject.',
      ...domains.map((d) => recordBlock(d, [proposedDmarc(d)], `_dmarc.${d}`, 'TXT')),
    ].join('\n');
  },
});
