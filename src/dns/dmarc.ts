/**
 * DMARC record discovery and parsing, DMARCbis (RFC 9989 / 9990) with RFC 7489 tolerance: the DNS tree walk
 * instead of a public-suffix list, tag syntax that forgives a missing trailing `;` and case, the policy that
 * applies to the domain (p, sp or np), and external report destinations checked for authorisation.
 */
import { query, type DnsResult, type ResolveFn } from './resolver.js';
import { ask, runAsync, type DnsSteps } from './steps.js';

export type DmarcPolicyValue = 'none' | 'quarantine' | 'reject';

/** RFC 9989 §4.10: at most 8 queries in the tree walk. */
export const MAX_TREE_WALK_QUERIES = 8;

/**
 * A DMARC record (and a report authorisation record) starts with the version tag. The tag name is
 * case-insensitive, its value "DMARC1" is not: the ABNF spells it as %x44 %x4D %x41 %x52 %x43 %x31 (RFC 7489
 * §6.4), and a record whose value does not match precisely MUST be ignored (RFC 7489 §6.3, RFC 9989 §4.7).
 */
const VERSION_TAG = /^[vV]\s*=\s*DMARC1\s*(;|$)/;
/** The same in any case: what an author meant as a DMARC record, reported when receivers will ignore it. */
const LOOSE_VERSION_TAG = /^v\s*=\s*DMARC1\s*(;|$)/i;

export interface DmarcRecord {
  raw: string;
  tags: Map<string, string>;
  p: DmarcPolicyValue | undefined;
  sp: DmarcPolicyValue | undefined;
  np: DmarcPolicyValue | undefined;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  rua: string[];
  ruf: string[];
  /** `t=y` (DMARCbis test mode) or `pct` below 100 (RFC 7489): the policy is not fully applied. */
  testing: boolean;
  /**
   * `sp=` is present with a value that is not a policy: for the subdomains it covers, receivers apply no
   * enforcing policy (RFC 7489 §6.6.3 step 6: such a record reads as p=none, or no DMARC without a valid rua).
   */
  spInvalid: boolean;
  /** Tolerated oddities: removed tags, unknown tags, bad values, a missing p. */
  warnings: string[];
}

export type DmarcParse = { ok: true; record: DmarcRecord } | { ok: false; error: string };

const POLICIES = new Set(['none', 'quarantine', 'reject']);

export function parseDmarc(raw: string): DmarcParse {
  const text = raw.trim();
  const parts = text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const first = parts[0];
  if (!first || !LOOSE_VERSION_TAG.test(first))
    return { ok: false, error: 'a DMARC record starts with "v=DMARC1" (RFC 9989 §4.7)' };
  const tags = new Map<string, string>();
  const warnings: string[] = [];
  if (!VERSION_TAG.test(first))
    warnings.push(
      `"${first}": the version value is case-sensitive, "DMARC1" (RFC 7489 §6.3); receivers ignore this record`,
    );
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      warnings.push(`ignored malformed tag "${part}"`);
      continue;
    }
    const k = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    if (tags.has(k)) warnings.push(`tag ${k} appears more than once; the first is used`);
    else tags.set(k, v);
  }
  const policy = (tag: string): DmarcPolicyValue | undefined => {
    const v = tags.get(tag)?.toLowerCase();
    if (v === undefined) return undefined;
    if (POLICIES.has(v)) return v as DmarcPolicyValue;
    warnings.push(
      tag === 'p'
        ? `${tag}=${v} is not none, quarantine or reject; ignored`
        : `${tag}=${v} is not none, quarantine or reject: for the mail it covers, receivers read the record as p=none, or apply no DMARC without a valid rua (RFC 7489 §6.6.3)`,
    );
    return undefined;
  };
  const p = policy('p');
  if (p === undefined)
    warnings.push(
      tags.has('p')
        ? 'no valid p= tag: receivers read the record as p=none with a valid rua, and apply no DMARC without one (RFC 7489 §6.6.3)'
        : 'no p= tag: the policy is treated as p=none (RFC 9989 §4.7)',
    );
  for (const removed of ['pct', 'rf', 'ri']) {
    if (tags.has(removed))
      warnings.push(`${removed}= is removed in DMARCbis (RFC 9989); receivers may ignore it`);
  }
  const known = new Set([
    'v',
    'p',
    'sp',
    'np',
    'adkim',
    'aspf',
    'rua',
    'ruf',
    'fo',
    'pct',
    'rf',
    'ri',
    't',
    'psd',
  ]);
  for (const k of tags.keys()) if (!known.has(k)) warnings.push(`unknown tag ${k}= ignored`);
  const align = (tag: string): 'r' | 's' => {
    const v = tags.get(tag)?.toLowerCase();
    if (v === undefined || v === 'r') return 'r';
    if (v === 's') return 's';
    warnings.push(`${tag}=${v} is not r or s; relaxed assumed`);
    return 'r';
  };
  const uris = (tag: string) =>
    (tags.get(tag) ?? '')
      .split(',')
      .map((u) => u.trim().replace(/!\d+[kmgt]?$/i, ''))
      .filter((u) => u !== '');
  const pct = tags.get('pct');
  const testing =
    tags.get('t')?.toLowerCase() === 'y' || (pct !== undefined && /^\d+$/.test(pct) && Number(pct) < 100);
  return {
    ok: true,
    record: {
      raw: text,
      tags,
      p,
      sp: policy('sp'),
      np: policy('np'),
      adkim: align('adkim'),
      aspf: align('aspf'),
      rua: uris('rua'),
      ruf: uris('ruf'),
      testing,
      spInvalid: tags.has('sp') && !POLICIES.has(tags.get('sp')!.toLowerCase()),
      warnings,
    },
  };
}

/** The names the tree walk queries, in order (RFC 9989 §4.10): the domain, then parents, jumping to 7 labels when longer. */
export function treeWalkNames(domain: string): string[] {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  const names: string[] = [labels.join('.')];
  let n = labels.length > 8 ? 7 : labels.length - 1;
  while (n >= 1 && names.length < MAX_TREE_WALK_QUERIES) {
    names.push(labels.slice(labels.length - n).join('.'));
    n--;
  }
  return names;
}

export interface DmarcDiscovery {
  domain: string;
  /** Where the record was found; undefined = none found. */
  at?: string;
  record?: DmarcRecord;
  /** The policy that applies to mail from `domain`: p on the domain itself, sp (else p) from a parent. */
  policy: DmarcPolicyValue | 'absent';
  /** Syntax problems of a record that does not parse. */
  error?: string;
  /** A DNS failure stopped the walk: the answer is unknown, not absent. */
  failure?: string;
  queried: string[];
  /** Records meant as DMARC but ignored, as receivers ignore them: the version value in the wrong case. */
  ignored?: string[];
}

function isFail(r: DnsResult<unknown>): string | undefined {
  if (r.kind === 'timeout' || r.kind === 'servfail') return r.kind;
  if (r.kind === 'error') return r.code;
  return undefined;
}

/** DMARC policy discovery as DNS steps, for any driver (./steps.ts). */
export function* discoverDmarcSteps(domain: string): DnsSteps<DmarcDiscovery> {
  const d = domain.toLowerCase().replace(/\.$/, '');
  const out: DmarcDiscovery = { domain: d, policy: 'absent', queried: [] };
  for (const name of treeWalkNames(d)) {
    const qname = `_dmarc.${name}`;
    out.queried.push(qname);
    const r = yield* ask(qname, 'TXT');
    const fail = isFail(r);
    if (fail) {
      out.failure = `TXT ${qname}: ${fail}`;
      return out;
    }
    if (r.kind !== 'answer') continue;
    const candidates: string[] = [];
    for (const t of r.records) {
      if (VERSION_TAG.test(t.trim())) candidates.push(t);
      else if (LOOSE_VERSION_TAG.test(t.trim()))
        (out.ignored ??= []).push(`${qname}: "${t}" (the version value is case-sensitive, RFC 7489 §6.3)`);
    }
    if (candidates.length === 0) continue;
    if (candidates.length > 1) {
      out.at = qname;
      out.error = `${candidates.length} DMARC records at ${qname}: none applies (RFC 9989 §4.7)`;
      return out;
    }
    const parsed = parseDmarc(candidates[0]!);
    out.at = qname;
    if (!parsed.ok) {
      out.error = parsed.error;
      return out;
    }
    out.record = parsed.record;
    const own = name === d;
    const rec = parsed.record;
    out.policy = applicablePolicy(rec, own);
    return out;
  }
  return out;
}

/** A report URI a receiver can parse: `mailto:` with an address, or `https:` (RFC 7489 §6.2, RFC 9989 §4.7). */
export function validReportUri(u: string): boolean {
  return /^mailto:[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/i.test(u) || /^https:\/\/\S+$/i.test(u);
}

/**
 * The policy a receiver applies from a record: p on the domain itself, sp (else p) from a parent. A missing p reads as
 * p=none (RFC 9989 §4.7). A present but invalid p, or an invalid sp for the subdomains it covers, does not fall back:
 * with a valid rua the record reads as p=none, without one no DMARC applies (RFC 7489 §6.6.3 step 6). Never report
 * more protection than receivers give.
 */
function applicablePolicy(rec: DmarcRecord, own: boolean): DmarcDiscovery['policy'] {
  const invalid = own
    ? rec.tags.has('p') && rec.p === undefined
    : rec.spInvalid || (rec.sp === undefined && rec.tags.has('p') && rec.p === undefined);
  if (invalid) return rec.rua.some(validReportUri) ? 'none' : 'absent';
  return (own ? rec.p : (rec.sp ?? rec.p)) ?? 'none';
}

/** DMARC policy discovery over a resolver. */
export function discoverDmarc(resolve: ResolveFn, domain: string): Promise<DmarcDiscovery> {
  return runAsync(discoverDmarcSteps(domain), resolve);
}

/** Relaxed "same organisation" without a public-suffix list: equal, or one under the other. [I] */
export function sameOrganisation(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

export interface ReportDestination {
  uri: string;
  domain?: string;
  external: boolean;
  /** For external destinations: `<policy domain>._report._dmarc.<dest>` publishes v=DMARC1 (RFC 9990 §3). */
  authorised?: boolean | 'unknown';
  /** Not a URI a receiver can send to (e.g. a bare address without `mailto:`): no report goes there. */
  invalid?: true;
}

export async function checkReportDestinations(
  resolve: ResolveFn,
  policyDomain: string,
  uris: readonly string[],
): Promise<ReportDestination[]> {
  const out: ReportDestination[] = [];
  for (const uri of uris) {
    if (!validReportUri(uri)) {
      out.push({ uri, external: false, invalid: true });
      continue;
    }
    const m = /^mailto:[^@]+@([^?,]+)/i.exec(uri);
    if (!m) {
      // https: reports go to a web service; no authorisation record applies to it.
      out.push({ uri, external: false });
      continue;
    }
    const dest = m[1]!.toLowerCase();
    if (sameOrganisation(dest, policyDomain)) {
      out.push({ uri, domain: dest, external: false });
      continue;
    }
    const r = await query(resolve, `${policyDomain}._report._dmarc.${dest}`, 'TXT');
    const authorised = isFail(r)
      ? 'unknown'
      : r.kind === 'answer' && r.records.some((t) => VERSION_TAG.test(t.trim()));
    out.push({ uri, domain: dest, external: true, authorised });
  }
  return out;
}
