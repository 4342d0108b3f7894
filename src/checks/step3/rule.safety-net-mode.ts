/**
 * Only enabled rules run, and Audit/AuditAndNotify only log: "neither audit mode affects delivery" (eop-model TR-3 [D]).
 */
import type { TransportRule } from '../../snapshot/schema.js';
import type { Check } from '../types.js';
import { EAC_RULES, LEARN, psQuote, ruleName } from '../util.js';
import { isEnforced, ruleLabel, safetyNets, stateUnknown, timeBounds } from './safety-net.js';
import { SAFETY_NET_READS } from './safety-net.js';

const PORTAL = `${EAC_RULES} → select the safety-net rule → Enable it, and under Rule mode choose Enforce`;

function describe(r: TransportRule): string {
  const state = `${ruleLabel(r)}: State = ${r.State ?? '(not exported)'}, Mode = ${r.Mode ?? '(not exported)'}`;
  if (stateUnknown(r)) return `${state}: value missing or unknown, cannot tell whether the rule acts`;
  if (r.State === 'Disabled') return `${state}: a disabled rule does not run (TR-3 [D])`;
  if (r.Mode !== 'Enforce') return `${state}: audit mode does not affect delivery, TR-3 [D]`;
  const bounds = timeBounds(r);
  if (bounds) return `${state}, ${bounds}: whether it acts today depends on the date (TR-3 [D])`;
  return `${state}: acts on delivery`;
}

function fixes(r: TransportRule): string[] {
  const id = psQuote(ruleName(r));
  const out: string[] = [];
  if (r.State === 'Disabled') out.push(`Enable-TransportRule -Identity ${id}`);
  if (r.Mode === 'Audit' || r.Mode === 'AuditAndNotify')
    out.push(`Set-TransportRule -Identity ${id} -Mode Enforce`);
  return out;
}

export const check: Check = {
  id: 'rule.safety-net-mode',
  requiresGateway: true,
  step: 3,
  title: 'The safety-net rule is enabled and in Enforce mode',
  severity: 'medium',
  references: [
    'eop-model TR-3 [D]',
    'eop-model §4.6 [C]',
    'eop-model §10 A15',
    'hardening-guide step 3 and activation order',
    LEARN.newTransportRule,
  ],
  remediation: {
    powershell: [
      '# After the audit week (activation order: rule in audit → connector → RejectDirectSend → rule to Enforce):',
      "Enable-TransportRule -Identity 'BLOCK - Direct EOP Ingress (Bypass SEG)'",
      "Set-TransportRule -Identity 'BLOCK - Direct EOP Ingress (Bypass SEG)' -Mode Enforce",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-TransportRule': [...SAFETY_NET_READS, 'State', 'Mode', 'ActivationDate', 'ExpiryDate'],
  },
  checklist: 'checklist.safety-net-rule',
  evaluate(ctx) {
    const gate = safetyNets(ctx);
    if (!gate.ok) return gate.outcome;
    const evidence = gate.value.map(describe);
    if (gate.value.some((r) => isEnforced(r) && timeBounds(r) === undefined))
      return { status: 'pass', evidence };
    if (gate.value.some(isEnforced) || gate.value.some(stateUnknown)) return { status: 'unknown', evidence };
    return {
      status: 'fail',
      evidence,
      remediation: {
        powershell: [
          '# Switch to Enforce once the audit week showed no legitimate mail hitting the rule (message trace / rule reports):',
          ...gate.value.flatMap(fixes),
        ].join('\n'),
        portal: PORTAL,
      },
    };
  },
};
