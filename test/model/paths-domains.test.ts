/**
 * Issue 9 A3: attack paths spoof and address every accepted domain; a path's status is the worst over them, its
 * evidence names the deciding domain, `domains` lists each. And the finding that says a domain can be reached
 * directly never disagrees with the paths tried for that domain.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { evaluatePaths, verdictOf } from '../../src/model/paths.js';
import { parseProfile } from '../../src/profile/parse.js';
import type { Report } from '../../src/report/model.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { readExport } from '../../src/snapshot/read.js';
import { generateConfig } from './generate.js';
import {
  baseData,
  configOf,
  DNS_MX_SEG,
  GATEWAY_IPS,
  lockdownIp,
  safetyNet,
  snapshotOf,
  type Data,
} from './helpers.js';
import { cases } from '../support/scale.js';

/** Generated tenants compared: a quick share for `npm test`, all under `npm run test:full`. */
const TENANTS = cases(30, 80);

const profile = parseProfile(`gateway:\n  ips: [${GATEWAY_IPS.join(', ')}]\n`, 'p.yaml');
const gateway = {
  source: 'profile' as const,
  name: 'SEG',
  vendor: undefined,
  ips: GATEWAY_IPS,
  certificate: undefined,
  certificateUnique: false,
  dkimSelectors: [],
  basis: [],
};

/** A `*.onmicrosoft.com` default with two custom domains; the lock-down was scoped before fabrikam.com was added. */
function threeDomains(over: Data = {}): Data {
  const d = baseData();
  d['Get-AcceptedDomain'] = [
    {
      DomainName: 'contoso.onmicrosoft.com',
      DomainType: 'Authoritative',
      Default: true,
      InitialDomain: true,
    },
    { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: false },
    { DomainName: 'fabrikam.com', DomainType: 'Authoritative', Default: false },
  ];
  d['Get-OrganizationConfig'] = [{ Name: 'contoso', RejectDirectSend: true }];
  d['Get-InboundConnector'] = [
    lockdownIp({ AssociatedAcceptedDomains: ['contoso.onmicrosoft.com', 'contoso.com'] }),
  ];
  return { ...d, ...over };
}

describe('every accepted domain is spoofed and addressed', () => {
  test('a domain missing from the lock-down scope opens the path; the evidence names it; domains lists each', () => {
    const paths = evaluatePaths(configOf(threeDomains(), { dns: DNS_MX_SEG }), profile, gateway);
    const foreign = paths.find((p) => p.id === 'path.foreign-domain-direct')!;
    expect(foreign.domains?.map((d) => [d.domain, d.status])).toEqual([
      ['contoso.onmicrosoft.com', 'closed'],
      ['contoso.com', 'closed'],
      ['fabrikam.com', 'open'],
    ]);
    expect(foreign.status).toBe('open');
    expect(foreign.evidence[1]).toMatch(
      /^3 accepted domains tried; deciding domain: fabrikam\.com \(shown: .* to <user@fabrikam\.com>\); open for 1 \(fabrikam\.com\); closed for 2/,
    );
    expect(foreign.domains?.[2]?.outcome.stage).toBe('post-acceptance');
    expect(foreign.domains?.[0]?.outcome.reply).toMatch(/^550 5\.7\.51/);
    expect(verdictOf(paths, gateway).bypass).toBe('open');
  });

  test('with every domain in scope the same tenant is closed for every domain', () => {
    const data = threeDomains({ 'Get-InboundConnector': [lockdownIp()] });
    const paths = evaluatePaths(configOf(data, { dns: DNS_MX_SEG }), profile, gateway);
    for (const id of [
      'path.direct-send-own-domain',
      'path.spoof-header-own-domain',
      'path.foreign-domain-direct',
      'path.null-sender-direct',
    ]) {
      const p = paths.find((x) => x.id === id)!;
      expect(
        p.domains?.map((d) => d.domain),
        id,
      ).toEqual(['contoso.onmicrosoft.com', 'contoso.com', 'fabrikam.com']);
      expect(
        p.domains?.every((d) => d.status === 'closed'),
        id,
      ).toBe(true);
      expect(p.status, id).toBe('closed');
    }
  });

  test('the own-domain spoofs use each domain as sender too (RejectDirectSend judges the P1 domain)', () => {
    const data = threeDomains({ 'Get-InboundConnector': [], 'Get-TransportRule': [safetyNet()] });
    const paths = evaluatePaths(configOf(data, { dns: DNS_MX_SEG }), profile, gateway);
    const ds = paths.find((p) => p.id === 'path.direct-send-own-domain')!;
    // RejectDirectSend refuses each own P1 domain at RCPT (DS-2 [D]).
    expect(ds.domains?.map((d) => d.outcome.reply?.slice(0, 9))).toEqual([
      '550 5.7.6',
      '550 5.7.6',
      '550 5.7.6',
    ]);
  });
});

/** The domains connector.lockdown-recipient-scope says can be reached directly. */
function namedByRecipientScope(report: Report): string[] {
  const f = report.findings.find((x) => x.id === 'connector.lockdown-recipient-scope');
  return (f?.evidence ?? []).flatMap((line) => {
    const m = /^accepted domain (\S+) is not in any lock-down connector's AssociatedAcceptedDomains/.exec(
      line,
    );
    return m ? [m[1]!.toLowerCase()] : [];
  });
}

/** A domain's status on the path that only varies the recipient. */
function foreignStatus(report: Report, domain: string): string | undefined {
  return report.paths
    .find((p) => p.id === 'path.foreign-domain-direct')
    ?.domains?.find((d) => d.domain === domain)?.status;
}

/** Every enabled restricting Partner connector admits every sender domain: only recipient scope tells domains apart. */
function onlyStarLockdowns(snapshot: Snapshot): boolean {
  return (snapshot.data['Get-InboundConnector'] ?? []).every(
    (c) =>
      c.Enabled === false ||
      (c.RestrictDomainsToIPAddresses !== true && c.RestrictDomainsToCertificate !== true) ||
      (c.SenderDomains?.length === 1 && c.SenderDomains[0]?.trim() === '*'),
  );
}

function assertAgree(snapshot: Snapshot, report: Report, label: string): number {
  const named = namedByRecipientScope(report);
  // Never "can be delivered directly" for a domain the paths say is refused in the SMTP session.
  for (const d of named) expect(foreignStatus(report, d), `${label}: ${d}`).not.toBe('closed');
  // The reverse: when the finding passes (or there is no lock-down to scope) and only recipient scope could tell
  // domains apart, the lock-down refuses the
  // recipient-only path in the SMTP session for every domain or for none (after acceptance, rules and policies may
  // still treat recipients differently).
  const finding = report.findings.find((x) => x.id === 'connector.lockdown-recipient-scope');
  if (!(finding?.status === 'pass' || finding?.status === 'not-applicable') || !onlyStarLockdowns(snapshot))
    return 0;
  const p = report.paths.find((x) => x.id === 'path.foreign-domain-direct');
  const refused = new Set((p?.domains ?? []).map((d) => d.status === 'closed'));
  expect(refused.size, `${label}: ${JSON.stringify(p?.domains)}`).toBeLessThanOrEqual(1);
  return 1;
}

describe('finding and paths agree on which domains can be reached directly', () => {
  test.each(['wide-open', 'half-done', 'hardened'])('example %s', async (name) => {
    const snapshot = await readExport(join(import.meta.dirname, '..', '..', 'examples', name));
    assertAgree(snapshot, assessSnapshot(snapshot).report, name);
  });

  test('the three-domain tenant: the finding names fabrikam.com and its path is open', () => {
    const snapshot = snapshotOf(threeDomains(), DNS_MX_SEG);
    const { report } = assessSnapshot(snapshot, { profile });
    expect(namedByRecipientScope(report)).toEqual(['fabrikam.com']);
    expect(foreignStatus(report, 'fabrikam.com')).toBe('open');
    assertAgree(snapshot, report, 'three domains');
  });

  test(`over ${TENANTS} generated tenants`, () => {
    let reverse = 0;
    for (let seed = 1; seed <= TENANTS; seed++) {
      const { snapshot } = generateConfig(seed);
      reverse += assertAgree(snapshot, assessSnapshot(snapshot, { profile }).report, `seed ${seed}`);
    }
    // The reverse direction must have been exercised, not skipped for every tenant.
    expect(reverse).toBeGreaterThan(TENANTS / 16);
  });
});
