/** Guide §4.2: honour the sender's DMARC policy (eop-model §6.3, §10 A13; EF-5 when the MX points elsewhere). */
import { hasGateway } from '../../common/gateway.js';
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { ANTI_PHISH_PORTAL, ANTI_PHISH_REFS } from './antiphish-portal.js';
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

const PORTAL = `${ANTI_PHISH_PORTAL} → Edit protection settings → Spoof → Honor DMARC record policy when the message is detected as spoof`;

export const check: Check = {
  id: 'antiphish.honor-dmarc',
  step: 4,
  title: "Every anti-phishing policy honours the sender's DMARC policy",
  severity: 'medium',
  references: [
    'eop-model §10 A13 [D] S27, S32',
    'eop-model §6.3 HonorDmarcPolicy, DmarcRejectAction, DMARC × spoof-intelligence matrix [D] S27, S32',
    'eop-model EF-5 [D] S27 (with the MX elsewhere, Honor DMARC applies only when Enhanced Filtering is on)',
    'hardening-guide step 4.2 (Honor DMARC policy: Enabled)',
    ...ANTI_PHISH_REFS,
    'https://learn.microsoft.com/defender-office-365/email-authentication-dmarc-configure',
  ],
  remediation: {
    powershell: "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -HonorDmarcPolicy $true",
    portal: PORTAL,
  },
  reads: mergeReads(ANTI_PHISH.reads, {
    'Get-AntiPhishPolicy': ['HonorDmarcPolicy', 'DmarcRejectAction'],
  }),
  checklist: 'checklist.antiphish',
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, ANTI_PHISH, ({ policy, label }) => {
      const v = policy.HonorDmarcPolicy;
      if (v === undefined) return [absent(label, 'HonorDmarcPolicy')];
      if (!v) {
        // eop-model §6.3 matrix [D] S27: off → AuthenticationFailAction for explicit failures too; p=reject is not rejected.
        return [
          note(
            'fail',
            `${label}: HonorDmarcPolicy = false (p=reject and p=quarantine of the sender are not applied; DMARC failures get AuthenticationFailAction)`,
          ),
        ];
      }
      const out: Note[] = [note('ok', `${label}: HonorDmarcPolicy = true`)];
      if (policy.DmarcRejectAction === 'Quarantine') {
        out.push(
          note(
            'info',
            `${label}: DmarcRejectAction = Quarantine (a documented choice: p=reject failures are quarantined, not rejected)`,
          ),
        );
      }
      return out;
    });
    if (hasGateway(ctx.gateway)) {
      // eop-model EF-5 [D] S27: the MX points at the gateway, so this setting only bites with EF on the gateway connector.
      notes.push(
        note(
          'ok',
          'a gateway receives the mail first (MX elsewhere): EOP applies Honor DMARC only when Enhanced Filtering is enabled on the receiving connector (eop-model EF-5 [D] S27); see ef.configured',
        ),
      );
    }
    return outcomeOf(
      notes,
      perPolicyRemediation(flagged, PORTAL, ({ policy, name }) =>
        policy.HonorDmarcPolicy === false
          ? `Set-AntiPhishPolicy -Identity ${psQuote(name)} -HonorDmarcPolicy $true`
          : undefined,
      ),
    );
  },
};
