/**
 * Domain impersonation protection for the organisation's own domains (EnableOrganizationDomainsProtection, "Include
 * domains I own") with an action that keeps the message from the user (TargetedDomainProtectionAction): Defender for
 * Office 365 Plan 1 or later (eop-model §6.3 [D] S27, S32); Microsoft's Standard and Strict presets turn it on and
 * quarantine (recommended-settings page); SCuBA MS.SECURITYSUITE.2.2v1. An EOP-only tenant may not have the
 * properties at all: then `unknown` with that reason, never a failure.
 */
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { mergeReads } from '../catalog.js';
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

const PORTAL = `${ANTI_PHISH_PORTAL} → Edit protection settings → Impersonation → Include domains I own; Edit actions → If a message is detected as an impersonated domain: Quarantine the message`;
const MDO_HINT =
  'Defender for Office 365 (Plan 1 or later) property: an EOP-only tenant does not have domain impersonation protection';
const RECOMMENDED =
  'https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365';

/** Actions that keep an impersonating message from the recipient (eop-model §6.3 [D] S32). */
const PROTECTING_ACTIONS: ReadonlySet<string> = new Set(['Quarantine', 'Delete', 'Redirect']);
/** Actions that deliver it to the inbox anyway. */
const INBOX_ACTIONS: ReadonlySet<string> = new Set(['NoAction', 'BccMessage']);

export const check: Check = {
  id: 'antiphish.org-domain-impersonation',
  step: 4,
  title:
    'Every anti-phishing policy protects the domains you own from impersonation and quarantines what it detects',
  severity: 'medium',
  references: [
    'eop-model §6.3 EnableOrganizationDomainsProtection, MDO, default $false [D] S27, S32',
    'SCuBA MS.SECURITYSUITE.2.2v1 (domain impersonation protection for domains owned by the agency)',
    RECOMMENDED,
    ...ANTI_PHISH_REFS,
  ],
  remediation: {
    powershell:
      "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -EnableOrganizationDomainsProtection $true -TargetedDomainProtectionAction Quarantine",
    portal: PORTAL,
  },
  reads: mergeReads(ANTI_PHISH.reads, {
    'Get-AntiPhishPolicy': ['EnableOrganizationDomainsProtection', 'TargetedDomainProtectionAction'],
  }),
  evaluate(ctx) {
    const { notes, flagged } = reviewPolicies(ctx, ANTI_PHISH, ({ policy, label }) => {
      const enabled = policy.EnableOrganizationDomainsProtection;
      const action = policy.TargetedDomainProtectionAction;
      if (enabled === undefined) return [absent(label, 'EnableOrganizationDomainsProtection', MDO_HINT)];
      if (!enabled)
        return [
          note(
            'fail',
            `${label}: EnableOrganizationDomainsProtection = false (look-alikes of your own domains are not detected; the Standard and Strict presets turn it on)`,
          ),
        ];
      const out: Note[] = [];
      if (action === undefined) out.push(absent(label, 'TargetedDomainProtectionAction', MDO_HINT));
      else if (INBOX_ACTIONS.has(action))
        out.push(
          note(
            'fail',
            `${label}: EnableOrganizationDomainsProtection = true but TargetedDomainProtectionAction = ${action} (domain impersonation is detected and still delivered to the inbox)`,
          ),
        );
      else if (action === 'MoveToJmf')
        out.push(
          note(
            'warn',
            `${label}: EnableOrganizationDomainsProtection = true, TargetedDomainProtectionAction = MoveToJmf (detected impersonation lands in Junk, where the user still sees it; the Standard and Strict presets quarantine)`,
          ),
        );
      else if (!PROTECTING_ACTIONS.has(action))
        out.push(
          note(
            'unknown',
            `${label}: TargetedDomainProtectionAction = ${action} is not a value Set-AntiPhishPolicy documents (NoAction, BccMessage, Delete, MoveToJmf, Quarantine, Redirect)`,
          ),
        );
      else
        out.push(
          note(
            'ok',
            `${label}: EnableOrganizationDomainsProtection = true, TargetedDomainProtectionAction = ${action}`,
          ),
        );
      return out;
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(flagged, PORTAL, ({ policy, name }) => {
        const parts = [`Set-AntiPhishPolicy -Identity ${psQuote(name)}`];
        if (policy.EnableOrganizationDomainsProtection === false)
          parts.push('-EnableOrganizationDomainsProtection $true');
        const act = policy.TargetedDomainProtectionAction;
        if (act === undefined || INBOX_ACTIONS.has(act) || act === 'MoveToJmf')
          parts.push('-TargetedDomainProtectionAction Quarantine');
        return parts.length > 1 ? parts.join(' ') : undefined;
      }),
    );
  },
};
