/** Guide §4.2: spoof intelligence on in every anti-phish policy (eop-model §6.3, §10 A13). */
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { ANTI_PHISH_PORTAL, ANTI_PHISH_REFS } from './antiphish-portal.js';
import { ANTI_PHISH, absent, note, outcomeOf, perPolicyRemediation, reviewPolicies } from './shared.js';
import { mergeReads } from '../catalog.js';

const PORTAL = `${ANTI_PHISH_PORTAL} → Edit protection settings → Spoof → Enable spoof intelligence`;

export const check: Check = {
  id: 'antiphish.spoof-intelligence',
  step: 4,
  title: 'Spoof intelligence is enabled in every anti-phishing policy',
  severity: 'medium',
  references: [
    'eop-model §10 A13 [D] S27, S32',
    'eop-model §6.3 EnableSpoofIntelligence (implicit compauth spoof protection) [D] S27, S32',
    'hardening-guide step 4.2 (Spoof intelligence: Enabled)',
    ...ANTI_PHISH_REFS,
  ],
  remediation: {
    powershell: "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -EnableSpoofIntelligence $true",
    portal: PORTAL,
  },
  reads: mergeReads(ANTI_PHISH.reads, {
    'Get-AntiPhishPolicy': ['EnableSpoofIntelligence'],
  }),
  checklist: 'checklist.antiphish',
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, ANTI_PHISH, ({ policy, label }) => {
      const v = policy.EnableSpoofIntelligence;
      if (v === undefined) return [absent(label, 'EnableSpoofIntelligence')];
      if (v) return [note('ok', `${label}: EnableSpoofIntelligence = true`)];
      // eop-model §6.3 [D] S27: off means no implicit (compauth) spoof checks at all, only explicit DMARC failures.
      return [
        note(
          'fail',
          `${label}: EnableSpoofIntelligence = false (no implicit spoof detection: unauthenticated spoofs of domains without an enforcing DMARC record are not caught)`,
        ),
      ];
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(
        flagged,
        PORTAL,
        ({ name }) => `Set-AntiPhishPolicy -Identity ${psQuote(name)} -EnableSpoofIntelligence $true`,
      ),
    );
  },
};
