/** Guide §4.3 "avoid allow lists": AllowedSenders/AllowedSenderDomains skip spam filtering (eop-model §4.5, §6.4, §10 A12). */
import type { Check } from '../types.js';
import { ANTI_SPAM_PORTAL } from './antispam-portal.js';
import {
  CONTENT_FILTER,
  outcomeOf,
  emptyListsRemediation,
  reviewPolicies,
  reviewSenderList,
} from './shared.js';
import { mergeReads } from '../catalog.js';

const PORTAL = `${ANTI_SPAM_PORTAL} → Anti-spam inbound policy → Edit allowed and blocked senders and domains → Allowed senders / Allowed domains`;
const LISTS = ['AllowedSenderDomains', 'AllowedSenders'] as const;

export const check: Check = {
  id: 'antispam.allowed-senders',
  step: 4,
  title: 'No anti-spam policy allows senders or sender domains, and never an own domain',
  severity: 'high',
  references: [
    'eop-model §10 A12 [D] S31, S32',
    'eop-model §4.5 (allowing your own domains is an open invitation to spoofed mail) [D] S31',
    'eop-model §6.4 AllowedSenders/AllowedSenderDomains bypass spam filtering (SFV:SKA) [D] S31, S32',
    'hardening-guide step 4.3 (avoid allow lists)',
    'https://learn.microsoft.com/defender-office-365/anti-phishing-protection-tuning',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedcontentfilterpolicy',
  ],
  remediation: {
    powershell:
      "Set-HostedContentFilterPolicy -Identity 'Default' -AllowedSenderDomains @{Remove='yourcompany.com'} -AllowedSenders @{Remove='ceo@yourcompany.com'}",
    portal: PORTAL,
  },
  reads: mergeReads(CONTENT_FILTER.reads, {
    'Get-HostedContentFilterPolicy': ['AllowedSenders', 'AllowedSenderDomains'],
  }),
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, CONTENT_FILTER, ({ policy, label }) =>
      LISTS.flatMap((prop) =>
        reviewSenderList(ctx, label, prop, policy[prop], {
          own: (p, own) =>
            `${p} contains own ${p === 'AllowedSenders' ? 'address' : 'domain'}(s) ${own.join(', ')}: anyone can spoof them past spam filtering (SFV:SKA, eop-model §4.5 [D] S31)`,
          other: (p, other) =>
            `${p} contains ${other.join(', ')} (these senders bypass spam filtering, SFV:SKA, and are trivially spoofed)`,
        }),
      ),
    );
    const out = outcomeOf(
      notes,
      emptyListsRemediation(flagged, PORTAL, 'Set-HostedContentFilterPolicy', LISTS),
    );
    if (notes.some((n) => n.sticky && n.level === 'fail')) out.severity = 'critical';
    return out;
  },
};
