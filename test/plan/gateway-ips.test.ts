/**
 * IP lock-down: the connector the plan restricts must list every gateway egress entry by the time it restricts, or the
 * gateway's mail from an entry it lacks is refused with 550 5.7.51 (eop-model CON-5 [D]); and the safety check must
 * refuse a plan that forgets one (path.gateway-delivery is simulated from every gateway entry).
 */
import { describe, expect, test } from 'vitest';
import { applyAll, planChanges, revertAll } from '../../src/plan/index.js';
import type { Change, Stage } from '../../src/plan/types.js';
import type { ResolvedGateway } from '../../src/common/gateway.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { parseProfile } from '../../src/profile/parse.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, IPV4_ONLY, partner, tenant as anyTenant } from './builders.js';

/** These cases are about IPv4 entries: the tenant takes no IPv6 (IPv6 is test/plan/ipv6.test.ts's). */
const tenant = (...[connectors, cmdlets, dns]: Parameters<typeof anyTenant>) =>
  anyTenant(connectors, { ...IPV4_ONLY, ...cmdlets }, dns);

const GATEWAY = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10', '198.51.100.0/28'] });
const PRINTER: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'HQ printer', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
};

/** A Partner connector as this file's cases have it: RequireTls $true. */
const seg = (name: string, props: Record<string, unknown> = {}) =>
  partner(name, { RequireTls: true, ...props });

function planOf(snapshot: Snapshot, profile: Profile = EMPTY_PROFILE, gateway: ResolvedGateway = GATEWAY) {
  const draft = planChanges({ snapshot, profile, gateway });
  expect(draft.blocked).toBeUndefined();
  return draft.stages;
}

function check(snapshot: Snapshot, stages: Stage[], profile: Profile = EMPTY_PROFILE) {
  return checkStages({ snapshot, profile, gateway: GATEWAY, stages });
}

/** The connector changes that touch `prop`, as `[stage, identity, value]`. */
function setting(stages: Stage[], prop: string): [number, string, unknown][] {
  return stages.flatMap((s) =>
    s.changes
      .filter((c) => c.kind === 'InboundConnector' && prop in c.after)
      .map((c): [number, string, unknown] => [s.no, c.identity, c.after[prop]]),
  );
}

const connectorOf = (s: Snapshot, name: string) =>
  s.data['Get-InboundConnector']?.find((c) => c.Name === name);
const statusAfter = (c: ReturnType<typeof check>, id: string) => c.after.find((p) => p.id === id)?.status;

describe('IP lock-down: every gateway entry on the connector no later than the restriction (CON-5 [D])', () => {
  test('(a) a connector listing part of the gateway gets the missing range in the change that restricts it', () => {
    const snapshot = tenant([seg('SEG')]);
    const stages = planOf(snapshot);
    expect(setting(stages, 'SenderIPAddresses')).toEqual([[2, 'SEG', ['203.0.113.10', '198.51.100.0/28']]]);
    expect(setting(stages, 'RestrictDomainsToIPAddresses')).toEqual([[2, 'SEG', true]]);
    const stage2 = stages[2]!.changes.find((c) => c.identity === 'SEG')!;
    expect(stage2.before['SenderIPAddresses']).toEqual(['203.0.113.10']);
    expect(stage2.why.join('\n')).toContain("adds the gateway's 198.51.100.0/28");

    const checked = check(snapshot, stages);
    expect(checked.plan.refusal).toBeUndefined();
    expect(
      checked.stages.find((s) => s.stage === 2)?.paths.find((p) => p.id === 'path.gateway-delivery'),
    ).toMatchObject({ status: 'preserved' });
    expect(statusAfter(checked, 'path.gateway-delivery')).toBe('preserved');

    const changes = stages.flatMap((s) => s.changes);
    const reverted = revertAll(applyAll(snapshot, changes), changes, snapshot);
    expect(connectorOf(reverted, 'SEG')?.SenderIPAddresses).toEqual(['203.0.113.10']);
    expect(reverted).toEqual(snapshot);
  });

  test('(a) with a declared source, stage 0 adds the range and the source, and stage 2 only restricts', () => {
    const snapshot = tenant([seg('SEG')]);
    const stages = planOf(snapshot, PRINTER);
    expect(setting(stages, 'SenderIPAddresses')).toEqual([
      [0, 'SEG', ['203.0.113.10', '198.51.100.0/28', '192.0.2.50']],
    ]);
    expect(stages[0]!.changes[0]!.why.join('\n')).toContain("adds the gateway's 198.51.100.0/28");
    const checked = check(snapshot, stages, PRINTER);
    expect(checked.plan.refusal).toBeUndefined();
    expect(statusAfter(checked, 'path.gateway-delivery')).toBe('preserved');
    // Without DNS data its spoof verdict is unknown (uncertain), but it passes the lock-down at RCPT.
    const printer = checked.after.find((p) => p.id === 'path.declared-source:HQ printer');
    expect(printer?.status).not.toBe('broken');
    expect(printer?.evidence).toContain("CON-5 [D]: satisfies restricting connector 'SEG'");
  });

  test('a lock-down already in place that lacks a range: stage 2 repairs the gateway mail it refuses today', () => {
    const snapshot = tenant([seg('SEG', { RestrictDomainsToIPAddresses: true })]);
    const stages = planOf(snapshot);
    expect(setting(stages, 'SenderIPAddresses')).toEqual([[2, 'SEG', ['203.0.113.10', '198.51.100.0/28']]]);
    const checked = check(snapshot, stages);
    expect(checked.before.find((p) => p.id === 'path.gateway-delivery')?.status).toBe('broken');
    expect(statusAfter(checked, 'path.gateway-delivery')).toBe('preserved');
  });

  test('a fallback lock-down the gateway does not match keeps its entries and gains the gateway', () => {
    const snapshot = tenant([
      seg('Other lock-down', { SenderIPAddresses: ['192.0.2.1'], RestrictDomainsToIPAddresses: true }),
    ]);
    const stages = planOf(snapshot);
    expect(setting(stages, 'SenderIPAddresses')).toEqual([
      [2, 'Other lock-down', ['192.0.2.1', '203.0.113.10', '198.51.100.0/28']],
    ]);
    const checked = check(snapshot, stages);
    expect(checked.plan.refusal).toBeUndefined();
    expect(statusAfter(checked, 'path.gateway-delivery')).toBe('preserved');
    const changes = stages.flatMap((s) => s.changes);
    expect(
      connectorOf(revertAll(applyAll(snapshot, changes), changes, snapshot), 'Other lock-down')
        ?.SenderIPAddresses,
    ).toEqual(['192.0.2.1']);
  });

  test.each<[string, string[], string[]]>([
    ['a wider range already listed', ['198.51.100.0/24', '203.0.113.10'], ['198.51.100.0/28']],
    ['the same range written as a dash range', ['203.0.113.10', '198.51.100.0-198.51.100.15'], []],
    ['two halves that together cover it', ['203.0.113.10', '198.51.100.0/29', '198.51.100.8/29'], []],
  ])('(b) %s: SenderIPAddresses is left as it is', (_name, listed) => {
    const snapshot = tenant([seg('SEG', { SenderIPAddresses: listed })]);
    expect(setting(planOf(snapshot), 'SenderIPAddresses')).toEqual([]);
    expect(setting(planOf(snapshot), 'RestrictDomainsToIPAddresses')).toEqual([[2, 'SEG', true]]);
  });

  test('(b) with a declared source, stage 0 adds the source only, not a narrower copy of a listed range', () => {
    const snapshot = tenant([seg('SEG', { SenderIPAddresses: ['198.51.100.0/24', '203.0.113.10'] })]);
    expect(setting(planOf(snapshot, PRINTER), 'SenderIPAddresses')).toEqual([
      [0, 'SEG', ['198.51.100.0/24', '203.0.113.10', '192.0.2.50']],
    ]);
  });

  test('no connector yet: the one stage 0 creates lists every gateway entry, and stage 2 adds nothing', () => {
    const stages = planOf(tenant([]));
    expect(setting(stages, 'SenderIPAddresses')).toEqual([
      [0, 'mxlock - From Example SEG', ['203.0.113.10', '198.51.100.0/28']],
    ]);
  });

  test('certificate mode is unchanged: no gateway IPs on the certificate lock-down (CON-3 [D])', () => {
    const gateway = makeGateway({ ...GATEWAY, certificate: '*.seg.example' });
    const snapshot = tenant([seg('SEG', { TlsSenderCertificateName: '*.seg.example' })]);
    const stages = planOf(snapshot, EMPTY_PROFILE, gateway);
    expect(setting(stages, 'SenderIPAddresses')).toEqual([[2, 'SEG', []]]);
    expect(setting(stages, 'RestrictDomainsToCertificate')).toEqual([[2, 'SEG', true]]);
  });
});

describe('the safety check refuses a lock-down that forgets a gateway range', () => {
  /** The planner's stages with stage 2's SenderIPAddresses taken out: the restriction as it was before the fix. */
  function withoutGatewayIps(stages: Stage[]): Stage[] {
    return stages.map((s) => ({
      ...s,
      changes: s.changes.map((c): Change => {
        if (s.no !== 2 || !('SenderIPAddresses' in c.after)) return c;
        const { SenderIPAddresses: _a, ...after } = c.after;
        const { SenderIPAddresses: _b, ...before } = c.before;
        return { ...c, id: `${c.id}:restrict-only`, after, before };
      }),
    }));
  }

  test('(c) stage 2 is refused, naming path.gateway-delivery and the refused gateway address', () => {
    const snapshot = tenant([seg('SEG')]);
    const stages = withoutGatewayIps(planOf(snapshot));
    expect(setting(stages, 'SenderIPAddresses')).toEqual([]);
    expect(setting(stages, 'RestrictDomainsToIPAddresses')).toEqual([[2, 'SEG', true]]);
    const refusal = check(snapshot, stages).plan.refusal;
    expect(refusal?.stage).toBe(2);
    expect(refusal?.paths.map((p) => p.id)).toEqual(['path.gateway-delivery']);
    const [path] = refusal!.paths;
    expect(path!.rules).toEqual(['CON-5 [D]']);
    const evidence = path!.evidence.join('\n');
    // 198.51.100.0/28 is simulated from its first and last host; 203.0.113.10, which the connector lists, still delivers.
    expect(evidence).toContain(
      'broken in 2 of 3 attempts: 198.51.100.1 with MAIL FROM <partner@sender.example>, 198.51.100.14 with MAIL FROM <partner@sender.example>',
    );
    expect(evidence).toMatch(/CON-5 \[D\]: .*IP 198\.51\.100\.(1|14)\)/);
  });
});

describe('a certificate lock-down the profile does not tie to the gateway', () => {
  test('the plan is blocked until gateway.certificate is declared: no guess either way', () => {
    // The lock-down may be a previous gateway's or a SaaS's: keeping it, replacing it or restricting by IP beside it
    // could each lock the gateway out or let others in (§12 OQ-2).
    for (const connectors of [
      [seg('SEG', { TlsSenderCertificateName: '*.gw.example', RestrictDomainsToCertificate: true })],
      [
        seg('SEG cert', {
          SenderIPAddresses: [],
          TlsSenderCertificateName: '*.gw.example',
          RestrictDomainsToCertificate: true,
        }),
        seg('SEG ip', { RequireTls: false }),
      ],
    ]) {
      const draft = planChanges({ snapshot: tenant(connectors), profile: EMPTY_PROFILE, gateway: GATEWAY });
      expect(draft.stages).toEqual([]);
      expect(draft.blocked).toMatch(
        /restricts every sender domain to the certificate \*\.gw\.example, which mxlock cannot tie to the gateway: declare gateway\.certificate/,
      );
    }
  });

  test('through the profile: a lock-down matching the declared IPs lends its certificate, and the plan keeps it', () => {
    const snapshot = tenant([
      seg('SEG', { TlsSenderCertificateName: '*.gw.example', RestrictDomainsToCertificate: true }),
    ]);
    const gateway = resolveGateway(parseProfile('gateway:\n  ips: [203.0.113.10]\n', 'p.yaml'), snapshot);
    expect(gateway.certificate).toBe('*.gw.example');
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway });
    expect(draft.blocked).toBeUndefined();
    expect(setting(draft.stages, 'RestrictDomainsToIPAddresses')).toEqual([]);
    // As in every certificate lock-down, the IPs leave the certificate connector (CON-3 [D]).
    expect(setting(draft.stages, 'SenderIPAddresses')).toEqual([[2, 'SEG', []]]);
    expect(setting(draft.stages, 'TlsSenderCertificateName')).toEqual([]);
  });
});

describe('IP lock-down: entries kept on the connector that nobody declared are named (CON-5 [D], DS-2 [D])', () => {
  test('a stale range on the gateway connector is kept, with a warning naming it', () => {
    const gateway = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10'] });
    const profile: Profile = {
      ...EMPTY_PROFILE,
      hybrid: { ips: ['192.0.2.10'] },
      directSendSources: [{ name: 'HQ printer', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
    };
    const snapshot = tenant([
      seg('SEG', { SenderIPAddresses: ['203.0.113.10', '192.0.2.0/24', '192.0.2.10', '192.0.2.50'] }),
    ]);
    const draft = planChanges({ snapshot, profile, gateway });
    expect(setting(draft.stages, 'RestrictDomainsToIPAddresses')).toEqual([[2, 'SEG', true]]);
    const kept = draft.warnings.filter((w) => w.includes('in SenderIPAddresses when it restricts by IP'));
    expect(kept).toEqual([
      "'SEG' keeps 192.0.2.0/24 in SenderIPAddresses when it restricts by IP: neither a gateway.ips entry, a declared Direct Send source nor hybrid, so mail from there will satisfy the lock-down (CON-5 [D]) and skip RejectDirectSend (DS-2 [D]); remove what is not yours, or declare it in mxlock.yaml",
    ]);
  });

  test('nothing to name when the connector lists only the gateway', () => {
    const draft = planChanges({
      snapshot: tenant([seg('SEG')]),
      profile: EMPTY_PROFILE,
      gateway: GATEWAY,
    });
    expect(draft.warnings.join('\n')).not.toContain('when it restricts by IP');
  });
});

describe('SenderIPAddresses written in the form the cmdlet takes (IPv4, /24 to /32: eop-model §2.2 [D] S8)', () => {
  const WIDE = makeGateway({
    name: 'Example SEG',
    ips: ['203.0.113.10', '198.51.100.0/22', '2001:db8:1::/48'],
  });

  test('a /22 is split into /24s and IPv6 is left out, each with a warning; rollback restores the export', () => {
    const snapshot = tenant([seg('SEG')]);
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway: WIDE });
    expect(setting(draft.stages, 'SenderIPAddresses')).toEqual([
      [
        2,
        'SEG',
        ['203.0.113.10', '198.51.100.0/24', '198.51.101.0/24', '198.51.102.0/24', '198.51.103.0/24'],
      ],
    ]);
    const text = draft.warnings.join('\n');
    expect(text).toContain(
      'gateway.ips entry 198.51.100.0/22 is written to SenderIPAddresses as 198.51.100.0/24, 198.51.101.0/24, 198.51.102.0/24, 198.51.103.0/24',
    );
    expect(text).toContain(
      'gateway.ips entry 2001:db8:1::/48 is IPv6, which SenderIPAddresses does not take',
    );
    const changes = draft.stages.flatMap((s) => s.changes);
    expect(revertAll(applyAll(snapshot, changes), changes, snapshot)).toEqual(snapshot);
    expect(changes.find((c) => 'SenderIPAddresses' in c.after)?.before['SenderIPAddresses']).toEqual([
      '203.0.113.10',
    ]);
  });

  test.each<[string, string[], string]>([
    ['a dash range', ['198.51.100.0-198.51.100.5'], '198.51.100.0/30, 198.51.100.4/31'],
    ['an unaligned CIDR', ['198.51.100.7/24'], '198.51.100.0/24'],
  ])('%s is rewritten as CIDR blocks', (_name, ips, written) => {
    const gateway = makeGateway({ name: 'Example SEG', ips });
    const draft = planChanges({ snapshot: tenant([]), profile: EMPTY_PROFILE, gateway });
    expect(setting(draft.stages, 'SenderIPAddresses')).toEqual([
      [0, 'mxlock - From Example SEG', written.split(', ')],
    ]);
  });

  test('a range wider than a /16 is left out with a warning rather than written as thousands of /24s', () => {
    const gateway = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10', '10.0.0.0/15'] });
    const draft = planChanges({ snapshot: tenant([seg('SEG')]), profile: EMPTY_PROFILE, gateway });
    expect(setting(draft.stages, 'SenderIPAddresses')).toEqual([]);
    expect(draft.warnings.join('\n')).toContain(
      'gateway.ips entry 10.0.0.0/15 spans more than 256 blocks of /24',
    );
    // A /16 is still written: 256 entries.
    const sixteen = planChanges({
      snapshot: tenant([seg('SEG')]),
      profile: EMPTY_PROFILE,
      gateway: makeGateway({ name: 'Example SEG', ips: ['203.0.113.10', '10.0.0.0/16'] }),
    });
    expect((setting(sixteen.stages, 'SenderIPAddresses')[0]?.[2] as string[]).length).toBe(257);
    // Its warning sums the 256 blocks up rather than listing them all on one line.
    const warning = sixteen.warnings.find((w) => w.startsWith('gateway.ips entry 10.0.0.0/16'));
    expect(warning).toBe(
      'gateway.ips entry 10.0.0.0/16 is written to SenderIPAddresses as 256 blocks, 10.0.0.0/24 to 10.0.255.0/24: the cmdlet takes IPv4 CIDR /24 to /32 only (eop-model §2.2 [D] S8)',
    );
  });

  test('a declared source range wider than /24 is split on the connector created for it (certificate mode)', () => {
    const gateway = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10'], certificate: '*.seg.example' });
    const profile: Profile = {
      ...EMPTY_PROFILE,
      directSendSources: [
        { name: 'Plant', ips: ['192.0.2.0/23', '2001:db8::5'], senders: ['plant@contoso.com'] },
      ],
    };
    const snapshot = tenant([seg('SEG', { TlsSenderCertificateName: '*.seg.example' })]);
    const draft = planChanges({ snapshot, profile, gateway });
    expect(setting(draft.stages, 'SenderIPAddresses')).toContainEqual([
      0,
      'mxlock - Direct Send: Plant',
      ['192.0.2.0/24', '192.0.3.0/24'],
    ]);
    expect(draft.warnings.join('\n')).toContain("declared source 'Plant' address 2001:db8::5 is IPv6");
  });
});
