/** Guide §4.1: DMARC at least p=quarantine, target p=reject, for every sending domain. */
import { validReportUri } from '../../dns/dmarc.js';
import { dmarcPolicyVerdict } from '../../dns/findings.js';
import { DNS_PORTAL, dnsCheck, recordBlock } from './dns-check.js';

/** The guide's target record (§4.1); reporting addresses at the domain itself, to be replaced by a reporting service's. */
export function proposedDmarc(domain: string, rua?: readonly string[]): string {
  // Only report URIs receivers can use are kept (RFC 7489 §6.2): a bare address would void the proposal's reporting.
  const usable = (rua ?? []).filter(validReportUri);
  const reports = usable.length > 0 ? usable.join(',') : `mailto:dmarc-reports@${domain}`;
  return `_dmarc.${domain}. IN TXT "v=DMARC1; p=reject; rua=${reports}; ruf=mailto:dmarc-forensics@${domain}; fo=1; adkim=s; aspf=s"`;
}

export const check = dnsCheck({
  id: 'dns.dmarc-policy',
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
  checklist: 'checklist.email-authentication',
  verdict: (d) => dmarcPolicyVerdict(d),
  propose(_ctx, domains) {
    return [
      '# Start with p=quarantine while the aggregate reports are not yet clean, then move to p=reject.',
      ...domains.map((d) =>
        recordBlock(d.domain, [proposedDmarc(d.domain, d.dmarc.record?.rua)], `_dmarc.${d.domain}`, 'TXT'),
      ),
    ].join('\n');
  },
});
