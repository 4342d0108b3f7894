/**
 * Connectors beside the lock-down. Enhanced Filtering goes on every enabled `*` Partner connector that matches the
 * gateway, since EF is per connector (EF-2 [D]) and which matching connector a gateway message is attributed to is not
 * documented. In certificate mode, another restricting `*` connector (a shared certificate, or IPs) is disabled in
 * stage 2: one satisfying restricting connector suffices (§12 OQ-2 [I]), so it would admit what the lock-down refuses.
 */
import { describe, expect, test } from 'vitest';
import { simulateAttempts } from '../../src/assess.js';
import { check as efConfigured } from '../../src/checks/step5/ef.configured.js';
import { check as efScope } from '../../src/checks/step5/ef.scope.js';
import { CHECKS } from '../../src/checks/registry.js';
import { buildTenant } from '../../src/model/tenant.js';
import type { StandardPath } from '../../src/model/paths.js';
import { planChanges, renderPlanFiles } from '../../src/plan/index.js';
import type { ResolvedGateway } from '../../src/common/gateway.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, partner, tenant } from './builders.js';

const GW_IPS = ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'];

/** A Partner connector listing every gateway entry, RequireTls $true, Enhanced Filtering off. */
function seg(name: string, props: Record<string, unknown> = {}): Record<string, unknown> {
  return partner(name, {
    Identity: name,
    SenderIPAddresses: GW_IPS,
    RequireTls: true,
    EFSkipIPs: [],
    EFSkipLastIP: false,
    EFUsers: [],
    EFTestMode: false,
    ...props,
  });
}

function planned(snapshot: Snapshot, gateway: ResolvedGateway) {
  const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway });
  expect(draft.blocked).toBeUndefined();
  const checked = checkStages({
    snapshot,
    profile: EMPTY_PROFILE,
    gateway,
    stages: draft.stages,
    warnings: draft.warnings,
  });
  expect(checked.plan.refusal).toBeUndefined();
  return { stages: draft.stages, checked };
}

const evaluate = (check: typeof efScope, s: Snapshot, gateway: ResolvedGateway) =>
  check.evaluate({
    snapshot: s,
    tenant: buildTenant(s),
    profile: EMPTY_PROFILE,
    gateway,
    dns: undefined,
    paths: [],
    catalog: CHECKS,
  });

const efTargets = (stages: ReturnType<typeof planned>['stages']) =>
  stages[5]!.changes.filter((c) => 'EFSkipIPs' in c.after).map((c) => [c.identity, c.after['EFSkipIPs']]);

describe('stage 5: Enhanced Filtering on every connector that matches the gateway', () => {
  test('certificate lock-down beside an IP connector, certificate declared: both get EF, ef.scope passes', () => {
    const gateway = makeGateway({ name: 'Mimecast', ips: GW_IPS, certificate: '*.mimecast.com' });
    const snapshot = tenant([
      seg('SEG cert', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: '*.mimecast.com',
        RestrictDomainsToCertificate: true,
      }),
      seg('SEG ip'),
    ]);
    const { stages, checked } = planned(snapshot, gateway);
    expect(efTargets(stages)).toEqual([
      ['SEG cert', GW_IPS],
      ['SEG ip', GW_IPS],
    ]);
    // 'SEG ip' does not restrict: it is not disabled (it admits nothing the lock-down refuses).
    expect(stages[2]!.changes.map((c) => c.identity)).toEqual([]);
    expect(evaluate(efScope, checked.afterSnapshot, gateway).status).toBe('pass');
  });

  test('one IP lock-down per region: EF on both, ef.configured and ef.scope pass after the plan', () => {
    const gateway = makeGateway({ name: 'Mimecast', ips: GW_IPS });
    const snapshot = tenant([
      seg('Mimecast EU', {
        SenderIPAddresses: ['203.0.113.10', '203.0.113.11'],
        RestrictDomainsToIPAddresses: true,
      }),
      seg('Mimecast US', { SenderIPAddresses: ['198.51.100.0/28'], RestrictDomainsToIPAddresses: true }),
    ]);
    expect(evaluate(efConfigured, snapshot, gateway).status).toBe('fail');
    const { stages, checked } = planned(snapshot, gateway);
    expect(efTargets(stages)).toEqual([
      ['Mimecast EU', GW_IPS],
      ['Mimecast US', GW_IPS],
    ]);
    expect(evaluate(efConfigured, checked.afterSnapshot, gateway).status).toBe('pass');
    expect(evaluate(efScope, checked.afterSnapshot, gateway).status).toBe('pass');
  });

  test('a disabled connector matching the gateway gets no EF', () => {
    const gateway = makeGateway({ name: 'Mimecast', ips: GW_IPS });
    const snapshot = tenant([
      seg('Mimecast', { RestrictDomainsToIPAddresses: true }),
      seg('Old', { Enabled: false }),
    ]);
    expect(efTargets(planned(snapshot, gateway).stages)).toEqual([['Mimecast', GW_IPS]]);
  });
});

describe('stage 2 disables another restricting connector beside a certificate lock-down', () => {
  // As resolveGateway gives it when the MX points at Mimecast and the profile declares a certificate of its own.
  const UNIQUE = makeGateway({
    name: 'Mimecast',
    vendor: 'mimecast',
    ips: GW_IPS,
    certificate: 'mx.contoso-gw.example',
    certificateUnique: true,
  });
  /** Another customer of the same gateway: its shared IP, a name the old `*.mimecast.com` lock-down covers. */
  const OTHER: StandardPath = {
    id: 'x.other-customer',
    kind: 'residual',
    description: 'another customer of the gateway, shared certificate',
    attempt: {
      clientIp: '203.0.113.10',
      tls: true,
      certNames: ['mail.mimecast.com'],
      mailFrom: 'a@sender.example',
      headerFrom: 'ceo@contoso.com',
      rcpts: ['user@contoso.com'],
      adversarial: true,
    },
  };

  test('switching to a tenant-unique certificate: the old shared-certificate lock-down is disabled, the attempt ends closed', () => {
    const snapshot = tenant([
      seg('Mimecast IP'),
      seg('Mimecast cert', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: '*.mimecast.com',
        RestrictDomainsToCertificate: true,
      }),
    ]);
    // Admitted at RCPT today, and delivered whether it authenticates or not (no DNS here, but the MX elsewhere
    // suppresses spoof enforcement, MX-6.1): open.
    expect(simulateAttempts(snapshot, UNIQUE, [OTHER])[0]!.status).toBe('open');
    const { stages, checked } = planned(snapshot, UNIQUE);
    const disable = stages[2]!.changes.find((c) => c.identity === 'Mimecast cert');
    expect(disable?.after).toEqual({ Enabled: false });
    expect(disable?.before).toEqual({ Enabled: true });
    expect(disable?.why.join('\n')).toContain('§12 OQ-2 [I]');
    expect(simulateAttempts(checked.afterSnapshot, UNIQUE, [OTHER])[0]!.status).toBe('closed');
    // No EF on the connector stage 2 disables.
    expect(efTargets(stages).map(([name]) => name)).toEqual(['Mimecast IP']);
    // Rollback enables it again.
    expect(renderPlanFiles(checked)['rollback.ps1']).toContain(
      "if ($o.Enabled -ne $true) { $set['Enabled'] = $true }",
    );
  });

  test.each<[string, string, boolean, RegExp]>([
    [
      "a SaaS's own certificate: named, never disabled (a certificate sender cannot be declared)",
      'mail.tickets.example',
      true,
      /'Ticketing' restricts every sender domain to the certificate mail\.tickets\.example beside the certificate lock-down .*If it is stale, disable it; the plan leaves it as it is/,
    ],
    [
      "another of the gateway vendor's certificates, the plan's not unique: maybe another egress of the gateway",
      '*.mimecast.co.za',
      false,
      /'Ticketing' restricts .*\*\.mimecast\.co\.za .*it is in Mimecast's zone, so it may be another egress of the gateway/,
    ],
  ])('%s', (_n, certificate, unique, warning) => {
    const snapshot = tenant([
      seg('Mimecast cert', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: unique ? 'mx.contoso-gw.example' : '*.mimecast.com',
        RestrictDomainsToCertificate: true,
      }),
      seg('Ticketing', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: certificate,
        RestrictDomainsToCertificate: true,
      }),
    ]);
    const gateway = unique ? UNIQUE : { ...UNIQUE, certificate: '*.mimecast.com', certificateUnique: false };
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway });
    expect(draft.stages.flatMap((s) => s.changes).filter((c) => c.after['Enabled'] === false)).toEqual([]);
    expect(draft.warnings.join('\n')).toMatch(warning);
  });

  test('an IP-restricted `*` connector beside the certificate lock-down is disabled too', () => {
    const snapshot = tenant([
      seg('Mimecast cert', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: 'mx.contoso-gw.example',
        RestrictDomainsToCertificate: true,
      }),
      seg('Mimecast IP', { RestrictDomainsToIPAddresses: true }),
    ]);
    const { stages } = planned(snapshot, UNIQUE);
    expect(stages[2]!.changes.filter((c) => 'Enabled' in c.after && c.after['Enabled'] === false)).toEqual([
      expect.objectContaining({ identity: 'Mimecast IP' }),
    ]);
  });

  test('disabling one that also lists addresses outside the gateway warns about them (they meet the lock-down)', () => {
    const snapshot = tenant([
      seg('Mimecast cert', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: 'mx.contoso-gw.example',
        RestrictDomainsToCertificate: true,
      }),
      seg('Old SEG', { RestrictDomainsToIPAddresses: true, SenderIPAddresses: [...GW_IPS, '198.18.7.0/24'] }),
    ]);
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway: UNIQUE });
    expect(draft.warnings.join('\n')).toContain(
      "stage 2 disables 'Old SEG', which also lists 198.18.7.0/24 (not the gateway's): if a legitimate system sends from there, declare it",
    );
    const onlyGateway = tenant([
      seg('Mimecast cert', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: 'mx.contoso-gw.example',
        RestrictDomainsToCertificate: true,
      }),
      seg('Mimecast IP', { RestrictDomainsToIPAddresses: true }),
    ]);
    expect(
      planChanges({ snapshot: onlyGateway, profile: EMPTY_PROFILE, gateway: UNIQUE }).warnings.join('\n'),
    ).not.toContain('stage 2 disables');
  });

  test("a connector restricting to the plan's own certificate, or the lock-down itself, is left enabled", () => {
    const snapshot = tenant([
      seg('Mimecast IP'),
      seg('Twin', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: 'mx.contoso-gw.example',
        RestrictDomainsToCertificate: true,
      }),
    ]);
    const { stages } = planned(snapshot, UNIQUE);
    expect(stages.flatMap((s) => s.changes).filter((c) => c.after['Enabled'] === false)).toEqual([]);
  });
});
