/**
 * Static analysis of a domain's SPF tree (issue 3): every include/redirect followed, DNS-querying terms and void
 * lookups counted over the whole tree, loops found, the effective `all` qualifier, risky terms, the networks and
 * third-party includes that are authorised, and whether given IPs (the gateway's) are authorised.
 *
 * The walk is written once, as batched DNS steps (../steps.ts): `analyseSpf` runs it over a resolver (`mxlock dns`,
 * the dns.* checks), `spfTreeOfZone` over recorded answers (the Direct Send inventory), and `spfSenders` reads the
 * finished tree for the senders it authorises, so all of them see the same tree under the same limits.
 */
import { MICROSOFT_SPF_INCLUDE } from '../../common/vendors.js';
import { isValidIp } from '../../common/ip.js';
import { describeResult, isFailure, type DnsResult, type RecordOf, type ResolveFn } from '../resolver.js';
import {
  askBatch,
  inParallel,
  runBatchAsync,
  runBatchSync,
  zoneAnswer,
  type DnsBatchSteps,
  type SyncRun,
} from '../steps.js';
import type { DnsZone } from '../../common/zone.js';
import {
  checkHostSpf,
  MAX_DNS_MECHANISMS,
  MAX_MX_HOSTS,
  MAX_VOID_LOOKUPS,
  type SpfResult,
} from './evaluate.js';
import { countsAsLookup, parseSpf, spfRecordsOf, type Mechanism, type SpfSyntaxError } from './parse.js';

/** A host an a or mx term names, with its addresses (A and AAAA). */
export interface SpfHost {
  name: string;
  addresses: string[];
  /** Why some or all of its addresses are not known: no record, a DNS failure. Sentences naming the host. */
  problems: string[];
}

/** One mechanism of a record, with what the walk found for it. */
export interface SpfTerm {
  mechanism: Mechanism;
  /** include: the record it leads to (also in the node's `children`). */
  child?: SpfNode;
  /** a, mx, exists: the query the term makes returned no records (a void lookup, RFC 7208 §4.6.4). */
  void?: boolean;
  /** a, mx: the hosts the term names; absent when they could not be listed (macro, see `problem`). */
  hosts?: SpfHost[];
  /** mx: why its hosts could not be listed (no MX record, a DNS failure, more than 10 hosts). */
  problem?: string;
}

export interface SpfNode {
  domain: string;
  /** How the node was reached: `include`, `redirect` or `root`. */
  via: 'root' | 'include' | 'redirect';
  state: 'ok' | 'none' | 'nxdomain' | 'multiple' | 'syntax' | 'dns-failure' | 'loop' | 'not-followed';
  record?: string;
  error?: SpfSyntaxError | string;
  /** The TXT lookup returned no records (NXDOMAIN or NODATA). */
  void?: boolean;
  /** `ok`: the mechanisms in evaluation order. */
  mechanisms?: SpfTerm[];
  /** `ok` with a redirect= that applies (no `all`, RFC 7208 §6.1): the record it leads to (also in `children`). */
  redirect?: SpfNode;
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

const isVoid = (r: DnsResult<unknown>): boolean => r.kind === 'nodata' || r.kind === 'nxdomain';
const targetOf = (value: string): string => value.toLowerCase().replace(/\.$/, '');

function hostOf(name: string, v4: DnsResult<string>, v6: DnsResult<string>): SpfHost {
  const addresses = [
    ...(v4.kind === 'answer' ? v4.records : []),
    ...(v6.kind === 'answer' ? v6.records : []),
  ];
  const problems: string[] = [];
  for (const [type, r] of [
    ['A', v4],
    ['AAAA', v6],
  ] as const)
    if (isFailure(r)) problems.push(`${name}: the ${type} lookup failed (${describeResult(r)})`);
  if (addresses.length === 0 && problems.length === 0)
    problems.push(`${name} has no A/AAAA record (${v4.kind === 'nxdomain' ? 'NXDOMAIN' : 'NODATA'})`);
  return { name, addresses, problems };
}

/** The SPF tree of `domain` as batched DNS steps; `ipResults` is left empty (check_host() runs beside it). */
export function* spfTreeSteps(domain: string): DnsBatchSteps<SpfAnalysis> {
  const root = targetOf(domain);
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

  /** What an a, mx or exists term's target resolves to: the void check of §4.6.4 and, for a and mx, the addresses. */
  function* resolveTerm(t: SpfTerm, target: string): DnsBatchSteps<void> {
    const m = t.mechanism;
    if (m.name === 'exists') {
      const [r] = yield* askBatch([{ name: target, type: 'A' }]);
      if (r && isFailure(r)) a.failures.push(`A ${target}: ${r.kind}`);
      t.void = r !== undefined && isVoid(r);
      return;
    }
    if (m.name === 'a') {
      const [v4, v6] = yield* askBatch([
        { name: target, type: 'A' },
        { name: target, type: 'AAAA' },
      ]);
      if (!v4 || !v6) return;
      if (isFailure(v4)) a.failures.push(`A ${target}: ${v4.kind}`);
      t.void = isVoid(v4);
      t.hosts = [hostOf(target, v4, v6)];
      return;
    }
    const [mx] = yield* askBatch([{ name: target, type: 'MX' }]);
    if (!mx) return;
    if (isFailure(mx)) {
      a.failures.push(`MX ${target}: ${mx.kind}`);
      t.problem = `${target}: the MX lookup failed (${describeResult(mx)})`;
      return;
    }
    if (mx.kind !== 'answer') {
      t.void = true;
      t.problem = `${target} has no MX record (${mx.kind === 'nxdomain' ? 'NXDOMAIN' : 'NODATA'})`;
      return;
    }
    if (mx.records.length > MAX_MX_HOSTS) {
      t.problem = `${target} has ${mx.records.length} MX hosts, more than ${MAX_MX_HOSTS}: receivers return permerror (RFC 7208 §4.6.4)`;
      return;
    }
    const names = mx.records.map((r: RecordOf['MX']) => r.exchange);
    const answers = yield* askBatch(
      names.flatMap((name) => [
        { name, type: 'A' as const },
        { name, type: 'AAAA' as const },
      ]),
    );
    t.hosts = names.map((name, i) => hostOf(name, answers[2 * i]!, answers[2 * i + 1]!));
  }

  function* walk(node: SpfNode, stack: string[], isRootChain: boolean): DnsBatchSteps<void> {
    if (stack.includes(node.domain)) {
      node.state = 'loop';
      a.loops.push([...stack, node.domain].join(' → '));
      return;
    }
    const [txt] = yield* askBatch([{ name: node.domain, type: 'TXT' }]);
    if (!txt) return;
    if (isFailure(txt)) {
      node.state = 'dns-failure';
      node.error = `TXT ${node.domain}: ${txt.kind}`;
      a.failures.push(node.error);
      return;
    }
    if (isVoid(txt)) node.void = true;
    if (txt.kind === 'nxdomain') {
      node.state = 'nxdomain';
      return;
    }
    const records = spfRecordsOf(txt.kind === 'answer' ? txt.records : []);
    if (records.length > 1) {
      node.state = 'multiple';
      node.error = `${records.length} SPF records (§4.5)`;
      return;
    }
    const spf = records[0];
    if (spf === undefined) {
      node.state = 'none';
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
    const all = rec.mechanisms.find((m) => m.name === 'all');
    if (isRootChain && all) a.allQualifier = all.qualifier;
    node.mechanisms = rec.mechanisms.map((mechanism) => ({ mechanism }));
    const next = stack.concat(node.domain);
    // Everything below this record is independent: one batch per round (the critical path is the depth, not the count).
    const work: DnsBatchSteps<void>[] = [];
    const follow = (via: 'include' | 'redirect', value: string, rootChain: boolean): SpfNode => {
      const target = targetOf(value);
      a.includes.push(target);
      const child: SpfNode = { domain: target, via, state: 'not-followed', children: [] };
      node.children.push(child);
      if (!target.includes('%')) work.push(walk(child, next, rootChain));
      return child;
    };
    for (const t of node.mechanisms) {
      const m = t.mechanism;
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
        if (!m.value?.includes('%')) work.push(resolveTerm(t, targetOf(m.value ?? node.domain)));
      }
      if (m.name === 'include' && m.value) t.child = follow('include', m.value, false);
    }
    if (rec.redirect && !all) node.redirect = follow('redirect', rec.redirect.value, isRootChain);
    yield* inParallel(work);
  }

  yield* walk(a.tree, [], true);
  a.state = a.tree.state;
  if (a.tree.record) a.record = a.tree.record;
  const error = spfNodeError(a.tree);
  if (error !== undefined) a.error = error;
  const counted = spfSenders(a.tree);
  a.lookups = counted.lookups;
  a.voidLookups = counted.voidLookups;
  return a;
}

export async function analyseSpf(
  resolve: ResolveFn,
  domain: string,
  ips: readonly string[] = [],
): Promise<SpfAnalysis> {
  const root = targetOf(domain);
  const valid = ips.filter((ip) => isValidIp(ip));
  // check_host() for the asked IPs runs beside the walk, not after it.
  const [a, ipResults] = await Promise.all([
    runBatchAsync(spfTreeSteps(root), resolve),
    Promise.all(valid.map((ip) => checkHostSpf(resolve, { ip, domain: root, sender: `postmaster@${root}` }))),
  ]);
  for (const ip of ips) if (!isValidIp(ip)) a.failures.push(`${ip} is not an IP address: not evaluated`);
  a.ipResults = ipResults.map((r, i) => ({ ip: valid[i]!, result: r.result, trace: r.trace }));
  return a;
}

/** The same analysis over recorded answers (`dns.json`), synchronously; it asks nothing a recording cannot answer. */
export function spfTreeOfZone(zone: DnsZone, domain: string): SyncRun<SpfAnalysis> {
  return runBatchSync(spfTreeSteps(domain), (q) => zoneAnswer(zone, q));
}

/** An address or network a term authorises, as ip4:/ip6: write it, and how the term reaches it. */
export interface SpfGrant {
  network: string;
  /** The network itself, or `host → network` for a and mx. */
  label: string;
}

/** What one authorising term of the root record lets send. */
export interface SpfTermSenders {
  /** The term as written, without a `+` qualifier (`include:_spf.example`, `redirect=_spf.example`). */
  term: string;
  grants: SpfGrant[];
  /** What it authorises that cannot be listed as addresses, and why (macros, exists, ptr, missing records, limits). */
  unlisted: string[];
}

export interface SpfSenders {
  /** The root record's authorising terms, in order: those with the `+` qualifier, and a redirect= that applies. */
  terms: SpfTermSenders[];
  /** DNS-querying terms and void lookups over the tree, counted in evaluation order (RFC 7208 §4.6.4). */
  lookups: number;
  voidLookups: number;
}

export interface SpfSendersOptions {
  /** include/redirect targets whose senders the caller accounts for (Microsoft 365's): their lookups count, nothing is listed. */
  known?: (domain: string) => boolean;
}

type Sink = { grants: SpfGrant[]; unlisted: string[] } | undefined;

/**
 * The senders an SPF tree authorises, term by term of the root record: the networks and the addresses of a/mx hosts
 * through every include and redirect, and what cannot be enumerated, with why. Terms are read in evaluation order
 * with the limits of RFC 7208 §4.6.4: past the 10th DNS-querying term (or the 2nd void lookup, a SHOULD) receivers
 * return permerror, so what lies there is reported as not evaluated rather than listed. `-`, `~` and `?` terms
 * authorise nobody but still count. A loop adds nothing: its record is listed where it first appears.
 */
export function spfSenders(tree: SpfNode, options: SpfSendersOptions = {}): SpfSenders {
  const count = { lookups: 0, voids: 0 };
  const known = options.known ?? (() => false);

  const pastLimits = (): string | undefined =>
    count.lookups > MAX_DNS_MECHANISMS
      ? `not evaluated: more than ${MAX_DNS_MECHANISMS} DNS lookups come first, and receivers return permerror there (RFC 7208 §4.6.4)`
      : count.voids > MAX_VOID_LOOKUPS
        ? `not evaluated: more than ${MAX_VOID_LOOKUPS} void lookups come first, and receivers may return permerror there (RFC 7208 §4.6.4)`
        : undefined;

  const target = (child: SpfNode, sink: Sink): void => {
    if (child.void) count.voids++;
    switch (child.state) {
      case 'ok':
        record(child, () => sink);
        return;
      case 'loop':
      case 'not-followed':
        return;
      case 'nxdomain':
      case 'none':
        sink?.unlisted.push(
          `${child.domain}: no SPF record (${child.state === 'nxdomain' ? 'NXDOMAIN' : child.void ? 'no TXT record' : 'no "v=spf1" TXT record'})`,
        );
        return;
      default:
        sink?.unlisted.push(
          `${child.domain}: ${typeof child.error === 'string' ? child.error : `syntax error: ${child.error?.message ?? child.state}`}`,
        );
    }
  };

  const term = (node: SpfNode, t: SpfTerm, into: Sink): void => {
    const m = t.mechanism;
    if (countsAsLookup(m)) count.lookups++;
    const past = pastLimits();
    if (past) into?.unlisted.push(`${m.text}${node.via === 'root' ? '' : ` (in ${node.domain})`}: ${past}`);
    const sink = past ? undefined : into;
    if (t.void) count.voids++;
    if (m.value?.includes('%')) {
      sink?.unlisted.push(
        `${m.text} uses macros: it depends on the message, not evaluable in advance (RFC 7208 §7)`,
      );
      return;
    }
    switch (m.name) {
      case 'ip4':
      case 'ip6': {
        const cidr = m.name === 'ip4' ? m.cidr4 : m.cidr6;
        const network = cidr === undefined ? m.value! : `${m.value}/${cidr}`;
        sink?.grants.push({ network, label: network });
        return;
      }
      case 'all':
        sink?.unlisted.push('+all authorises every address on the internet');
        return;
      case 'ptr':
      case 'exists':
        sink?.unlisted.push(
          `${m.text} cannot be expanded to addresses (${m.name === 'ptr' ? "it reads the client's reverse DNS, RFC 7208 §5.5" : 'it asks whether a name exists, RFC 7208 §5.7'})`,
        );
        return;
      case 'a':
      case 'mx':
        if (t.problem) sink?.unlisted.push(t.problem);
        for (const h of t.hosts ?? []) {
          sink?.unlisted.push(...h.problems);
          for (const address of h.addresses) {
            const cidr = address.includes(':') ? m.cidr6 : m.cidr4;
            const network = cidr === undefined ? address : `${address}/${cidr}`;
            sink?.grants.push({ network, label: `${h.name} → ${network}` });
          }
        }
        return;
      case 'include':
        if (t.child) target(t.child, known(t.child.domain) ? undefined : sink);
        return;
    }
  };

  /** A record's terms; `sinkOf` says where what each one authorises goes (undefined: it authorises nobody). */
  const record = (node: SpfNode, sinkOf: (text: string, qualifier: string) => Sink): void => {
    for (const t of node.mechanisms ?? [])
      term(node, t, t.mechanism.qualifier === '+' ? sinkOf(t.mechanism.text, '+') : undefined);
    const r = node.redirect;
    if (r) {
      count.lookups++;
      const text = `redirect=${r.domain}`;
      const into = sinkOf(text, '+');
      const past = pastLimits();
      if (past) into?.unlisted.push(`${text}: ${past}`);
      else if (r.state === 'not-followed')
        into?.unlisted.push(
          `${text} uses macros: it depends on the message, not evaluable in advance (RFC 7208 §7)`,
        );
      target(r, past || known(r.domain) ? undefined : into);
    }
  };

  const terms: SpfTermSenders[] = [];
  if (tree.state === 'ok')
    record(tree, (text) => {
      const sink = { grants: [], unlisted: [] };
      terms.push({ term: text.replace(/^\+/, ''), ...sink });
      return sink;
    });
  return { terms, lookups: count.lookups, voidLookups: count.voids };
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

/**
 * The networks a domain's SPF authorises, over recorded answers: what a connector partner that lists no address is
 * assumed to send from (DESIGN §5 path.connector, [I]). `unknown` with the reason when they cannot all be listed (no
 * record, DNS not analysed, macros, limits): a partial list would be taken for the whole.
 */
export function spfNetworksOfZone(
  zone: DnsZone | undefined,
  domain: string,
): { networks: string[] } | { unknown: string } {
  if (!zone) return { unknown: 'DNS not analysed' };
  const run = spfTreeOfZone(zone, domain);
  if (!run.done) return { unknown: run.why };
  const a = run.value;
  if (a.state !== 'ok')
    return { unknown: a.state === 'nxdomain' ? 'not in the recorded DNS' : (a.error ?? `SPF ${a.state}`) };
  // Microsoft 365's outbound servers are shared by every tenant: a partner sending through them has no addresses of its
  // own, and admitting them would admit everyone on Exchange Online.
  let shared = false;
  const terms = spfSenders(a.tree, {
    known: (d) => {
      if (d !== MICROSOFT_SPF_INCLUDE) return false;
      shared = true;
      return true;
    },
  }).terms;
  if (shared)
    return {
      unknown: `it sends through Microsoft 365 (include:${MICROSOFT_SPF_INCLUDE}), whose outbound addresses every tenant shares`,
    };
  const unlisted = terms.flatMap((t) => t.unlisted);
  if (unlisted.length > 0) return { unknown: unlisted.join('; ') };
  return { networks: [...new Set(terms.flatMap((t) => t.grants.map((g) => g.network)))] };
}
