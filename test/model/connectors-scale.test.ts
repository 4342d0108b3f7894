/**
 * Issue 10 item 6: a tenant with thousands of inbound connectors. An evaluation's RCPT stage looks only at the
 * restricting connectors whose SenderDomains can select its P1 or From: domain, and at those with a setting not
 * exported (SimPlan.restrictIndex); `simulateReference` tests every connector. Over 3,000 generated connectors — exact,
 * wildcard, mixed-case and `*` patterns, recipient-scoped ones, some settings missing — and attempts aimed at their
 * domains (subdomains, the null sender, a From: that differs from P1), both give the same result, decision for decision.
 */
import { describe, expect, test } from 'vitest';
import { planOf } from '../../src/model/precompiled.js';
import { simulate, simulateReference } from '../../src/model/simulate.js';
import type { Attempt, SimResult } from '../../src/model/types.js';
import type { SnapshotObjects } from '../../src/snapshot/types.js';
import { Gen } from './generate.js';
import { baseData, configOf, DNS_MX_SEG } from './helpers.js';
import { cases } from '../support/scale.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;

const CONNECTORS = 3000;
/** Partner domains: several connectors share each, so more than one can be in scope. */
const DOMAINS = 1200;
/**
 * Each attempt is simulated by the reference too, over every connector in each of 4 worlds: a few seconds in all for
 * the 120 of `npm run test:full`, a third of that for `npm test`.
 */
const ATTEMPTS = cases(40, 120);

const ipOf = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.1`;

function connector(g: Gen, i: number): Connector {
  const k = i % DOMAINS;
  const c: Connector = {
    Name: `partner ${i}`,
    Enabled: !g.chance(0.1),
    ConnectorType: g.chance(0.15) ? 'OnPremises' : 'Partner',
    SenderDomains: [
      g.pick([`p${k}.example`, `*.p${k}.example`, ` P${k}.Example `, `smtp:p${k}.example;1`]),
      ...(g.chance(0.2) ? [`*.q${k}.example`] : []),
    ],
    SenderIPAddresses: g.chance(0.7) ? [ipOf(i)] : [],
    RestrictDomainsToIPAddresses: g.chance(0.5),
    RestrictDomainsToCertificate: g.chance(0.3),
    RequireTls: g.chance(0.3),
    AssociatedAcceptedDomains: g.chance(0.7) ? [] : [g.pick(['contoso.com', 'contoso.onmicrosoft.com'])],
  };
  if (g.chance(0.3)) c.TlsSenderCertificateName = g.pick([`mail.p${k}.example`, `*.p${k}.example`]);
  return c;
}

/** The tenant: the generated connectors, a few that list `*` or lack a setting, in between. */
function tenantConnectors(): Connector[] {
  const g = new Gen(42);
  const list = Array.from({ length: CONNECTORS }, (_, i) => connector(g, i));
  const at = (i: number, c: Connector) => list.splice(i, 0, c);
  at(100, {
    Name: 'every sender',
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['*'],
    SenderIPAddresses: ['192.0.2.0/24'],
    RestrictDomainsToIPAddresses: true,
    RestrictDomainsToCertificate: false,
    AssociatedAcceptedDomains: ['contoso.onmicrosoft.com'],
  });
  // Settings not exported: asked of the world in every evaluation.
  at(1500, {
    Name: 'no restriction flag',
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['p7.example'],
    SenderIPAddresses: [],
    RestrictDomainsToCertificate: false,
    AssociatedAcceptedDomains: [],
  });
  at(2000, {
    Name: 'no associated domains',
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['*.p9.example'],
    SenderIPAddresses: [],
    RestrictDomainsToIPAddresses: true,
    RestrictDomainsToCertificate: false,
  });
  return list;
}

function domain(g: Gen): string {
  const k = g.int(DOMAINS + 50); // some beyond every connector's domains
  return g.pick([
    `p${k}.example`,
    `mail.p${k}.example`,
    `q${k}.example`,
    `x.q${k}.example`,
    `a.mail.p${k}.example`,
    `P${k}.EXAMPLE`,
    'contoso.com',
    'sender.example',
  ]);
}

function attempt(g: Gen): Attempt {
  const from = g.chance(0.05) ? '' : `x@${domain(g)}`;
  const i = g.int(CONNECTORS);
  return {
    clientIp: g.pick([ipOf(i), ipOf(i), '192.0.2.9', '198.18.7.7']),
    tls: g.chance(0.8),
    certNames: g.chance(0.3) ? [`mail.p${i % DOMAINS}.example`] : [],
    mailFrom: from,
    headerFrom: g.chance(0.5) && from !== '' ? from : `ceo@${domain(g)}`,
    rcpts: [g.pick(['user@contoso.com', 'user@contoso.onmicrosoft.com', 'user@elsewhere.example'])],
    adversarial: g.chance(0.5),
  };
}

const rules = (r: SimResult) => r.outcomes.flatMap((o) => o.decisions.map((d) => d.rule));

describe('3,000 inbound connectors (issue 10 item 6)', () => {
  const d = baseData();
  d['Get-InboundConnector'] = tenantConnectors();
  const cfg = configOf(d, { dns: DNS_MX_SEG });

  test('the restricting connectors are found by sender domain, those missing a setting are always looked at', () => {
    const plan = planOf(cfg);
    const ri = plan.restrictIndex;
    const names = (is: readonly number[]) => is.map((i) => plan.maybeRestricting[i]!.p.c.name);
    expect(names(ri.asked)).toEqual(['no restriction flag', 'no associated domains']);
    expect(names(ri.nullSender)).toEqual(['every sender']);
    expect(ri.bySender.exact.size + ri.bySender.wildcard.size).toBeGreaterThan(1000);
  });

  test('simulate agrees with simulateReference, which tests every connector', () => {
    const g = new Gen(7);
    const seen = new Set<string>();
    for (let k = 0; k < ATTEMPTS; k++) {
      const a = attempt(g);
      const expected = simulateReference(cfg, a);
      expect(simulate(cfg, a), JSON.stringify(a)).toEqual(expected);
      for (const r of rules(expected)) seen.add(r);
      for (const o of expected.outcomes)
        for (const dec of o.decisions) {
          if (dec.text.startsWith('satisfies restricting connector')) seen.add('satisfied');
          if (dec.text.includes('in scope of restricting connector(s)')) seen.add('refused by scope');
        }
      if (expected.uncertainties.some((u) => u.startsWith('not in the export'))) seen.add('unknown settings');
    }
    // The comparison reached the decisions the index bears on.
    for (const f of ['CON-2', 'CON-5', 'CON-6', 'satisfied', 'refused by scope', 'unknown settings'])
      expect(seen, f).toContain(f);
  }, 120_000);
});
