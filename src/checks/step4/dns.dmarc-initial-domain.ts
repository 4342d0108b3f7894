/**
 * DMARC for the tenant's `*.onmicrosoft.com` initial (MOERA) domain. Microsoft hosts its DNS, so the own-domain DNS
 * checks leave it out, but it can be spoofed like any other domain of the tenant: Microsoft Learn ("Set up DMARC",
 * section on *.onmicrosoft.com domains) has the admin add a `_dmarc` TXT record for it in the Microsoft 365 admin center.
 * The verdict is the one every DMARC policy gets (dns/findings.ts dmarcPolicyVerdict): p=quarantine at least, two
 * records mean none applies (RFC 7489 §6.6.3), a DNS failure is unknown.
 */
import { dmarcPolicyVerdict } from '../../dns/findings.js';
import type { Check, CheckOutcome } from '../types.js';
import { DNS_NOT_ANALYSED, recordBlock, zoneTxt } from './dns-check.js';

const MOERA_LEARN =
  'https://learn.microsoft.com/defender-office-365/email-authentication-dmarc-configure#use-the-microsoft-365-admin-center-to-add-dmarc-txt-records-for-onmicrosoftcom-domains-in-microsoft-365';

const PORTAL =
  'Microsoft 365 admin center (https://admin.microsoft.com) → Settings → Domains → <tenant>.onmicrosoft.com → DNS records → Add record → Type TXT, TXT name _dmarc, TXT value the record below → Save';

/** The record proposed for a domain that sends no mail of its own: reject everything that fails (Learn's parked-domain record). */
export function initialDomainRecord(domain: string): string {
  return `_dmarc.${domain}. IN TXT ${zoneTxt('v=DMARC1; p=reject')}`;
}

function proposal(domain: string): string {
  return [
    '# The *.onmicrosoft.com domain is hosted by Microsoft: add the record in the Microsoft 365 admin center (see the portal path).',
    '# p=reject suits a domain nobody sends from; if something does send as it, start at p=none with rua= and read the reports first.',
    '# A rua= address outside this domain must authorise it (RFC 7489 §7.1: <domain>._report._dmarc.<destination> TXT "v=DMARC1").',
    recordBlock(domain, [initialDomainRecord(domain)], `_dmarc.${domain}`, 'TXT'),
  ].join('\n');
}

export const check: Check = {
  id: 'dns.dmarc-initial-domain',
  step: 4,
  title:
    'The *.onmicrosoft.com initial domain publishes DMARC (at least p=quarantine), so it cannot be spoofed unnoticed',
  severity: 'medium',
  references: [
    'eop-model §6.2 compauth and DMARC [D] S28, S29',
    'eop-model §6.3 DMARC × spoof-intelligence matrix [D] S27',
    MOERA_LEARN,
    'https://www.rfc-editor.org/rfc/rfc7489#section-6.6.3',
  ],
  remediation: { powershell: proposal('contoso.onmicrosoft.com'), portal: PORTAL },
  reads: { 'Get-AcceptedDomain': ['DomainName', 'InitialDomain'], dns: true },
  checklist: 'checklist.email-authentication',
  evaluate(ctx) {
    if (ctx.tenant.acceptedDomains === undefined)
      return {
        status: 'unknown',
        evidence: ['Get-AcceptedDomain.json was not exported: the initial domain is unknown'],
      };
    const initial = ctx.tenant.initialDomain;
    if (initial === undefined)
      return {
        status: 'unknown',
        evidence: ['Get-AcceptedDomain lists no *.onmicrosoft.com initial domain (InitialDomain = true)'],
      };
    const report = ctx.dnsReport;
    if (!report) return { status: 'unknown', evidence: [DNS_NOT_ANALYSED] };
    const found = report.initialDomain;
    if (found === undefined || found.domain !== initial)
      return { status: 'unknown', evidence: [`${initial}: not in the DNS analysis`] };
    const verdict = dmarcPolicyVerdict(found);
    const evidence = [`DNS source: ${report.source}`, ...verdict.evidence];
    const m = found.dmarc;
    if (m.record !== undefined && m.at !== `_dmarc.${initial}`)
      evidence.push(
        `${initial}: the policy comes from ${m.at ?? 'a parent'}, which Microsoft controls, not the tenant: publish _dmarc.${initial}`,
      );
    if (verdict.status === 'fail' && m.record === undefined && m.error === undefined)
      evidence.push(
        `${initial}: mail From: this domain gets no DMARC enforcement, at Exchange Online (composite authentication, eop-model §6.2) or at any other receiver`,
        ...(report.source.includes('dns.json')
          ? [
              `${initial}: dns.json has no answer for _dmarc.${initial}, which reads as "no such name" (DESIGN §3.1); if it was recorded without this domain, record again with it among the domains (mxlock dns <your domains…> ${initial} --record <export>/dns.json --force)`,
            ]
          : []),
      );
    const out: CheckOutcome = { status: verdict.status, evidence };
    if (verdict.status === 'fail' || verdict.status === 'warn')
      out.remediation = { powershell: proposal(initial), portal: PORTAL };
    return out;
  },
};
