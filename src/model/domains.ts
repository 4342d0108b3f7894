/** Domain matching shared by connectors, rules and checks. */

export function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0) return undefined;
  const d = address
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/>$/, '');
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
