/**
 * The two drivers of the DNS-step evaluators (src/dns/steps.ts). The recorded zone answers synchronously exactly
 * as `recordedResolver` does asynchronously, and over generated zones the SPF and DMARC evaluators give the same
 * evaluation, question for question, whichever driver runs them.
 */
import { describe, expect, test } from 'vitest';
import { discoverDmarc, discoverDmarcSteps } from '../../src/dns/dmarc.js';
import { query, recordedResolver, type ResolveFn, type RRType } from '../../src/dns/resolver.js';
import { checkHostSpf, checkHostSteps, type CheckHostInput } from '../../src/dns/spf/evaluate.js';
import {
  ask,
  askBatch,
  inParallel,
  runBatchAsync,
  runBatchSync,
  runSync,
  zoneAnswer,
  type DnsBatchSteps,
  type DnsSteps,
  type Question,
} from '../../src/dns/steps.js';
import { loggedResolver } from '../support/logged-resolver.js';
import { zoneFromJson, type DnsZone, type ZoneEntry } from '../../src/common/zone.js';
import { rng, spfZoneJson } from '../support/generated-zones.js';

const zoneOf = (z: Record<string, object>): DnsZone => zoneFromJson(z as Parameters<typeof zoneFromJson>[0]);

/** Runs an evaluation synchronously over the zone, logging each question. */
function overZone<R>(zone: DnsZone, steps: DnsSteps<R>, log: string[]) {
  return runSync(steps, (q) => {
    log.push(`${q.name.toLowerCase()}/${q.type}`);
    return zoneAnswer(zone, q);
  });
}

describe('zoneAnswer answers as query(recordedResolver(zone))', () => {
  // A hand-built zone, as tests build them: names not normalised inside records.
  const zone: DnsZone = new Map<string, ZoneEntry>([
    ['example.com', { TXT: ['v=spf1 -all', 'hello'], MX: [{ exchange: 'MX1.Example.COM.', priority: 10 }] }],
    ['host.example.com', { A: ['192.0.2.1', '192.0.2.2'], AAAA: ['2001:db8::1'] }],
    ['alias.example.com', { CNAME: ['Target.Example.com.'] }],
    ['empty.example.com', {}],
    ['emptylist.example.com', { A: [] }],
  ]);
  const questions: [string, RRType][] = [
    ['example.com', 'TXT'],
    ['Example.COM.', 'MX'],
    ['example.com', 'A'],
    ['host.example.com', 'A'],
    ['host.example.com', 'AAAA'],
    ['alias.example.com', 'CNAME'],
    ['empty.example.com', 'TXT'],
    ['emptylist.example.com', 'A'],
    ['absent.example.com', 'A'],
    ['host.example.com', 'PTR'],
    ['1.2.0.192.in-addr.arpa', 'PTR'],
  ];
  test.each(questions)('%s %s', async (name, type) => {
    const q: Question = { name, type, fromMacro: false };
    expect(zoneAnswer(zone, q)).toEqual(await query(recordedResolver(zone), name, type));
  });

  test('the answer does not share arrays with the zone', () => {
    const a = zoneAnswer(zone, { name: 'host.example.com', type: 'A', fromMacro: false });
    if (a.kind === 'answer') a.records.push('198.51.100.1');
    expect(zone.get('host.example.com')?.A).toEqual(['192.0.2.1', '192.0.2.2']);
  });
});

describe('runSync', () => {
  function* twoQuestions(): DnsSteps<string[]> {
    const a = yield* ask('a.example', 'A');
    const b = yield* ask('%{i}.b.example', 'TXT', true);
    return [a.kind, b.kind];
  }

  test('feeds each answer back and returns the result', () => {
    const seen: Question[] = [];
    const run = runSync(twoQuestions(), (q) => {
      seen.push(q);
      return q.type === 'A' ? { kind: 'answer', records: ['192.0.2.1'] } : { kind: 'nxdomain' };
    });
    expect(run).toEqual({ done: true, value: ['answer', 'nxdomain'] });
    expect(seen).toEqual([
      { name: 'a.example', type: 'A', fromMacro: false },
      { name: '%{i}.b.example', type: 'TXT', fromMacro: true },
    ]);
  });

  test('stops at the first question it cannot answer, and says which', () => {
    let asked = 0;
    const run = runSync(twoQuestions(), (q) => {
      asked++;
      return q.fromMacro ? { kind: 'unanswerable', why: 'not recorded' } : { kind: 'nodata' };
    });
    expect(run).toEqual({
      done: false,
      question: { name: '%{i}.b.example', type: 'TXT', fromMacro: true },
      why: 'not recorded',
    });
    expect(asked).toBe(2);
  });
});

// --- generated zones ----------------------------------------------------------------------------------------

/** The generator is shared with the mailauth differential test (test/support/generated-zones.ts). */
function spfZone(seed: number): { zone: DnsZone; input: CheckHostInput } {
  const { json, input } = spfZoneJson(seed);
  return { zone: zoneOf(json), input };
}

const SPF_SEEDS = Array.from({ length: 400 }, (_, i) => i + 1);

describe('SPF over generated zones: the synchronous driver gives the asynchronous evaluation', () => {
  test.each(SPF_SEEDS)('seed %i', async (seed) => {
    const { zone, input } = spfZone(seed);
    const asyncLog: string[] = [];
    const syncLog: string[] = [];
    const overResolver = await checkHostSpf(loggedResolver(zone, asyncLog), input);
    const run = overZone(zone, checkHostSteps(input), syncLog);
    expect(run).toEqual({ done: true, value: overResolver });
    expect(syncLog).toEqual(asyncLog);
  });

  // A generator that only ever produced one outcome would prove little.
  test('the generated set reaches every result a zone can give, macros, ptr and the void limit', () => {
    const results = new Set<string>();
    const seen = { ptrQuestions: 0, macroQuestions: 0, macroMatches: 0, pastVoidLimit: 0 };
    for (const seed of SPF_SEEDS) {
      const { zone, input } = spfZone(seed);
      const run = runSync(checkHostSteps(input), (q) => {
        if (q.type === 'PTR') seen.ptrQuestions++;
        if (q.fromMacro) seen.macroQuestions++;
        return zoneAnswer(zone, q);
      });
      if (!run.done) throw new Error(`seed ${seed}: the zone answers every question`);
      results.add(run.value.result);
      if (run.value.matched?.term.includes('%{')) seen.macroMatches++;
      if (run.value.voidLookups > 2) seen.pastVoidLimit++;
    }
    expect([...results].sort()).toEqual(['fail', 'neutral', 'none', 'pass', 'permerror', 'softfail']);
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
  });
});

function dmarcZone(seed: number): { zone: DnsZone; domain: string } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const labels = Array.from({ length: 1 + Math.floor(r() * 10) }, (_, i) => `l${i}`);
  const domain = [...labels, 'example'].join('.');
  const json: Record<string, Record<string, unknown>> = {};
  const names = [...labels, 'example'].map((_, i, all) => all.slice(i).join('.'));
  for (const name of names) {
    if (r() < 0.7) continue;
    const records = Array.from({ length: 1 + Math.floor(r() * 2) }, () =>
      pick([
        'v=DMARC1; p=reject',
        'v=DMARC1; p=quarantine; sp=none',
        'v=DMARC1; p=none; sp=reject; pct=50',
        'V = DMARC1;p=Reject;t=y',
        'v=dmarc1; p=reject',
        'v=DMARC1; p=block; sp=quarantine',
        'p=reject; v=DMARC1',
        'some other text',
      ]),
    );
    json[`_dmarc.${name}`] = { TXT: records };
  }
  return { zone: zoneOf(json), domain: r() < 0.2 ? `${domain.toUpperCase()}.` : domain };
}

const DMARC_SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

describe('DMARC discovery over generated zones: the synchronous driver gives the asynchronous discovery', () => {
  test.each(DMARC_SEEDS)('seed %i', async (seed) => {
    const { zone, domain } = dmarcZone(seed);
    const asyncLog: string[] = [];
    const syncLog: string[] = [];
    const overResolver = await discoverDmarc(loggedResolver(zone, asyncLog), domain);
    const run = overZone(zone, discoverDmarcSteps(domain), syncLog);
    expect(run).toEqual({ done: true, value: overResolver });
    expect(syncLog).toEqual(asyncLog);
  });

  test('the generated set reaches every kind of outcome', () => {
    const outcomes = new Set<string>();
    for (const seed of DMARC_SEEDS) {
      const { zone, domain } = dmarcZone(seed);
      const run = overZone(zone, discoverDmarcSteps(domain), []);
      if (!run.done) throw new Error(`seed ${seed}: the zone answers every question`);
      outcomes.add(run.value.error ? 'error' : run.value.policy);
      if (run.value.ignored) outcomes.add('ignored');
      if (run.value.queried.length === 8) outcomes.add('eight queries');
    }
    expect([...outcomes].sort()).toEqual([
      'absent',
      'eight queries',
      'error',
      'ignored',
      'none',
      'quarantine',
      'reject',
    ]);
  });
});

describe('batched steps (the SPF tree walk)', () => {
  /** Asks `names` one after another, one question per round. */
  function* chain(names: string[]): DnsBatchSteps<string[]> {
    const out: string[] = [];
    for (const name of names) {
      const [r] = yield* askBatch([{ name, type: 'A' }]);
      out.push(`${name}:${r?.kind}`);
    }
    return out;
  }

  test('inParallel asks the pending question of every evaluation in one round', () => {
    const rounds: string[][] = [];
    const steps = inParallel([chain(['a1', 'a2', 'a3']), chain(['b1']), chain([])]);
    let step = steps.next();
    while (!step.done) {
      rounds.push(step.value.map((q) => q.name));
      step = steps.next(step.value.map((q) => ({ kind: q.name.startsWith('a') ? 'nodata' : 'nxdomain' })));
    }
    expect(step.value).toEqual([['a1:nodata', 'a2:nodata', 'a3:nodata'], ['b1:nxdomain'], []]);
    expect(rounds).toEqual([['a1', 'b1'], ['a2'], ['a3']]);
  });

  test('runBatchAsync sends a batch before any answer comes back', async () => {
    const log: string[] = [];
    const resolve: ResolveFn = async (name) => {
      log.push(`ask ${name}`);
      await Promise.resolve();
      log.push(`answer ${name}`);
      return ['192.0.2.1'];
    };
    const value = await runBatchAsync(inParallel([chain(['x']), chain(['y'])]), resolve);
    expect(value).toEqual([['x:answer'], ['y:answer']]);
    expect(log.slice(0, 2)).toEqual(['ask x', 'ask y']);
  });

  test('runBatchSync stops at a question it cannot answer', () => {
    const run = runBatchSync(chain(['a', 'b']), (q) =>
      q.name === 'b' ? { kind: 'unanswerable', why: 'not recorded' } : { kind: 'nodata' },
    );
    expect(run).toEqual({
      done: false,
      question: { name: 'b', type: 'A', fromMacro: false },
      why: 'not recorded',
    });
  });
});
