/** Guide §4.2: mailbox intelligence and its impersonation protection on (Defender for Office 365; eop-model §6.3). */
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { ANTI_PHISH_PORTAL, ANTI_PHISH_REFS, MDO_HINT } from './antiphish-portal.js';
import {
  ANTI_PHISH,
  absent,
  note,
  outcomeOf,
  perPolicyRemediation,
  reviewPolicies,
  type Note,
} from './shared.js';
import { mergeReads } from '../catalog.js';

const PORTAL = `${ANTI_PHISH_PORTAL} → Edit protection settings → Impersonation → Enable mailbox intelligence, Enable intelligence for impersonation protection`;
const PROPS = ['EnableMailboxIntelligence', 'EnableMailboxIntelligenceProtection'] as const;

export const check: Check = {
  id: 'antiphish.mailbox-intelligence',
  step: 4,
  title: 'Mailbox intelligence and its impersonation protection are enabled in every anti-phishing policy',
  severity: 'low',
  references: [
    'eop-model §6.3 EnableMailboxIntelligence (+Protection), MDO [D] S27, S32',
    'hardening-guide step 4.2 (Mailbox intelligence: Enabled)',
    ...ANTI_PHISH_REFS,
  ],
  remediation: {
    powershell:
      "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -EnableMailboxIntelligence $true -EnableMailboxIntelligenceProtection $true",
    portal: PORTAL,
  },
  reads: mergeReads(ANTI_PHISH.reads, {
    'Get-AntiPhishPolicy': ['EnableMailboxIntelligence', 'EnableMailboxIntelligenceProtection'],
  }),
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, ANTI_PHISH, ({ policy, label }) =>
      PROPS.map((prop): Note => {
        const v = policy[prop];
        if (v === undefined) return absent(label, prop, MDO_HINT);
        return note(v ? 'ok' : 'fail', `${label}: ${prop} = ${v}`);
      }),
    );
    return outcomeOf(
      notes,
      perPolicyRemediation(
        flagged,
        PORTAL,
        ({ name }) =>
          `Set-AntiPhishPolicy -Identity ${psQuote(name)} -EnableMailboxIntelligence $true -EnableMailboxIntelligenceProtection $true`,
      ),
    );
  },
};
