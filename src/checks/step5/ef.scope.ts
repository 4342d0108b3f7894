/** eop-model EF-3 / §10 A10: EF applies to the whole organisation, not a pilot list or test mode (ORCA 233-1 [C] S45). */
import type { Check } from '../types.js';
import { connectorName, psQuote } from '../util.js';
import { EF_PORTAL, EF_REFS, efEnabled, findGatewayConnector } from './gateway-connector.js';
import { EF_CONNECTOR_READS } from './gateway-connector.js';

export const check: Check = {
  id: 'ef.scope',
  requiresGateway: true,
  step: 5,
  title: 'Enhanced Filtering applies to every recipient (no EFUsers pilot list, no test mode)',
  severity: 'medium',
  references: [
    'eop-model EF-3 EFUsers pilot: EF applies only when every recipient is listed [D] S19',
    'eop-model EF-3: ORCA treats EFUsers non-empty or EFTestMode = true as "EF not configured" [C] S45',
    'eop-model §10 A10 [D] S19, [C] S45',
    'hardening-guide step 5 ("Apply to entire organization after a small pilot phase")',
    ...EF_REFS,
  ],
  remediation: {
    powershell: "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFUsers $null",
    portal: `${EF_PORTAL} → Apply to entire organization`,
  },
  reads: { 'Get-InboundConnector': [...EF_CONNECTOR_READS, 'EFUsers', 'EFTestMode'] },
  checklist: 'checklist.enhanced-filtering',
  evaluate(ctx) {
    const found = findGatewayConnector(ctx);
    if (found.kind === 'not-exported') return { status: 'unknown', evidence: [found.evidence] };
    if (found.kind === 'none')
      return {
        status: 'not-applicable',
        evidence: [found.evidence, 'no gateway connector to scope EF on (see ef.configured)'],
      };
    // Every enabled connector that matches the gateway carries some of its mail (the one matching each gateway IP,
    // CON-1 [D]): EF must cover every recipient on each of them, not only on the best-ranked one.
    const connectors = [found.connector, ...found.others];
    const evidence: string[] = [];
    const lines: string[] = [];
    let warn = false;
    let unknown = false;
    for (const c of connectors) {
      const name = connectorName(c);
      const label = `inbound connector '${name}'`;
      if (efEnabled(c) === false) {
        evidence.push(`${label}: Enhanced Filtering is off (see ef.configured)`);
        continue;
      }
      const missing = (['EFUsers', 'EFTestMode'] as const).filter((k) => c[k] === undefined);
      const users = c.EFUsers ?? [];
      const before = evidence.length;
      if (users.length > 0) {
        evidence.push(
          `${label}: EFUsers = ${users.join(', ')} (pilot: EF applies only to messages whose every recipient is listed, eop-model EF-3 [D] S19; ORCA counts this as not configured [C] S45)`,
        );
        lines.push(`Set-InboundConnector -Identity ${psQuote(name)} -EFUsers $null`);
      }
      if (c.EFTestMode === true) {
        evidence.push(
          `${label}: EFTestMode = true (EF only reports, it does not change filtering; ORCA counts this as not configured [C] S45)`,
        );
        // EFTestMode is documented as "reserved for internal Microsoft use" (eop-model §2.2 [D] S8): the portal's
        // "Apply to entire organization" is the documented way; the parameter is offered, marked as such.
        lines.push(
          '# EFTestMode is documented as reserved for internal Microsoft use: prefer the portal (Enhanced Filtering → Apply to entire organization); if it stays on:',
          `Set-InboundConnector -Identity ${psQuote(name)} -EFTestMode $false`,
        );
      }
      if (evidence.length > before) warn = true;
      if (missing.length > 0) {
        evidence.push(`${label}: ${missing.join(', ')} absent from the export`);
        unknown = true;
      } else if (evidence.length === before)
        evidence.push(`${label}: EFUsers is empty and EFTestMode = false (EF applies to every recipient)`);
    }
    if (warn)
      return {
        status: 'warn',
        evidence,
        remediation: { powershell: lines.join('\n'), portal: `${EF_PORTAL} → Apply to entire organization` },
      };
    if (unknown) return { status: 'unknown', evidence };
    if (connectors.every((c) => efEnabled(c) === false)) return { status: 'not-applicable', evidence };
    return { status: 'pass', evidence };
  },
};
