/**
 * The stamps Exchange Online writes besides authentication: `X-Forefront-Antispam-Report`, `X-Microsoft-Antispam`,
 * the organization headers and the Enhanced Filtering headers; and which of them belong to another organization
 * (eop-model §7). Pure.
 */
import type { ParsedMessage } from './parse.js';
import { fieldsNamed } from './parse.js';

/** `KEY:value;KEY:value` (eop-model §7.1 [D] S26): keys upper-cased, the first colon splits. */
export function parseAntispamReport(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(';')) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    const key = part.slice(0, colon).trim().toUpperCase();
    if (!/^[A-Z][A-Z0-9-]{0,30}$/.test(key) || key in out) continue;
    out[key] = part.slice(colon + 1).trim();
  }
  return out;
}

export interface ForeignStamp {
  header: string;
  value: string;
  /** Why it is not the receiving tenant's verdict. */
  why: string;
}

export interface AntispamView {
  /** The receiving tenant's report (its fields), with BCL from X-Microsoft-Antispam. */
  report: Record<string, string> | undefined;
  /** Reports another organization wrote, shown as such. */
  foreign: ForeignStamp[];
}

const UNTRUSTED =
  'renamed "-Untrusted" by Exchange Online: another organization stamped it (eop-model §7.1 [C] S46), not the receiving tenant';
const OUTBOUND =
  "DIR:OUT: the sender's own Microsoft 365 tenant stamped it on the way out (eop-model §7.1 [D] S26), not the receiving tenant";

/**
 * The receiving tenant's X-Forefront-Antispam-Report: the topmost one that is not an outbound report (DIR:OUT). The
 * `-Untrusted` variants and outbound reports are another organization's and are listed apart.
 */
export function antispamView(message: ParsedMessage): AntispamView {
  const foreign: ForeignStamp[] = [];
  let report: Record<string, string> | undefined;
  for (const f of fieldsNamed(message, 'X-Forefront-Antispam-Report')) {
    const fields = parseAntispamReport(f.value);
    if (fields['DIR']?.toUpperCase() === 'OUT')
      foreign.push({ header: f.name, value: f.value, why: OUTBOUND });
    else if (!report) report = fields;
  }
  for (const name of ['X-Forefront-Antispam-Report-Untrusted', 'X-Microsoft-Antispam-Untrusted'])
    for (const f of fieldsNamed(message, name))
      foreign.push({ header: f.name, value: f.value, why: UNTRUSTED });
  const bcl = fieldsNamed(message, 'X-Microsoft-Antispam')
    .map((f) => parseAntispamReport(f.value)['BCL'])
    .find((v) => v !== undefined);
  if (bcl !== undefined) report = { ...(report ?? {}), BCL: bcl };
  return { report, foreign };
}

/**
 * Organization and cross-tenant headers, by name (eop-model §7.3, §13, EF-4): the header firewall removes
 * `X-MS-Exchange-Organization-*` from mail arriving from outside (Exchange "Header firewall" [D] S38), so what remains
 * was written by the receiving organization.
 */
const ORG_HEADERS = [
  'X-MS-Exchange-Organization-AuthAs',
  'X-MS-Exchange-Organization-AuthSource',
  'X-MS-Exchange-Organization-AuthMechanism',
  'X-MS-Exchange-Organization-MessageDirectionality',
  'X-MS-Exchange-Organization-SCL',
  'X-MS-Exchange-Organization-IsAnonymousDirectSend',
  'X-MS-Exchange-Organization-InternalOrgSender',
  'X-MS-Exchange-Organization-MxPointsToUs',
  'X-MS-Exchange-Organization-SkipListedInternetSender',
  'X-MS-Exchange-Organization-ExternalOriginalInternetSender',
  'X-MS-Exchange-SkipListedInternetSender',
  'X-MS-Exchange-ExternalOriginalInternetSender',
  'X-MS-Exchange-CrossTenant-FromEntityHeader',
  'X-MS-Exchange-CrossTenant-AuthAs',
  'X-MS-Exchange-CrossTenant-AuthSource',
  'X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp',
  'X-EOPAttributedMessage',
  'X-EOPTenantAttributedMessage',
] as const;

export type OrgHeader = (typeof ORG_HEADERS)[number];

/** The topmost value of each organization header present. */
export function organizationHeaders(message: ParsedMessage): Partial<Record<OrgHeader, string>> {
  const out: Partial<Record<OrgHeader, string>> = {};
  for (const name of ORG_HEADERS) {
    const f = fieldsNamed(message, name)[0];
    if (f) out[name] = f.value.trim();
  }
  return out;
}

/** `ip=[192.0.2.1];domain=host` (EF-4 [C] S46) → the IP. */
export function enhancedFilteringIp(value: string | undefined): string | undefined {
  return value ? /ip=\[([^\]]{2,60})\]/i.exec(value)?.[1] : undefined;
}
