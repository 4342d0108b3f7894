/**
 * Transport rules that write a header telling Defender for Office 365 to skip a protection:
 * `X-MS-Exchange-Organization-SkipSafeAttachmentProcessing` and `…SkipSafeLinksProcessing` (ORCA189, ORCA189_2 [C]:
 * any rule setting them fails; the header's value is not used, only its name). Judged like rule.scl-bypass (TR-3: only
 * enabled, enforcing rules act) and worse, like rule.scl-bypass-spoofable, when keyed on own sender domains without an
 * IP or Authentication-Results guard (eop-model §4.5 [D] S31: the sender address is attacker-chosen).
 */
import type { TransportRule } from '../../snapshot/schema.js';
import type { Check, CheckOutcome } from '../types.js';
import { EAC_RULES, LEARN, notExported, psQuote, ruleName, worst } from '../util.js';
import {
  isEnforced,
  listsAction,
  onlyFromGateway,
  ownDomainConditions,
  ruleLabel,
  spoofGuard,
  stateUnknown,
  timeBounds,
} from './safety-net.js';
import { SENDER_KEY_READS, transportRules } from './safety-net.js';

/** What writing a header does: skips a protection, has no documented effect, or only sorts mail for the user. */
type HeaderKind = 'bypass' | 'undocumented' | 'benign';

interface HeaderEffect {
  kind: HeaderKind;
  /** What happens to matching mail, as evidence says it. */
  effect: string;
}

/** The headers a rule can write to weaken filtering, by lower-case name. Anything else is not this check's concern. */
const HEADERS: ReadonlyMap<string, HeaderEffect> = new Map([
  [
    'x-ms-exchange-organization-skipsafeattachmentprocessing',
    {
      kind: 'bypass',
      effect:
        'matching mail skips Safe Attachments, so its attachments are never detonated (Defender for Office 365; ORCA189 [C])',
    },
  ],
  [
    'x-ms-exchange-organization-skipsafelinksprocessing',
    {
      kind: 'bypass',
      effect:
        'matching mail skips Safe Links, so its URLs are neither rewritten nor checked at time of click (Defender for Office 365; ORCA189_2 [C])',
    },
  ],
  [
    'x-forefront-antispam-report',
    {
      kind: 'undocumented',
      effect:
        "the rule writes EOP's own anti-spam verdict header (eop-model §7.1 [D] S26): Microsoft documents no effect of a rule setting it, peer tools read it as an attempt to fake a spam verdict, and no legitimate configuration needs it",
    },
  ],
  [
    'x-ms-exchange-organization-bypassclutter',
    {
      kind: 'benign',
      effect:
        'only keeps matching mail out of Clutter sorting (Microsoft Learn "Use mail flow rules so messages can bypass Clutter"), not a filtering bypass',
    },
  ],
]);

const CLUTTER_LEARN =
  'https://learn.microsoft.com/exchange/security-and-compliance/mail-flow-rules/use-rules-to-bypass-clutter';
const ADVANCED_DELIVERY =
  'https://learn.microsoft.com/defender-office-365/advanced-delivery-policy-configure';

const PORTAL = `${EAC_RULES} → select the rule → delete it; for phishing-simulation mail use the advanced delivery policy instead (https://security.microsoft.com/advanceddelivery)`;

const headerOf = (r: TransportRule) => r.SetHeaderName?.trim().toLowerCase();

const state = (r: TransportRule) =>
  `State = ${r.State ?? '(not exported)'}, Mode = ${r.Mode ?? '(not exported)'}`;

export const check: Check = {
  id: 'rule.filtering-bypass',
  step: 3,
  title:
    'No transport rule sets a header that makes Defender for Office 365 skip Safe Attachments or Safe Links',
  severity: 'high',
  references: [
    'ORCA189, ORCA189_2 [C] (rules setting X-MS-Exchange-Organization-SkipSafeAttachmentProcessing / SkipSafeLinksProcessing)',
    'eop-model §4.5 [D] S31 (sender-keyed bypasses are an open invitation to spoofed mail)',
    'eop-model TR-3 [D] S20 (only enabled, enforcing rules act)',
    'eop-model §7.1 [D] S26 (X-Forefront-Antispam-Report is written by EOP)',
    'https://learn.microsoft.com/defender-office-365/safe-attachments-about',
    'https://learn.microsoft.com/defender-office-365/safe-links-about',
    ADVANCED_DELIVERY,
    CLUTTER_LEARN,
    LEARN.mailFlowRules,
  ],
  remediation: {
    powershell: [
      "Get-TransportRule | Where-Object { $_.SetHeaderName -like 'X-MS-Exchange-Organization-Skip*' } | Format-Table Name, State, Mode, SetHeaderName",
      "Remove-TransportRule -Identity 'Skip Safe Links for SEG'",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName'],
    'Get-TransportRule': [
      'SetHeaderName',
      'Actions',
      'State',
      'Mode',
      'ActivationDate',
      'ExpiryDate',
      ...SENDER_KEY_READS,
    ],
  },
  evaluate(ctx) {
    const gate = transportRules(ctx);
    if (!gate.ok) return gate.outcome;
    const rules = gate.value;
    const known = ctx.tenant.acceptedDomains !== undefined;

    const statuses: CheckOutcome['status'][] = [];
    const evidence: string[] = [];
    const toRemove: TransportRule[] = [];
    let spoofableEnforced = false;

    for (const r of rules) {
      const header = headerOf(r);
      if (header === undefined) {
        // The rule writes a header, but the export does not say which: it may be one of these.
        if (listsAction(r, 'SetHeaderAction')) {
          statuses.push('unknown');
          evidence.push(
            `${ruleLabel(r)}: SetHeaderAction listed in Actions but SetHeaderName is not in the export`,
          );
        }
        continue;
      }
      const effect = HEADERS.get(header);
      if (effect === undefined) continue;
      if (effect.kind === 'benign') {
        evidence.push(`${ruleLabel(r)}: SetHeaderName = '${r.SetHeaderName ?? ''}': ${effect.effect}`);
        continue;
      }
      const own = known ? ownDomainConditions(ctx, r) : [];
      const spoofable = own.length > 0 && spoofGuard(r) === undefined;
      const bounds = timeBounds(r);
      let line = `${ruleLabel(r)}: SetHeaderName = '${r.SetHeaderName ?? ''}' (${state(r)}${bounds ? `, ${bounds}` : ''}): ${effect.effect}`;
      if (spoofable) {
        line += `; it is keyed on ${own.join(', ')} with no SenderIpRanges and no Authentication-Results check, so anyone who writes an own-domain From address gets it (eop-model §4.5 [D] S31)`;
      } else if (onlyFromGateway(ctx, r)) {
        line += `; it is keyed on the gateway IPs (SenderIpRanges [${(r.SenderIpRanges ?? []).join(', ')}]), which the gateway's other customers share, so their mail gets it too`;
      }
      if (!known && (r.SenderDomainIs?.length ?? 0) + (r.From?.length ?? 0) > 0)
        line += `; ${notExported('Get-AcceptedDomain')}, so whether its sender conditions name own domains cannot be told`;
      evidence.push(line);

      if (isEnforced(r)) {
        statuses.push(effect.kind === 'bypass' ? 'fail' : 'warn');
        toRemove.push(r);
        if (effect.kind === 'bypass' && spoofable) spoofableEnforced = true;
      } else if (stateUnknown(r)) {
        statuses.push('unknown');
      } else {
        statuses.push('info');
        toRemove.push(r);
        evidence.push(
          `${ruleLabel(r)} is not enforced now (disabled or in audit mode), but takes effect the day it is enabled: delete it`,
        );
      }
    }

    if (statuses.length === 0) {
      return {
        status: 'pass',
        evidence: [
          `${rules.length} transport rule(s), none sets a header that skips Safe Attachments or Safe Links`,
          ...evidence,
        ],
      };
    }
    const status = worst(statuses);
    const outcome: CheckOutcome = { status, evidence };
    if (toRemove.length > 0) {
      outcome.remediation = {
        powershell: [
          `# Phishing simulations and SecOps mailboxes: the advanced delivery policy lets their mail through without a bypass rule (${ADVANCED_DELIVERY})`,
          ...toRemove.map((r) => `Remove-TransportRule -Identity ${psQuote(ruleName(r))}`),
        ].join('\n'),
        portal: PORTAL,
      };
    }
    if (spoofableEnforced) outcome.severity = 'critical';
    return outcome;
  },
};
