/**
 * Static analysis of a domain's SPF tree (issue 3): every include/redirect followed, DNS-querying terms and void
 * lookups counted over the whole tree, loops found, the effective `all` qualifier, risky terms, the networks and
 * third-party includes that are authorised, and whether given IPs (the gateway's) are authorised.
 */
import { isValidIp } from '../../model/ip.js';
import { query, type ResolveFn } from '../resolver.js';
import { checkHostSpf, MAX_DNS_MECHANISMS, MAX_VOID_LOOKUPS, type SpfResult } from './evaluate.js';
import { countsAsLookup, parseSpf, type Mechanism, type SpfSyntaxError } from './parse.js';

export interface SpfNode {
  domain: string;
  /** How the node was reached: `include`, `redirect` or `root`. */
  via: 'root' | 'include' | 'redirect';
  state: 'ok' | 'none' | 'nxdomain' | 'multiple' | 'syntax' | 'dns-failure' | 'loop' | 'not-followed';
  record?: string;
  error?: SpfSyntaxError | string;
  children: SpfNode[];
}

export interface SpfAnalysis {
  domain: string;
  /** The root record's state; `ok` means a single record that parses. */
  state: SpfNode['state'];
  record?: string;
  error?: string;
  tree: SpfNode;
  /** DNS-querying terms over the whole tree (§4.6.4 limit 10), counted statically. */
  lookups: number;
  /** Targets of a/mx/exists/include that return no records (§4.6.4 limit 2). */
  voidLookups: number;
  loops: string[];
  /** Qualifier of the `all` that ends evaluation (the root's, or through redirect); undefined = no all (neutral). */
  allQualifier: '+' | '-' | '~' | '?' | undefined;
  /** Terms worth a warning: ptr (§5.5 SHOULD NOT), +all, macros (not statically evaluable). */
  ptr: string[];
  plusAll: boolean;
  macros: string[];
  /** ip4/ip6 networks authorised anywhere in the tree, with the domain whose record lists them. */
  networks: { network: string; domain: string }[];
  /** Every include/redirect target, for recognising third-party senders. */
  includes: string[];
  /** a/mx/exists terms (their addresses depend on other DNS names). */
  hostTerms: { term: string; domain: string }[];
  /** DNS failures met while walking: the analysis is incomplete. */
  failures: string[];
  /** check_host() for each IP asked about. */
  ipResults: { ip: string; result: SpfResult; trace: string[] }[];
}

function pick(records: string[]): { spf?: string; count: number } {
  const spf = records.filter((t) => /^v=spf1( |$)/i.test(t));
  return spf.length === 1 ? { spf: spf[0]!, count: 1 } : { count: spf.length };
}

export async function analyseSpf(
  resolve: ResolveFn,
  domain: string,
  ips: readonly string[] = [],
): Promise<SpfAnalysis> {
  const root = domain.toLowerCase().replace(/\.$/, '');
  const a: SpfAnalysis = {
    domain: root,
    state: 'none',
    tree: { domain: root, via: 'root', state: 'none', children: [] },
    lookups: 0,
    voidLookups: 0,
    loops: [],
    allQualifier: undefined,
    ptr: [],
    plusAll: false,
    macros: [],
    networks: [],
    includes: [],
    hostTerms: [],
    failures: [],
    ipResults: [],
  };
  const seenTargets = new Map<string, boolean>();

  /** Whether a host term's target has records (for the void count); macros cannot be resolved statically. */
  const isVoid = async (target: string, type: 'A' | 'MX'): Promise<boolean> => {
    const key = `${type} ${target}`;
    const cached = seenTargets.get(key);
    if (cached !== undefined) return cached;
    const r = await query(resolve, target, type);
    if (r.kind === 'timeout' || r.kind === 'servfail' || r.kind === 'error')
      a.failures.push(`${type} ${target}: ${r.kind}`);
    const v = r.kind === 'nodata' || r.kind === 'nxdomain';
    seenTargets.set(key, v);
    return v;
  };

  const walk = async (node: SpfNode, stack: string[], isRootChain: boolean): Promise<void> => {
    if (stack.includes(node.domain)) {
      node.state = 'loop';
      a.loops.push([...stack, node.domain].join(' → '));
      return;
    }
    const txt = await query(resolve, node.domain, 'TXT');
    if (txt.kind === 'timeout' || txt.kind === 'servfail' || txt.kind === 'error') {
      node.state = 'dns-failure';
      node.error = `TXT ${node.domain}: ${txt.kind}`;
      a.failures.push(node.error);
      return;
    }
    if (txt.kind === 'nxdomain') {
      node.state = 'nxdomain';
      if (node.via !== 'root') a.voidLookups++;
      return;
    }
    const { spf, count } = pick(txt.kind === 'answer' ? txt.records : []);
    if (count > 1) {
      node.state = 'multiple';
      node.error = `${count} SPF records (§4.5)`;
      return;
    }
    if (!spf) {
      node.state = 'none';
      if (node.via !== 'root' && txt.kind === 'nodata') a.voidLookups++;
      return;
    }
    node.record = spf;
    const parsed = parseSpf(spf);
    if (!parsed.ok) {
      node.state = 'syntax';
      node.error = parsed.error;
      return;
    }
    node.state = 'ok';
    const rec = parsed.record;
    for (const t of rec.terms) if (countsAsLookup(t)) a.lookups++;
    const all = rec.mechanisms.find((m) => m.name === 'all');
    if (isRootChain && all) a.allQualifier = all.qualifier;
    for (const m of rec.mechanisms) {
      if (m.name === 'ptr') a.ptr.push(`${node.domain}: ${m.text}`);
      if (m.name === 'all' && m.qualifier === '+') a.plusAll = true;
      if (m.value?.includes('%')) a.macros.push(`${node.domain}: ${m.text}`);
      if (m.name === 'ip4' || m.name === 'ip6') {
        const cidr = m.name === 'ip4' ? m.cidr4 : m.cidr6;
        a.networks.push({
          network: cidr === undefined ? m.value! : `${m.value}/${cidr}`,
          domain: node.domain,
        });
      }
      if (m.name === 'a' || m.name === 'mx' || m.name === 'exists') {
        a.hostTerms.push({ term: m.text, domain: node.domain });
        if (!m.value?.includes('%') && (await isVoid(m.value ?? node.domain, m.name === 'mx' ? 'MX' : 'A')))
          a.voidLookups++;
      }
    }
    const next = stack.concat(node.domain);
    // Sibling includes are independent: walk them in parallel (the critical path is the depth, not the count).
    const followed: Promise<void>[] = [];
    for (const m of rec.mechanisms.filter(
      (x): x is Mechanism & { value: string } => x.name === 'include' && !!x.value,
    )) {
      const target = m.value.toLowerCase().replace(/\.$/, '');
      a.includes.push(target);
      const child: SpfNode = { domain: target, via: 'include', state: 'not-followed', children: [] };
      node.children.push(child);
      if (!target.includes('%')) followed.push(walk(child, next, false));
    }
    await Promise.all(followed);
    if (rec.redirect && !all) {
      const target = rec.redirect.value.toLowerCase().replace(/\.$/, '');
      a.includes.push(target);
      const child: SpfNode = { domain: target, via: 'redirect', state: 'not-followed', children: [] };
      node.children.push(child);
      if (!target.includes('%')) await walk(child, next, isRootChain);
    }
  };

  const valid = ips.filter((ip) => isValidIp(ip));
  for (const ip of ips) if (!isValidIp(ip)) a.failures.push(`${ip} is not an IP address: not evaluated`);
  // check_host() for the asked IPs runs beside the walk, not after it.
  const [, ipResults] = await Promise.all([
    walk(a.tree, [], true),
    Promise.all(valid.map((ip) => checkHostSpf(resolve, { ip, domain: root, sender: `postmaster@${root}` }))),
  ]);
  a.ipResults = ipResults.map((r, i) => ({ ip: valid[i]!, result: r.result, trace: r.trace }));
  a.state = a.tree.state;
  if (a.tree.record) a.record = a.tree.record;
  const error = spfNodeError(a.tree);
  if (error !== undefined) a.error = error;
  return a;
}

/** A node's error as one line: a syntax error with its column and section, or the reason given. */
export function spfNodeError(node: SpfNode): string | undefined {
  const e = node.error;
  if (e === undefined || typeof e === 'string') return e;
  return `column ${e.column}: ${e.message} (${e.section})`;
}

export function overLimits(a: SpfAnalysis): string[] {
  const out: string[] = [];
  if (a.lookups > MAX_DNS_MECHANISMS)
    out.push(
      `${a.lookups} DNS-querying terms over the tree, more than ${MAX_DNS_MECHANISMS}: receivers return permerror (RFC 7208 §4.6.4)`,
    );
  if (a.voidLookups > MAX_VOID_LOOKUPS)
    out.push(
      `${a.voidLookups} void lookups, more than ${MAX_VOID_LOOKUPS}: receivers may return permerror (RFC 7208 §4.6.4)`,
    );
  if (a.loops.length) out.push(`include/redirect loop: ${a.loops.join('; ')}`);
  return out;
}
