/** Guide §4.2: user impersonation protection covers the sensitive mailboxes declared in the profile (MDO; eop-model §6.3). */
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import {
  ANTI_PHISH_PORTAL,
  ANTI_PHISH_REFS,
  impersonationActionNote,
  impersonationActionWeak,
  MDO_HINT,
} from './antiphish-portal.js';
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

const PORTAL = `${ANTI_PHISH_PORTAL} → Edit protection settings → Impersonation → Enable users to protect → Manage sender(s); Edit actions → If a message is detected as user impersonation: Quarantine the message`;
/** Where a preset security policy's users to protect are set (they are the one impersonation setting it takes). */
const PRESET_ROUTE =
  'Microsoft Defender portal → Email & collaboration → Policies & rules → Threat policies → Preset security policies → Manage protection settings → Impersonation protection';

/** `TargetedUsersToProtect` entries are `Display Name;address` (eop-model §6.3); the address is what identifies the user. */
export function protectedAddress(entry: string): string {
  const semi = entry.lastIndexOf(';');
  return (semi >= 0 ? entry.slice(semi + 1) : entry).trim().toLowerCase();
}

export const check: Check = {
  id: 'antiphish.impersonation',
  step: 4,
  title: 'User impersonation protection covers every protected user in every anti-phishing policy',
  severity: 'medium',
  references: [
    'eop-model §6.3 EnableTargetedUserProtection, TargetedUsersToProtect ("DisplayName;Email"), TargetedUserProtectionAction, MDO [D] S27, S32',
    'hardening-guide step 4.2 (Impersonation protection: explicitly cover sensitive mailboxes)',
    'DESIGN §3.2 profile protectedUsers',
    ...ANTI_PHISH_REFS,
  ],
  remediation: {
    powershell:
      "Set-AntiPhishPolicy -Identity 'Office365 AntiPhish Default' -EnableTargetedUserProtection $true -TargetedUserProtectionAction Quarantine -TargetedUsersToProtect @{Add='CEO;ceo@yourcompany.com'}",
    portal: PORTAL,
  },
  reads: mergeReads(ANTI_PHISH.reads, {
    'Get-AntiPhishPolicy': [
      'EnableTargetedUserProtection',
      'TargetedUsersToProtect',
      'TargetedUserProtectionAction',
    ],
  }),
  evaluate(ctx) {
    const wanted = [...new Set(ctx.profile.protectedUsers.map((u) => u.trim().toLowerCase()))];
    // Not exported outranks "nothing declared": without the policies nothing can be said either way.
    if (ctx.tenant.antiPhishPolicies === undefined) {
      return { status: 'unknown', evidence: ['Get-AntiPhishPolicy.json was not exported'] };
    }
    if (wanted.length === 0) {
      return {
        status: 'info',
        evidence: [
          'no protectedUsers in the profile: declare protectedUsers in mxlock.yaml (CEO, finance, HR…) to check impersonation protection',
        ],
      };
    }
    const missingBy = new Map<string, string[]>();
    const { notes, flagged } = reviewPolicies(ctx, ANTI_PHISH, ({ policy, label, name }) => {
      const enabled = policy.EnableTargetedUserProtection;
      const list = policy.TargetedUsersToProtect;
      const action = policy.TargetedUserProtectionAction;
      const out: Note[] = [];
      if (enabled === undefined) out.push(absent(label, 'EnableTargetedUserProtection', MDO_HINT));
      if (list === undefined) out.push(absent(label, 'TargetedUsersToProtect', MDO_HINT));
      if (action === undefined) out.push(absent(label, 'TargetedUserProtectionAction', MDO_HINT));
      if (out.length > 0) return out;

      if (enabled === false)
        out.push({
          ...note('fail', `${label}: EnableTargetedUserProtection = false`),
          presetRoute: PRESET_ROUTE,
        });
      const actionNote =
        action === undefined
          ? undefined
          : impersonationActionNote(label, 'TargetedUserProtectionAction', action);
      if (actionNote) out.push(actionNote);
      const listed = new Set((list ?? []).map(protectedAddress));
      const missing = wanted.filter((u) => !listed.has(u));
      if (missing.length > 0) {
        missingBy.set(name, missing);
        out.push({
          ...note('fail', `${label}: TargetedUsersToProtect lacks ${missing.join(', ')}`),
          presetRoute: PRESET_ROUTE,
        });
      }
      if (out.length === 0) {
        out.push(
          note(
            'ok',
            `${label}: EnableTargetedUserProtection = true, TargetedUserProtectionAction = ${action}, TargetedUsersToProtect lists ${wanted.join(', ')}`,
          ),
        );
      }
      return out;
    });
    return outcomeOf(
      notes,
      perPolicyRemediation(flagged, PORTAL, ({ policy, name }) => {
        const parts = [`Set-AntiPhishPolicy -Identity ${psQuote(name)}`];
        if (policy.EnableTargetedUserProtection === false) parts.push('-EnableTargetedUserProtection $true');
        const act = policy.TargetedUserProtectionAction;
        if (impersonationActionWeak(act)) parts.push('-TargetedUserProtectionAction Quarantine');
        const missing = missingBy.get(name) ?? [];
        // The display name is only a label; the address is the key, so it doubles as the label here.
        if (missing.length > 0)
          parts.push(`-TargetedUsersToProtect @{Add=${missing.map((u) => psQuote(`${u};${u}`)).join(',')}}`);
        return parts.length > 1 ? parts.join(' ') : undefined;
      }),
    );
  },
};
