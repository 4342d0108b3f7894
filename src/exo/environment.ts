/**
 * The Microsoft 365 clouds `mxlock collect --environment` reaches: the admin API host and the token audience of each,
 * and the Entra ID sign-in host. One table, read by the client (base URL), the sign-in (authority, scope) and the
 * README. Sources: formats.md §1.1 and §1.8; ScubaGear's Get-ExchangeOnlineScope (EXORestHelper.psm1) maps
 * commercial and gcc to outlook.office365.com, gcchigh to outlook.office365.us, dod to outlook-dod.office365.us;
 * GCC High and DoD sign in at login.microsoftonline.us (Microsoft Learn "National cloud deployments").
 */
export const ENVIRONMENTS = {
  commercial: { exo: 'https://outlook.office365.com', login: 'https://login.microsoftonline.com' },
  gcc: { exo: 'https://outlook.office365.com', login: 'https://login.microsoftonline.com' },
  gcchigh: { exo: 'https://outlook.office365.us', login: 'https://login.microsoftonline.us' },
  dod: { exo: 'https://outlook-dod.office365.us', login: 'https://login.microsoftonline.us' },
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENTS;
export const ENVIRONMENT_NAMES = Object.keys(ENVIRONMENTS) as EnvironmentName[];

/** The app-only (client-credentials) scope: the resource's `/.default` (formats.md §1.8). */
export function exoScope(environment: EnvironmentName): string {
  return `${ENVIRONMENTS[environment].exo}/.default`;
}

/** `{base}/adminapi/beta/{tenant}/InvokeCommand` (formats.md §1.1); `base` may carry a path (a proxy). */
export function invokeCommandUrl(base: string, tenant: string): string {
  return `${base.replace(/\/+$/, '')}/adminapi/beta/${encodeURIComponent(tenant)}/InvokeCommand`;
}

/**
 * A tenant as the admin API and Entra ID take it: its GUID or a domain of it (`contoso.onmicrosoft.com`). Anything
 * else is refused before it reaches a URL (formats.md §1.1: both forms are accepted in the wild).
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

export function tenantProblem(tenant: string): string | undefined {
  if (GUID.test(tenant) || DOMAIN.test(tenant)) return undefined;
  return 'a tenant is its ID (a GUID) or one of its domains, e.g. contoso.onmicrosoft.com';
}

/** The folder name of a tenant in a `--tenants` run: its ID or domain, lower case (both are safe file names). */
export function tenantFolderName(tenant: string): string {
  return tenant.toLowerCase();
}
