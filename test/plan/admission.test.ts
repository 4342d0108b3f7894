/**
 * The planner admits a declared Direct Send source as the lock-down will judge it (src/model/admission.ts): a
 * connector that merely lists the source's IP is not enough when it cannot satisfy the lock-down for the source's
 * domains (CON-5 [D], §12 OQ-2 [I]). Each case is checked end to end: the plan passes its own safety check and the
 * source's path is not broken after it.
 */
import { describe, expect, test } from 'vitest';
import { checkPlan, planChanges } from '../../src/plan/index.js';
import type { Stage } from '../../src/plan/types.js';
import type { ResolvedGateway } from '../../src/profile/gateway.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeGateway, makeSnapshot, type ExportData } from '../checks/helpers.js';

const IP_GATEWAY = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10'] });
const CERT_GATEWAY = makeGateway({
  name: 'Example SEG',
  ips: ['203.0.113.10'],
  certificate: '*.gw.example',
});
const PRINTER: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'HQ printer', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
};

function connector(name: string, props: Record<string, unknown>): Record<string, unknown> {
  return {
    Name: name,
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['smtp:*;1'],
    SenderIPAddresses: ['203.0.113.10'],
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    RequireTls: false,
    AssociatedAcceptedDomains: [],
    ...props,
  };
}

/** The printer's own connector, scoped to `domains`, not restricting (what admins create from the Direct Send FAQ). */
const scanners = (domains: string[]) =>
  connector('Scanners', { SenderDomains: domains, SenderIPAddresses: ['192.0.2.50'] });

function tenant(connectors: Record<string, unknown>[]): Snapshot {
  return makeSnapshot({
    'Get-InboundConnector': connectors,
    'Get-TransportRule': [],
    'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: false }],
    'Get-AcceptedDomain': [{ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true }],
  } as ExportData);
}

function plan(snapshot: Snapshot, gateway: ResolvedGateway) {
  const draft = planChanges({ snapshot, profile: PRINTER, gateway });
  expect(draft.blocked).toBeUndefined();
  const checked = checkPlan({
    tenant: 'contoso',
    snapshot,
    profile: PRINTER,
    gateway,
    stages: draft.stages,
    warnings: [],
    dnsRecords: [],
  });
  return { stages: draft.stages, checked };
}

/** `[stage, identity, properties set]` of every connector change. */
const connectorChanges = (stages: Stage[]) =>
  stages.flatMap((s) =>
    s.changes
      .filter((c) => c.kind === 'InboundConnector')
      .map((c): [number, string, string[]] => [s.no, c.identity, Object.keys(c.after).sort()]),
  );

describe('declared sources are admitted as the lock-down judges them', () => {
  test('certificate lock-down, the printer on its own non-restricting connector: restricted with the lock-down', () => {
    const snapshot = tenant([
      connector('SEG', { TlsSenderCertificateName: '*.gw.example' }),
      scanners(['contoso.com']),
    ]);
    const { stages, checked } = plan(snapshot, CERT_GATEWAY);
    const changes = connectorChanges(stages);
    // No second connector for the printer; its own is restricted in stage 2, recorded as an update of what exists.
    expect(changes.filter(([, id]) => id.startsWith('mxlock - Direct Send'))).toEqual([]);
    expect(changes).toContainEqual([2, 'Scanners', ['RestrictDomainsToIPAddresses']]);
    const restrict = stages[2]!.changes.find((c) => c.identity === 'Scanners')!;
    expect(restrict.creates).toBe(false);
    expect(restrict.before).toEqual({ RestrictDomainsToIPAddresses: false });
    expect(stages[0]!.notes.join('\n')).toContain("listed on 'Scanners', which stage 2 restricts by IP");
    expect(checked.plan.refusal).toBeUndefined();
    expect(checked.after.find((p) => p.id === 'path.declared-source:HQ printer')?.status).not.toBe('broken');
  });

  test('certificate lock-down, the printer listed only on a connector for another domain: a connector of its own', () => {
    const snapshot = tenant([
      connector('SEG', { TlsSenderCertificateName: '*.gw.example' }),
      scanners(['partner.example']),
    ]);
    const { stages, checked } = plan(snapshot, CERT_GATEWAY);
    expect(connectorChanges(stages).map(([no, id]) => [no, id])).toContainEqual([
      0,
      'mxlock - Direct Send: HQ printer',
    ]);
    expect(stages[0]!.notes.join('\n')).toContain('exempts it from RejectDirectSend only');
    expect(checked.plan.refusal).toBeUndefined();
    expect(checked.after.find((p) => p.id === 'path.declared-source:HQ printer')?.status).not.toBe('broken');
  });

  test('IP lock-down, the printer on its own non-restricting connector: its IP joins the lock-down (DESIGN §6 option 2)', () => {
    const snapshot = tenant([connector('SEG', {}), scanners(['contoso.com'])]);
    const { stages, checked } = plan(snapshot, IP_GATEWAY);
    const seg = stages[0]!.changes.find((c) => c.identity === 'SEG');
    expect(seg?.after['SenderIPAddresses']).toEqual(['203.0.113.10', '192.0.2.50']);
    expect(checked.plan.refusal).toBeUndefined();
    expect(checked.after.find((p) => p.id === 'path.declared-source:HQ printer')?.status).not.toBe('broken');
  });

  test('a printer already admitted (restricting connector for its domain) needs nothing', () => {
    const snapshot = tenant([
      connector('SEG', { TlsSenderCertificateName: '*.gw.example', RestrictDomainsToCertificate: true }),
      connector('Scanners', {
        SenderDomains: ['contoso.com'],
        SenderIPAddresses: ['192.0.2.50'],
        RestrictDomainsToIPAddresses: true,
      }),
    ]);
    const { stages, checked } = plan(snapshot, CERT_GATEWAY);
    expect(connectorChanges(stages).filter(([, id]) => id !== 'SEG')).toEqual([]);
    expect(stages[0]!.notes.join('\n')).toContain("is already admitted by 'Scanners'");
    expect(checked.plan.refusal).toBeUndefined();
  });
});
