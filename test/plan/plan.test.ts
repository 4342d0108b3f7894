/** Issue 4 acceptance: the plan closes every attack path, keeps every legitimate one, and rolls back exactly. */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { assessSnapshot } from '../../src/assess.js';
import { buildPlan, planChanges } from '../../src/plan/index.js';
import { applyAll, revertAll } from '../../src/plan/model.js';
import { checkPlan } from '../../src/plan/safety.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeSnapshot } from '../checks/helpers.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const NOW = new Date('2026-11-28T00:00:00Z');

async function example(name: string) {
  const dir = join(EXAMPLES, name);
  const result = await assessExport(dir, { offline: true, now: NOW });
  return {
    ...result,
    profile: result.profile ?? EMPTY_PROFILE,
    gateway: resolveGateway(result.profile, result.snapshot),
  };
}

function plan(e: Awaited<ReturnType<typeof example>>) {
  const built = buildPlan({
    snapshot: e.snapshot,
    profile: e.profile,
    gateway: e.gateway,
    report: e.report,
    zone: e.snapshot.dns,
    now: NOW,
  });
  if (!built.ok) throw new Error(built.reason);
  return built.checked;
}

const allChanges = (c: ReturnType<typeof plan>) => c.plan.stages.flatMap((s) => s.changes);

describe.each(['wide-open', 'half-done', 'hardened'])('examples/%s', (name) => {
  test('after the plan: attack paths closed or mitigated, legitimate paths preserved (whole matrix)', async () => {
    const checked = plan(await example(name));
    expect(checked.plan.refusal).toBeUndefined();
    const matrix = Object.fromEntries(checked.after.map((p) => [p.id, p.status]));
    const expected = Object.fromEntries(
      checked.after.map((p) => [
        p.id,
        p.kind === 'legitimate'
          ? 'preserved'
          : p.kind === 'attack'
            ? expect.stringMatching(/^(closed|mitigated)$/)
            : expect.any(String),
      ]),
    );
    expect(matrix).toEqual(expected);
    expect(checked.after.filter((p) => p.kind === 'attack').length).toBe(5);
  });

  test('rollback restores the exact prior values of the export', async () => {
    const e = await example(name);
    const changes = allChanges(plan(e));
    const applied = applyAll(e.snapshot, changes);
    expect(revertAll(applied, changes, e.snapshot)).toEqual(e.snapshot);
  });

  test('after the plan, the checks the plan addresses pass', async () => {
    const e = await example(name);
    const checked = plan(e);
    const { report } = assessSnapshot(checked.afterSnapshot, {
      profile: e.profile,
      zone: e.snapshot.dns,
      now: NOW,
    });
    const status = Object.fromEntries(report.findings.map((f) => [f.id, f.status]));
    for (const id of [
      'direct-send.reject-flag',
      'connector.lockdown-missing',
      'connector.lockdown-sender-scope',
      'rule.safety-net-missing',
      'rule.safety-net-mode',
      'rule.scl-bypass',
      'rule.scl-bypass-spoofable',
      'ef.configured',
      'antiphish.spoof-intelligence',
      'antiphish.honor-dmarc',
      'antiphish.unauthenticated-action',
      'antispam.allowed-senders',
      'connfilter.safe-list',
    ]) {
      // Disabled SCL -1 rules stay in the tenant: the scl checks note them as info.
      expect([id, status[id]]).toEqual([
        id,
        id.startsWith('rule.scl-') ? expect.stringMatching(/^(pass|info)$/) : 'pass',
      ]);
    }
    if (e.profile.protectedUsers.length > 0) expect(status['antiphish.impersonation']).toBe('pass');
  });

  test('planning again after the plan changes nothing (idempotent)', async () => {
    const e = await example(name);
    const changes = allChanges(plan(e));
    const after = applyAll(e.snapshot, changes);
    const again = planChanges({ snapshot: after, profile: e.profile, gateway: e.gateway });
    expect(again.stages.flatMap((s) => s.changes.map((c) => `${c.stage} ${c.id}`))).toEqual([]);
  });
});

test('wide-open: the stages follow the activation order of the guide', async () => {
  const checked = plan(await example('wide-open'));
  const firstStage = (pred: (id: string) => boolean) =>
    checked.plan.stages.find((s) => s.changes.some((c) => pred(c.id)))?.no;
  expect(firstStage((id) => id.startsWith('TransportRule:mxlock - BLOCK') && id.includes('Mode'))).toBe(1);
  expect(firstStage((id) => id.includes('RestrictDomainsToIPAddresses'))).toBe(2);
  expect(firstStage((id) => id.includes('RejectDirectSend'))).toBe(3);
  const enforce = checked.plan.stages[4]!.changes[0]!;
  expect(enforce.after).toEqual({ Mode: 'Enforce' });
  expect(checked.plan.stages[5]!.changes.map((c) => c.title)).toContain(
    "Disable SCL -1 rule 'Bypass spam filtering - internal senders'",
  );
});

describe('a tenant with a declared printer that nothing admits yet', () => {
  const gatewayIps = ['203.0.113.10', '203.0.113.11'];
  const data = (): Parameters<typeof makeSnapshot>[0] => ({
    'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: false }],
    'Get-AcceptedDomain': [
      { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
      { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', InitialDomain: true },
    ],
    'Get-InboundConnector': [
      {
        Name: 'From SEG',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: ['*'],
        SenderIPAddresses: gatewayIps,
        RestrictDomainsToIPAddresses: false,
        RestrictDomainsToCertificate: false,
        RequireTls: true,
        AssociatedAcceptedDomains: [],
        EFSkipIPs: [],
        EFSkipLastIP: false,
        EFUsers: [],
        EFTestMode: false,
      },
    ],
    'Get-TransportRule': [],
    'Get-HostedConnectionFilterPolicy': [
      { Name: 'Default', IsDefault: true, IPAllowList: [], IPBlockList: [], EnableSafeList: false },
    ],
    'Get-HostedContentFilterPolicy': [
      {
        Name: 'Default',
        IsDefault: true,
        BulkThreshold: 6,
        SpamAction: 'Quarantine',
        HighConfidencePhishAction: 'Quarantine',
        AllowedSenderDomains: [],
        AllowedSenders: [],
      },
    ],
    'Get-AntiPhishPolicy': [
      {
        Name: 'Office365 AntiPhish Default',
        IsDefault: true,
        EnableSpoofIntelligence: true,
        HonorDmarcPolicy: true,
        AuthenticationFailAction: 'Quarantine',
        DmarcQuarantineAction: 'Quarantine',
        DmarcRejectAction: 'Reject',
      },
    ],
    'Get-DkimSigningConfig': [],
  });
  const dns = new Map<string, object>([
    [
      'contoso.com',
      {
        TXT: ['v=spf1 ip4:203.0.113.10 ip4:203.0.113.11 ip4:192.0.2.50 -all'],
        MX: [{ exchange: 'mx1.hc1-2.iphmx.com', priority: 10 }],
      },
    ],
    ['_dmarc.contoso.com', { TXT: ['v=DMARC1; p=reject'] }],
  ]);
  const profile: Profile = {
    ...EMPTY_PROFILE,
    gateway: { name: 'SEG', ips: gatewayIps, certificateUnique: false, dkimSelectors: [] },
    directSendSources: [{ name: 'HQ printer', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
  };
  const setup = (certificate?: string) => {
    const snapshot: Snapshot = makeSnapshot(data(), dns as never);
    const p: Profile = certificate ? { ...profile, gateway: { ...profile.gateway!, certificate } } : profile;
    const gateway = resolveGateway(p, snapshot);
    const { report } = assessSnapshot(snapshot, { profile: p, now: NOW });
    return { snapshot, profile: p, gateway, report };
  };

  test.each([
    [
      'IP lock-down: the printer joins the lock-down connector',
      undefined,
      'InboundConnector:From SEG:SenderIPAddresses',
    ],
    [
      'certificate lock-down: a separate connector matching the printer by IP',
      '*.gw.example',
      'InboundConnector:mxlock - Direct Send: HQ printer:',
    ],
  ])('%s, in stage 0; the printer path stays preserved', (_n, certificate, changeId) => {
    const s = setup(certificate);
    const built = buildPlan({ ...s, zone: s.snapshot.dns, now: NOW });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const stage0 = built.checked.plan.stages[0]!.changes.map((c) => c.id);
    expect(stage0.some((id) => id.startsWith(changeId))).toBe(true);
    expect(built.checked.plan.refusal).toBeUndefined();
    const printer = built.checked.after.find((p) => p.id === 'path.declared-source:HQ printer')!;
    expect(printer.status).toBe('preserved');
    if (certificate) expect(printer.evidence.join('\n')).toMatch(/CON-5 \[I\]/); // DESIGN §6: option 3 rests on [I]
    expect(
      built.checked.after
        .filter((p) => p.kind === 'attack')
        .every((p) => p.status === 'closed' || p.status === 'mitigated'),
    ).toBe(true);
  });

  test.each([[undefined], ['*.gw.example']])(
    'without the admitting change the planner refuses the stage that breaks the printer (certificate: %s)',
    (certificate) => {
      const s = setup(certificate);
      const draft = planChanges(s);
      // Drop the admission (stage 0), and the stage-2 restriction of the device connector it would have created.
      const stages = draft.stages.map((st) => ({
        ...st,
        changes: st.no === 0 ? [] : st.changes.filter((c) => !c.identity.startsWith('mxlock - Direct Send')),
      }));
      const checked = checkPlan({
        tenant: 't',
        snapshot: s.snapshot,
        profile: s.profile,
        gateway: s.gateway,
        stages,
        warnings: [],
        dnsRecords: [],
        zone: s.snapshot.dns,
        now: NOW,
      });
      expect(checked.plan.refusal).toBeDefined();
      const refusal = checked.plan.refusal!;
      expect(refusal.paths.map((p) => p.id)).toEqual(['path.declared-source:HQ printer']);
      expect(refusal.stage).toBeGreaterThanOrEqual(2);
      expect(refusal.explanation).toMatch(/would break path\.declared-source:HQ printer/);
      // With the admission, the same stages are accepted.
      const ok = checkPlan({
        tenant: 't',
        snapshot: s.snapshot,
        profile: s.profile,
        gateway: s.gateway,
        stages: draft.stages,
        warnings: [],
        dnsRecords: [],
        zone: s.snapshot.dns,
        now: NOW,
      });
      expect(ok.plan.refusal).toBeUndefined();
    },
  );

  test('an undeclared SPF sender is warned about', () => {
    const s = setup();
    const built = buildPlan({
      ...s,
      profile: { ...s.profile, directSendSources: [] },
      zone: s.snapshot.dns,
      now: NOW,
    });
    expect(built.ok).toBe(true);
    // Without a DNS analysis the inventory is unknown: the plan says so rather than staying silent.
    if (built.ok) expect(built.checked.plan.warnings.join('\n')).toMatch(/Direct Send candidates/);
  });
});

test('no gateway: no plan, with the reason', () => {
  const snapshot = makeSnapshot({ 'Get-AcceptedDomain': [{ DomainName: 'contoso.com', Default: true }] });
  const draft = planChanges({
    snapshot,
    profile: EMPTY_PROFILE,
    gateway: resolveGateway(undefined, snapshot),
  });
  expect(draft.blocked).toMatch(/gateway is not known/);
});
