import type { DnsZone } from '../common/zone.js';
import type { CollectionErrors } from './collection.js';
import type {
  AcceptedDomain,
  AdminAuditLogConfig,
  AntiPhishPolicy,
  AntiPhishRule,
  ArcConfig,
  CmdletName,
  ConnectionFilterPolicy,
  ContentFilterPolicy,
  ContentFilterRule,
  DkimSigningConfig,
  InboundConnector,
  IPv6Status,
  OrganizationConfig,
  OutboundConnector,
  TablItem,
  TablSpoofItem,
  TransportConfig,
  TransportRule,
} from './schema.js';

export interface SnapshotObjects {
  'Get-OrganizationConfig': OrganizationConfig;
  'Get-AcceptedDomain': AcceptedDomain;
  'Get-InboundConnector': InboundConnector;
  'Get-TransportRule': TransportRule;
  'Get-HostedConnectionFilterPolicy': ConnectionFilterPolicy;
  'Get-HostedContentFilterPolicy': ContentFilterPolicy;
  'Get-AntiPhishPolicy': AntiPhishPolicy;
  'Get-DkimSigningConfig': DkimSigningConfig;
  'Get-HostedContentFilterRule': ContentFilterRule;
  'Get-AntiPhishRule': AntiPhishRule;
  'Get-TenantAllowBlockListSpoofItems': TablSpoofItem;
  'Get-AdminAuditLogConfig': AdminAuditLogConfig;
  'Get-OutboundConnector': OutboundConnector;
  'Get-ArcConfig': ArcConfig;
  'Get-TransportConfig': TransportConfig;
  'Get-TenantAllowBlockListItems': TablItem;
  'Get-IPv6StatusForAcceptedDomain': IPv6Status;
}

/**
 * The normalised export. A cmdlet absent from `data` was not collected (its checks say `unknown`);
 * present with `[]` means the cmdlet returned nothing.
 */
export interface Snapshot {
  /** Folder or bundle path it was read from (for messages). */
  source: string;
  data: { [K in CmdletName]?: SnapshotObjects[K][] };
  /** Recorded DNS (`dns.json`); undefined when the export has none. In a live run, the answers the run recorded. */
  dns: DnsZone | undefined;
  /** `dns` holds the answers a live run recorded (assess-export.ts), not the export's dns.json. */
  dnsLive?: true;
  /** Cmdlets (required and optional) whose file is absent. */
  missing: CmdletName[];
  /** Non-fatal oddities worth telling the user (encoding guessed, duplicate files…). */
  warnings: string[];
  /** The tool that wrote the export when it is not mxlock's own recipe (a ScubaGear ProviderSettingsExport.json). */
  origin?: ExportOrigin;
  /**
   * Cmdlets the source tool exported only in part; a property missing from them is "not in the export", not
   * "module or tenant too old". `absentProperty` (partial.ts) is the one place that words it.
   */
  partial?: { [K in CmdletName]?: PartialCmdlet };
  /**
   * Per cmdlet, the properties some object gives twice with different values (`{"Enabled": true, "enabled": false}`):
   * read as absent in that object, never as either value (issue 10 item 8); a warning names both keys.
   */
  ambiguous?: { [K in CmdletName]?: readonly string[] };
  /** The cmdlet errors of `mxlock collect`'s manifest beside the export (collection.json), to say why a file is missing. */
  collection?: CollectionErrors;
}

export interface ExportOrigin {
  tool: string;
  version?: string;
}

export interface PartialCmdlet {
  /** The tool as messages name it: `ScubaGear 1.8.0`. */
  tool: string;
  /** The only properties the tool kept (`Select-Object`); undefined when it kept them all. */
  selected?: readonly string[];
  /** Properties mxlock dropped because the tool damaged them, each with the reason (they read as unknown). */
  discarded?: Readonly<Record<string, string>>;
}
