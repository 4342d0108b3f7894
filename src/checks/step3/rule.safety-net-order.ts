/**
 * Rules run in ascending Priority; StopRuleProcessing and Quarantine end evaluation (eop-model TR-2 [D]). A rule above
 * the safety net that stops processing keeps it from running, and the guide places the net above every bypass or
 * allow rule (§4.6 [D] S21, S24; hardening-guide step 3).
 */
import type { TransportRule } from '../../snapshot/schema.js';
import type { Check, CheckContext, CheckOutcome } from '../types.js';
import { EAC_RULES, LEARN, psQuote, ruleName, worst } from '../util.js';
import { isSafetyNet } from '../../model/safety-net.js';
import { decidingSafetyNet, onlyFromGateway, ruleLabel, safetyNets, stateUnknown } from './safety-net.js';
import { SAFETY_NET_READS } from './safety-net.js';

const PORTAL = `${EAC_RULES} → select the safety-net rule → Move up until it is first (priority 0)`;

/** What makes an earlier rule interfere with the safety net. */
function interference(r: TransportRule): string[] {
  const out: string[] = [];
  if (r.SetSCL === -1) out.push('SetSCL = -1 (spam-filter bypass)');
  if (r.StopRuleProcessing === true) out.push('StopRuleProcessing = true (later rules do not run)');
  if (r.Quarantine === true) out.push('Quarantine = true (stops later rules, TR-2 [D])');
  return out;
}

/** Whether a rule can match mail from outside that connects directly (not only internal or gateway mail). */
function appliesToExternal(ctx: CheckContext, r: TransportRule): boolean {
  if (r.FromScope === 'InOrganization' || r.ExceptIfFromScope === 'NotInOrganization') return false;
  return !onlyFromGateway(ctx, r);
}

export const check: Check = {
  id: 'rule.safety-net-order',
  requiresGateway: true,
  step: 3,
  title:
    'No enforced rule above the safety net bypasses spam filtering or stops rule processing for external mail',
  severity: 'medium',
  references: [
    'eop-model TR-2 [D]',
    'eop-model §4.6 [D]/[C]',
    'eop-model §10 A15',
    'hardening-guide step 3',
    LEARN.newTransportRule,
    LEARN.mailFlowRules,
  ],
  remediation: {
    powershell: "Set-TransportRule -Identity 'BLOCK - Direct EOP Ingress (Bypass SEG)' -Priority 0",
    portal: PORTAL,
  },
  reads: {
    'Get-TransportRule': [
      ...SAFETY_NET_READS,
      'State',
      'Mode',
      'ExceptIfFromScope',
      'SenderIpRanges',
      'SetSCL',
      'StopRuleProcessing',
    ],
  },
  checklist: 'checklist.safety-net-rule',
  evaluate(ctx) {
    const gate = safetyNets(ctx);
    if (!gate.ok) return gate.outcome;
    const net = decidingSafetyNet(gate.value);
    if (!net) return { status: 'not-applicable', evidence: ['no safety-net rule exists'] };
    if (net.Priority === undefined)
      return { status: 'unknown', evidence: [`${ruleLabel(net)}: Priority missing`] };
    const rules = ctx.tenant.transportRules ?? [];
    const statuses: CheckOutcome['status'][] = [];
    const evidence: string[] = [`${ruleLabel(net)}: Priority = ${net.Priority}`];
    for (const r of rules) {
      // Another safety net above this one blocks rather than bypasses.
      if (r === net || isSafetyNet(r)) continue;
      if (r.Priority === undefined) {
        if (interference(r).length > 0) {
          statuses.push('unknown');
          evidence.push(`${ruleLabel(r)}: Priority missing; it ${interference(r).join(', ')}`);
        }
        continue;
      }
      if (r.Priority >= net.Priority) continue;
      const why = interference(r);
      if (why.length === 0) continue;
      const where = `${ruleLabel(r)}: Priority = ${r.Priority} (above the safety net), ${why.join(', ')}`;
      if (!appliesToExternal(ctx, r)) {
        evidence.push(
          `${where}; cannot match direct external mail (FromScope = ${r.FromScope ?? '(none)'}, SenderIpRanges = [${(r.SenderIpRanges ?? []).join(', ')}])`,
        );
      } else if (stateUnknown(r)) {
        statuses.push('unknown');
        evidence.push(
          `${where}; State = ${r.State ?? '(not exported)'}, Mode = ${r.Mode ?? '(not exported)'}: cannot tell whether it acts`,
        );
      } else if (r.State === 'Enabled' && r.Mode === 'Enforce') {
        statuses.push('fail');
        evidence.push(
          `${where}; enabled and enforced, so it acts on external mail before the safety net decides (TR-2 [D], §4.6)`,
        );
      } else {
        evidence.push(
          `${where}; State = ${r.State}, Mode = ${r.Mode}: does not act now, but would once enforced`,
        );
      }
    }
    const status = worst(statuses);
    if (status !== 'fail') return { status, evidence };
    return {
      status,
      evidence,
      remediation: {
        powershell: `Set-TransportRule -Identity ${psQuote(ruleName(net))} -Priority 0`,
        portal: PORTAL,
      },
    };
  },
};
