/** Guide §4.2: quarantine messages that fail spoof checks (AuthenticationFailAction; eop-model §6.3, §10 A13). */
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { ANTI_PHISH_PORTAL, ANTI_PHISH_REFS } from './antiphish-portal.js';
import { ANTI_PHISH, absent, note, outcomeOf, perPolicyRemediation, reviewPolicies } from './shared.js';
import { mergeReads } from '../catalog.js';

const PORTAL = `${ANTI_PHISH_PORTAL} → Edit actions → If the message is detected as spoof by spoof intelligence: Quarantine the message`;

export const check: Check = {
  id: 'antiphish.unauthenticated-action',
  step: 4,
  title: 'Spoofed (unauthenticated) messages are quarantined, not moved to Junk',
  severity: 'medium',
  references: [
    'eop-model §10 A13 [D] S27, S32',
    'eop-model §6.3 AuthenticationFailAction MoveToJmf (default) | Quarantine [D] S32',
    'hardening-guide step 4.2 (Action for unauthenticated senders: Quarantine)',
    ...ANTI_PHISH_REFS,
  ],
  remediation: {
    powershell:
      "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -AuthenticationFailAction Quarantine",
    portal: PORTAL,
  },
  reads: mergeReads(ANTI_PHISH.reads, {
    'Get-AntiPhishPolicy': ['AuthenticationFailAction'],
  }),
  checklist: 'checklist.antiphish',
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, ANTI_PHISH, ({ policy, label }) => {
      const v = policy.AuthenticationFailAction;
      if (v === undefined) return [absent(label, 'AuthenticationFailAction')];
      if (v === 'Quarantine') return [note('ok', `${label}: AuthenticationFailAction = Quarantine`)];
      // Junk still reaches the user (DESIGN §5 counts junk as open); the guide asks for Quarantine.
      if (v === 'MoveToJmf')
        return [
          note(
            'fail',
            `${label}: AuthenticationFailAction = MoveToJmf (spoofs land in the user's Junk folder; the guide asks for Quarantine)`,
          ),
        ];
      return [
        note(
          'unknown',
          `${label}: AuthenticationFailAction = ${v} is not a value Set-AntiPhishPolicy documents (MoveToJmf, Quarantine)`,
        ),
      ];
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(
        flagged,
        PORTAL,
        ({ name }) => `Set-AntiPhishPolicy -Identity ${psQuote(name)} -AuthenticationFailAction Quarantine`,
      ),
    );
  },
};
