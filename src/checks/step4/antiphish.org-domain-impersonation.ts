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
import {
  ANTI_PHISH_PORTAL,
  ANTI_PHISH_REFS,
  impersonationActionNote,
  impersonationActionWeak,
  MDO_HINT,
} from './antiphish-portal.js';
import { ANTI_PHISH, absent, note, outcomeOf, perPolicyRemediation, reviewPolicies } from './shared.js';

const PORTAL = `${ANTI_PHISH_PORTAL} → Edit protection settings → Impersonation → Include domains I own; Edit actions → If a message is detected as an impersonated domain: Quarantine the message`;
const RECOMMENDED =
  'https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365';

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
      if (action === undefined) return [absent(label, 'TargetedDomainProtectionAction', MDO_HINT)];
      return [
        impersonationActionNote(label, 'TargetedDomainProtectionAction', action) ??
          note(
            'ok',
            `${label}: EnableOrganizationDomainsProtection = true, TargetedDomainProtectionAction = ${action}`,
          ),
      ];
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(flagged, PORTAL, ({ policy, name }) => {
        const parts = [`Set-AntiPhishPolicy -Identity ${psQuote(name)}`];
        if (policy.EnableOrganizationDomainsProtection === false)
          parts.push('-EnableOrganizationDomainsProtection $true');
        const act = policy.TargetedDomainProtectionAction;
        if (act === undefined || impersonationActionWeak(act))
          parts.push('-TargetedDomainProtectionAction Quarantine');
        return parts.length > 1 ? parts.join(' ') : undefined;
      }),
    );
  },
};
