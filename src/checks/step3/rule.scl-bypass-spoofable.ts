/**
 * An SCL -1 rule keyed on your own sender domains is "an open invitation to receive spoofed messages from anywhere on
 * the internet" (eop-model §4.5 [D] S31): the sender address is attacker-chosen. ORCA 118-4 accepts it only with a
 * SenderIpRanges condition or an Authentication-Results check ([C] S45). §10 A8.
 */
import type { Check, CheckOutcome } from '../types.js';
import { EAC_RULES, LEARN, notExported, psQuote, ruleName } from '../util.js';
import {
  isEnforced,
  isSpoofableSclBypass,
  ownDomainConditions,
  ruleLabel,
  SCL_UNKNOWN_EVIDENCE,
  sclUnknown,
  spoofGuard,
  stateUnknown,
  transportRules,
} from './safety-net.js';
import { SCL_BYPASS_READS } from './safety-net.js';

const PORTAL = `${EAC_RULES} → select the rule → delete it (or add the condition "The sender IP address is in any of these ranges" with the gateway's IPs); use Enhanced Filtering for Connectors instead of SCL bypasses`;

export const check: Check = {
  id: 'rule.scl-bypass-spoofable',
  step: 3,
  title:
    'No transport rule bypasses spam filtering (SCL -1) for senders in your own domains without an IP or Authentication-Results guard',
  severity: 'critical',
  references: [
    'eop-model §4.5 [D] S31',
    'eop-model §4.4 [D]',
    'ORCA 118-4 [C] (eop-model S45)',
    'eop-model §10 A8',
    LEARN.antiPhishTuning,
    LEARN.policyPrecedence,
  ],
  remediation: {
    powershell: [
      "Remove-TransportRule -Identity 'Bypass spam filtering for contoso.com'",
      "# or guard it with the gateway's IPs:",
      "Set-TransportRule -Identity 'Bypass spam filtering for contoso.com' -SenderIpRanges '203.0.113.10','203.0.113.11'",
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
    const sclRules = gate.value.filter((r) => r.SetSCL === -1);
    // Own-domain unguarded rules whose SCL value is not in the export may be the bypass.
    const sclMissing = gate.value.filter(
      (r) =>
        sclUnknown(r) &&
        (ctx.tenant.acceptedDomains === undefined ||
          (ownDomainConditions(ctx, r).length > 0 && spoofGuard(r) === undefined)),
    );
    if (sclRules.length === 0) {
      if (sclMissing.length > 0)
        return {
          status: 'unknown',
          evidence: sclMissing.map((r) => `${ruleLabel(r)}: ${SCL_UNKNOWN_EVIDENCE}`),
        };
      return { status: 'pass', evidence: [`${gate.value.length} transport rule(s), none sets SCL -1`] };
    }
    if (ctx.tenant.acceptedDomains === undefined) {
      return {
        status: 'unknown',
        evidence: [
          ...sclRules.map((r) => `${ruleLabel(r)}: SetSCL = -1`),
          `${notExported('Get-AcceptedDomain')}: cannot tell whether its sender conditions name own domains`,
        ],
      };
    }
    const spoofable = sclRules.filter((r) => isSpoofableSclBypass(ctx, r));
    if (spoofable.length === 0 && sclMissing.length > 0) {
      return {
        status: 'unknown',
        evidence: sclMissing.map((r) => `${ruleLabel(r)}: ${SCL_UNKNOWN_EVIDENCE}`),
      };
    }
    if (spoofable.length === 0) {
      return {
        status: 'pass',
        evidence: [
          `${sclRules.length} SCL -1 rule(s), none keyed on own sender domains without a guard (see rule.scl-bypass)`,
        ],
      };
    }
    const line = (r: (typeof spoofable)[number]) =>
      `${ruleLabel(r)}: SetSCL = -1 on ${ownDomainConditions(ctx, r).join(', ')} with no SenderIpRanges and no Authentication-Results check (State = ${r.State ?? '(not exported)'}, Mode = ${r.Mode ?? '(not exported)'})`;
    const active = spoofable.filter(isEnforced);
    const unknown = spoofable.filter(stateUnknown);
    const fix = (rs: typeof spoofable) =>
      rs
        .map(
          (r) =>
            `Remove-TransportRule -Identity ${psQuote(ruleName(r))}  # or add -SenderIpRanges with the gateway's IPs`,
        )
        .join('\n');
    let outcome: CheckOutcome;
    if (active.length > 0) {
      outcome = {
        status: 'fail',
        evidence: [
          ...spoofable.map(line),
          'anyone can send with an own-domain From address and skip spam and phishing filtering, straight to the inbox (§4.4 [D]: with the MX elsewhere it can even let high-confidence phish through)',
        ],
        remediation: { powershell: fix(active), portal: PORTAL },
      };
    } else if (unknown.length > 0) {
      outcome = { status: 'unknown', evidence: spoofable.map(line) };
    } else {
      outcome = {
        status: 'info',
        evidence: [
          ...spoofable.map(line),
          'not enforced now (disabled or audit mode), but dangerous if re-enabled: delete it',
        ],
        remediation: { powershell: fix(spoofable), portal: PORTAL },
      };
    }
    return outcome;
  },
};
