/** Shared text for the anti-spam and connection-filter checks (guide §4.3). */
import { SPAM_ACTIONS } from '../../snapshot/schema.js';

export const ANTI_SPAM_PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Anti-spam (https://security.microsoft.com/antispam)';

/** Spam actions Set-HostedContentFilterPolicy documents; anything else (`#n`) is unrecognised. */
export const KNOWN_SPAM_ACTIONS: ReadonlySet<string> = new Set(SPAM_ACTIONS);
