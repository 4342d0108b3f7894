/**
 * The hardening guide's "Final checklist" (10 rows, in the guide's order), derived from the findings.
 * A row is `done` only when every check it rests on was evaluated and none of them found a problem; anything
 * missing or undecided leaves it `unknown` (DESIGN §1.1: unknown is never safe, so unknown is never done).
 */
import { appendTo } from '../common/collections.js';
import { CHECKLIST_CHECKS } from '../checks/registry.js';
import type { ChecklistRowId } from '../checks/types.js';
import type { FindingStatus } from '../common/order.js';
import type { ChecklistItem, ReportFinding, ReportPath } from './model.js';

/**
 * How a row is decided. The checks a `findings` or `open-only` row rests on are the ones that name the row in their
 * own declaration (`Check.checklist`), collected by src/checks/registry.ts: never listed here.
 */
type Rule =
  /** From its checks: open on fail/warn, done when all were evaluated and passed, else unknown. */
  | { kind: 'findings' }
  /** From what the export holds. */
  | { kind: 'backup' }
  /** Never knowable from an export: shown so the reader runs it. */
  | { kind: 'manual' }
  /** A failing check proves the row open; passing checks cannot prove it done. */
  | { kind: 'open-only' };

interface Row {
  id: ChecklistRowId;
  title: string;
  rule: Rule;
}

/** The guide's rows and wording (hardening-guide "Final checklist"), each with how it is decided. */
export const CHECKLIST_ROWS: readonly Row[] = [
  {
    id: 'checklist.direct-send-inventory',
    title:
      'Direct Send sources inventoried: SPF analysed, every printer, app and cloud service sending as your domain documented',
    rule: { kind: 'findings' },
  },
  {
    id: 'checklist.backup',
    title:
      'Configuration backup taken: Get-OrganizationConfig, Get-InboundConnector, Get-TransportRule exported',
    rule: { kind: 'backup' },
  },
  {
    id: 'checklist.connector-lockdown',
    title:
      'Inbound connector with IP/certificate binding active: RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set to $true',
    rule: { kind: 'findings' },
  },
  {
    id: 'checklist.reject-direct-send',
    title:
      'Reject Direct Send enabled: Set-OrganizationConfig -RejectDirectSend $true applied and propagated',
    rule: { kind: 'findings' },
  },
  {
    id: 'checklist.safety-net-rule',
    title:
      'Transport rule (safety net) active: reject rule for non-SEG IPs in enforce mode, correctly prioritised',
    rule: { kind: 'findings' },
  },
  {
    id: 'checklist.email-authentication',
    title:
      'SPF / DKIM / DMARC enforced: SPF -all, DKIM signing for all sending domains, DMARC at least p=quarantine',
    rule: { kind: 'findings' },
  },
  {
    id: 'checklist.antiphish',
    title:
      'Anti-phishing policy hardened: spoof intelligence, honor DMARC, quarantine for unauthenticated senders',
    rule: { kind: 'findings' },
  },
  {
    id: 'checklist.enhanced-filtering',
    title: 'Enhanced Filtering configured: skip listing of the SEG IPs at the inbound connector enabled',
    rule: { kind: 'findings' },
  },
  {
    id: 'checklist.tests',
    title:
      'Tests performed: Direct Send blocked (550 5.7.68), legitimate mail via the SEG delivered, headers correct; ' +
      'run mxlock probe and mxlock headers (an export cannot show that they were run)',
    rule: { kind: 'manual' },
  },
  {
    id: 'checklist.monitoring',
    title: 'Monitoring in place: message trace reviews, KQL hunting, DMARC reporting, alerting',
    // The unified audit log is a prerequisite only: reviews, hunting and alerting are not visible in an export.
    rule: { kind: 'open-only' },
  },
];

const PROBLEM: ReadonlySet<FindingStatus> = new Set(['fail', 'warn']);
/**
 * Statuses that leave nothing to do for the row. `unknown` is deliberately absent, and so is `waived`: an accepted risk
 * is not a done item. `not-applicable` always carries its reason (a tenant without a gateway, say); a check that lacks
 * a fact is `unknown`, never `not-applicable` (src/assess.ts runCheck).
 */
const SETTLED: ReadonlySet<FindingStatus> = new Set(['pass', 'not-applicable', 'info']);

function fromFindings(
  checks: readonly string[],
  byId: ReadonlyMap<string, FindingStatus[]>,
): ChecklistItem['status'] {
  // A row no check rests on has nothing proving it done (DESIGN §1.1); `every` over nothing would say it is.
  if (checks.length === 0) return 'unknown';
  const statuses = checks.flatMap((id) => byId.get(id) ?? []);
  if (statuses.some((s) => PROBLEM.has(s))) return 'open';
  // Every mapped check must have been evaluated: a check absent from the run is not evidence of anything.
  const allEvaluated = checks.every((id) => (byId.get(id) ?? []).length > 0);
  if (allEvaluated && statuses.every((s) => SETTLED.has(s))) return 'done';
  return 'unknown';
}

/**
 * Builds the checklist. `present.backup`: the export holds Get-OrganizationConfig, Get-InboundConnector and
 * Get-TransportRule, i.e. the guide's backup exists. `paths` is accepted for the assess pipeline's single call
 * site but does not decide any row: the guide's rows are configuration states, while path outcomes are already
 * the verdict's job and the "tests performed" row asks for live tests that a simulation cannot stand in for.
 * `rowChecks`: which checks each row rests on, by default the registered checks' declarations.
 */
export function buildChecklist(
  findings: readonly ReportFinding[],
  _paths: readonly ReportPath[],
  present: { backup: boolean },
  rowChecks: ReadonlyMap<ChecklistRowId, readonly string[]> = CHECKLIST_CHECKS,
): ChecklistItem[] {
  const byId = new Map<string, FindingStatus[]>();
  for (const f of findings) appendTo(byId, f.id, f.status);
  return CHECKLIST_ROWS.map((row): ChecklistItem => {
    const checks = rowChecks.get(row.id) ?? [];
    let status: ChecklistItem['status'];
    switch (row.rule.kind) {
      case 'findings':
        status = fromFindings(checks, byId);
        break;
      case 'backup':
        status = present.backup ? 'done' : 'open';
        break;
      case 'manual':
        status = 'unknown';
        break;
      case 'open-only':
        status = checks.some((id) => (byId.get(id) ?? []).some((s) => PROBLEM.has(s))) ? 'open' : 'unknown';
        break;
    }
    return { id: row.id, title: row.title, status };
  });
}
