/**
 * What the probe puts on the wire, checked before it gets there: host names (from the command line and from MX
 * answers), mailbox addresses and the EHLO name. Nothing with a CR, LF or any other control character, no `<`, `>` or
 * space that could end a path early, and the RFC 5321 length limits, so no SMTP command can be injected (issue 11).
 * Pure: each function returns why a value is refused, or undefined.
 */
import { isValidIp } from '../common/ip.js';
import { dnsNameProblem } from '../dns/name.js';

/** RFC 5321 §4.5.3.1.1, octets. */
export const MAX_LOCAL_PART_OCTETS = 64;
/** RFC 5321 §4.5.3.1.3: the reverse or forward path, angle brackets included. */
export const MAX_PATH_OCTETS = 256;

/** A host name label: letters, digits and inner hyphens (RFC 1123 §2.1). */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
/** RFC 5322 §3.2.3 dot-atom text: atext runs separated by single dots. */
const DOT_ATOM = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

/** Why `name` is not a host name mxlock will connect to or send in a command; a trailing dot is allowed. */
export function hostNameProblem(name: string): string | undefined {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  const dns = dnsNameProblem(n);
  if (dns !== undefined) return dns;
  const labels = n.split('.');
  if (labels.length < 2) return 'not a fully qualified name';
  if (!labels.every((l) => LDH_LABEL.test(l)))
    return 'only letters, digits, hyphens and dots may appear in a host name';
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'its last label is numeric';
  return undefined;
}

/** Why `host` (`--host`) is neither a host name nor an IP address. */
export function hostProblem(host: string): string | undefined {
  if (isValidIp(host)) return undefined;
  return hostNameProblem(host);
}

/**
 * Why `address` is not a mailbox the probe will write in MAIL FROM or RCPT TO: a dot-atom local part of at most 64
 * octets (quoted local parts are refused: they may carry spaces and angle brackets), a host name, 256 octets in all.
 */
export function addressProblem(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return 'not an address of the form local@domain';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (Buffer.byteLength(local) > MAX_LOCAL_PART_OCTETS)
    return `its local part is longer than ${MAX_LOCAL_PART_OCTETS} octets (RFC 5321 §4.5.3.1.1)`;
  if (!DOT_ATOM.test(local))
    return "its local part may hold only letters, digits, dots and !#$%&'*+/=?^_`{|}~- (no quotes, spaces or control characters)";
  if (Buffer.byteLength(address) + 2 > MAX_PATH_OCTETS)
    return `longer than ${MAX_PATH_OCTETS - 2} octets (RFC 5321 §4.5.3.1.3)`;
  const d = hostNameProblem(domain);
  return d === undefined ? undefined : `its domain: ${d}`;
}

/** Why `name` cannot be sent as the EHLO argument: a host name or an address literal (`[192.0.2.1]`, `[IPv6:…]`). */
export function ehloProblem(name: string): string | undefined {
  const literal = /^\[(?:IPv6:)?([^\]]+)\]$/.exec(name);
  if (literal) return isValidIp(literal[1]!) ? undefined : 'not a valid address literal';
  return hostNameProblem(name);
}

/** The EHLO address literal for a local address (RFC 5321 §4.1.3): `[192.0.2.1]`, `[IPv6:2001:db8::1]`. */
export function addressLiteral(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip;
  return v4.includes(':') ? `[IPv6:${v4}]` : `[${v4}]`;
}
