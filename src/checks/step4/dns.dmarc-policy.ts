/** Guide §4.1: DMARC at least p=quarantine, target p=reject, for every sending domain. */
import type { DomainDns } from '../../dns/analyse.js';
import { validReportUri, type DmarcPolicyValue } from '../../dns/dmarc.js';
import { dmarcPolicyVerdict } from '../../dns/findings.js';
import { DNS_PORTAL, dnsCheck, recordBlock, zoneTxt } from './dns-check.js';

/** The guide's target record (§4.1); reporting addresses at the domain itself, to be replaced by a reporting service's. */
export function proposedDmarc(domain: string, rua?: readonly string[]): string {
  // Only report URIs receivers can use are kept (RFC 7489 §6.2): a bare address would void the proposal's reporting.
  const usable = (rua ?? []).filter(validReportUri);
  const reports = usable.length > 0 ? usable.join(',') : `mailto:dmarc-reports@${domain}`;
  return `_dmarc.${domain}. IN TXT "v=DMARC1; p=reject; rua=${reports}; ruf=mailto:dmarc-forensics@${domain}; fo=1; adkim=s; aspf=s"`;
}

/**
 * The guide's progression (hardening guide 4.1: "at minimum p=quarantine, target p=reject with rua="): a domain without
 * DMARC starts at p=none with rua, to see its legitimate senders in the aggregate reports before anything is refused.
 */
const NEXT_POLICY: Record<DmarcPolicyValue | 'absent', DmarcPolicyValue> = {
  absent: 'none',
  none: 'quarantine',
  quarantine: 'reject',
  reject: 'reject',
};

const AFTER: Record<DmarcPolicyValue, string> = {
  none: 'then p=quarantine once the aggregate reports show every legitimate sender passing DMARC, then p=reject (hardening guide 4.1)',
  quarantine:
    "then p=reject, the guide's target, once the reports stay clean under quarantine (hardening guide 4.1)",
  reject: "p=reject is the guide's target (hardening guide 4.1): keep reading the aggregate reports",
};

/**
 * The one DMARC record proposed for `d` at `_dmarc.<domain>`, by dns.dmarc-policy and dns.dmarc-reporting alike (the
 * plan writes it once): the step of the guide's progression that follows the policy that applies today when the
 * policy verdict asks for a change, else today's policy; a usable rua always. The tags of the domain's own record are
 * kept (alignment, ruf…) except a test mode (pct<100, t=y), which the step ends, and an sp=none or invalid sp, which
 * would leave subdomains behind. A new record is the guide's template. The zone-file comment says what comes after.
 * At the guide's minimum (p=quarantine, fully applied, its own record sending aggregate reports) the step is the
 * target, p=reject: proposed for when the reports stay clean, while the check still passes.
 */
export function dmarcProposal(d: DomainDns): string {
  const m = d.dmarc;
  const own = m.record !== undefined && m.at === `_dmarc.${d.domain}` ? m.record : undefined;
  const current = m.record ? m.policy : 'absent';
  const verdict = dmarcPolicyVerdict(d).status;
  const move = verdict === 'fail' || verdict === 'warn' || readyForReject(d);
  // A policy in test mode is first applied to every failing message, then the progression goes on.
  const testing = m.record?.testing === true && current !== 'absent' && current !== 'none';
  const policy: DmarcPolicyValue = !move
    ? current === 'absent'
      ? 'none'
      : current
    : testing
      ? (current as DmarcPolicyValue)
      : NEXT_POLICY[current];
  const tags = new Map(
    own?.tags ?? [
      ['ruf', `mailto:dmarc-forensics@${d.domain}`],
      ['fo', '1'],
      ['adkim', 's'],
      ['aspf', 's'],
    ],
  );
  tags.delete('v');
  tags.delete('p');
  if (move) {
    tags.delete('pct');
    tags.delete('t');
    if (own?.sp === 'none' || own?.spInvalid) tags.delete('sp');
  }
  const usable = (own?.rua ?? []).filter(validReportUri);
  const rua = usable.length > 0 ? usable.join(',') : `mailto:dmarc-reports@${d.domain}`;
  // rua stays where the record had it, else it follows p.
  const entries = [...tags].map(([k, v]) => `${k}=${k === 'rua' ? rua : v}`);
  if (!tags.has('rua')) entries.unshift(`rua=${rua}`);
  const value = ['v=DMARC1', `p=${policy}`, ...entries].join('; ');
  return `_dmarc.${d.domain}. IN TXT ${zoneTxt(value)} ; ${AFTER[policy]}`;
}

/** The domain's own record is at p=quarantine, fully applied, with a usable rua: p=reject, the target, comes next. */
function readyForReject(d: DomainDns): boolean {
  const m = d.dmarc;
  const own = m.record !== undefined && m.at === `_dmarc.${d.domain}` ? m.record : undefined;
  return (
    own !== undefined && m.policy === 'quarantine' && !own.testing && (own.rua ?? []).some(validReportUri)
  );
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
      '# yourcompany.com: publish at your DNS host (p=none with rua first, then p=quarantine, then the target below)',
      `#   ${proposedDmarc('yourcompany.com')}`,
      "Resolve-DnsName -Name '_dmarc.yourcompany.com' -Type TXT",
    ].join('\n'),
    portal: DNS_PORTAL,
  },
  checklist: 'checklist.email-authentication',
  verdict: (d) => dmarcPolicyVerdict(d),
  proposeAlso: readyForReject,
  propose(_ctx, domains) {
    return [
      '# One step of the guide’s progression at a time (p=none with rua → p=quarantine → p=reject), each after the aggregate reports show no legitimate sender failing.',
      ...domains.map((d) => recordBlock(d.domain, [dmarcProposal(d)], `_dmarc.${d.domain}`, 'TXT')),
    ].join('\n');
  },
});
