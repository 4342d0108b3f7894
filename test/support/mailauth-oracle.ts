/**
 * mailauth 4.13 as a differential oracle for mxlock's SPF evaluator and DMARC discovery (test-only; mxlock never
 * runs mailauth). mailauth takes a resolver shaped like `dns.promises.resolve` and reads failures from `err.code`
 * (lib/spf/index.js `limitedResolver`: ENOTFOUND/ENODATA are void lookups, ETIMEOUT/EREFUSED temperror, any other
 * code unclassified; lib/dmarc/get-dmarc-record.js: ENOTFOUND/ENODATA mean "no record", anything else a failure).
 * So the in-memory zone is served with exactly the records and error codes node:dns gives for the same zone on
 * the loopback server (test/support/dns-server.ts); mailauth-differential.test.ts checks that claim against a real
 * node:dns Resolver.
 */
import { dmarc, spf } from 'mailauth';
import type { ResolveFn } from '../../src/dns/resolver.js';
import type { SpfResult } from '../../src/dns/spf/evaluate.js';
import type { ZoneRecords } from './dns-server.js';

/** A zone in the loopback server's shape: dns.json plus PTR and multi-string TXT. Absent name = NXDOMAIN. */
export type MemoryZone = Readonly<Record<string, ZoneRecords>>;

/** Names whose queries fail: never answered (node:dns ETIMEOUT) or answered SERVFAIL (node:dns ESERVFAIL). */
export type Faults = Readonly<Record<string, 'timeout' | 'servfail'>>;

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');
/** Names inside answers come back as written, without the root dot. */
const unrooted = (n: string) => n.replace(/\.$/, '');

/** The error node:dns rejects with: an Error whose `code` says what happened (`queryA ENOTFOUND x.test`). */
export function nodeDnsError(code: string, name: string, type: string): Error {
  return Object.assign(new Error(`query${type} ${code} ${name}`), {
    code,
    syscall: `query${type}`,
    hostname: name,
  });
}

/** TXT strings over 255 octets become several character-strings, as the loopback server (and a real zone) holds them. */
function txtChunks(v: string | string[]): string[] {
  if (Array.isArray(v)) return [...v];
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 255) out.push(v.slice(i, i + 255));
  return out.length ? out : [''];
}

/**
 * `dns.promises.resolve` over a memory zone: records in node:dns shapes (TXT as character-string arrays, MX as
 * `{exchange, priority}`), NXDOMAIN as ENOTFOUND, NODATA as ENODATA, faults as ETIMEOUT/ESERVFAIL. It is also a
 * mxlock `ResolveFn`, so one zone can feed both evaluators.
 */
export function memoryResolver(zone: MemoryZone, faults: Faults = {}): ResolveFn {
  const records = new Map(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  const answer: ResolveFn = async (name, type) => {
    const entry = records.get(norm(name));
    if (!entry) throw nodeDnsError('ENOTFOUND', name, type);
    let found: unknown[];
    switch (type) {
      case 'TXT':
        found = (entry.TXT ?? []).map(txtChunks);
        break;
      case 'MX':
        found = (entry.MX ?? []).map((m) => ({ exchange: unrooted(m.exchange), priority: m.priority }));
        break;
      case 'A':
      case 'AAAA':
        found = [...(entry[type as 'A' | 'AAAA'] ?? [])];
        break;
      default:
        found = (entry[type as 'PTR' | 'CNAME'] ?? []).map(unrooted);
    }
    if (found.length === 0) throw nodeDnsError('ENODATA', name, type);
    return found;
  };
  return withFaults(answer, faults);
}

/** Wraps any resolver so that the faulted names fail as node:dns fails; other names go through. */
export function withFaults(inner: ResolveFn, faults: Faults): ResolveFn {
  const faulty = new Map(Object.entries(faults).map(([k, v]) => [norm(k), v]));
  return async (name, type) => {
    const fault = faulty.get(norm(name));
    if (fault === 'timeout') throw nodeDnsError('ETIMEOUT', name, type);
    if (fault === 'servfail') throw nodeDnsError('ESERVFAIL', name, type);
    return inner(name, type);
  };
}

/** Logs every question (`name/TYPE`, name lower-cased without the trailing dot) before the inner resolver answers. */
export function loggingResolver(inner: ResolveFn, log: string[]): ResolveFn {
  return (name, type) => {
    log.push(`${norm(name)}/${type}`);
    return inner(name, type);
  };
}

/** Far more void lookups than an evaluation bounded by 10 DNS-querying terms can make. */
const UNREACHABLE_VOID_LIMIT = 10_000;

export interface MailauthSpf {
  result: SpfResult;
  /** mailauth's explanation (names the term or limit that decided). */
  comment: string;
}

// mailauth's published resolver type (index.d.ts) says records are strings; MX answers are objects, so the
// resolver is passed through this one cast.
type MailauthResolver = NonNullable<Parameters<typeof spf>[0]['resolver']>;

/**
 * mailauth's SPF `check_host()` for the MAIL FROM identity. mailauth checks the domain of `sender` (it has no
 * separate <domain> argument); an empty local-part becomes "postmaster" in both evaluators (RFC 7208 §4.3).
 */
export async function mailauthSpf(
  resolve: ResolveFn,
  input: { ip: string; sender: string; helo: string; enforceVoidLimit?: boolean },
): Promise<MailauthSpf> {
  const r = await spf({
    ip: input.ip,
    sender: input.sender,
    helo: input.helo,
    mta: 'mx.receiver.test',
    // mailauth always enforces a void limit; "not enforced" is a limit no evaluation here can reach.
    ...(input.enforceVoidLimit === false ? { maxVoidCount: UNREACHABLE_VOID_LIMIT } : {}),
    resolver: resolve as unknown as MailauthResolver,
  });
  return { result: r.status.result as SpfResult, comment: String(r.status.comment ?? '') };
}

/** mailauth found a record without a `p=` tag and applies no policy value. */
export const NO_POLICY_TAG = '(no p= value)';

/** What DMARC policy discovery found, in terms both implementations can state. */
export interface DmarcOutcome {
  /** `temperror`: DNS failed; `absent`: no record applies; else the policy applied to mail from the domain. */
  policy: string;
  /** The record text that applies (trimmed), or null. */
  record: string | null;
  /** The `_dmarc.<name>` it was read from, or null. */
  at: string | null;
}

/** mailauth's discovery, with what it took for the organisational domain and the names it asked. */
export interface MailauthDmarc {
  outcome: DmarcOutcome;
  /** From the public-suffix list (tldts, private suffixes included), as mailauth reports it. */
  orgDomain: string;
  queried: string[];
}

/**
 * mailauth's DMARC policy discovery (RFC 7489 §6.6.3: the From domain, then the organisational domain of the
 * public-suffix list). `dmarc()` needs no message: given the From domain and no SPF or DKIM identities it looks
 * the record up (`getDmarcRecord`) and returns the policy it applies, `sp` for a record of the organisational
 * domain when set, else `p`. The logged questions say which name the record came from.
 */
export async function mailauthDmarc(resolve: ResolveFn, domain: string): Promise<MailauthDmarc> {
  const queried: string[] = [];
  const logged = loggingResolver(resolve, queried);
  const verdict = await dmarc({
    headerFrom: `someone@${domain}`,
    spfDomains: [],
    dkimDomains: [],
    resolver: logged as unknown as MailauthResolver,
  });
  if (verdict === false) throw new Error(`mailauth dmarc() refused the From domain ${domain}`);
  const names = queried.map((q) => q.replace(/\/TXT$/, ''));
  const base = { orgDomain: verdict.domain, queried: names };
  if (verdict.status.result === 'temperror')
    return { ...base, outcome: { policy: 'temperror', record: null, at: null } };
  if (verdict.status.result === 'none')
    return { ...base, outcome: { policy: 'absent', record: null, at: null } };
  return {
    ...base,
    outcome: {
      // mailauth keeps the tag value as written (`p=Quarantine`, or nothing without p=): compared lower-cased.
      policy: verdict.policy ? verdict.policy.toLowerCase() : NO_POLICY_TAG,
      record: verdict.rr ?? null,
      // mailauth stops at the first name that holds exactly one record: the last name asked.
      at: names[names.length - 1] ?? null,
    },
  };
}
