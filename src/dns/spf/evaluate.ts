/**
 * SPF `check_host()` (RFC 7208 §4), written once as DNS steps (../steps.ts): `checkHostSpf` runs it over any
 * resolver, `checkHostSteps` hands it to a synchronous driver (the simulator's oracle over recorded DNS). Results
 * are values (`permerror`, `temperror`), never exceptions. Limits are counted over the whole evaluation,
 * including nested include/redirect.
 */
import ipaddr from 'ipaddr.js';
import { isValidIp } from '../../common/ip.js';
import type { DnsResult, ResolveFn } from '../resolver.js';
import { ask, runAsync, type DnsSteps } from '../steps.js';
import { expandMacros, truncateDomain, type MacroContext } from './macro.js';
import { dnsNameProblem } from '../name.js';
import { isTopLabel, parseSpf, spfRecordsOf, type Mechanism, type ParseResult } from './parse.js';

export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

/** RFC 7208 §4.6.4: terms causing DNS queries, over the whole evaluation. */
export const MAX_DNS_MECHANISMS = 10;
/** RFC 7208 §4.6.4: queries returning no records (NODATA/NXDOMAIN) SHOULD be limited to two. */
export const MAX_VOID_LOOKUPS = 2;
/** RFC 7208 §4.6.4: an mx mechanism resolves at most 10 MX hosts. */
export const MAX_MX_HOSTS = 10;
/** RFC 7208 §4.6.4: a ptr mechanism / %{p} checks at most 10 PTR names. */
export const MAX_PTR_NAMES = 10;

export interface SpfEvaluation {
  result: SpfResult;
  /** The term that decided, with the domain whose record holds it. */
  matched?: { domain: string; term: string };
  /** Why, in order: one line per step that mattered. */
  trace: string[];
  lookups: number;
  voidLookups: number;
  /**
   * For an IPv4 client: the addresses, as unsigned 32-bit numbers, for which every step of this evaluation answers as
   * it did, so that any of them gets this result and trace (the client's address in the trace aside, written as
   * `ipLabel`). Absent for IPv6, and a single address when the evaluation read the address other than through
   * networks (a PTR lookup, the %{i}, %{c} and %{p} macros).
   */
  ipRange?: [number, number];
}

interface State {
  ip: ipaddr.IPv4 | ipaddr.IPv6;
  ipText: string;
  /** How the trace writes the client's address. */
  ipLabel: string;
  /** The IPv4 client as a number (-1 for IPv6), and the range of addresses every step so far answers alike for. */
  ipNum: number;
  lo: number;
  hi: number;
  sender: string;
  helo: string;
  lookups: number;
  voids: number;
  enforceVoidLimit: boolean;
  trace: string[];
  stack: string[];
}

class Abort {
  constructor(
    readonly result: 'permerror' | 'temperror',
    readonly why: string,
  ) {}
}

const QUAL: Record<string, SpfResult> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

function normaliseIp(ip: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress())
    return (a as ipaddr.IPv6).toIPv4Address();
  return a;
}

function countLookup(st: State, term: string): void {
  // Checked before the query is made (§4.6.4).
  st.lookups++;
  if (st.lookups > MAX_DNS_MECHANISMS)
    throw new Abort('permerror', `more than ${MAX_DNS_MECHANISMS} DNS-querying terms (at "${term}", §4.6.4)`);
}

/**
 * A mechanism's target that DNS cannot carry (a label over 63 octets, an empty label, RFC 1035 §2.3.4), which macro
 * expansion can produce (§4.8, §7.3): it is not queried, and the mechanism does not match, as for a name that does
 * not exist (§5: NXDOMAIN continues as zero answers). Not a temperror, and not counted as a void lookup (no query).
 */
function unqueryable(st: State, name: string, type: string): boolean {
  const problem = dnsNameProblem(name);
  if (problem === undefined) return false;
  st.trace.push(`${type} ${name}: ${problem}: not queried, no match (§4.8, §5)`);
  return true;
}

/** A query made while evaluating a mechanism: DNS failure aborts with temperror; void answers are counted. */
function* mechQuery<T extends 'A' | 'AAAA' | 'MX' | 'TXT' | 'PTR'>(
  st: State,
  name: string,
  type: T,
  fromMacro: boolean,
) {
  const r = yield* ask(name, type, fromMacro);
  if (r.kind === 'timeout' || r.kind === 'servfail' || r.kind === 'error') {
    throw new Abort('temperror', `${type} ${name}: ${r.kind === 'error' ? r.code : r.kind}`);
  }
  countVoid(st, r.kind, type, name);
  return r;
}

/** §4.6.4: an answer with no records (NODATA or NXDOMAIN) counts toward the void-lookup limit. */
function countVoid(st: State, kind: string, type: string, name: string): void {
  if (kind !== 'nodata' && kind !== 'nxdomain') return;
  st.voids++;
  if (st.voids > MAX_VOID_LOOKUPS) {
    const why = `more than ${MAX_VOID_LOOKUPS} void lookups (${type} ${name}, §4.6.4)`;
    if (st.enforceVoidLimit) throw new Abort('permerror', why);
    if (st.voids === MAX_VOID_LOOKUPS + 1) st.trace.push(`${why}: counted, not enforced`);
  }
}

/**
 * An address as written in a term or a record. Not unmapped: `ip6:::1.1.1.1/0` is an IPv6 network whose prefix
 * length counts in IPv6 bits, and an AAAA record is an IPv6 address; only the client's address is unmapped (§5.6).
 */
function parseAddress(addr: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.parse(addr);
  } catch {
    return null;
  }
}

function v4Number(a: ipaddr.IPv4): number {
  const o = a.octets;
  return ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
}

/** The step read the client's address as a whole: the evaluation holds for this address only. */
function exactAddress(st: State): void {
  st.lo = st.ipNum;
  st.hi = st.ipNum;
}

function matchesNetwork(
  st: State,
  a: ipaddr.IPv4 | ipaddr.IPv6 | null,
  cidr4: number | undefined,
  cidr6: number | undefined,
): boolean {
  if (a === null || a.kind() !== st.ip.kind()) return false;
  if (a.kind() === 'ipv6') return (st.ip as ipaddr.IPv6).match(a as ipaddr.IPv6, cidr6 ?? 128);
  // IPv4: the network as a range, which also narrows the range of addresses that answer alike.
  const bits = Math.min(32, cidr4 ?? 32);
  const size = 2 ** (32 - bits);
  const n = v4Number(a as ipaddr.IPv4);
  const lo = n - (n % size);
  const hi = lo + size - 1;
  const ip = st.ipNum;
  if (ip >= lo && ip <= hi) {
    if (lo > st.lo) st.lo = lo;
    if (hi < st.hi) st.hi = hi;
    return true;
  }
  if (ip < lo) {
    if (lo - 1 < st.hi) st.hi = lo - 1;
  } else if (hi + 1 > st.lo) st.lo = hi + 1;
  return false;
}

function inNetwork(st: State, addr: string, cidr4: number | undefined, cidr6: number | undefined): boolean {
  return matchesNetwork(st, parseAddress(addr), cidr4, cidr6);
}

/*
 * Memos of pure functions, for callers that evaluate the same records for many clients (the simulator's oracle):
 * parsed records by text, and the address of each parsed ip4/ip6 term. The evaluator never mutates either.
 */
/** Distinct record texts remembered; past it the memo starts again. */
const PARSE_MEMO_SIZE = 1024;
const parsedRecords = new Map<string, ParseResult>();
const termAddresses = new WeakMap<Mechanism, ipaddr.IPv4 | ipaddr.IPv6 | null>();

function parseRecord(text: string): ParseResult {
  let parsed = parsedRecords.get(text);
  if (parsed === undefined) {
    if (parsedRecords.size >= PARSE_MEMO_SIZE) parsedRecords.clear();
    parsed = parseSpf(text);
    parsedRecords.set(text, parsed);
  }
  return parsed;
}

function termAddress(m: Mechanism): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let a = termAddresses.get(m);
  if (a === undefined) {
    a = parseAddress(m.value!);
    termAddresses.set(m, a);
  }
  return a;
}

/** Macros that expand the client's address (%{i}, %{c}, %{p}; RFC 7208 §7.2): the name then depends on all of it. */
const ADDRESS_MACRO = /%\{[icp]/i;

function macroCtx(st: State, domain: string, validatedName?: string): MacroContext {
  return {
    sender: st.sender,
    domain,
    ip: st.ipText,
    helo: st.helo,
    ...(validatedName ? { validatedName } : {}),
  };
}

/** The domain a mechanism queries, and whether a macro built it (§7). */
function* targetOf(st: State, m: Mechanism, domain: string): DnsSteps<{ name: string; fromMacro: boolean }> {
  if (!m.value) return { name: domain, fromMacro: false };
  if (ADDRESS_MACRO.test(m.value)) exactAddress(st);
  let validated: string | undefined;
  if (/%\{p/i.test(m.value)) validated = yield* validatedPtrName(st, domain, false);
  const name = truncateDomain(
    expandMacros(m.value, macroCtx(st, domain, validated))
      .replace(/\.$/, '')
      .toLowerCase(),
  );
  return { name, fromMacro: m.value.includes('%{') };
}

/** §5.5: PTR names of the IP whose A/AAAA contain it; the first one equal to or under `target`, or any. */
function* validatedPtrName(
  st: State,
  target: string,
  forPtrMechanism: boolean,
): DnsSteps<string | undefined> {
  exactAddress(st);
  const rev =
    st.ip.kind() === 'ipv4'
      ? `${(st.ip as ipaddr.IPv4).octets.slice().reverse().join('.')}.in-addr.arpa`
      : `${(st.ip as ipaddr.IPv6)
          .toByteArray()
          .flatMap((b) => [(b >> 4).toString(16), (b & 15).toString(16)])
          .reverse()
          .join('.')}.ip6.arpa`;
  const ptr = yield* ask(rev, 'PTR');
  if (ptr.kind === 'timeout' || ptr.kind === 'servfail' || ptr.kind === 'error') {
    // §5.5: "If a DNS error occurs while doing the PTR RR lookup, then this mechanism fails to match" (and %{p}
    // expands to "unknown", §7.3): an error here is not a temperror of the whole evaluation.
    st.trace.push(`PTR ${rev}: ${ptr.kind === 'error' ? ptr.code : ptr.kind}: no validated name (§5.5)`);
    return undefined;
  }
  if (forPtrMechanism) countVoid(st, ptr.kind, 'PTR', rev);
  if (ptr.kind !== 'answer') return undefined;
  const type = st.ip.kind() === 'ipv4' ? 'A' : 'AAAA';
  const names = ptr.records.slice(0, MAX_PTR_NAMES);
  const valid: string[] = [];
  for (const name of names) {
    const r: DnsResult<string> = yield* ask(name, type);
    if (r.kind === 'answer' && r.records.some((a) => inNetwork(st, a, undefined, undefined)))
      valid.push(name);
  }
  return (
    valid.find((n) => n === target || n.endsWith(`.${target}`)) ?? (forPtrMechanism ? undefined : valid[0])
  );
}

function* matches(st: State, m: Mechanism, domain: string): DnsSteps<boolean> {
  switch (m.name) {
    case 'all':
      return true;
    case 'ip4':
    case 'ip6':
      return matchesNetwork(st, termAddress(m), m.cidr4, m.cidr6);
    case 'a': {
      countLookup(st, m.text);
      const target = yield* targetOf(st, m, domain);
      const type = st.ip.kind() === 'ipv4' ? 'A' : 'AAAA';
      if (unqueryable(st, target.name, type)) return false;
      const r = yield* mechQuery(st, target.name, type, target.fromMacro);
      return r.kind === 'answer' && r.records.some((a) => inNetwork(st, a, m.cidr4, m.cidr6));
    }
    case 'mx': {
      countLookup(st, m.text);
      const target = yield* targetOf(st, m, domain);
      if (unqueryable(st, target.name, 'MX')) return false;
      const mx = yield* mechQuery(st, target.name, 'MX', target.fromMacro);
      if (mx.kind !== 'answer') return false;
      if (mx.records.length > MAX_MX_HOSTS)
        throw new Abort(
          'permerror',
          `${target.name} has ${mx.records.length} MX hosts, more than ${MAX_MX_HOSTS} (§4.6.4)`,
        );
      for (const host of mx.records) {
        const r = yield* mechQuery(st, host.exchange, st.ip.kind() === 'ipv4' ? 'A' : 'AAAA', false);
        if (r.kind === 'answer' && r.records.some((a) => inNetwork(st, a, m.cidr4, m.cidr6))) return true;
      }
      return false;
    }
    case 'ptr': {
      countLookup(st, m.text);
      const target = yield* targetOf(st, m, domain);
      return (yield* validatedPtrName(st, target.name, true)) !== undefined;
    }
    case 'exists': {
      countLookup(st, m.text);
      const target = yield* targetOf(st, m, domain);
      if (unqueryable(st, target.name, 'A')) return false;
      const r = yield* mechQuery(st, target.name, 'A', target.fromMacro); // always A, whatever the IP family (§5.7)
      return r.kind === 'answer';
    }
    case 'include': {
      countLookup(st, m.text);
      const target = yield* targetOf(st, m, domain);
      const inner = yield* checkHost(st, target.name, target.fromMacro);
      // §5.2 table
      if (inner === 'pass') return true;
      if (inner === 'temperror') throw new Abort('temperror', `include:${target.name} → temperror`);
      if (inner === 'permerror' || inner === 'none')
        throw new Abort('permerror', `include:${target.name} → ${inner} (§5.2)`);
      return false;
    }
  }
}

/**
 * Why `d` is not a <domain> check_host() can look up (§4.3: malformed, or not a multi-label domain name), or
 * undefined. A domain literal (`[192.0.2.1]`, a HELO may be one) or an address has no valid top label (§7.1).
 */
function domainProblem(d: string): string | undefined {
  const name = d.replace(/\.$/, '');
  const problem = dnsNameProblem(name);
  if (problem !== undefined) return problem;
  const labels = name.split('.');
  if (labels.length < 2) return 'not a multi-label domain name';
  const top = labels[labels.length - 1]!;
  if (!isTopLabel(top)) return `"${top}" is not a top label (an address or a domain literal is not a domain)`;
  return undefined;
}

function* checkHost(st: State, domain: string, fromMacro: boolean): DnsSteps<SpfResult> {
  const problem = domainProblem(domain);
  if (problem !== undefined) {
    st.trace.push(`${domain}: not a valid domain name (${problem}) → none (§4.3)`);
    return 'none';
  }
  if (st.stack.includes(domain)) throw new Abort('permerror', `loop: ${[...st.stack, domain].join(' → ')}`);
  const txt = yield* ask(domain, 'TXT', fromMacro);
  if (txt.kind === 'timeout' || txt.kind === 'servfail' || txt.kind === 'error') {
    st.trace.push(`${domain}: TXT lookup failed (${txt.kind}) → temperror (§4.4)`);
    return 'temperror';
  }
  if (txt.kind !== 'answer') {
    st.trace.push(
      `${domain}: ${txt.kind === 'nxdomain' ? 'no such domain' : 'no TXT records'} → none (§4.3, §4.4)`,
    );
    return 'none';
  }
  const spf = spfRecordsOf(txt.records);
  if (spf.length === 0) {
    st.trace.push(`${domain}: no SPF record → none (§4.5)`);
    return 'none';
  }
  if (spf.length > 1) {
    st.trace.push(`${domain}: ${spf.length} SPF records → permerror (§4.5)`);
    return 'permerror';
  }
  const parsed = parseRecord(spf[0]!);
  if (!parsed.ok) {
    st.trace.push(
      `${domain}: syntax error at column ${parsed.error.column}: ${parsed.error.message} (${parsed.error.section}) → permerror`,
    );
    return 'permerror';
  }
  st.stack.push(domain);
  try {
    for (const m of parsed.record.mechanisms) {
      if (yield* matches(st, m, domain)) {
        st.trace.push(`${domain}: ${st.ipLabel} matches "${m.text}" → ${QUAL[m.qualifier]}`);
        return QUAL[m.qualifier]!;
      }
    }
    const redirect = parsed.record.redirect;
    if (redirect && !parsed.record.mechanisms.some((m) => m.name === 'all')) {
      countLookup(st, redirect.text);
      if (ADDRESS_MACRO.test(redirect.value)) exactAddress(st);
      const target = truncateDomain(
        expandMacros(redirect.value, macroCtx(st, domain)).replace(/\.$/, '').toLowerCase(),
      );
      st.trace.push(`${domain}: no match, redirect=${target}`);
      const r = yield* checkHost(st, target, redirect.value.includes('%{'));
      return r === 'none' ? 'permerror' : r; // §6.1
    }
    st.trace.push(`${domain}: no mechanism matched → neutral (§4.7)`);
    return 'neutral';
  } finally {
    st.stack.pop();
  }
}

export interface CheckHostInput {
  ip: string;
  /** How the trace writes the client's address (default: `ip`). */
  ipLabel?: string;
  domain: string;
  /** MAIL FROM; for the HELO identity, `postmaster@<helo>`. */
  sender: string;
  helo?: string;
  /**
   * The void-lookup limit of §4.6.4 is a SHOULD. Enforced by default (permerror at the third void lookup); `false`
   * counts void lookups without stopping, for a caller that must reason about receivers that do not enforce it.
   */
  enforceVoidLimit?: boolean;
}

/** `check_host()` as DNS steps, for any driver (../steps.ts). */
export function* checkHostSteps(input: CheckHostInput): DnsSteps<SpfEvaluation> {
  if (!isValidIp(input.ip)) {
    // A caller's mistake, but check_host() answers with a result, never an exception (issue 9).
    const why = `${JSON.stringify(input.ip)} is not an IP address: check_host() needs the client's (§4.1) → permerror`;
    return { result: 'permerror', trace: [why], lookups: 0, voidLookups: 0 };
  }
  const ipText = input.ip.trim();
  const ip = normaliseIp(ipText);
  const ipNum = ip.kind() === 'ipv4' ? v4Number(ip as ipaddr.IPv4) : -1;
  const st: State = {
    ip,
    ipText,
    ipLabel: input.ipLabel ?? ipText,
    ipNum,
    lo: ipNum < 0 ? -1 : 0,
    hi: ipNum < 0 ? -1 : 0xffffffff,
    sender: input.sender,
    helo: input.helo ?? 'unknown',
    lookups: 0,
    voids: 0,
    enforceVoidLimit: input.enforceVoidLimit ?? true,
    trace: [],
    stack: [],
  };
  let result: SpfResult;
  try {
    result = yield* checkHost(st, input.domain.toLowerCase().replace(/\.$/, ''), false);
  } catch (err) {
    if (!(err instanceof Abort)) throw err;
    st.trace.push(`${err.why} → ${err.result}`);
    result = err.result;
  }
  const last = st.trace[st.trace.length - 1];
  const m = last && /^(.*?): .* matches "(.*)" →/.exec(last);
  return {
    result,
    trace: st.trace,
    lookups: st.lookups,
    voidLookups: st.voids,
    ...(m ? { matched: { domain: m[1]!, term: m[2]! } } : {}),
    ...(ipNum >= 0 ? { ipRange: [st.lo, st.hi] as [number, number] } : {}),
  };
}

/** `check_host()` over a resolver. */
export function checkHostSpf(resolve: ResolveFn, input: CheckHostInput): Promise<SpfEvaluation> {
  return runAsync(checkHostSteps(input), resolve);
}
