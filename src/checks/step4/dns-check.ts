/**
 * The five DNS checks of step 4 (guide §4.1), one factory: each judges every own sending domain with a verdict
 * from src/dns/findings.ts and proposes records for this tenant (DESIGN §6: DNS records are proposed, never
 * silently changed). Without a DNS analysis the checks are `unknown`, with the reason.
 */
import type { DomainDns } from '../../dns/analyse.js';
import { worstStatus, type DnsVerdict } from '../../dns/findings.js';
import { mergeReads } from '../catalog.js';
import type { CheckContext, CheckOutcome, Check, ChecklistRowId, Reads, Remediation } from '../types.js';
import type { Severity } from '../../common/order.js';
import { commentSafe, psQuote } from '../util.js';
import { tenantDnsDomains } from '../../dns/tenant.js';

export const DNS_PORTAL =
  "Your DNS host's management console (mxlock proposes records and never changes DNS). DKIM: https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Email authentication settings → DKIM";

export interface DnsCheckSpec {
  id: string;
  title: string;
  severity: Severity;
  references: string[];
  remediation: Remediation;
  /** What the check reads besides what every DNS check reads (`DNS_CHECK_READS`). */
  reads?: Reads;
  checklist?: ChecklistRowId;
  verdict(d: DomainDns, ctx: CheckContext): DnsVerdict;
  /**
   * Domains that pass but for which the guide names a next step (DMARC at its minimum p=quarantine, target p=reject):
   * proposed too, the status unchanged.
   */
  proposeAlso?(d: DomainDns): boolean;
  /** Tenant-specific proposal for the domains that need it; undefined when there is nothing to build it from. */
  propose(ctx: CheckContext, domains: readonly DomainDns[]): string | undefined;
}

/** Domains whose DNS the tenant controls and sends from (accepted domains minus `*.onmicrosoft.com`, ExternalRelay). */
export function dnsDomains(ctx: CheckContext): string[] {
  return tenantDnsDomains(ctx.snapshot);
}

export const DNS_NOT_ANALYSED =
  'DNS not analysed: the export has no dns.json and live DNS was not used (run without --offline, or record answers with `mxlock dns --record`)';

/** Every DNS check reads the own domains (`dnsDomains`) and the DNS analysis of them. */
const DNS_CHECK_READS: Reads = { 'Get-AcceptedDomain': ['DomainName', 'DomainType'], dns: true };

export function dnsCheck(spec: DnsCheckSpec): Check {
  return {
    id: spec.id,
    step: 4,
    title: spec.title,
    severity: spec.severity,
    references: spec.references,
    remediation: spec.remediation,
    reads: mergeReads(DNS_CHECK_READS, spec.reads ?? {}),
    ...(spec.checklist !== undefined ? { checklist: spec.checklist } : {}),
    evaluate(ctx): CheckOutcome {
      if (ctx.tenant.acceptedDomains === undefined) {
        return {
          status: 'unknown',
          evidence: ['Get-AcceptedDomain.json was not exported: the domains to check are unknown'],
        };
      }
      const domains = dnsDomains(ctx);
      if (domains.length === 0)
        return { status: 'not-applicable', evidence: ['no accepted domain outside *.onmicrosoft.com'] };
      const report = ctx.dnsReport;
      if (!report) return { status: 'unknown', evidence: [DNS_NOT_ANALYSED] };
      const statuses: CheckOutcome['status'][] = [];
      const evidence: string[] = [`DNS source: ${report.source}`];
      const needing: DomainDns[] = [];
      for (const name of domains) {
        const d = report.domains.find((x) => x.domain === name);
        if (!d) {
          statuses.push('unknown');
          evidence.push(`${name}: not in the DNS analysis`);
          continue;
        }
        const v = spec.verdict(d, ctx);
        statuses.push(v.status);
        evidence.push(...v.evidence);
        if (v.status === 'fail' || v.status === 'warn' || spec.proposeAlso?.(d) === true) needing.push(d);
      }
      const status = worstStatus(statuses);
      const out: CheckOutcome = { status, evidence };
      if (needing.length > 0) {
        const proposal = spec.propose(ctx, needing);
        if (proposal !== undefined)
          out.remediation = { powershell: proposal, portal: spec.remediation.portal };
      }
      return out;
    },
  };
}

/**
 * A TXT value as a zone file writes it: one quoted string, its `"` and `\` escaped (RFC 1035 §5.1), so a value taken
 * from the tenant's current record (a rua, an SPF term) cannot end the string early or add a second one.
 */
export function zoneTxt(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
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
