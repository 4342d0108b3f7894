/**
 * The anti-spam policies' action on a phishing verdict (PhishSpamAction; eop-model §6.4 [D] S32). Microsoft's
 * recommended settings: Quarantine in the Standard and Strict presets; MoveToJmf is the default policy's value, which
 * leaves phish in the Junk folder for the user to open (ORCA142 [C]). A header or subject tag delivers it to the inbox
 * (SCuBA MS.SECURITYSUITE.6.1v1: phishing SHALL NOT be delivered to the inbox). Secure by default forces only
 * high-confidence phish to quarantine, and only when the MX points to Microsoft 365 (eop-model §6.1 [D] S25).
 */
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { mergeReads } from '../catalog.js';
import { ANTI_SPAM_PORTAL, KNOWN_SPAM_ACTIONS } from './antispam-portal.js';
import { CONTENT_FILTER, absent, note, outcomeOf, perPolicyRemediation, reviewPolicies } from './shared.js';

const PORTAL = `${ANTI_SPAM_PORTAL} → Anti-spam inbound policy → Edit actions → Phishing: Quarantine message`;
const RECOMMENDED =
  'https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365';

/** Actions that deliver the phish to the inbox, only tagged (eop-model §6.4 [D] S32). */
const INBOX: ReadonlySet<string> = new Set(['AddXHeader', 'ModifySubject', 'NoAction']);

export const check: Check = {
  id: 'antispam.phish-action',
  step: 4,
  title: 'Anti-spam policies quarantine messages detected as phishing',
  severity: 'medium',
  references: [
    'eop-model §6.4 PhishSpamAction [D] S32',
    'eop-model §6.1 secure by default covers only high-confidence phish, and only with the MX on Microsoft 365 [D] S25',
    'ORCA142 [C] (phish action set to Quarantine)',
    RECOMMENDED,
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedcontentfilterpolicy',
  ],
  remediation: {
    powershell: "Set-HostedContentFilterPolicy -Identity 'Default' -PhishSpamAction Quarantine",
    portal: PORTAL,
  },
  reads: mergeReads(CONTENT_FILTER.reads, {
    'Get-HostedContentFilterPolicy': ['PhishSpamAction'],
  }),
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, CONTENT_FILTER, ({ policy, label }) => {
      const v = policy.PhishSpamAction;
      if (v === undefined) return [absent(label, 'PhishSpamAction')];
      if (!KNOWN_SPAM_ACTIONS.has(v))
        return [
          note(
            'unknown',
            `${label}: PhishSpamAction = ${v} is not a value Set-HostedContentFilterPolicy documents`,
          ),
        ];
      if (INBOX.has(v))
        return [
          note(
            'fail',
            `${label}: PhishSpamAction = ${v} (phishing is delivered to the inbox, only tagged; Microsoft's Standard and Strict settings quarantine it)`,
          ),
        ];
      if (v === 'MoveToJmf')
        return [
          note(
            'warn',
            `${label}: PhishSpamAction = MoveToJmf (phishing lands in the Junk folder, where users open it as a false positive; Microsoft's Standard and Strict settings quarantine it)`,
          ),
        ];
      return [note('ok', `${label}: PhishSpamAction = ${v}`)];
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(flagged, PORTAL, ({ policy, name }) =>
        policy.PhishSpamAction !== undefined && policy.PhishSpamAction !== 'Quarantine'
          ? `Set-HostedContentFilterPolicy -Identity ${psQuote(name)} -PhishSpamAction Quarantine`
          : undefined,
      ),
    );
  },
};
