/** eop-model EF-3 / §10 A10: EF applies to the whole organisation, not a pilot list or test mode (ORCA 233-1 [C] S45). */
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { EF_PORTAL, EF_REFS, efEnabled, findGatewayConnector } from './gateway-connector.js';

export const check: Check = {
  id: 'ef.scope',
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
  evaluate(ctx) {
    if (ctx.gateway.source === 'none')
      return { status: 'not-applicable', evidence: ['no gateway: Enhanced Filtering is not needed'] };
    const found = findGatewayConnector(ctx);
    if (found.kind === 'not-exported') return { status: 'unknown', evidence: [found.evidence] };
    if (found.kind === 'none')
      return {
        status: 'not-applicable',
        evidence: [found.evidence, 'no gateway connector to scope EF on (see ef.configured)'],
      };
    const c = found.connector;
    const label = found.label;
    if (efEnabled(c) === false) {
      return {
        status: 'not-applicable',
        evidence: [`${label}: Enhanced Filtering is off (see ef.configured)`],
      };
    }
    const evidence: string[] = [];
    const missing = (['EFUsers', 'EFTestMode'] as const).filter((k) => c[k] === undefined);
    const users = c.EFUsers ?? [];
    let warn = false;
    if (users.length > 0) {
      warn = true;
      evidence.push(
        `${label}: EFUsers = ${users.join(', ')} (pilot: EF applies only to messages whose every recipient is listed, eop-model EF-3 [D] S19; ORCA counts this as not configured [C] S45)`,
      );
    }
    if (c.EFTestMode === true) {
      warn = true;
      evidence.push(
        `${label}: EFTestMode = true (EF only reports, it does not change filtering; ORCA counts this as not configured [C] S45)`,
      );
    }
    if (missing.length > 0) evidence.push(`${label}: ${missing.join(', ')} absent from the export`);
    if (warn) {
      // Only what is wrong is changed. EFTestMode is documented as "reserved for internal Microsoft use"
      // (eop-model §2.2 [D] S8): the portal's "Apply to entire organization" is the documented way; the cmdlet
      // parameter is offered, marked as such, for tenants where the export shows test mode on.
      const lines: string[] = [];
      if (users.length > 0)
        lines.push(`Set-InboundConnector -Identity ${psQuote(found.name)} -EFUsers $null`);
      if (c.EFTestMode === true)
        lines.push(
          '# EFTestMode is documented as reserved for internal Microsoft use: prefer the portal (Enhanced Filtering → Apply to entire organization); if it stays on:',
          `Set-InboundConnector -Identity ${psQuote(found.name)} -EFTestMode $false`,
        );
      return {
        status: 'warn',
        evidence,
        remediation: { powershell: lines.join('\n'), portal: `${EF_PORTAL} → Apply to entire organization` },
      };
    }
    if (missing.length > 0) return { status: 'unknown', evidence };
    return {
      status: 'pass',
      evidence: [`${label}: EFUsers is empty and EFTestMode = false (EF applies to every recipient)`],
    };
  },
};
