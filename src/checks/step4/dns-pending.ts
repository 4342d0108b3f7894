/**
 * The five DNS checks of step 4 (guide §4.1). The SPF/DKIM/DMARC/MX analysis lands with mxlock issue 3; until then
 * each check is `unknown` with that reason, but already carries its real metadata and the records it proposes for
 * this tenant (DESIGN §6: DNS records are proposed, never silently changed).
 */
import type { CheckContext, CheckOutcome, Check, Remediation, Severity } from '../types.js';
import { psQuote } from '../util.js';
import { commentSafe } from './shared.js';

export const DNS_PORTAL =
  "Your DNS host's management console (mxlock proposes records and never changes DNS). DKIM: https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Email authentication settings → DKIM";

export interface PendingDnsSpec {
  id: string;
  /** Protocol named in the "not analysed" evidence: `SPF`, `DMARC`, `DKIM`, `MX`. */
  protocol: string;
  title: string;
  severity: Severity;
  references: string[];
  remediation: Remediation;
  /** Tenant-specific proposal, one block per domain; undefined when the tenant gives nothing to build it from. */
  propose(ctx: CheckContext, domains: readonly string[]): string | undefined;
}

/**
 * Domains whose DNS the tenant controls and sends from: accepted domains minus Microsoft's `*.onmicrosoft.com` names
 * and ExternalRelay domains (hosted entirely elsewhere).
 */
export function dnsDomains(ctx: CheckContext): string[] {
  return (ctx.tenant.acceptedDomains ?? [])
    .filter((a) => a.DomainType !== 'ExternalRelay')
    .map((a) => a.DomainName)
    .filter((d): d is string => d !== undefined && d !== '' && !d.endsWith('.onmicrosoft.com'));
}

export function notAnalysedEvidence(protocol: string): string {
  return `DNS not analysed: the ${protocol} analysis is not implemented yet (mxlock issue 3)`;
}

export function pendingDnsCheck(spec: PendingDnsSpec): Check {
  return {
    id: spec.id,
    step: 4,
    title: spec.title,
    severity: spec.severity,
    references: spec.references,
    remediation: spec.remediation,
    evaluate(ctx) {
      const out: CheckOutcome = { status: 'unknown', evidence: [notAnalysedEvidence(spec.protocol)] };
      const proposal = spec.propose(ctx, dnsDomains(ctx));
      if (proposal !== undefined) out.remediation = { powershell: proposal, portal: spec.remediation.portal };
      return out;
    },
  };
}

/** A proposed record as a PowerShell comment, followed by the command that verifies it once published. */
export function recordBlock(
  domain: string,
  records: readonly string[],
  lookupName: string,
  type: 'TXT' | 'MX' | 'CNAME',
): string {
  return [
    `# ${commentSafe(domain)}: publish at your DNS host`,
    ...records.map((r) => `#   ${commentSafe(r)}`),
    `Resolve-DnsName -Name ${psQuote(lookupName)} -Type ${type}`,
  ].join('\n');
}
