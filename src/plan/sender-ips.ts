/**
 * SenderIPAddresses as the plan writes them (stages 0 and 2): entries in the form Set-InboundConnector takes, added to
 * a connector's list without repeating what it covers. Pure; each rewrite or omission is a warning.
 */
import { cidrBlocks, IpCoverage, ipv4Text, parseIpEntry } from '../common/ip.js';

/**
 * `listed` followed by each of `more` that it does not cover yet, so an existing wider range is not repeated by a
 * narrower entry (IpSet.covers); the existing entries keep their text and order, which rollback restores as they were.
 */
export function withIps(listed: readonly string[], more: readonly string[]): string[] {
  const out = [...listed];
  // What `out` covers and its entries' texts, kept as it grows (a lock-down may take thousands of entries).
  const coverage = new IpCoverage();
  const texts = new Set<string>();
  const keep = (e: string) => {
    coverage.add(e);
    texts.add(e.toLowerCase());
  };
  listed.forEach(keep);
  for (const e of more) {
    if (coverage.covers(e) || texts.has(e.toLowerCase())) continue;
    out.push(e);
    keep(e);
  }
  return out;
}

/** SenderIPAddresses takes IPv4 addresses and CIDR ranges from /24 to /32 only (eop-model §2.2 [D] S8). */
const NARROWEST_SENDER_IP_PREFIX = 24;
/**
 * The most /24 blocks one wider entry is split into: a /16. Beyond it the entry is left out with a warning rather than
 * written as thousands of entries: an IP lock-down over such a range is no lock-down, and the safety check then shows
 * the gateway's mail from it refused (CON-5 [D]), which is the truth once the plan runs.
 */
const MAX_BLOCKS_PER_ENTRY = 256;

/** The most blocks a warning lists one by one. */
const LISTED_BLOCKS = 8;

/**
 * `entries` in the form Set-InboundConnector takes for SenderIPAddresses (§2.2 [D] S8: IPv4 only, single address or
 * CIDR /24 to /32): an IPv4 CIDR wider than /24 or an `a-b` range becomes the CIDR blocks that cover it (none wider
 * than /24); IPv6, unparsable and overly wide entries are left out. Each rewrite or omission is a warning naming
 * `what`. Only entries the plan adds go through here; those already on a connector stay as exported.
 */
export function senderIpEntries(entries: readonly string[], what: string, warnings: string[]): string[] {
  const out: string[] = [];
  for (const text of entries) {
    const e = parseIpEntry(text);
    if (e.kind === 'v6') {
      warnings.push(
        `${what} ${text} is IPv6, which SenderIPAddresses does not take (IPv4 only, eop-model §2.2 [D] S8): left out, so mail from it does not match the connector by IP (CON-1 [D]) and gets 550 5.7.51 once it restricts (CON-5 [D]); a certificate lock-down does not depend on addresses`,
      );
      continue;
    }
    if (e.kind === 'invalid') {
      warnings.push(`${text}: ${what} is not an IPv4 address or range: left out of SenderIPAddresses`);
      continue;
    }
    // Kept as written when it already is an address or an aligned CIDR of /24 or narrower.
    const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(e.text);
    if (cidr && Number(cidr[2] ?? 32) >= NARROWEST_SENDER_IP_PREFIX && ipv4Text(e.range.lo) === cidr[1]) {
      out.push(e.text);
      continue;
    }
    // Every block holds at most 256 addresses, so a range of more than 256 full blocks is refused before splitting.
    const tooWide = e.range.hi - e.range.lo + 1 > MAX_BLOCKS_PER_ENTRY * 256;
    const blocks = tooWide ? [] : cidrBlocks(e.range.lo, e.range.hi, NARROWEST_SENDER_IP_PREFIX);
    if (tooWide || blocks.length > MAX_BLOCKS_PER_ENTRY) {
      warnings.push(
        `${what} ${text} spans more than ${MAX_BLOCKS_PER_ENTRY} blocks of /24, the most the plan writes for one entry (SenderIPAddresses takes /24 to /32 only, eop-model §2.2 [D] S8): left out, so mail from it gets 550 5.7.51 once the connector restricts (CON-5 [D]); list the ranges really used, or use the gateway's certificate`,
      );
      continue;
    }
    const written = blocks.map((b) => (b.bits === 32 ? ipv4Text(b.base) : `${ipv4Text(b.base)}/${b.bits}`));
    // Up to a /21's eight blocks are listed; more are summed up by count and ends (the stage script lists them all).
    const shown =
      written.length <= LISTED_BLOCKS
        ? written.join(', ')
        : `${written.length} blocks, ${written[0]} to ${written[written.length - 1]}`;
    warnings.push(
      `${what} ${text} is written to SenderIPAddresses as ${shown}: the cmdlet takes IPv4 CIDR /24 to /32 only (eop-model §2.2 [D] S8)`,
    );
    out.push(...written);
  }
  return out;
}
