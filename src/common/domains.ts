/** Domain matching shared by connectors, rules and checks. */

/**
 * `domainOf` answers: one evaluation asks about the same few addresses many times, and attempts repeat senders
 * (DESIGN §8). Bounded; a string's hash is computed once, so a hit costs one lookup.
 */
const DOMAIN_CACHE = new Map<string, string | undefined>();
const MAX_CACHED_ADDRESSES = 8192;

/** The lower-case domain of an address (one trailing `.` and then one `>` dropped); undefined without `@`. */
export function domainOf(address: string): string | undefined {
  const hit = DOMAIN_CACHE.get(address);
  if (hit !== undefined || DOMAIN_CACHE.has(address)) return hit;
  const d = parseDomain(address);
  if (DOMAIN_CACHE.size >= MAX_CACHED_ADDRESSES) DOMAIN_CACHE.clear();
  DOMAIN_CACHE.set(address, d);
  return d;
}

/** `domainOf` without its cache, for addresses seen once (a million log senders). */
export function parseDomain(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0) return undefined;
  // Already lower-case, nothing to trim and no trailing `.` or `>`: the text after `@` as it is.
  let plain = at + 1 < address.length;
  for (let i = at + 1; i < address.length && plain; i++) {
    const c = address.charCodeAt(i);
    plain = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || (c === 46 && i < address.length - 1);
  }
  if (plain) return address.slice(at + 1);
  let d = address
    .slice(at + 1)
    .trim()
    .toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d.endsWith('>')) d = d.slice(0, -1);
  return d === '' ? undefined : d;
}

/** `*` matches all; `*.contoso.com` matches contoso.com and its subdomains (eop-model CON-1/CON-2 wildcard rule, [D] S8). */
export function domainPatternMatches(pattern: string, domain: string): boolean {
  const p = pattern.trim().toLowerCase();
  const d = domain.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) {
    const base = p.slice(2);
    return d === base || d.endsWith(`.${base}`);
  }
  return p === d;
}

/** `SenderDomainIs` matches the domain and its subdomains ([D] S20). */
export function domainOrSubdomain(base: string, domain: string): boolean {
  const b = base.toLowerCase();
  const d = domain.toLowerCase();
  return d === b || d.endsWith(`.${b}`);
}

/** Certificate name match (CON-1): any presented name equals the configured one, or is covered by its `*.` wildcard. */
export function certificateMatches(configured: string, presented: readonly string[]): boolean {
  return presented.some((name) => domainPatternMatches(configured, name.toLowerCase()));
}
