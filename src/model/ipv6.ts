/**
 * IPv6 inbound (eop-model §13 "IPv6 inbound", §1.1 S0, §2.2): since 2024-10-16 Exchange Online enables IPv6 per accepted
 * domain (MC835648 [D]): the domain's mail endpoint then answers AAAA queries too, so a sender with IPv6 may connect
 * over IPv6 (Get-IPv6StatusForAcceptedDomain [D]: "IPv4 and IPv6 addresses are returned in DNS queries for mail flow
 * records of the domain"). One place answers whether a domain accepts mail over IPv6, and holds the rules the simulator
 * applies to a connection over IPv6; the check connector.ipv6-coverage and the plan read the same answers.
 *
 * Sources: S42 (Learn "Mail flow in EOP", section "Support for anonymous inbound email over IPv6"), the cmdlet
 * references Get-/Enable-/Disable-IPv6ForAcceptedDomain, Message Center MC835648 (2024-07-25, updated 2024-10-08),
 * New-InboundConnector (S8: SenderIPAddresses IPv4 only).
 */
import type { IPv6Status } from '../snapshot/schema.js';
import type { Decision } from './types.js';

/** Where the IPv6 rules come from, for references and evidence. */
export const IPV6_SOURCES = {
  mailFlow: 'https://learn.microsoft.com/defender-office-365/mail-flow-about',
  status: 'https://learn.microsoft.com/powershell/module/exchange/get-ipv6statusforaccepteddomain',
  disable: 'https://learn.microsoft.com/powershell/module/exchange/disable-ipv6foraccepteddomain',
  announcement: 'Message Center MC835648 "Announcing IPv6 Enablement for Accepted Domains" (2024)',
} as const;

/**
 * The rules of the IPv6 stage, as the simulator cites them (eop-model §13 [D] unless noted):
 * - IPV6-1: a domain opted out of IPv6 refuses mail over IPv6 with 550 5.2.1 [D] S42 (documented for anonymous mail;
 *   for mail matched to a connector by certificate the same refusal is inferred [I]).
 * - IPV6-2: an anonymous IPv6 sender needs a PTR record, else 450 4.7.25 [D] S42.
 * - IPV6-3: an anonymous IPv6 sender must pass SPF or DKIM, else 450 4.7.26 [D] S42; no alignment with the From: domain
 *   is asked for, so a valid DKIM signature of the sender's own domain passes [I].
 * - IPV6-4: SenderIPAddresses takes IPv4 only (S8 [D]) and "the source and destination IP versions must match" for
 *   IP-based inbound connectors (MC835648 [D]): a connection over IPv6 matches no connector by IP [I].
 * - IPV6-5: the IPv6 status of a domain not in the export is Microsoft's default, Enabled (MC835648 [D]) [I].
 */
export const IPV6_RULES = ['IPV6-1', 'IPV6-2', 'IPV6-3', 'IPV6-4', 'IPV6-5'] as const;

/** The replies of S42, verbatim but for the address and domain. */
export function reply521(domain: string): string {
  return `550 5.2.1 Service unavailable, [${domain}] does not accept email over IPv6`;
}
export function reply4725(ip: string): string {
  return `450 4.7.25 Service unavailable, sending IPv6 address [${ip}] must have reverse DNS record`;
}
export function reply4726(ip: string): string {
  return `450 4.7.26 Service unavailable, message sent over IPv6 [${ip}] must pass either SPF or DKIM validation`;
}

/** Whether one accepted domain takes mail over IPv6, and on what basis. */
export interface Ipv6Acceptance {
  domain: string;
  /** Mail may arrive over IPv6: Enabled in the export, or Microsoft's default when the export does not say. */
  accepts: boolean;
  /** `exported`: Get-IPv6StatusForAcceptedDomain gave Enabled or Disabled for it; else the default is assumed. */
  basis: 'exported' | 'default';
  /** The Status as exported (any text), when there is one. */
  status?: string;
}

/**
 * The IPv6 status of each accepted domain: Get-IPv6StatusForAcceptedDomain results by lower-case domain. `undefined`
 * when the export lacks the file.
 */
export type Ipv6StatusMap = ReadonlyMap<string, string | undefined> | undefined;

export function ipv6StatusMap(list: readonly IPv6Status[] | undefined): Ipv6StatusMap {
  if (list === undefined) return undefined;
  const map = new Map<string, string | undefined>();
  for (const s of list) if (s.Domain && !map.has(s.Domain)) map.set(s.Domain, s.Status?.trim());
  return map;
}

/**
 * Whether `domain` accepts mail over IPv6: `Disabled` (any case) → no; `Enabled` → yes; anything else (not exported, no
 * result for the domain, another value such as the cmdlet's "DNS record has unexpected value" warning) → Microsoft's
 * default since 2024-10-16, Enabled (IPV6-5 [I]). Unknown is never taken as "IPv4 only": that would hide the paths.
 */
export function ipv6Acceptance(statuses: Ipv6StatusMap, domain: string): Ipv6Acceptance {
  const d = domain.toLowerCase();
  const status = statuses?.get(d);
  if (status !== undefined) {
    const s = status.toLowerCase();
    if (s === 'disabled') return { domain: d, accepts: false, basis: 'exported', status };
    if (s === 'enabled') return { domain: d, accepts: true, basis: 'exported', status };
    return { domain: d, accepts: true, basis: 'default', status };
  }
  return { domain: d, accepts: true, basis: 'default' };
}

/** The evidence sentence for a domain's acceptance. */
export function acceptanceText(a: Ipv6Acceptance): string {
  if (a.basis === 'exported')
    return `${a.domain}: IPv6 inbound ${a.accepts ? 'Enabled' : 'Disabled'} (Get-IPv6StatusForAcceptedDomain)`;
  return a.status !== undefined
    ? `${a.domain}: IPv6 status '${a.status}' is neither Enabled nor Disabled: taken as Enabled, Microsoft's default since 2024-10-16 (MC835648) [I]`
    : `${a.domain}: IPv6 status not exported: taken as Enabled, Microsoft's default since 2024-10-16 (MC835648) [I]`;
}

/** The IPV6-5 decision for a recipient domain whose status is assumed. */
export function assumedDecision(a: Ipv6Acceptance): Decision {
  return { rule: 'IPV6-5', evidence: 'I', text: acceptanceText(a) };
}
