/**
 * Issue 9 A4: every enabled inbound connector that is neither the gateway's nor a lock-down is a legitimate flow,
 * `path.connector:<name>` (DESIGN §5): from its IPs, else its sender domains' SPF addresses [I], else uncertain; and the
 * plan never says "legitimate flows preserved" while a stage breaks one (DESIGN §6).
 */
import { describe, expect, test } from 'vitest';
import { assessSnapshot, existingFlows } from '../../src/assess.js';
import { zoneFromJson } from '../../src/common/zone.js';
import { connectorFlows } from '../../src/model/flows.js';
import { planChanges } from '../../src/plan/planner.js';
import { buildPlan } from '../../src/plan/index.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { parseProfile } from '../../src/profile/parse.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import type { InboundConnector } from '../../src/snapshot/schema.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, partner, tenant } from '../plan/builders.js';

const GATEWAY = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10'] });

const allowByDomain = (props: Record<string, unknown> = {}) =>
  partner('Fabrikam partner', {
    SenderDomains: ['fabrikam.example'],
    SenderIPAddresses: ['198.51.100.77'],
    RequireTls: true,
    ...props,
  });

describe('connectorFlows: which connectors are flows, and where their mail comes from', () => {
  const flowsOf = (connectors: Record<string, unknown>[], dns?: Record<string, object>) =>
    existingFlows(
      tenant(connectors, {}, dns ? zoneFromJson(dns as Parameters<typeof zoneFromJson>[0]) : undefined),
      GATEWAY,
      EMPTY_PROFILE,
    );

  test('the gateway connector, a lock-down, a disabled connector and one whose Enabled is unknown are not flows', () => {
    const flows = flowsOf([
      partner('SEG'), // lists the gateway IP
      partner('Old lock-down', { SenderIPAddresses: ['192.0.2.9'], RestrictDomainsToIPAddresses: true }),
      allowByDomain({ Name: 'Disabled partner', Enabled: false }),
      allowByDomain({ Name: 'Unknown state', Enabled: undefined }),
      allowByDomain(),
    ]);
    expect(flows.map((f) => [f.name, f.addresses, f.ips])).toEqual([
      ['Fabrikam partner', 'connector', ['198.51.100.77']],
    ]);
  });

  test('a TLS partner matched by certificate only, an OnPremises relay, and one with nothing to go by', () => {
    const flows = flowsOf([
      partner('Contoso SaaS', {
        SenderDomains: ['mail.saas.example'],
        SenderIPAddresses: [],
        TlsSenderCertificateName: '*.saas.example',
      }),
      {
        Name: 'App relay',
        Enabled: true,
        ConnectorType: 'OnPremises',
        SenderIPAddresses: ['192.0.2.60'],
        SenderDomains: ['smtp:*;1'],
      },
      partner('Mystery', { SenderDomains: ['nowhere.example'], SenderIPAddresses: [] }),
    ]);
    expect(flows.map((f) => [f.name, f.addresses, f.senderDomains])).toEqual([
      ['Contoso SaaS', 'certificate-only', ['mail.saas.example']],
      ['App relay', 'connector', undefined],
      ['Mystery', 'none', ['nowhere.example']],
    ]);
    expect(flows[2]!.basis.join(' ')).toMatch(
      /SPF names none for nowhere\.example \(nowhere\.example: DNS not analysed\)/,
    );
  });

  test("a partner that lists no address sends from its domain's SPF addresses [I]", () => {
    const flows = flowsOf([allowByDomain({ SenderIPAddresses: [] })], {
      'fabrikam.example': { TXT: ['v=spf1 ip4:198.51.100.64/27 ip4:198.51.100.200 -all'] },
    });
    expect(flows[0]).toMatchObject({ addresses: 'spf', ips: ['198.51.100.64/27', '198.51.100.200'] });
    expect(flows[0]!.basis[0]).toMatch(/SPF records of fabrikam\.example authorise .* \[I\]$/);
  });

  test('an SPF record that cannot be listed in full gives no addresses (a partial list would pass for the whole)', () => {
    const flows = flowsOf([allowByDomain({ SenderIPAddresses: [] })], {
      'fabrikam.example': { TXT: ['v=spf1 ip4:198.51.100.64/27 exists:%{i}.spf.fabrikam.example -all'] },
    });
    expect(flows[0]!.addresses).toBe('none');
  });

  test('a connector listed twice under one name is one flow', () => {
    const c = allowByDomain() as InboundConnector;
    expect(connectorFlows([c, c], undefined, undefined)).toHaveLength(1);
  });
});

describe('path.connector:<name> in assess and plan', () => {
  test('assess reports each flow as a legitimate path, uncertain when its addresses are unknown', () => {
    const snapshot = tenant([
      partner('SEG'),
      allowByDomain(),
      partner('Mystery', { SenderDomains: ['nowhere.example'], SenderIPAddresses: [] }),
    ]);
    const { report } = assessSnapshot(snapshot, {
      profile: parseProfile('gateway:\n  ips: [203.0.113.10]\n', 'mxlock.yaml'),
    });
    const byId = new Map(report.paths.map((p) => [p.id, p]));
    expect(byId.get('path.connector:Fabrikam partner')).toMatchObject({
      kind: 'legitimate',
      status: 'preserved',
    });
    const mystery = byId.get('path.connector:Mystery');
    expect(mystery?.status).toBe('uncertain');
    expect(mystery?.evidence.at(-1)).toMatch(/^uncertain: the connector lists no address or certificate/);
    expect(report.verdict.legitimateFlows).toBe('uncertain');
    expect(report.verdict.summary).toContain('path.connector:Mystery');
  });

  test('an allow-by-domain partner is kept: its IPs join the IP lock-down and the safety net exceptions (DESIGN §6)', () => {
    const snapshot = tenant([partner('SEG'), allowByDomain()]);
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY });
    expect(draft.blocked).toBeUndefined();
    const checked = checkStages({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY, stages: draft.stages });
    expect(checked.plan.refusal).toBeUndefined();
    const changes = draft.stages.flatMap((s) => s.changes);
    const seg = changes.filter((c) => c.identity === 'SEG' && 'SenderIPAddresses' in c.after);
    expect(seg.at(-1)?.after['SenderIPAddresses']).toEqual(['203.0.113.10', '198.51.100.77']);
    const net = changes.find((c) => c.kind === 'TransportRule' && 'ExceptIfSenderIpRanges' in c.after);
    expect(net?.after['ExceptIfSenderIpRanges']).toContain('198.51.100.77');
    expect(draft.stages[0]!.notes.join('\n')).toContain(
      "Inbound connector 'Fabrikam partner' carries mail someone set up",
    );
    const before = checked.before.find((p) => p.id === 'path.connector:Fabrikam partner');
    const after = checked.after.find((p) => p.id === 'path.connector:Fabrikam partner');
    expect([before?.status, after?.status]).toEqual(['preserved', 'preserved']);
  });

  test('a partner matched by certificate only cannot be admitted by IP: stage 2 is refused, naming the connector', () => {
    const snapshot = tenant([
      partner('SEG'),
      allowByDomain({ SenderIPAddresses: [], TlsSenderCertificateName: 'mail.fabrikam.example' }),
    ]);
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY });
    const checked = checkStages({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY, stages: draft.stages });
    expect(checked.plan.refusal?.stage).toBe(2);
    expect(checked.plan.refusal?.paths.find((p) => p.id === 'path.connector:Fabrikam partner')).toMatchObject(
      {
        before: 'preserved',
        after: 'broken',
        rules: ['CON-5 [D]'],
      },
    );
    expect(checked.plan.refusal?.explanation).toContain('would break path.connector:Fabrikam partner');
    expect(checked.plan.refusal?.explanation).toContain(
      "The inbound connector 'Fabrikam partner' carries mail",
    );
  });
});

describe('flows the plan must not admit, found in review', () => {
  const profile = parseProfile('gateway:\n  name: Mimecast\n  ips: [203.0.113.10]\n', 'mxlock.yaml');
  const MIMECAST_MX = { MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }] };
  const tlsPartner = partner('Fabrikam TLS', {
    SenderDomains: ['smtp:fabrikam.com;1'],
    SenderIPAddresses: [],
    RequireTls: true,
  });
  const planOf = (dns: Record<string, object>) => {
    const zone = zoneFromJson(dns as Parameters<typeof zoneFromJson>[0]);
    const snapshot = tenant([partner('Mimecast inbound'), tlsPartner], {}, zone);
    const gateway = resolveGateway(profile, snapshot);
    const { report } = assessSnapshot(snapshot, { profile, zone });
    const built = buildPlan({ snapshot, profile, gateway, report, zone });
    if (!built.ok) throw new Error(built.reason);
    return built.checked;
  };
  const lockdownIps = (checked: ReturnType<typeof planOf>) =>
    checked.plan.stages
      .flatMap((s) => s.changes)
      .filter((c) => c.kind === 'InboundConnector' && c.identity === 'Mimecast inbound')
      .flatMap((c) => (c.after['SenderIPAddresses'] as string[] | undefined) ?? []);

  test("a partner on Microsoft 365 (SPF include:spf.protection.outlook.com): Exchange Online's shared ranges never join the lock-down", () => {
    const checked = planOf({
      'contoso.com': MIMECAST_MX,
      'fabrikam.com': { TXT: ['v=spf1 include:spf.protection.outlook.com -all'] },
      'spf.protection.outlook.com': {
        TXT: ['v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:104.47.0.0/17 -all'],
      },
    });
    expect(lockdownIps(checked).some((e) => /^(40\.92|40\.107|52\.100|104\.47)\./.test(e))).toBe(false);
    const nets = checked.plan.stages
      .flatMap((s) => s.changes)
      .filter((c) => c.kind === 'TransportRule')
      .flatMap((c) => (c.after['ExceptIfSenderIpRanges'] as string[] | undefined) ?? []);
    expect(nets.some((e) => /^(40\.92|40\.107|52\.100|104\.47)\./.test(e))).toBe(false);
    // Its addresses are unknown (shared by every tenant): the path is uncertain, with the reason...
    const before = checked.before.find((p) => p.id === 'path.connector:Fabrikam TLS');
    expect(before?.status).toBe('uncertain');
    expect(before?.evidence.join(' ')).toContain('whose outbound addresses every tenant shares');
    // ...and the lock-down that would refuse it is refused, naming the connector.
    expect(checked.plan.refusal?.stage).toBe(2);
    expect(checked.plan.refusal?.explanation).toContain('would break path.connector:Fabrikam TLS');
  });

  test('a partner whose addresses are unknown is never locked out silently: stage 2 is refused, naming it', () => {
    const checked = planOf({ 'contoso.com': MIMECAST_MX });
    const after = checked.after.find((p) => p.id === 'path.connector:Fabrikam TLS');
    expect(after?.status).toBe('uncertain');
    expect(checked.plan.refusal?.stage).toBe(2);
    expect(checked.plan.refusal?.paths.map((p) => p.id)).toContain('path.connector:Fabrikam TLS');
  });

  test("a partner's own SPF addresses [I] are not put on the lock-down either; a warning says why", () => {
    const checked = planOf({
      'contoso.com': MIMECAST_MX,
      'fabrikam.com': { TXT: ['v=spf1 ip4:198.51.100.64/27 -all'] },
    });
    expect(lockdownIps(checked)).not.toContain('198.51.100.64/27');
    expect(checked.plan.warnings.join('\n')).toContain(
      "connector 'Fabrikam TLS' (path.connector:Fabrikam TLS) lists no address; its sender domains' SPF names 198.51.100.64/27",
    );
  });

  test('a partner connector listing a range wider than a /24 is not put on the lock-down', () => {
    const snapshot = tenant([partner('SEG'), allowByDomain({ SenderIPAddresses: ['198.51.0.0/16'] })]);
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY });
    const ips = draft.stages
      .flatMap((s) => s.changes)
      .filter((c) => c.identity === 'SEG')
      .flatMap((c) => (c.after['SenderIPAddresses'] as string[] | undefined) ?? []);
    expect(ips.some((e) => e.startsWith('198.51.'))).toBe(false);
    expect(draft.warnings.join('\n')).toContain('lists 198.51.0.0/16: wider than a /24 or not IPv4');
  });

  test('the OnPremises connector of declared hybrid Exchange is path.hybrid-onpremises, not a second flow', () => {
    const snapshot = tenant([
      partner('Mimecast inbound'),
      {
        Name: 'Inbound from Contoso on-premises',
        Enabled: true,
        ConnectorType: 'OnPremises',
        SenderDomains: ['smtp:*;1'],
        SenderIPAddresses: ['192.0.2.50'],
      },
    ]);
    const hybrid = parseProfile(
      'gateway:\n  name: Mimecast\n  ips: [203.0.113.10]\nhybrid:\n  ips: [192.0.2.50]\n',
      'mxlock.yaml',
    );
    const ids = assessSnapshot(snapshot, { profile: hybrid }).report.paths.map((p) => p.id);
    expect(ids).toContain('path.hybrid-onpremises');
    expect(ids.some((id) => id.startsWith('path.connector:Inbound from Contoso on-premises'))).toBe(false);
  });
});
