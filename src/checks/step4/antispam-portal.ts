/** Shared text for the anti-spam and connection-filter checks (guide §4.3). */

export const ANTI_SPAM_PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Anti-spam (https://security.microsoft.com/antispam)';

/** Spam actions Set-HostedContentFilterPolicy documents (eop-model §6.4 [D] S32); anything else (`#n`) is unrecognised. */
export const KNOWN_SPAM_ACTIONS: ReadonlySet<string> = new Set([
  'MoveToJmf',
  'AddXHeader',
  'ModifySubject',
  'Quarantine',
  'Redirect',
  'Delete',
  'NoAction',
]);
