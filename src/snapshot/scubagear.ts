/**
 * CISA ScubaGear's ProviderSettingsExport.json as an input (DESIGN §2, §3.1): its keys map onto our cmdlets, and
 * what it lacks stays missing (unknown, never a pass). Pure: the reader hands over the parsed value and its text.
 *
 * Facts, all from cisagov/ScubaGear (PowerShell/ScubaGear/Modules/…):
 * - Orchestrator.psm1 (Invoke-ProviderList) writes one object: metadata keys (`baseline_version`, `module_version`,
 *   `date`, and since 1.x `timestamp_zulu`, `report_uuid`, `scuba_config`), `tenant_details`, then each product's
 *   keys. In the 0.x orchestrator (baseline_version "0.1") and in the 0.x providers, the text then had every `\"`
 *   replaced by `'` and every backslash removed ("otherwise rego gets mad"), which also removes the backslashes of
 *   regular expressions and turns `\/Date(ms)\/` into `/Date(ms)/`.
 * - Since 1.x, Merge-JsonOutput folds it into ScubaResults_<uuid>.json as `Raw` beside MetaData/Summary/Results and
 *   deletes ProviderSettingsExport.json unless -KeepIndividualJSON.
 * - Providers/ExportEXOProvider.psm1: `transport_rule` (Get-TransportRule), `dkim_config` (Get-DkimSigningConfig),
 *   `org_config` = Get-OrganizationConfig | Select-Object of 3 properties (Name, DisplayName, AuditDisabled) in 0.x/1.0
 *   and 14 in 1.8 (no RejectDirectSend in either), `conn_filter` (Get-HostedConnectionFilterPolicy, EXO until 1.x),
 *   `transport_config` (Get-TransportConfig whole, for MS.EXO.5.1 "SMTP AUTH SHALL be disabled"), and in recent
 *   versions `accepted_domains`, `inbound_connectors`, `outbound_connectors`. `spf_records`,
 *   `dkim_records`, `dmarc_records` hold TXT answers per accepted domain (`rdata`, and since 1.x a `log` of queries).
 *   `exo_unsuccessful_commands` lists cmdlets that failed: CommandTracker's TryCommand then yields nothing, so their
 *   key holds `[]`, which is missing data, not an empty result.
 * - Providers/ExportDefenderProvider.psm1 (0.x–1.x): `anti_phish_policies`, `hosted_content_filter_policies`,
 *   `all_domains` (Get-AcceptedDomain), `admin_audit_log_config`, `defender_unsuccessful_commands`.
 * - Providers/ExportSecuritySuiteProvider.psm1 (1.8, REST): `anti_phish_policies`, `anti_phish_rules`,
 *   `accepted_domains`, `conn_filter`, `hosted_content_filter_policies`, `hosted_content_filter_rules`,
 *   `admin_audit_log_config`, `securitysuite_unsuccessful_commands`.
 * - Providers/ProviderHelpers/CommandTracker.psm1: TryCommand returns @() when a cmdlet throws and records it as unsuccessful.
 * Values are ConvertTo-Json of the cmdlets' objects: the reader's usual quirks apply (`\/Date(ms)\/`, enums as ints or
 * names, `smtp:*;1`).
 */
import { AmbiguousValue } from './duplicates.js';
import type { CmdletName } from './schema.js';
import type { PartialCmdlet } from './types.js';
import { isJsonObject } from '../common/collections.js';

/** ScubaGear key → our cmdlet. `accepted_domains` is preferred over the 0.x Defender's `all_domains`. */
const KEY_TO_CMDLET: readonly (readonly [string, CmdletName])[] = [
  ['org_config', 'Get-OrganizationConfig'],
  ['accepted_domains', 'Get-AcceptedDomain'],
  ['all_domains', 'Get-AcceptedDomain'],
  ['inbound_connectors', 'Get-InboundConnector'],
  ['transport_rule', 'Get-TransportRule'],
  ['conn_filter', 'Get-HostedConnectionFilterPolicy'],
  ['hosted_content_filter_policies', 'Get-HostedContentFilterPolicy'],
  ['anti_phish_policies', 'Get-AntiPhishPolicy'],
  ['dkim_config', 'Get-DkimSigningConfig'],
  ['hosted_content_filter_rules', 'Get-HostedContentFilterRule'],
  ['anti_phish_rules', 'Get-AntiPhishRule'],
  ['admin_audit_log_config', 'Get-AdminAuditLogConfig'],
  ['outbound_connectors', 'Get-OutboundConnector'],
  ['transport_config', 'Get-TransportConfig'],
];

/** The keys the README's mapping table documents, in its order. */
export const SCUBAGEAR_KEYS: readonly (readonly [string, CmdletName])[] = KEY_TO_CMDLET;

/** The DNS answers ScubaGear records; not mapped into dns.json (see `mapScubaGear`). */
const DNS_KEYS = ['spf_records', 'dkim_records', 'dmarc_records'] as const;

/** Transport-rule properties holding regular expressions: without their backslashes they match other text. */
const PATTERN_PROPERTIES = [
  'FromAddressMatchesPatterns',
  'ExceptIfFromAddressMatchesPatterns',
  'HeaderMatchesPatterns',
  'ExceptIfHeaderMatchesPatterns',
] as const;

const COMMAND_LISTS =
  /^(exo|defender|securitysuite|aad|teams|sharepoint|onedrive|powerplatform|powerbi)_(un)?successful_commands$/;

/** A ScubaGear provider export: its command-tracker lists, or its metadata beside tenant_details. */
export function isScubaGearExport(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return (
    keys.some((k) => COMMAND_LISTS.test(k)) ||
    (keys.includes('tenant_details') &&
      (keys.includes('module_version') || keys.includes('baseline_version')))
  );
}

/** ScubaResults_<uuid>.json (ScubaGear 1.x): the provider export is its `Raw` member. */
export function scubaGearRaw(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const raw = value['Raw'];
  return isJsonObject(raw) && ('MetaData' in value || 'Results' in value) && isScubaGearExport(raw)
    ? raw
    : undefined;
}

export interface ScubaGearEntry {
  key: string;
  cmdlet: CmdletName;
  value: unknown;
}

export interface ScubaGearMapping {
  version: string | undefined;
  entries: ScubaGearEntry[];
  /** Per cmdlet, what the export lacks or what mxlock dropped (only for cmdlets read from it). */
  partial: { [K in CmdletName]?: PartialCmdlet };
  warnings: string[];
}

/** A list of names; of a key given twice with different values (duplicates.ts), every name either one lists. */
function stringList(v: unknown): string[] {
  if (v instanceof AmbiguousValue) return v.candidates.flatMap(stringList);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Property names of the objects in a ScubaGear key (a `Select-Object` gives every object the same ones). */
function propertiesOf(v: unknown): string[] {
  // Given twice (exo and securitysuite): the first copy is the one read when both read the same (build.ts).
  if (v instanceof AmbiguousValue) return propertiesOf(v.candidates[0]);
  const objects = (Array.isArray(v) ? v : [v]).filter(isJsonObject);
  return [...new Set(objects.flatMap((o) => Object.keys(o)))];
}

/**
 * Backslashes removed: ConvertTo-Json writes a date as `"\/Date(ms)\/"` (Windows PowerShell 5.1), so a `"/Date(` with
 * no backslash before it exists only after the 0.x replace; baseline_version "0.1" is the 0.x orchestrator's.
 */
function backslashesStripped(value: Record<string, unknown>, text: string): boolean {
  return value['baseline_version'] === '0.1' || text.includes('"/Date(');
}

function withoutPatterns(v: unknown, dropped: Set<string>): unknown {
  if (v instanceof AmbiguousValue) return v.map((c) => withoutPatterns(c, dropped));
  if (!Array.isArray(v)) return v;
  return v.map((o) => {
    if (!isJsonObject(o)) return o;
    const copy: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const pattern = PATTERN_PROPERTIES.find((p) => p.toLowerCase() === k.toLowerCase());
      // An empty or null list lost nothing; a list of patterns may have lost its escapes.
      if (pattern && Array.isArray(x) && x.length > 0) dropped.add(pattern);
      else copy[k] = x;
    }
    return copy;
  });
}

/** The cmdlet data of a ScubaGear provider export. `file` names it in warnings; `text` is its decoded text. */
export function mapScubaGear(value: Record<string, unknown>, text: string, file: string): ScubaGearMapping {
  const version = typeof value['module_version'] === 'string' ? value['module_version'] : undefined;
  const tool = version ? `ScubaGear ${version}` : 'ScubaGear';
  const warnings: string[] = [];
  // Conservative when two products ran the cmdlet (Get-AcceptedDomain in exo and securitysuite): their keys have the
  // same name, JSON keeps the last one, and it cannot be told which run it came from, so one failure makes it missing.
  const failed = new Map<string, string>();
  for (const [k, v] of Object.entries(value)) {
    if (COMMAND_LISTS.exec(k)?.[2]) for (const c of stringList(v)) failed.set(c.toLowerCase(), k);
  }
  const stripped = backslashesStripped(value, text);
  const entries: ScubaGearEntry[] = [];
  const partial: ScubaGearMapping['partial'] = {};
  for (const [key, cmdlet] of KEY_TO_CMDLET) {
    if (!(key in value) || entries.some((e) => e.cmdlet === cmdlet)) continue;
    const list = failed.get(cmdlet.toLowerCase());
    if (list) {
      warnings.push(
        `${file}: ScubaGear could not run ${cmdlet} (${list}): its "${key}" is not an empty result but missing data`,
      );
      continue;
    }
    let data = value[key];
    if (key === 'org_config') partial[cmdlet] = { tool, selected: propertiesOf(data) };
    if (stripped && cmdlet === 'Get-TransportRule') {
      const dropped = new Set<string>();
      data = withoutPatterns(data, dropped);
      if (dropped.size > 0) {
        const why =
          'ScubaGear removed every backslash from this export (its 0.x format), so the regular expression may match other text';
        partial[cmdlet] = { tool, discarded: Object.fromEntries([...dropped].map((p) => [p, why])) };
      }
    }
    entries.push({ key, cmdlet, value: data });
  }
  const dns = DNS_KEYS.filter((k) => k in value);
  if (dns.length > 0) {
    // dns.json reads a name it does not list as non-existent (src/common/zone.ts); ScubaGear asked for a few TXT records
    // only (no MX, no SPF include targets), so a zone built from them would answer "no such domain" for the rest.
    warnings.push(
      `${file}: ScubaGear's ${dns.join(', ')} are not used: they hold only the TXT answers of a few names (no MX records, no SPF includes); run assess without --offline, or record a dns.json with mxlock dns --record`,
    );
  }
  return { version, entries, partial, warnings };
}
