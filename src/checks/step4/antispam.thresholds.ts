/** Guide §4.3: BCL threshold 6 or lower, spam and high-confidence phish quarantined (eop-model §6.4). */
import type { ContentFilterPolicy } from '../../snapshot/schema.js';
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { ANTI_SPAM_PORTAL, KNOWN_SPAM_ACTIONS } from './antispam-portal.js';
import {
  CONTENT_FILTER,
  absent,
  note,
  outcomeOf,
  perPolicyRemediation,
  reviewPolicies,
  type Note,
} from './shared.js';
import { mergeReads } from '../catalog.js';

/** Guide §4.3: "Bulk Complaint Level (BCL) threshold: 6 or lower" (Microsoft's default is 7, eop-model §6.4 [D] S32). */
const MAX_BULK_THRESHOLD = 6;
const PORTAL = `${ANTI_SPAM_PORTAL} → Anti-spam inbound policy → Edit bulk email threshold & spam properties; Edit actions`;

/** Actions that leave high-confidence spam with the user: Junk (warn), or the inbox with a header or subject tag (fail). */
const HCS_INBOX: ReadonlySet<string> = new Set(['AddXHeader', 'ModifySubject', 'NoAction']);
const HCS_WEAK: ReadonlySet<string> = new Set(['MoveToJmf', ...HCS_INBOX]);

type ActionProp = 'SpamAction' | 'HighConfidenceSpamAction' | 'HighConfidencePhishAction';

function actionNote(
  label: string,
  p: ContentFilterPolicy,
  prop: ActionProp,
  judge: (v: string) => Note['level'],
  why: string,
): Note {
  const v = p[prop];
  if (v === undefined) return absent(label, prop);
  if (!KNOWN_SPAM_ACTIONS.has(v))
    return note('unknown', `${label}: ${prop} = ${v} is not a value Set-HostedContentFilterPolicy documents`);
  const level = judge(v);
  return note(level, `${label}: ${prop} = ${v}${level === 'ok' ? '' : ` (${why})`}`);
}

/** Each guide setting with the value that fixes it, for the tenant-specific remediation. */
function weakSettings(p: ContentFilterPolicy): string[] {
  const out: string[] = [];
  if (p.BulkThreshold !== undefined && p.BulkThreshold > MAX_BULK_THRESHOLD)
    out.push(`-BulkThreshold ${MAX_BULK_THRESHOLD}`);
  if (p.SpamAction !== undefined && KNOWN_SPAM_ACTIONS.has(p.SpamAction) && p.SpamAction !== 'Quarantine')
    out.push('-SpamAction Quarantine');
  if (p.HighConfidenceSpamAction !== undefined && HCS_WEAK.has(p.HighConfidenceSpamAction))
    out.push('-HighConfidenceSpamAction Quarantine');
  if (
    p.HighConfidencePhishAction !== undefined &&
    KNOWN_SPAM_ACTIONS.has(p.HighConfidencePhishAction) &&
    p.HighConfidencePhishAction !== 'Quarantine'
  ) {
    out.push('-HighConfidencePhishAction Quarantine');
  }
  return out;
}

export const check: Check = {
  id: 'antispam.thresholds',
  step: 4,
  title: 'Anti-spam policies use BCL 6 or lower and quarantine spam and high-confidence phish',
  severity: 'medium',
  references: [
    'eop-model §6.4 BulkThreshold, SpamAction, HighConfidenceSpamAction, HighConfidencePhishAction [D] S32',
    'eop-model §6.1 secure by default (HCP always quarantined) applies only when the MX points to Microsoft 365 [D] S25',
    'hardening-guide step 4.3 (BCL 6 or lower; spam action and high-confidence phish action: Quarantine)',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedcontentfilterpolicy',
    'https://learn.microsoft.com/defender-office-365/secure-by-default',
  ],
  remediation: {
    powershell:
      "Set-HostedContentFilterPolicy -Identity 'Default' -BulkThreshold 6 -SpamAction Quarantine -HighConfidenceSpamAction Quarantine -HighConfidencePhishAction Quarantine",
    portal: PORTAL,
  },
  reads: mergeReads(CONTENT_FILTER.reads, {
    'Get-HostedContentFilterPolicy': [
      'BulkThreshold',
      'SpamAction',
      'HighConfidenceSpamAction',
      'HighConfidencePhishAction',
    ],
  }),
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, CONTENT_FILTER, ({ policy, label }) => {
      const bulk = policy.BulkThreshold;
      return [
        bulk === undefined
          ? absent(label, 'BulkThreshold')
          : bulk > MAX_BULK_THRESHOLD
            ? note(
                'fail',
                `${label}: BulkThreshold = ${bulk} (the guide asks for ${MAX_BULK_THRESHOLD} or lower; more bulk mail reaches the inbox)`,
              )
            : note('ok', `${label}: BulkThreshold = ${bulk}`),
        // MoveToJmf is Microsoft's default; the guide asks for Quarantine, so anything else is a warn, not a fail.
        actionNote(
          label,
          policy,
          'SpamAction',
          (v) => (v === 'Quarantine' ? 'ok' : 'warn'),
          'the guide asks for Quarantine',
        ),
        actionNote(
          label,
          policy,
          'HighConfidenceSpamAction',
          // eop-model §6.4 [D] S32: AddXHeader/ModifySubject deliver to the inbox, only tagged.
          (v) => (HCS_INBOX.has(v) ? 'fail' : v === 'MoveToJmf' ? 'warn' : 'ok'),
          policy.HighConfidenceSpamAction !== undefined && HCS_INBOX.has(policy.HighConfidenceSpamAction)
            ? 'high-confidence spam is delivered to the inbox, only tagged'
            : 'high-confidence spam reaches the Junk folder',
        ),
        // With the MX elsewhere secure-by-default does not force HCP to quarantine (eop-model §6.1 [D] S25).
        actionNote(
          label,
          policy,
          'HighConfidencePhishAction',
          (v) => (v === 'Quarantine' ? 'ok' : 'fail'),
          'high-confidence phish must be quarantined',
        ),
      ];
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(flagged, PORTAL, ({ policy, name }) => {
        const params = weakSettings(policy);
        return params.length > 0
          ? `Set-HostedContentFilterPolicy -Identity ${psQuote(name)} ${params.join(' ')}`
          : undefined;
      }),
    );
  },
};
