/**
 * The simulator's caches (the replay cache of replay.ts, the exact-content cache and the verdict cache of simulate.ts)
 * under the load they are built for: one configuration asked about thousands of attempts that repeat with other
 * addresses, as `mxlock trace`'s impact replay and scenario files ask. examples/wide-open and the tenant after each
 * stage of its plan; attempts shaped like a replayed message trace (the gateway, a device range, senders from
 * anywhere, own-domain and foreign senders, one to three recipients), each one compared in full with
 * `simulateReference`, with the attempts in trace order, reversed and shuffled, each order on a configuration of its
 * own (so a fresh cache): an entry made from one attempt must answer every later one as the plain model would,
 * whichever attempt came first.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { attemptSimulator, authOracleFor, configFor, simulateAttempts } from '../../src/assess.js';
import { classify, type StandardPath } from '../../src/model/paths.js';
import { planOf } from '../../src/model/precompiled.js';
import { simulate, simulateReference } from '../../src/model/simulate.js';
import type { Attempt, AuthVerdict } from '../../src/model/types.js';
import { buildPlan } from '../../src/plan/index.js';
import { applyAll } from '../../src/plan/model.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { DnsZone } from '../../src/common/zone.js';
import type { ResolvedGateway } from '../../src/common/gateway.js';
import { Gen } from './generate.js';

const NOW = new Date('2026-12-01T00:00:00Z');
/** Distinct envelopes (sender, From:, recipients, flags): each is replayed from several addresses. */
const ENVELOPES = 120;
/** Addresses per envelope: enough that most envelopes make an entry and answer from it. */
const SIGHTS = 6;

const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const ipNum = (s: string) => s.split('.').reduce((n, x) => n * 256 + Number(x), 0);

/** The gateway of examples/wide-open (mxlock.yaml): two addresses and a /28, all in contoso.com's SPF. */
const GATEWAY = ['203.0.113.10', '203.0.113.11', ...Array.from({ length: 16 }, (_, i) => `198.51.100.${i}`)];

/**
 * One address for a source: the gateway; a device range whose upper half is in contoso.com's SPF (sendgrid.net,
 * 192.0.2.128/25) and lower half is not; Microsoft's own ranges (in the SPF too); anywhere at all.
 */
function addressOf(g: Gen, source: 'gateway' | 'device' | 'microsoft' | 'anywhere'): string {
  switch (source) {
    case 'gateway':
      return g.pick(GATEWAY);
    case 'device':
      return ip(ipNum('192.0.2.96') + g.int(64));
    case 'microsoft':
      return ip(ipNum(g.pick(['40.92.0.0', '40.107.0.0', '52.100.0.0'])) + g.int(0x20000));
    case 'anywhere':
      return ip(((1 + g.int(223)) * 0x1000000 + g.int(0x1000000)) >>> 0);
  }
}

const OWN_USERS = ['user1', 'user2', 'user3', 'ceo', 'scanner', 'noreply'];
const FOREIGN = ['d4972.example', 'partner.example', 'news.example', 'sendgrid.net'];

/** A verdict as EmailEvents records one (logs/auth.ts hands these to the impact replay): a DKIM pass or a failure. */
const GIVEN: AuthVerdict[] = [
  { spf: 'pass', dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'none', notes: ['EmailEvents: dkim=pass'] },
  { spf: 'fail', dkim: 'none', dmarc: 'fail', dmarcPolicy: 'none', notes: ['EmailEvents: spf=fail'] },
];

interface Envelope {
  source: 'gateway' | 'device' | 'microsoft' | 'anywhere';
  attempt: Omit<Attempt, 'clientIp'>;
}

function envelope(g: Gen): Envelope {
  const source = g.pick(['gateway', 'gateway', 'device', 'microsoft', 'anywhere', 'anywhere'] as const);
  const own = g.chance(0.5);
  const mailFrom = own
    ? `${g.pick(OWN_USERS)}@contoso.com`
    : g.chance(0.05)
      ? ''
      : `${g.pick(['news', 'info', 'a'])}${g.int(3)}@${g.pick(FOREIGN)}`;
  // Now and then a From: other than the envelope sender: a foreign service sending as contoso.com, or the reverse.
  const headerFrom = g.chance(0.2) ? (own ? 'alerts@partner.example' : 'ceo@contoso.com') : mailFrom;
  const rcpts = Array.from(
    { length: 1 + g.int(3) },
    () =>
      `${g.pick(['user1', 'user2', 'user85', 'shared'])}@${g.chance(0.9) ? 'contoso.com' : 'elsewhere.example'}`,
  );
  const attempt: Omit<Attempt, 'clientIp'> = {
    tls: source === 'gateway' ? true : g.chance(0.5),
    certNames: source === 'gateway' && g.chance(0.3) ? ['mx1.mimecast.com'] : [],
    mailFrom,
    headerFrom,
    rcpts: [...new Set(rcpts)],
  };
  if (g.chance(0.15)) attempt.auth = g.pick(GIVEN);
  return { source, attempt };
}

/** A trace: each envelope seen from several addresses of its source (now and then from anywhere), interleaved. */
function trace(seed: number): Attempt[] {
  const g = new Gen(seed);
  const out: Attempt[] = [];
  for (let e = 0; e < ENVELOPES; e++) {
    const env = envelope(g);
    for (let s = 0; s < SIGHTS; s++) {
      const a: Attempt = { ...env.attempt, clientIp: addressOf(g, g.chance(0.85) ? env.source : 'anywhere') };
      // Relayed by the gateway with the original sender's address in a Received hop (Enhanced Filtering reads it).
      if (env.source === 'gateway' && g.chance(0.3)) a.receivedIps = [addressOf(g, 'anywhere')];
      out.push(a);
    }
  }
  // Interleaved as a log is: the sights of one envelope are spread over the trace.
  for (let i = out.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface State {
  label: string;
  snapshot: Snapshot;
}

let gateway: ResolvedGateway;
let zone: DnsZone | undefined;
const states: State[] = [];

beforeAll(async () => {
  const e = await assessExport(join(import.meta.dirname, '..', '..', 'examples', 'wide-open'), {
    offline: true,
    now: NOW,
  });
  gateway = resolveGateway(e.profile, e.snapshot);
  zone = e.zone;
  const built = buildPlan({
    snapshot: e.snapshot,
    profile: e.profile ?? EMPTY_PROFILE,
    gateway,
    report: e.report,
    zone,
    now: NOW,
  });
  if (!built.ok) throw new Error(built.reason);
  states.push({ label: 'as exported', snapshot: e.snapshot });
  let s = e.snapshot;
  for (const stage of built.checked.plan.stages) {
    if (stage.changes.length === 0) continue;
    s = applyAll(s, stage.changes);
    states.push({ label: `after stage ${stage.no}`, snapshot: s });
  }
});

/** The orders a caller may ask in: the trace's, its reverse, and a shuffle of it. */
const ORDERS = {
  forward: <T>(xs: readonly T[]): T[] => [...xs],
  reverse: <T>(xs: readonly T[]): T[] => [...xs].reverse(),
  shuffled: <T>(xs: readonly T[]): T[] => {
    const g = new Gen(4242);
    const ys = [...xs];
    for (let i = ys.length - 1; i > 0; i--) {
      const j = g.int(i + 1);
      [ys[i], ys[j]] = [ys[j]!, ys[i]!];
    }
    return ys;
  },
};
const ORDER_NAMES = Object.keys(ORDERS) as (keyof typeof ORDERS)[];

describe('examples/wide-open and its plan: a replayed trace, in any order, answers as the plain model', () => {
  const attempts = trace(20_000);

  test('the plan has stages to replay against', () => {
    expect(states.length).toBeGreaterThanOrEqual(3);
  });

  test.each(ORDER_NAMES)('%s order', (order) => {
    let hits = 0;
    let entries = 0;
    const dispositions = new Set<string>();
    for (const state of states) {
      // One configuration for the expected answers, another (a fresh cache) for the order under test.
      const reference = configFor(state.snapshot, gateway, { zone, now: NOW });
      const cfg = configFor(state.snapshot, gateway, { zone, now: NOW });
      for (const a of ORDERS[order](attempts)) {
        const expected = simulateReference(reference, a);
        expect(simulate(cfg, a), `${state.label}: ${JSON.stringify(a)}`).toEqual(expected);
        for (const o of expected.outcomes) dispositions.add(`${o.stage} ${o.disposition}`);
      }
      const cache = planOf(cfg).replay;
      hits += cache.hits;
      entries += cache.misses;
    }
    // The comparison is worth something only if the cache answered most attempts from entries made by others, and
    // the states refuse some attempts and deliver others.
    expect(entries).toBeGreaterThan(states.length * ENVELOPES * 0.3);
    expect(hits).toBeGreaterThan(states.length * attempts.length * 0.3);
    expect(dispositions).toContain('rcpt rejected');
    expect(dispositions).toContain('post-acceptance inbox');
  });
});

describe('simulateAttempts over a trace: result k is the k-th path’s', () => {
  // Ids as the impact replay gives its flows (logs/impact.ts): `flow:10` sorts before `flow:2` as text, so results
  // sorted by id are not in the order given, and a caller pairing them by position reads another flow's result.
  const paths: StandardPath[] = trace(20_000)
    .slice(0, 240)
    .map((attempt, i) => ({ id: `flow:${i}`, kind: 'legitimate', description: '', attempt }));

  test.each(ORDER_NAMES)('%s order', (order) => {
    const list = ORDERS[order](paths);
    for (const state of states) {
      const results = simulateAttempts(state.snapshot, gateway, list, { zone, now: NOW });
      expect(results.map((r) => r.id)).toEqual(list.map((p) => p.id));
      const reference = configFor(state.snapshot, gateway, { zone, now: NOW });
      expect(
        results.map((r) => r.status),
        state.label,
      ).toEqual(list.map((p) => classify('legitimate', simulateReference(reference, p.attempt))));
    }
  });
});

describe('the impact replay’s simulator: one oracle for every stage, no evidence lines', () => {
  // logs/impact.ts makes one oracle (authOracleFor) for the tenant as exported and every stage, and asks for no
  // evidence: each result must be the plain simulator's in everything else, whichever stage asked first.
  const paths: StandardPath[] = trace(20_000)
    .slice(0, 300)
    .map((attempt, i) => ({ id: `flow:${i}`, kind: 'legitimate', description: `flow ${i}`, attempt }));

  test('status, outcome and the simulator’s result as without them, evidence empty', () => {
    const auth = authOracleFor(states[0]!.snapshot, { zone });
    // Latest stage first: the shared oracle is filled by another configuration than the one read next.
    for (const state of [...states].reverse()) {
      const lean = attemptSimulator(state.snapshot, gateway, { zone, now: NOW, auth, evidence: false })(
        paths,
      );
      const plain = simulateAttempts(state.snapshot, gateway, paths, { zone, now: NOW });
      expect(lean.map((r) => r.evidence.length)).toEqual(paths.map(() => 0));
      expect(plain.every((r) => r.evidence.length > 0)).toBe(true);
      expect(
        lean.map(({ evidence: _, ...rest }) => rest),
        state.label,
      ).toEqual(plain.map(({ evidence: _, ...rest }) => rest));
    }
  });
});
