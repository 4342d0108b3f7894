/**
 * AuthOracle over recorded DNS: SPF of the P1 domain, DMARC alignment and policy of the P2 domain. Pure and
 * synchronous, as the simulator needs: the evaluators are the ones the DNS analysis runs over live DNS
 * (`spf/evaluate.ts`, `dmarc.ts`), driven here over the in-memory zone (`steps.ts`). What the recording cannot
 * tell is `unknown`, never `pass`.
 */
import type { AuthOracle } from '../model/config.js';
import { valueIn } from '../common/collections.js';
import { domainOf } from '../common/domains.js';
import { parseAddress } from '../common/ip.js';
import type { AuthVerdict } from '../model/types.js';
import { discoverDmarcSteps, sameOrganisation, type DmarcRecord } from './dmarc.js';
import { checkHostSteps, MAX_VOID_LOOKUPS, type CheckHostInput } from './spf/evaluate.js';
import { runSync, zoneAnswer, type SyncAnswerFn } from './steps.js';
import { normaliseName, type DnsZone } from '../common/zone.js';

const NO_DNS = 'DNS not analysed (no dns.json in the export and no live DNS)';

/**
 * The zone's answers, except for what a recording cannot know. `dns.json` holds no reverse DNS, and a name built
 * by an SPF macro from the attempt (RFC 7208 §7: %{i}, %{s}…) was never asked when the zone was recorded, so its
 * absence is not an NXDOMAIN (DESIGN §3.1 "absent = NXDOMAIN" holds for the names a recording asks about).
 */
function recordedAnswers(zone: DnsZone): SyncAnswerFn {
  return (q) => {
    if (q.type === 'PTR')
      return { kind: 'unanswerable', why: `PTR ${q.name}: reverse DNS is not recorded in dns.json` };
    if (q.fromMacro && !zone.has(normaliseName(q.name)))
      return {
        kind: 'unanswerable',
        why: `${q.type} ${q.name}: the name comes from an SPF macro and is not in the recorded answers`,
      };
    return zoneAnswer(zone, q);
  };
}

export interface RecordedSpf {
  result: AuthVerdict['spf'];
  /** Why, in order; the last line is the one that decided. */
  trace: string[];
  /**
   * IPv4 addresses (unsigned 32-bit numbers) that get the same result and trace, the address in the trace aside
   * (`SpfEvaluation.ipRange`). Absent for IPv6, and when the recording could not finish the evaluation.
   */
  ipRange?: [number, number];
}

const ALL_V4: [number, number] = [0, 0xffffffff];

/** SPF `check_host()` over recorded DNS, for EOP as receiver. */
export function recordedSpf(zone: DnsZone | undefined, input: CheckHostInput): RecordedSpf {
  const ip = input.ip.trim();
  const v4 = parseAddress(ip);
  const anyV4 = typeof v4 === 'number' ? { ipRange: ALL_V4 } : {};
  if (!zone) return { result: 'unknown', trace: [NO_DNS], ...anyV4 };
  if (v4 === undefined) return { result: 'unknown', trace: [`${input.ip} is not an IP address`] };
  // The void-lookup limit is counted, not enforced, so that the result says what a receiver that ignores the
  // SHOULD of RFC 7208 §4.6.4 returns; whether EOP enforces it is not documented.
  const run = runSync(
    checkHostSteps({ ...input, ip, ipLabel: input.ipLabel ?? ip, enforceVoidLimit: false }),
    recordedAnswers(zone),
  );
  if (!run.done) return { result: 'unknown', trace: [`not decidable offline: ${run.why}`] };
  const { result, trace, voidLookups, ipRange } = run.value;
  const range = ipRange !== undefined ? { ipRange } : {};
  // Past the limit, an enforcing receiver returns permerror instead: a pass there is not trusted. Any other
  // result stays a non-pass either way.
  if (voidLookups > MAX_VOID_LOOKUPS && result === 'pass')
    return {
      result: 'unknown',
      trace: [...trace, 'pass reached only past the void-lookup limit: EOP may return permerror instead'],
      ...range,
    };
  return { result, trace, ...range };
}

export interface RecordedDmarc {
  /** The policy a failing message meets, after sp selection and a pct/t=y downgrade. */
  policy: AuthVerdict['dmarcPolicy'];
  record?: DmarcRecord;
  /** `_dmarc.<name>` where the record (or the records in conflict) were found. */
  at?: string;
  notes: string[];
}

const ONE_STEP_LOWER = { reject: 'quarantine', quarantine: 'none', none: 'none' } as const;

/**
 * The DMARC policy that applies to mail from `domain` (DMARCbis tree walk, `dmarc.ts`). `pct` below 100 (RFC 7489
 * §6.6.4) and `t=y` (DMARCbis test mode) mean some failing messages get the next lower policy; a sender can
 * simply retry until one does, so the lower policy is the one a spoofer faces.
 */
export function recordedDmarc(zone: DnsZone | undefined, domain: string): RecordedDmarc {
  if (!zone) return { policy: 'unknown', notes: [NO_DNS] };
  // The tree walk asks only for `_dmarc.<name>` TXT, which the zone answers: the run always completes.
  const run = runSync(discoverDmarcSteps(domain), recordedAnswers(zone));
  if (!run.done) return { policy: 'unknown', notes: [run.why] };
  const found = run.value;
  const notes = found.ignored?.map((i) => `ignored ${i}`) ?? [];
  if (found.failure) return { policy: 'unknown', notes: [...notes, found.failure] };
  const at = found.at !== undefined ? { at: found.at } : {};
  if (found.error) notes.push(found.error);
  const rec = found.record;
  if (!rec) return { policy: 'absent', ...at, notes };
  // A record whose applicable policy tag is invalid, without a valid rua, means no DMARC processing at all (RFC 7489
  // §6.6.3 step 6): for the simulator, as if there were no record.
  if (found.policy === 'absent')
    return {
      policy: 'absent',
      ...at,
      notes: [
        ...notes,
        `${found.at}: the applicable policy tag is not valid and no valid rua: no DMARC applies`,
      ],
    };
  let policy = found.policy;
  if (rec.testing && policy !== 'none') {
    const lower = ONE_STEP_LOWER[policy];
    const pct = rec.tags.get('pct');
    const why = pct !== undefined && /^\d+$/.test(pct) && Number(pct) < 100 ? `pct=${Number(pct)}` : 't=y';
    notes.push(`${found.at}: ${why} — a failing message may get p=${lower} instead of p=${policy}`);
    policy = lower;
  }
  return { policy, record: rec, ...at, notes };
}

/** Distinct From: domains whose DMARC discovery one oracle remembers (it depends on the domain alone). */
const DMARC_MEMO_SIZE = 4096;
/**
 * Distinct inputs whose verdict one oracle remembers: a caller that simulates several configurations over the same
 * zone (the impact replay: the tenant as exported, then after each plan stage) shares one oracle, so a flow's SPF walk
 * is done once, not once per configuration.
 */
const VERDICT_MEMO_SIZE = 32_768;

export function recordedAuthOracle(zone: DnsZone | undefined): AuthOracle {
  // The zone is read-only for the oracle's life, so a domain's discovery, and a verdict, are computed once.
  const dmarcMemo = new Map<string, RecordedDmarc>();
  // Without a label, then by label; then by address, MAIL FROM, From: and DKIM domains. The attempt's own strings are
  // the keys (their hashes are kept with them), so a lookup builds no key.
  type ByAddress = Map<string, Map<string, Map<string, Map<string, AuthVerdict>>>>;
  let unlabelled: ByAddress = new Map();
  let labelled = new Map<string, ByAddress>();
  let remembered = 0;
  const dmarcOf = (domain: string): RecordedDmarc => {
    let dm = dmarcMemo.get(domain);
    if (dm === undefined) {
      if (dmarcMemo.size >= DMARC_MEMO_SIZE) dmarcMemo.clear();
      dm = recordedDmarc(zone, domain);
      dmarcMemo.set(domain, dm);
    }
    return dm;
  };
  const verdictOf: AuthOracle['verdict'] = ({ ip, ipLabel, mailFrom, headerFrom, dkimDomains }) => {
    const notes: string[] = [];
    const p1 = domainOf(mailFrom);
    const p2 = domainOf(headerFrom);
    let spf: AuthVerdict['spf'] = 'none';
    // Only SPF reads the address; without a P1 domain every IPv4 address gets this verdict.
    let range = typeof parseAddress(ip.trim()) === 'number' ? { ipRange: ALL_V4 } : {};
    if (p1) {
      const r = recordedSpf(zone, { ip, domain: p1, sender: mailFrom, ...(ipLabel ? { ipLabel } : {}) });
      spf = r.result;
      range = r.ipRange !== undefined ? { ipRange: r.ipRange } : {};
      const last = r.trace[r.trace.length - 1];
      notes.push(`SPF ${p1} for ${ipLabel ?? ip}: ${r.result}${last !== undefined ? ` (${last})` : ''}`);
    } else {
      notes.push('null sender <>: SPF checks the HELO name, not modelled (none)');
    }
    if (!p2)
      return {
        spf,
        dkim: 'none',
        dmarc: 'unknown',
        dmarcPolicy: 'unknown',
        notes: [...notes, 'no From: domain'],
        ...range,
      };
    const dm = dmarcOf(p2);
    // aspf=s / adkim=s ask for strict (exact) alignment (RFC 7489 §3.1); relaxed is the default.
    const alignedFor = (mode: 'r' | 's', d: string) => (mode === 's' ? d === p2 : sameOrganisation(d, p2));
    const dkim: AuthVerdict['dkim'] = dkimDomains.some((d) => alignedFor(dm.record?.adkim ?? 'r', d))
      ? 'pass'
      : 'none';
    // An SPF result only matters for DMARC when the P1 domain can align with the From: domain.
    const spfCanAlign = p1 !== undefined && alignedFor(dm.record?.aspf ?? 'r', p1);
    let dmarc: AuthVerdict['dmarc'];
    if ((spfCanAlign && spf === 'pass') || dkim === 'pass') dmarc = 'pass';
    else if ((spfCanAlign && (spf === 'unknown' || spf === 'temperror')) || dm.policy === 'unknown')
      dmarc = 'unknown';
    else dmarc = dm.policy === 'absent' ? 'none' : 'fail';
    notes.push(...dm.notes);
    notes.push(
      dm.record
        ? `DMARC ${dm.at}: "${dm.record.raw}"`
        : `DMARC for ${p2}: ${dm.policy === 'unknown' ? 'unknown' : dm.at !== undefined ? `no DMARC applies (the record at ${dm.at} is void)` : 'no record'}`,
    );
    return { spf, dkim, dmarc, dmarcPolicy: dm.policy, notes, ...range };
  };
  return {
    verdict(input): AuthVerdict {
      // Every input the verdict reads; the DKIM domains unambiguously (any character may be in them).
      const byAddress =
        input.ipLabel === undefined ? unlabelled : valueIn(labelled, input.ipLabel, () => new Map());
      const byFrom = valueIn(byAddress, input.ip, () => new Map());
      const byHeader = valueIn(byFrom, input.mailFrom, () => new Map());
      const byDkim = valueIn(byHeader, input.headerFrom, () => new Map());
      const dkim = input.dkimDomains.length === 0 ? '' : JSON.stringify(input.dkimDomains);
      let v = byDkim.get(dkim);
      if (v === undefined) {
        v = verdictOf(input);
        if (++remembered > VERDICT_MEMO_SIZE) {
          unlabelled = new Map();
          labelled = new Map();
          remembered = 0;
        } else byDkim.set(dkim, v);
      }
      return v;
    },
  };
}
