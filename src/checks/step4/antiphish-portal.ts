/** Shared text and decisions for the anti-phishing checks (guide §4.2). */
import { note, type Note } from './shared.js';

export const ANTI_PHISH_PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Anti-phishing (https://security.microsoft.com/antiphishing) → select the policy';

export const ANTI_PHISH_REFS = [
  'https://learn.microsoft.com/defender-office-365/anti-phishing-policies-about',
  'https://learn.microsoft.com/powershell/module/exchangepowershell/set-antiphishpolicy',
];

/** Why an impersonation or trusted-sender property is absent: it exists only with Defender for Office 365. */
export const MDO_HINT = 'Defender for Office 365 property: an EOP-only tenant does not have it';

/** Impersonation actions that keep the message from the recipient (eop-model §6.3 [D] S32). */
const PROTECTING_ACTIONS: ReadonlySet<string> = new Set(['Quarantine', 'Delete', 'Redirect']);
/** Impersonation actions that deliver it to the inbox anyway. */
const INBOX_ACTIONS: ReadonlySet<string> = new Set(['NoAction', 'BccMessage']);

/**
 * How an impersonation action (TargetedUserProtectionAction, TargetedDomainProtectionAction) treats detected mail: the
 * note to report, or undefined when it keeps the message from the recipient. One decision for user and domain
 * impersonation alike.
 */
export function impersonationActionNote(label: string, prop: string, action: string): Note | undefined {
  if (INBOX_ACTIONS.has(action))
    return note(
      'fail',
      `${label}: ${prop} = ${action} (impersonation is detected but the message still reaches the recipient's inbox)`,
    );
  if (action === 'MoveToJmf')
    return note(
      'warn',
      `${label}: ${prop} = MoveToJmf (impersonation lands in the Junk folder, where the user still sees it; Quarantine keeps it away)`,
    );
  if (!PROTECTING_ACTIONS.has(action))
    return note(
      'unknown',
      `${label}: ${prop} = ${action} is not a value Set-AntiPhishPolicy documents (NoAction, BccMessage, Delete, MoveToJmf, Quarantine, Redirect)`,
    );
  return undefined;
}

/** Whether the remediation should set the action to Quarantine: it delivers the message (inbox or Junk). */
export function impersonationActionWeak(action: string | undefined): boolean {
  return action !== undefined && (INBOX_ACTIONS.has(action) || action === 'MoveToJmf');
}
