/** The one set of inbound-connector predicates (src/model/connectors.ts), read through the real export reader. */
import { describe, expect, test } from 'vitest';
import {
  coversSenders,
  isEnabled,
  isLockdown,
  isPartner,
  isRestricting,
  planIsPartner,
  planRcptInScope,
  planRestricts,
  planSenderInScope,
  recipientGap,
  restrictsByCertificate,
  restrictsByIp,
  senderPatternCovers,
  type WorldAnswers,
} from '../../src/model/connectors.js';
import { planOf } from '../../src/model/precompiled.js';
import { parseCmdlet } from '../../src/snapshot/normalize.js';
import type { InboundConnector } from '../../src/snapshot/schema.js';
import { generateConfig } from './generate.js';

const one = (raw: Record<string, unknown>): InboundConnector =>
  parseCmdlet('Get-InboundConnector', [raw], 'test/Get-InboundConnector.json')[0]!;

describe('restriction predicates (CON-4, CON-5)', () => {
  test.each<[string, Record<string, unknown>, boolean, boolean, boolean]>([
    [
      'Partner by IP, HCW form smtp:*;1',
      { ConnectorType: 'Partner', RestrictDomainsToIPAddresses: true, SenderDomains: ['smtp:*;1'] },
      true,
      false,
      true,
    ],
    [
      'Partner by certificate',
      { ConnectorType: 'Partner', RestrictDomainsToCertificate: true, SenderDomains: ['*'] },
      false,
      true,
      true,
    ],
    [
      'Partner scoped to a domain',
      { ConnectorType: 'Partner', RestrictDomainsToIPAddresses: true, SenderDomains: ['contoso.com'] },
      true,
      false,
      false,
    ],
    // CON-4 [D]: OnPremises connectors have no restriction, whatever flags the export carries.
    [
      'OnPremises with the flag set',
      { ConnectorType: 'OnPremises', RestrictDomainsToIPAddresses: true, SenderDomains: ['*'] },
      false,
      false,
      false,
    ],
    [
      'ConnectorType not exported',
      { RestrictDomainsToCertificate: true, SenderDomains: ['*'] },
      false,
      false,
      false,
    ],
    ['flags not exported', { ConnectorType: 'Partner', SenderDomains: ['*'] }, false, false, false],
  ])('%s', (_n, raw, byIp, byCert, lockdown) => {
    const c = one(raw);
    expect(restrictsByIp(c)).toBe(byIp);
    expect(restrictsByCertificate(c)).toBe(byCert);
    expect(isRestricting(c)).toBe(byIp || byCert);
    expect(isLockdown(c)).toBe(lockdown);
  });
});

describe('sender scope (CON-2, S8 wildcard rule)', () => {
  test.each<[string, string, boolean]>([
    ['*', '*', true],
    ['*', '*.contoso.com', true],
    ['*.contoso.com', '*', false],
    ['*.contoso.com', 'contoso.com', true],
    ['*.contoso.com', 'mail.Contoso.com', true],
    ['*.contoso.com', '*.eu.contoso.com', true],
    ['*.eu.contoso.com', '*.contoso.com', false],
    ['contoso.com', '*.contoso.com', false],
    [' Contoso.com ', 'contoso.com', true],
    ['contoso.com', 'notcontoso.com', false],
  ])('%s covers %s: %s', (outer, inner, covers) => {
    expect(senderPatternCovers(outer, inner)).toBe(covers);
  });

  test('coversSenders: every domain in scope; undeclared senders only under *', () => {
    const scoped = one({ ConnectorType: 'Partner', SenderDomains: ['smtp:*.contoso.com;1', 'fabrikam.net'] });
    expect(coversSenders(scoped, ['mail.contoso.com', 'fabrikam.net'])).toBe(true);
    expect(coversSenders(scoped, ['mail.contoso.com', 'other.example'])).toBe(false);
    expect(coversSenders(scoped, [])).toBe(false);
    expect(coversSenders(one({ ConnectorType: 'Partner', SenderDomains: ['*'] }), [])).toBe(true);
  });
});

describe('recipient scope (§2.2 AssociatedAcceptedDomains, CON-5)', () => {
  test('empty = every accepted domain; a subset names what it misses; not exported is never "all"', () => {
    expect(recipientGap(one({ AssociatedAcceptedDomains: [] }), ['contoso.com'])).toBeUndefined();
    expect(
      recipientGap(one({ AssociatedAcceptedDomains: ['contoso.com'] }), ['contoso.com', 'fabrikam.net']),
    ).toContain('do not include fabrikam.net');
    expect(
      recipientGap(one({ AssociatedAcceptedDomains: ['Contoso.com'] }), ['contoso.com']),
    ).toBeUndefined();
    expect(recipientGap(one({}), ['contoso.com'])).toBe('its AssociatedAcceptedDomains were not exported');
  });
});

/**
 * The simulator's predicates over compiled connectors and the ones above over export objects are one rule each: on
 * generated connectors, whenever the simulator needs no unknown setting, both give the same answer.
 */
describe('the simulator applies the same connector rules', () => {
  const DOMAINS = [
    'contoso.com',
    'mail.contoso.com',
    'partner.example',
    'sub.partner.example',
    'other.example',
  ];

  /** A world that answers every unknown `false` and records that it was asked. */
  function world(): WorldAnswers & { asked: boolean } {
    return {
      asked: false,
      b(value, _what) {
        if (value !== undefined) return value;
        this.asked = true;
        return false;
      },
    };
  }

  test('on generated tenants', () => {
    let compared = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { cfg, snapshot } = generateConfig(50_000 + seed, { maxConnectors: 8, maxRules: 0 });
      const exported = snapshot.data['Get-InboundConnector'] ?? [];
      const plans = planOf(cfg).connectors;
      expect(plans.length).toBe(exported.length);
      exported.forEach((c, i) => {
        const p = plans[i]!;
        const check = (planned: (w: WorldAnswers) => boolean, direct: boolean, what: string) => {
          const w = world();
          const answer = planned(w);
          if (w.asked) return;
          compared++;
          expect(answer, `seed ${50_000 + seed} connector ${i}: ${what}`).toBe(direct);
        };
        check((w) => planIsPartner(p, w), isPartner(c), 'Partner');
        check((w) => planRestricts(p, w), isEnabled(c) && isRestricting(c), 'restricts');
        check((w) => planSenderInScope(p, w, undefined), coversSenders(c, []), 'null sender in scope');
        for (const d of DOMAINS) {
          check((w) => planSenderInScope(p, w, d), coversSenders(c, [d]), `sender ${d} in scope`);
          check((w) => planRcptInScope(p, w, d, `u@${d}`), recipientGap(c, [d]) === undefined, `rcpt ${d}`);
        }
      });
    }
    expect(compared).toBeGreaterThan(500);
  });
});
