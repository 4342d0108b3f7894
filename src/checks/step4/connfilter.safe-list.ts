/** eop-model §6.5, §10 A11: the Microsoft-managed safe list (EnableSafeList) is off. */
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { ANTI_SPAM_PORTAL } from './antispam-portal.js';
import {
  CONNECTION_FILTER,
  absent,
  note,
  outcomeOf,
  perPolicyRemediation,
  reviewPolicies,
} from './shared.js';
import { mergeReads } from '../catalog.js';

const PORTAL = `${ANTI_SPAM_PORTAL} → Connection filter policy (Default) → Edit connection filter policy → Turn on safe list: off`;

export const check: Check = {
  id: 'connfilter.safe-list',
  step: 4,
  title: 'The connection filter safe list is off',
  severity: 'low',
  references: [
    'eop-model §10 A11 [D] S30, S57',
    'eop-model §6.5 EnableSafeList (Microsoft-managed third-party allow list) [D] S30, S32; SCuBA: safe list off [C] S57',
    'hardening-guide step 4.3 (avoid allow lists)',
    'https://learn.microsoft.com/defender-office-365/connection-filter-policies-configure',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedconnectionfilterpolicy',
  ],
  remediation: {
    powershell: "Set-HostedConnectionFilterPolicy -Identity 'Default' -EnableSafeList $false",
    portal: PORTAL,
  },
  reads: mergeReads(CONNECTION_FILTER.reads, {
    'Get-HostedConnectionFilterPolicy': ['EnableSafeList'],
  }),
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, CONNECTION_FILTER, ({ policy, label }) => {
      const v = policy.EnableSafeList;
      if (v === undefined) return [absent(label, 'EnableSafeList')];
      return [
        v
          ? note(
              'fail',
              `${label}: EnableSafeList = true (mail from IPs on Microsoft's third-party safe list skips spam filtering)`,
            )
          : note('ok', `${label}: EnableSafeList = false`),
      ];
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(
        flagged,
        PORTAL,
        ({ name }) => `Set-HostedConnectionFilterPolicy -Identity ${psQuote(name)} -EnableSafeList $false`,
      ),
    );
  },
};
