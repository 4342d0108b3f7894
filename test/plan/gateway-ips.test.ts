/**
 * IP lock-down: the connector the plan restricts must list every gateway egress entry by the time it restricts, or the
 * gateway's mail from an entry it lacks is refused with 550 5.7.51 (eop-model CON-5 [D]); and the safety check must
 * refuse a plan that forgets one (path.gateway-delivery is simulated from every gateway entry).
 */
import { describe, expect, test } from 'vitest';
import { applyAll, checkPlan, planChanges, revertAll } from '../../src/plan/index.js';
import type { Change, Stage } from '../../src/plan/types.js';
import type { ResolvedGateway } from '../../src/profile/gateway.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeGateway, makeSnapshot, type ExportData } from '../checks/helpers.js';

const GATEWAY = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10', '198.51.100.0/28'] });
const PRINTER: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'HQ printer', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
};

function partner(name: string, props: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: name,
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['smtp:*;1'],
    SenderIPAddresses: ['203.0.113.10'],
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    RequireTls: true,
    AssociatedAcceptedDomains: [],
    ...props,
  };
}

function tenant(connectors: Record<string, unknown>[]): Snapshot {
  return makeSnapshot({
    'Get-InboundConnector': connectors,
    'Get-TransportRule': [],
    'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: false }],
    'Get-AcceptedDomain': [{ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true }],
  } as ExportData);
}

function planOf(snapshot: Snapshot, profile: Profile = EMPTY_PROFILE, gateway: ResolvedGateway = GATEWAY) {
  const draft = planChanges({ snapshot, profile, gateway });
  expect(draft.blocked).toBeUndefined();
  return draft.stages;
}

function check(snapshot: Snapshot, stages: Stage[], profile: Profile = EMPTY_PROFILE) {
  return checkPlan({
    tenant: 'contoso',
    snapshot,
    profile,
    gateway: GATEWAY,
    stages,
    warnings: [],
    dnsRecords: [],
  });
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
    const snapshot = tenant([partner('SEG')]);
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
    const snapshot = tenant([partner('SEG')]);
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
    const snapshot = tenant([partner('SEG', { RestrictDomainsToIPAddresses: true })]);
    const stages = planOf(snapshot);
    expect(setting(stages, 'SenderIPAddresses')).toEqual([[2, 'SEG', ['203.0.113.10', '198.51.100.0/28']]]);
    const checked = check(snapshot, stages);
    expect(checked.before.find((p) => p.id === 'path.gateway-delivery')?.status).toBe('broken');
    expect(statusAfter(checked, 'path.gateway-delivery')).toBe('preserved');
  });

  test('a fallback lock-down the gateway does not match keeps its entries and gains the gateway', () => {
    const snapshot = tenant([
      partner('Other lock-down', { SenderIPAddresses: ['192.0.2.1'], RestrictDomainsToIPAddresses: true }),
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
    const snapshot = tenant([partner('SEG', { SenderIPAddresses: listed })]);
    expect(setting(planOf(snapshot), 'SenderIPAddresses')).toEqual([]);
    expect(setting(planOf(snapshot), 'RestrictDomainsToIPAddresses')).toEqual([[2, 'SEG', true]]);
  });

  test('(b) with a declared source, stage 0 adds the source only, not a narrower copy of a listed range', () => {
    const snapshot = tenant([partner('SEG', { SenderIPAddresses: ['198.51.100.0/24', '203.0.113.10'] })]);
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
    const snapshot = tenant([partner('SEG', { TlsSenderCertificateName: '*.seg.example' })]);
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
    const snapshot = tenant([partner('SEG')]);
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

describe('a connector that already restricts to a certificate the profile does not name', () => {
  test('keeps the certificate lock-down: no IP restriction added on top (CON-3 [D]), and the plan says why', () => {
    const snapshot = tenant([
      partner('SEG', { TlsSenderCertificateName: '*.gw.example', RestrictDomainsToCertificate: true }),
    ]);
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY });
    expect(draft.blocked).toBeUndefined();
    expect(setting(draft.stages, 'RestrictDomainsToIPAddresses')).toEqual([]);
    // As in every certificate lock-down, the IPs leave the certificate connector (CON-3 [D]).
    expect(setting(draft.stages, 'SenderIPAddresses')).toEqual([[2, 'SEG', []]]);
    expect(setting(draft.stages, 'TlsSenderCertificateName')).toEqual([]);
    expect(draft.warnings.join('\n')).toContain(
      "'SEG' already restricts to the certificate *.gw.example, which mxlock.yaml does not declare",
    );
  });
});
