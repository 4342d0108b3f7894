/** What DNS can carry as a query name (RFC 1035 §2.3.4, §3.1): the limits SPF applies too (RFC 7208 §4.3, §7.3). */

/** RFC 1035 §2.3.4, in octets. */
export const MAX_LABEL_OCTETS = 63;
/** RFC 1035 §2.3.4: 255 octets on the wire is 253 in the dotted form without the trailing dot. */
export const MAX_NAME_OCTETS = 253;

const UTF8 = new TextEncoder();

export function octets(s: string): number {
  return UTF8.encode(s).length;
}

/**
 * Why `name` (no trailing dot) cannot be put to DNS as a query name, or undefined when it can: an empty label or one
 * over 63 octets, or more than 253 octets in all. Any octet may appear in a label (RFC 2181 §11).
 */
export function dnsNameProblem(name: string): string | undefined {
  if (name === '') return 'an empty name';
  if (octets(name) > MAX_NAME_OCTETS) return `longer than ${MAX_NAME_OCTETS} octets`;
  const labels = name.split('.');
  if (labels.some((l) => l === '')) return 'an empty label';
  if (labels.some((l) => octets(l) > MAX_LABEL_OCTETS))
    return `a label longer than ${MAX_LABEL_OCTETS} octets`;
  return undefined;
}
