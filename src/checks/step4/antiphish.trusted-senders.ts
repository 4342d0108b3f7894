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
import {
  ANTI_PHISH,
  absent,
  note,
  outcomeOf,
  emptyListsRemediation,
  ownUnknownNote,
  reviewPolicies,
  splitOwn,
  type Note,
} from './shared.js';

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
    const acceptedKnown = ctx.tenant.acceptedDomains !== undefined;
    const { notes, flagged } = reviewPolicies(ctx, ANTI_PHISH, ({ policy, label }) => {
      const out: Note[] = [];
      for (const prop of LISTS) {
        const entries = policy[prop];
        if (entries === undefined) {
          out.push(absent(label, prop, MDO_HINT));
          continue;
        }
        if (entries.length === 0) {
          out.push(note('ok', `${label}: ${prop} is empty`));
          continue;
        }
        const { own, other } = splitOwn(ctx, entries);
        if (own.length > 0) {
          // Sticky: a trusted own domain is as exploitable in a custom policy as in the default one.
          out.push({
            ...note(
              'fail',
              `${label}: ${prop} trusts own ${prop === 'ExcludedSenders' ? 'address' : 'domain'}(s) ${own.join(', ')}: mail with that From address, which anyone can forge, is never judged as user, domain or mailbox-intelligence impersonation`,
              true,
            ),
            presetRoute: PRESET_ROUTE,
          });
        }
        if (other.length > 0) {
          out.push({
            ...note(
              'warn',
              `${label}: ${prop} trusts ${other.join(', ')} (their mail skips the impersonation actions; ORCA228/229 fail any entry: review and remove)`,
            ),
            presetRoute: PRESET_ROUTE,
          });
          if (!acceptedKnown) out.push(ownUnknownNote(label, prop));
        }
      }
      return out;
    });
    const out = outcomeOf(notes, emptyListsRemediation(flagged, PORTAL, 'Set-AntiPhishPolicy', LISTS));
    if (notes.some((n) => n.sticky && n.level === 'fail')) out.severity = 'critical';
    return out;
  },
};
