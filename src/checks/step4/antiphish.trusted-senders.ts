/**
 * Anti-phishing "trusted senders and domains" (ExcludedSenders, ExcludedDomains): exceptions to impersonation
 * protection, Defender for Office 365 only (Set-AntiPhishPolicy). Messages from them are never judged as user, domain
 * or mailbox-intelligence impersonation (ORCA228, ORCA229 [C]: any entry fails). An own domain there is worse: its
 * From address is the one attackers forge, and behind a gateway EOP's spoof checks of directly injected mail are
 * suppressed (eop-model §6.1, §13), so the impersonation checks are what is left to flag a forged colleague.
 */
import type { Check } from '../types.js';
import { mergeReads } from '../catalog.js';
import { ANTI_PHISH_PORTAL, ANTI_PHISH_REFS, MDO_HINT } from './antiphish-portal.js';
import { ANTI_PHISH, outcomeOf, emptyListsRemediation, reviewPolicies, reviewSenderList } from './shared.js';

const PORTAL = `${ANTI_PHISH_PORTAL} → Edit protection settings → Impersonation → Manage trusted senders and domains (Trusted senders and domains) → remove the entries`;
/** Where a preset security policy's trusted senders and domains are set (its impersonation exceptions). */
const PRESET_ROUTE =
  'Microsoft Defender portal → Email & collaboration → Policies & rules → Threat policies → Preset security policies → Manage protection settings → Trusted senders and domains';
const LISTS = ['ExcludedSenders', 'ExcludedDomains'] as const;

export const check: Check = {
  id: 'antiphish.trusted-senders',
  step: 4,
  title:
    'No anti-phishing policy exempts senders or domains from impersonation protection, and never an own domain',
  severity: 'medium',
  references: [
    'ORCA228, ORCA229 [C] (trusted senders and domains skip the impersonation actions)',
    'eop-model §4.5 [D] S31 (own-domain allow entries are an open invitation to spoofed mail)',
    'eop-model §6.1 [D] S25, S35; §13 Ghost-Sender [C]',
    'eop-model §6.3 impersonation settings, MDO [D] S27, S32',
    ...ANTI_PHISH_REFS,
    'https://learn.microsoft.com/defender-office-365/anti-phishing-policies-mdo-configure',
  ],
  remediation: {
    powershell:
      "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -ExcludedDomains @{Remove='yourcompany.com'} -ExcludedSenders @{Remove='ceo@yourcompany.com'}",
    portal: PORTAL,
  },
  reads: mergeReads(ANTI_PHISH.reads, {
    'Get-AntiPhishPolicy': ['ExcludedSenders', 'ExcludedDomains'],
  }),
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, ANTI_PHISH, ({ policy, label }) =>
      LISTS.flatMap((prop) =>
        reviewSenderList(ctx, label, prop, policy[prop], {
          absentHint: MDO_HINT,
          own: (p, own) =>
            `${p} trusts own ${p === 'ExcludedSenders' ? 'address' : 'domain'}(s) ${own.join(', ')}: mail with that From address, which anyone can forge, is never judged as user, domain or mailbox-intelligence impersonation`,
          other: (p, other) =>
            `${p} trusts ${other.join(', ')} (their mail skips the impersonation actions; ORCA228/229 fail any entry: review and remove)`,
          extra: { presetRoute: PRESET_ROUTE },
        }),
      ),
    );
    const out = outcomeOf(notes, emptyListsRemediation(flagged, PORTAL, 'Set-AntiPhishPolicy', LISTS));
    if (notes.some((n) => n.sticky && n.level === 'fail')) out.severity = 'critical';
    return out;
  },
};
