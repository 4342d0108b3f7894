/** Guide §4.1 and Monitoring: DMARC records request aggregate reports (rua), and someone reads them. */
import { dmarcReportingVerdict } from '../../dns/findings.js';
import { DNS_PORTAL, dnsCheck, recordBlock } from './dns-check.js';
import { dmarcProposal, proposedDmarc } from './dns.dmarc-policy.js';

export const check = dnsCheck({
  id: 'dns.dmarc-reporting',
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
  verdict: (d) => dmarcReportingVerdict(d),
  propose(_ctx, domains) {
    const blocks: string[] = [
      '# rua= names the mailbox or reporting service that receives aggregate reports.',
    ];
    for (const d of domains) {
      const unauthorised = d.dmarc.destinations.filter((x) => x.external && x.authorised === false);
      const policyDomain = d.dmarc.at?.replace(/^_dmarc\./, '') ?? d.domain;
      for (const x of unauthorised) {
        blocks.push(
          `# ${x.domain} must publish this record (ask the reporting service) before it receives ${policyDomain}'s reports:`,
        );
        blocks.push(
          recordBlock(
            x.domain ?? '',
            [`${policyDomain}._report._dmarc.${x.domain}. IN TXT "v=DMARC1"`],
            `${policyDomain}._report._dmarc.${x.domain}`,
            'TXT',
          ),
        );
      }
      if (unauthorised.length === 0)
        // The same record dns.dmarc-policy proposes (one record per name in the plan's dns-records.txt).
        blocks.push(recordBlock(d.domain, [dmarcProposal(d)], `_dmarc.${d.domain}`, 'TXT'));
    }
    return blocks.join('\n');
  },
});
