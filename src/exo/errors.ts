/**
 * Failures of a collection, keyed on `code` (STYLE.md "Errors carry a code"), each worded with what to fix. The 401/403
 * advice is written here once: formats.md §1.6 and §1.8, Microsoft Learn "App-only authentication for unattended
 * scripts in Exchange Online PowerShell" (Exchange.ManageAsApp with admin consent, plus a Microsoft Entra role).
 */
import { ConnectivityError } from '../errors.js';
import { ENVIRONMENTS, type EnvironmentName } from './environment.js';

export type ExoErrorCode =
  /** 401: the token was refused. Stops the tenant: every call would fail alike. */
  | 'unauthorized'
  /** 403: signed in, not allowed to run this cmdlet. */
  | 'forbidden'
  /** Still throttled or unavailable (429/503/504/408, transient exceptions) after the retries. */
  | 'unavailable'
  /** The cmdlet failed (an Exchange exception, another HTTP error). */
  | 'cmdlet'
  /** No answer within --timeout. */
  | 'timeout'
  /** The connection failed (refused, reset, TLS, DNS). */
  | 'network'
  /** The answer is not the admin API's (not JSON, a next page on another host, endless paging). */
  | 'bad-response'
  /** Signing in failed (MSAL, or MXLOCK_ACCESS_TOKEN unusable). Stops the tenant. */
  | 'sign-in'
  /** Stopped by the caller (Ctrl-C, --tenants shutting down). */
  | 'cancelled';

export class ExoError extends ConnectivityError {
  override readonly name: string = 'ExoError';
  constructor(
    readonly code: ExoErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Codes after which no other call of the same tenant can succeed: the collection of that tenant stops. */
export function stopsTenant(code: ExoErrorCode): boolean {
  return code === 'unauthorized' || code === 'sign-in' || code === 'cancelled';
}

/** How the run signs in, which decides what a 401/403 asks the person to fix. */
export type AuthKind = 'certificate' | 'secret' | 'device-code' | 'access-token';

/** What to fix after a 401 or 403, for this way of signing in. */
export function authAdvice(
  status: 401 | 403,
  auth: AuthKind,
  environment: EnvironmentName,
  cmdlet: string,
): string {
  const resource = ENVIRONMENTS[environment].exo;
  if (status === 401) {
    const token =
      auth === 'access-token'
        ? `MXLOCK_ACCESS_TOKEN must be a current token for ${resource} (az account get-access-token --resource ${resource} --tenant <tenant>), not one for Microsoft Graph`
        : `the token must be for ${resource}: check --environment (${environment}) and that the app is registered in the tenant given by --tenant`;
    return `the access token was refused: ${token}; a token of another tenant, or an expired one, is refused too`;
  }
  if (auth === 'device-code')
    return `the signed-in account may not run ${cmdlet}: it needs the Exchange Administrator or Global Reader role in Microsoft Entra ID, or the View-Only Organization Management role group in Exchange Online`;
  return (
    `the app may not run ${cmdlet}: give it the Office 365 Exchange Online application permission Exchange.ManageAsApp ` +
    'with admin consent, and assign its service principal a Microsoft Entra role that reads the configuration ' +
    '(Global Reader, or Exchange Administrator); see "Collecting from a real tenant" in the README'
  );
}
