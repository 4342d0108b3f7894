/**
 * Tenant Allow/Block List allow entries for senders (domains, addresses) and IPv6 addresses, beside tabl.spoof-allow's
 * spoofed-sender entries. Microsoft Learn (tenant-allow-block-list-about, -email-spoof-configure, -ip-addresses-configure):
 * a sender allow entry skips the filters for that From address (bulk, spam, high-confidence spam, phishing; up to
 * high-confidence phishing when made from a submission) when the message passes the other checks, email
 * authentication included; it is kept 45 days after last use or up to 30 days. An IPv6 allow entry skips the IP
 * filters (connection filtering, IP reputation) and never expires unless given a date. Never allow own domains
 * (create-safe-sender-lists, eop-model §4.5 [D] S31): behind a gateway EOP's authentication of directly injected own-
 * domain spoofs is suppressed (eop-model §6.1 [D] S25, S35; §13 Ghost-Sender [C]), so the authentication condition
 * cannot be relied on.
 */
import { coversTooMuch, parseIpEntry } from '../../common/ip.js';
import type { TablItem } from '../../snapshot/schema.js';
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { absent, isOwnSender, note, outcomeOf, tablAction, type Note } from './shared.js';

const PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Tenant Allow/Block Lists (https://security.microsoft.com/tenantAllowBlockList) → Domains & addresses or IP addresses tab → select the entry → Delete (or Edit → Remove allow entry after)';

const LEARN_ABOUT = 'https://learn.microsoft.com/defender-office-365/tenant-allow-block-list-about';
const LEARN_SENDERS =
  'https://learn.microsoft.com/defender-office-365/tenant-allow-block-list-email-spoof-configure';
const LEARN_IPS =
  'https://learn.microsoft.com/defender-office-365/tenant-allow-block-list-ip-addresses-configure';

/**
 * An allow entry wider than this IPv6 prefix spans more than the widest egress range a mail sender publishes (/48,
 * see SENDER_MIN_PREFIX in common/ip.ts): other networks' mail skips the IP filters too.
 */
const BROAD_V6_PREFIX = 48;

type ListKind = 'Sender' | 'IP';

/** The list an entry is on: the recipe tags each with ListType; an untagged one is told by its value. */
function listOf(e: TablItem): { kind: ListKind | undefined; inferred: boolean } {
  const tagged = e.ListType?.trim().toLowerCase();
  if (tagged === 'sender') return { kind: 'Sender', inferred: false };
  if (tagged === 'ip') return { kind: 'IP', inferred: false };
  // URL and file entries do not decide whether mail reaches a mailbox around the gateway (recipe.ts TABL_LIST_TYPES).
  if (tagged !== undefined) return { kind: undefined, inferred: false };
  const value = e.Value?.trim() ?? '';
  return { kind: parseIpEntry(value).kind === 'invalid' ? 'Sender' : 'IP', inferred: true };
}

function label(kind: ListKind, e: TablItem, inferred: boolean): string {
  const what = kind === 'IP' ? 'IP allow entry' : 'sender allow entry';
  const id = e.Identity ? ` (Identity ${e.Identity})` : '';
  const tag = inferred ? ' (ListType not in the export: taken from the value)' : '';
  return `Tenant Allow/Block List ${what} '${e.Value ?? '?'}'${id}${tag}`;
}

/** Why an entry with this expiry stays: the date, or what an empty ExpirationDate means for its list. */
function expiry(kind: ListKind, e: TablItem): { level: Note['level']; text: string } {
  if (e.ExpirationDate !== undefined) return { level: 'info', text: `expires ${e.ExpirationDate}` };
  return {
    level: 'warn',
    text:
      kind === 'IP'
        ? 'no ExpirationDate: it never expires (the default for IP allow entries)'
        : 'no ExpirationDate: it stays until 45 days after the filters last find the sender clean (-RemoveAfter 45), or for ever',
  };
}

export const check: Check = {
  id: 'tabl.allow-entries',
  step: 4,
  title:
    'No Tenant Allow/Block List allow entry for own domains, none without an expiry date, and no broad IPv6 range',
  severity: 'high',
  references: [
    'eop-model §4.5 [D] S31 (allowing your own domains is an open invitation to spoofed mail)',
    'eop-model §6.1 [D] S25, S35 and §13 Ghost-Sender [C] (with the MX elsewhere, spoof checks of direct mail are suppressed)',
    'hardening-guide step 4.3 (avoid allow lists)',
    LEARN_ABOUT,
    LEARN_SENDERS,
    LEARN_IPS,
    'https://learn.microsoft.com/defender-office-365/create-safe-sender-lists-in-office-365',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/remove-tenantallowblocklistitems',
  ],
  remediation: {
    powershell: [
      'Get-TenantAllowBlockListItems -ListType Sender -Allow | Format-Table Value, ExpirationDate, Notes',
      'Get-TenantAllowBlockListItems -ListType IP -Allow | Format-Table Value, ExpirationDate, Notes',
      "Remove-TenantAllowBlockListItems -ListType Sender -Entries 'yourcompany.com'",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName'],
    'Get-TenantAllowBlockListItems': ['ListType', 'Value', 'Action', 'ExpirationDate'],
  },
  evaluate(ctx) {
    const items = ctx.snapshot.data['Get-TenantAllowBlockListItems'];
    if (!items)
      return {
        status: 'unknown',
        evidence: [
          'Get-TenantAllowBlockListItems.json was not exported (optional export, one call per list type: see the export-folder recipe)',
        ],
      };
    const acceptedKnown = ctx.tenant.acceptedDomains !== undefined;
    const notes: Note[] = [];
    const remove: Record<ListKind, string[]> = { Sender: [], IP: [] };
    const setExpiry: Record<ListKind, string[]> = { Sender: [], IP: [] };
    for (const e of items) {
      const { kind, inferred } = listOf(e);
      if (kind === undefined) continue;
      const l = label(kind, e, inferred);
      const action = tablAction(l, e.Action);
      if (typeof action !== 'string') {
        notes.push(action);
        continue;
      }
      if (action === 'Block') continue;
      const value = e.Value?.trim();
      if (value === undefined || value === '') {
        notes.push(absent(l, 'Value'));
        continue;
      }
      const exp = expiry(kind, e);
      if (kind === 'Sender') {
        if (acceptedKnown && isOwnSender(ctx, value)) {
          notes.push(
            note(
              'fail',
              `${l}: Action = Allow for own ${value.includes('@') ? 'address' : 'domain'} ${value} (${exp.text}): mail with this From address skips spam, bulk and phishing filtering whenever EOP finds it authenticated, and behind a gateway EOP's checks of directly injected own-domain spoofs are suppressed (eop-model §6.1, §13): Microsoft says never to allow your own domains`,
              true,
            ),
          );
          remove.Sender.push(value);
          continue;
        }
        notes.push(
          note(
            exp.level,
            `${l}: Action = Allow, ${exp.text} (mail with this From address skips spam, bulk and phishing filtering when it passes authentication; review it and let it expire)`,
          ),
        );
        if (exp.level === 'warn') setExpiry.Sender.push(value);
        if (!acceptedKnown)
          notes.push(
            note(
              'unknown',
              `${l}: Get-AcceptedDomain.json was not exported, so it cannot be told whether ${value} is an own domain`,
            ),
          );
        continue;
      }
      const ip = parseIpEntry(value);
      if (ip.kind === 'invalid') {
        notes.push(
          note('unknown', `${l}: Value is not an IP address or CIDR range, so what it allows cannot be told`),
        );
        continue;
      }
      const prefix = ip.kind === 'v6' ? ip.net[1] : undefined;
      if (coversTooMuch(value)) {
        notes.push(
          note(
            'fail',
            `${l}: Action = Allow for a range wider than any one sender can be (an IPv4 /16 or IPv6 /32, common/ip.ts): mail from all of it skips the IP filters (connection filtering, IP reputation)`,
          ),
        );
        remove.IP.push(value);
        continue;
      }
      if (prefix !== undefined && prefix < BROAD_V6_PREFIX) {
        notes.push(
          note(
            'warn',
            `${l}: Action = Allow for a /${prefix}, broader than the /${BROAD_V6_PREFIX} a mail sender publishes at most: other networks' mail skips the IP filters too (${exp.text})`,
          ),
        );
        setExpiry.IP.push(value);
        continue;
      }
      notes.push(
        note(
          exp.level,
          `${l}: Action = Allow, ${exp.text} (mail from it skips the IP filters: connection filtering and IP reputation)`,
        ),
      );
      if (exp.level === 'warn') setExpiry.IP.push(value);
    }
    if (notes.length === 0) {
      return {
        status: 'pass',
        evidence: [
          `Get-TenantAllowBlockListItems: ${items.length} entr${items.length === 1 ? 'y' : 'ies'}, no sender or IP allow entry`,
        ],
      };
    }
    const lines = [
      ...(['Sender', 'IP'] as const)
        .filter((k) => remove[k].length > 0)
        .map(
          (k) =>
            `Remove-TenantAllowBlockListItems -ListType ${k} -Entries ${remove[k].map(psQuote).join(',')}`,
        ),
      ...(setExpiry.Sender.length > 0
        ? [
            `Set-TenantAllowBlockListItems -ListType Sender -Entries ${setExpiry.Sender.map(psQuote).join(',')} -RemoveAfter 45  # or remove them`,
          ]
        : []),
      ...(setExpiry.IP.length > 0
        ? [
            `Set-TenantAllowBlockListItems -ListType IP -Entries ${setExpiry.IP.map(psQuote).join(',')} -ExpirationDate (Get-Date).AddDays(30).ToUniversalTime()  # or remove them`,
          ]
        : []),
    ];
    const out = outcomeOf(
      notes,
      lines.length > 0 ? { powershell: lines.join('\n'), portal: PORTAL } : undefined,
    );
    if (notes.some((n) => n.sticky && n.level === 'fail')) out.severity = 'critical';
    return out;
  },
};
