/**
 * How each export file of DESIGN §3.1 is produced: the cmdlet calls whose results make it. One declaration that every
 * producer reads — the README's export-folder recipe, the re-export hints of inventory.snapshot-complete, the plan's
 * backup, `mxlock collect --script` and the live collector — so a cmdlet that needs parameters (the Tenant Allow/Block
 * List needs -ListType, the IPv6 status one call per accepted domain) is exported the same way by all of them.
 * src/powershell/export-script.ts renders it as PowerShell.
 */
import type { CmdletName } from './schema.js';

/** One call of the cmdlet: its parameters (a switch is `true`), and properties added to each object it returns. */
export interface ExportCall {
  readonly parameters: Readonly<Record<string, string | true>>;
  /** Written onto every returned object, because the object itself does not say which call returned it. */
  readonly tag: Readonly<Record<string, string>>;
}

export type ExportRecipe =
  /** Fixed calls; most cmdlets are one call without parameters. */
  | { readonly kind: 'calls'; readonly calls: readonly ExportCall[] }
  /** One call per accepted domain (Get-AcceptedDomain's DomainName), the domain given as `parameter` and added as `tag`. */
  | { readonly kind: 'per-accepted-domain'; readonly parameter: string; readonly tag: string };

const PLAIN: ExportRecipe = { kind: 'calls', calls: [{ parameters: {}, tag: {} }] };

/**
 * The Tenant Allow/Block List types whose entries the checks read: sender (addresses and domains) and IP (IPv6 only,
 * Microsoft Learn "Allow or block IP addresses using the Tenant Allow/Block List"). URL and file entries do not decide
 * whether mail reaches a mailbox around the gateway.
 */
export const TABL_LIST_TYPES = ['Sender', 'IP'] as const;

export const EXPORT_RECIPES: Readonly<Record<CmdletName, ExportRecipe>> = {
  'Get-OrganizationConfig': PLAIN,
  'Get-AcceptedDomain': PLAIN,
  'Get-InboundConnector': PLAIN,
  'Get-TransportRule': PLAIN,
  'Get-HostedConnectionFilterPolicy': PLAIN,
  'Get-HostedContentFilterPolicy': PLAIN,
  'Get-AntiPhishPolicy': PLAIN,
  'Get-DkimSigningConfig': PLAIN,
  'Get-HostedContentFilterRule': PLAIN,
  'Get-AntiPhishRule': PLAIN,
  'Get-TenantAllowBlockListSpoofItems': PLAIN,
  'Get-AdminAuditLogConfig': PLAIN,
  'Get-OutboundConnector': PLAIN,
  'Get-ArcConfig': PLAIN,
  'Get-TransportConfig': PLAIN,
  'Get-TenantAllowBlockListItems': {
    kind: 'calls',
    calls: TABL_LIST_TYPES.map((t) => ({ parameters: { ListType: t }, tag: { ListType: t } })),
  },
  'Get-IPv6StatusForAcceptedDomain': { kind: 'per-accepted-domain', parameter: 'Domain', tag: 'Domain' },
};

/** The calls that export `cmdlet` for a tenant with these accepted domains (the live collector's plan). */
export function exportCalls(cmdlet: CmdletName, acceptedDomains: readonly string[]): ExportCall[] {
  const recipe = EXPORT_RECIPES[cmdlet];
  if (recipe.kind === 'calls') return [...recipe.calls];
  return acceptedDomains.map((d) => ({ parameters: { [recipe.parameter]: d }, tag: { [recipe.tag]: d } }));
}

/** Whether `cmdlet` can be exported before the accepted domains are known. */
export function needsAcceptedDomains(cmdlet: CmdletName): boolean {
  return EXPORT_RECIPES[cmdlet].kind === 'per-accepted-domain';
}
