/**
 * Differential tests of the simulator's shortcuts (DESIGN §8): `simulate` (IP and rule indexes, verdict cache,
 * de-duplication without keys) against `simulateReference` (every connector and rule tested, nothing cached), over
 * seeded generated tenants and attempts. The whole result must be identical: outcomes, replies, every decision and
 * every uncertainty, in order.
 */
import { describe, expect, test } from 'vitest';
import type { SimConfig } from '../../src/model/config.js';
import { parseAddress } from '../../src/common/ip.js';
import { planOf } from '../../src/model/precompiled.js';
import { ruleFacts, ruleMatches, ruleMatchesIndexed, type RuleMessage } from '../../src/model/rules.js';
import { simulate, simulateReference } from '../../src/model/simulate.js';
import type { Attempt, SimResult } from '../../src/model/types.js';
import { Gen, generateAttempt, generateConfig } from './generate.js';
import { baseData, configOf, DNS_MX_SEG } from './helpers.js';
import { cases } from '../support/scale.js';

const CONFIGS = cases(20, 60);
/** Configurations whose oracle simulates again (nested evaluations). */
const NESTING_CONFIGS = cases(8, 20);
const ATTEMPTS = 40;

/** What a result exercised, so that the test can show it reached the branches it is meant to compare. */
function features(r: SimResult): string[] {
  const f = new Set<string>();
  for (const o of r.outcomes) {
    f.add(`${o.stage} ${o.disposition}`);
    for (const d of o.decisions) f.add(d.rule);
  }
  for (const u of r.uncertainties) {
    if (u.startsWith('not in the export')) f.add('unknown settings');
    if (u.includes('too many undecided')) f.add('branch budget');
    if (u.includes('too many combinations')) f.add('too many unknowns');
    if (u.includes('not modelled')) f.add('unmodelled');
  }
  return [...f];
}

/** A seed's attempts, as the tests below make them. */
function attemptsOf(seed: number): Attempt[] {
  const g = new Gen(seed * 7919);
  return Array.from({ length: ATTEMPTS }, () => generateAttempt(g));
}

const CONFIG_SEEDS = Array.from({ length: CONFIGS }, (_, i) => i + 1);

describe('simulate agrees with simulateReference on generated tenants', () => {
  test.each(CONFIG_SEEDS)('configuration seed %i', (seed) => {
    const { cfg } = generateConfig(seed);
    for (const a of attemptsOf(seed)) {
      const expected = simulateReference(cfg, a);
      const actual = simulate(cfg, a);
      expect(actual, JSON.stringify(a)).toEqual(expected);
      // Twice: the caches filled by the first call must not change the second answer.
      expect(simulate(cfg, a)).toEqual(expected);
    }
  });

  // Counted here, not from the tests above, so that it holds when run alone; `simulate` stands for the reference,
  // which the tests above hold it equal to.
  test('the generated cases reach the branches the shortcuts replace', () => {
    const seen = new Set<string>();
    for (const seed of CONFIG_SEEDS) {
      const { cfg } = generateConfig(seed);
      for (const a of attemptsOf(seed)) for (const f of features(simulate(cfg, a))) seen.add(f);
    }
    for (const f of [
      'rcpt rejected',
      'post-acceptance inbox',
      'post-acceptance ndr',
      'post-acceptance quarantine',
      'post-acceptance dropped',
      'post-acceptance junk',
      'CON-5',
      'CON-6',
      'CON-7',
      'CON-8',
      'DS-2',
      'DS-3',
      'EF-3',
      'TR-1',
      'TR-3',
      'TR-4',
      'TR-SCL',
      'CF-6.5',
      'TABL-6.6',
      'AS-6.4',
      'SPOOF-6.3',
      'MX-6.1',
      'unknown settings',
      'unmodelled',
    ])
      expect(seen.has(f), f).toBe(true);
  });
});

describe('larger tenants (rule bit sets of several words, IP indexes over many sets)', () => {
  test.each([1, 2, 3])('seed %i: up to 40 connectors and 200 rules', (seed) => {
    const { cfg } = generateConfig(10_000 + seed, { maxConnectors: 40, maxRules: 200 });
    const g = new Gen(seed);
    for (let k = 0; k < 30; k++) {
      const a = generateAttempt(g);
      expect(simulate(cfg, a), JSON.stringify(a)).toEqual(simulateReference(cfg, a));
    }
  });
});

describe('ruleMatchesIndexed agrees with ruleMatches, rule by rule', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('seed %i', (seed) => {
    const { cfg } = generateConfig(20_000 + seed, { maxRules: 60 });
    const plan = planOf(cfg);
    const g = new Gen(seed);
    for (let k = 0; k < 50; k++) {
      const a = generateAttempt(g);
      const headers = new Map(Object.entries(a.headers ?? {}).map(([h, v]) => [h.toLowerCase(), v]));
      const msg: RuleMessage = {
        clientIp: a.clientIp,
        mailFrom: a.mailFrom,
        headerFrom: a.headerFrom,
        rcpts: a.rcpts,
        authAs: g.chance(0.3) ? 'Internal' : 'Anonymous',
        headers,
        adversarial: a.adversarial === true,
        isAccepted: plan.isAccepted,
        acceptedDomainType: plan.acceptedDomainType,
      };
      const fast: RuleMessage = { ...msg, isAcceptedLower: plan.isAcceptedLower };
      const facts = ruleFacts(plan.ruleIndex, fast, parseAddress(a.clientIp));
      cfg.rules.forEach((c, i) => {
        const expected = ruleMatches(c, msg);
        if (facts.candidates.includes(i))
          expect(ruleMatchesIndexed(plan.ruleIndex, facts, i, c, fast), `rule ${i}`).toEqual(expected);
        // A rule left out of the candidates is one that ruleMatches answers false for (or one that is off).
        else if (plan.rules[i]!.active !== false) expect(expected.truth, `rule ${i}`).toBe(false);
      });
    }
  });
});

describe('the per-configuration verdict cache', () => {
  test('the oracle is asked once per IP and addresses; a configuration built from another has its own cache', () => {
    const cfg = configOf(baseData(), { dns: DNS_MX_SEG });
    const asked: string[] = [];
    const counting: SimConfig = {
      ...cfg,
      auth: {
        verdict: (input) => {
          asked.push(`${input.ip} ${input.ipLabel ?? ''} ${input.mailFrom} ${input.headerFrom}`);
          return cfg.auth.verdict(input);
        },
      },
    };
    const a: Attempt = {
      clientIp: '198.18.7.7',
      tls: true,
      certNames: [],
      mailFrom: 'x@sender.example',
      headerFrom: 'ceo@contoso.com',
      rcpts: ['user@contoso.com'],
    };
    const first = simulate(counting, a);
    expect(asked.length).toBeGreaterThan(0);
    // The second sight makes the replay entry (replay.ts), whose evaluation asks with a placeholder for the address.
    expect(simulate(counting, a)).toEqual(first);
    const calls = asked.length;
    expect(simulate(counting, a)).toEqual(first);
    expect(asked).toHaveLength(calls); // answered from the cache
    expect(new Set(asked).size).toBe(asked.length); // and never asked twice the same question
    expect(simulateReference(counting, a)).toEqual(first);
    expect(asked.length).toBeGreaterThan(calls); // the reference asks every time
  });
});

describe('nested evaluations', () => {
  test('an oracle that simulates the same configuration does not disturb the evaluation that asked it', () => {
    let compared = 0;
    let nested = 0;
    for (let seed = 1; seed <= NESTING_CONFIGS; seed++) {
      const { cfg } = generateConfig(30_000 + seed, { maxRules: 40 });
      const g = new Gen(seed);
      const inner = generateAttempt(g);
      let depth = 0;
      const nesting: SimConfig = {
        ...cfg,
        auth: {
          verdict: (input) => {
            if (depth === 0) {
              nested++;
              depth++;
              simulate(nesting, inner);
              depth--;
            }
            return cfg.auth.verdict(input);
          },
        },
      };
      for (let k = 0; k < 30; k++) {
        const a = generateAttempt(g);
        expect(simulate(nesting, a), JSON.stringify(a)).toEqual(simulateReference(cfg, a));
        compared++;
      }
    }
    expect(compared).toBe(NESTING_CONFIGS * 30);
    // The oracle was asked, so the nested evaluations ran.
    expect(nested).toBeGreaterThan(NESTING_CONFIGS);
  });
});
