/**
 * Any SCL -1 rule bypasses spam, phish and bulk verdicts (eop-model §4.4 [D] S24; Maester fails every such rule [C]
 * S45). Keyed on gateway IPs it admits whatever the shared gateway relays; Microsoft recommends Enhanced Filtering for
 * Connectors instead and removing the bypass (field-notes 6, §10 A9).
 */
import type { Check } from '../types.js';
import { EAC_RULES, LEARN, psQuote, ruleName } from '../util.js';
import {
  isEnforced,
  isSpoofableSclBypass,
  onlyFromGateway,
  ownDomainConditions,
  ruleLabel,
  SCL_UNKNOWN_EVIDENCE,
  sclUnknown,
  spoofGuard,
  stateUnknown,
  transportRules,
} from './safety-net.js';
import { SCL_BYPASS_READS } from './safety-net.js';

const PORTAL = `${EAC_RULES} → select the rule → delete it; configure Enhanced Filtering for Connectors in the Defender portal (https://security.microsoft.com/skiplisting) instead`;

export const check: Check = {
  id: 'rule.scl-bypass',
  step: 3,
  title:
    'No transport rule sets SCL -1 (spam-filter bypass); Enhanced Filtering replaces gateway bypass rules',
  severity: 'medium',
  references: [
    'eop-model §4.4 [D]',
    'eop-model §10 A8, A9',
    'field-notes 6',
    'Maester Test-MtExoSetScl [C] (eop-model S45)',
    LEARN.policyPrecedence,
    LEARN.enhancedFiltering,
  ],
  remediation: {
    powershell: [
      '# Configure Enhanced Filtering for Connectors on the gateway connector first (step 5), then:',
      "Remove-TransportRule -Identity 'Bypass spam filtering for SEG'",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName'],
    'Get-TransportRule': [...SCL_BYPASS_READS, 'Priority', 'State', 'Mode'],
  },
  evaluate(ctx) {
    const gate = transportRules(ctx);
    if (!gate.ok) return gate.outcome;
    // Own-domain bypasses without a guard are rule.scl-bypass-spoofable's (critical); without accepted domains they stay here.
    const known = ctx.tenant.acceptedDomains !== undefined;
    const bypasses = gate.value.filter((r) => r.SetSCL === -1 && !(known && isSpoofableSclBypass(ctx, r)));
    // The SCL value of these is not in the export (those shaped like an own-domain bypass are the spoofable check's).
    const sclMissing = gate.value.filter(
      (r) =>
        sclUnknown(r) && !(known && ownDomainConditions(ctx, r).length > 0 && spoofGuard(r) === undefined),
    );
    const missingLines = sclMissing.map((r) => `${ruleLabel(r)}: ${SCL_UNKNOWN_EVIDENCE}`);
    if (bypasses.length === 0) {
      if (sclMissing.length > 0) return { status: 'unknown', evidence: missingLines };
      return { status: 'pass', evidence: [`${gate.value.length} transport rule(s), no other SCL -1 rule`] };
    }
    const line = (r: (typeof bypasses)[number]) => {
      const base = `${ruleLabel(r)}: SetSCL = -1 (State = ${r.State ?? '(not exported)'}, Mode = ${r.Mode ?? '(not exported)'})`;
      if (onlyFromGateway(ctx, r)) {
        return `${base}, keyed on the gateway IPs (SenderIpRanges [${(r.SenderIpRanges ?? []).join(', ')}]): gateway IPs are shared among its customers, so this bypass admits their spoofed and phishing mail unfiltered; use Enhanced Filtering for Connectors instead and remove the rule (field-notes 6, eop-model §4.4 [D])`;
      }
      return `${base}: mail matching it skips spam, phish and bulk filtering (eop-model §4.4 [D])`;
    };
    const evidence = [...bypasses.map(line), ...missingLines];
    if (!known)
      evidence.push('Get-AcceptedDomain.json was not exported: own-domain bypasses are reported here too');
    const active = bypasses.filter(isEnforced);
    if (active.length > 0) {
      return {
        status: 'fail',
        evidence,
        remediation: {
          powershell: [
            '# Configure Enhanced Filtering for Connectors on the gateway connector first (step 5), then:',
            ...active.map((r) => `Remove-TransportRule -Identity ${psQuote(ruleName(r))}`),
          ].join('\n'),
          portal: PORTAL,
        },
      };
    }
    if (bypasses.some(stateUnknown) || sclMissing.length > 0) return { status: 'unknown', evidence };
    return { status: 'info', evidence: [...evidence, 'not enforced now (disabled or audit mode)'] };
  },
};
