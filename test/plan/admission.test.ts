/**
 * The planner admits a declared Direct Send source as the lock-down will judge it (src/model/admission.ts): a
 * connector that merely lists the source's IP is not enough when it cannot satisfy the lock-down for the source's
 * domains (CON-5 [D], §12 OQ-2 [I]). Each case is checked end to end: the plan passes its own safety check and the
 * source's path is not broken after it.
 */
import { describe, expect, test } from 'vitest';
import { assessSnapshot, simulateAttempts } from '../../src/assess.js';
import type { StandardPath } from '../../src/model/paths.js';
import { buildPlan, planChanges, renderStageScript } from '../../src/plan/index.js';
import type { Stage } from '../../src/plan/types.js';
import type { ResolvedGateway } from '../../src/common/gateway.js';
import { EMPTY_PROFILE, ProfileSchema, type Profile } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, partner, tenant } from './builders.js';

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

/** The printer's own connector, scoped to `domains`, not restricting (what admins create from the Direct Send FAQ). */
const scanners = (domains: string[]) =>
  partner('Scanners', { SenderDomains: domains, SenderIPAddresses: ['192.0.2.50'] });

function plan(snapshot: Snapshot, gateway: ResolvedGateway, profile: Profile = PRINTER) {
  const draft = planChanges({ snapshot, profile, gateway });
  expect(draft.blocked).toBeUndefined();
  const checked = checkStages({ snapshot, profile, gateway, stages: draft.stages });
  return { stages: draft.stages, checked, warnings: draft.warnings };
}

const printerAfter = (checked: ReturnType<typeof plan>['checked']) =>
  checked.after.find((p) => p.id === 'path.declared-source:HQ printer');

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
      partner('SEG', { TlsSenderCertificateName: '*.gw.example' }),
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
      partner('SEG', { TlsSenderCertificateName: '*.gw.example' }),
      scanners(['partner.example']),
    ]);
    const { stages, checked } = plan(snapshot, CERT_GATEWAY);
    expect(connectorChanges(stages).map(([no, id]) => [no, id])).toContainEqual([
      0,
      'mxlock - Direct Send: HQ printer',
    ]);
    expect(stages[0]!.notes.join('\n')).toContain('exempts it from RejectDirectSend only');
    // The 'Scanners' connector itself carries partner.example's mail (path.connector:Scanners, DESIGN §5): stage 2
    // restricts it by its IP with the certificate lock-down, so that flow keeps working too (§12 OQ-2 [I]).
    expect(checked.plan.refusal).toBeUndefined();
    expect(connectorChanges(stages)).toContainEqual([2, 'Scanners', ['RestrictDomainsToIPAddresses']]);
    expect(checked.after.find((p) => p.id === 'path.connector:Scanners')?.status).toBe('preserved');
    expect(checked.after.find((p) => p.id === 'path.declared-source:HQ printer')?.status).not.toBe('broken');
  });

  test('IP lock-down, the printer on its own non-restricting connector: its IP joins the lock-down (DESIGN §6 option 2)', () => {
    const snapshot = tenant([partner('SEG', {}), scanners(['contoso.com'])]);
    const { stages, checked } = plan(snapshot, IP_GATEWAY);
    const seg = stages[0]!.changes.find((c) => c.identity === 'SEG');
    expect(seg?.after['SenderIPAddresses']).toEqual(['203.0.113.10', '192.0.2.50']);
    expect(checked.plan.refusal).toBeUndefined();
    expect(checked.after.find((p) => p.id === 'path.declared-source:HQ printer')?.status).not.toBe('broken');
  });

  test('a printer already admitted (restricting connector for its domain) needs nothing', () => {
    const snapshot = tenant([
      partner('SEG', { TlsSenderCertificateName: '*.gw.example', RestrictDomainsToCertificate: true }),
      partner('Scanners', {
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

describe('the connector stage 2 locks by certificate is never a device connector (CON-3 [D])', () => {
  test('the printer listed on the not-yet-restricting gateway connector gets a connector of its own', () => {
    const snapshot = tenant([
      partner('From SEG', {
        SenderIPAddresses: ['203.0.113.10', '192.0.2.50'],
        TlsSenderCertificateName: '*.gw.example',
      }),
    ]);
    const { stages, checked } = plan(snapshot, CERT_GATEWAY);
    const changes = connectorChanges(stages);
    // One change on 'From SEG' in stage 2 (the certificate lock-down), none restricting it by IP.
    expect(changes.filter(([no, id]) => no === 2 && id === 'From SEG')).toEqual([
      [2, 'From SEG', ['RequireTls', 'RestrictDomainsToCertificate', 'SenderIPAddresses']],
    ]);
    expect(changes).toContainEqual([
      0,
      'mxlock - Direct Send: HQ printer',
      [
        'ConnectorType',
        'Enabled',
        'RequireTls',
        'RestrictDomainsToIPAddresses',
        'SenderDomains',
        'SenderIPAddresses',
      ],
    ]);
    expect(changes).toContainEqual([2, 'mxlock - Direct Send: HQ printer', ['RestrictDomainsToIPAddresses']]);
    expect(stages[0]!.notes.join('\n')).toContain('the lock-down restricts it by certificate');
    expect(checked.plan.refusal).toBeUndefined();
    expect(printerAfter(checked)?.status).not.toBe('broken');
  });
});

describe('per address: only Partner connectors are restricted (CON-4 [D])', () => {
  const connectors = () => [
    partner('SEG', {
      TlsSenderCertificateName: '*.gw.example',
      SenderIPAddresses: [],
      RestrictDomainsToCertificate: true,
      RequireTls: true,
    }),
    partner('On-prem relay', { ConnectorType: 'OnPremises', SenderIPAddresses: ['192.0.2.50'] }),
    partner('Scanners', { SenderDomains: ['contoso.com'], SenderIPAddresses: ['192.0.2.51'] }),
  ];
  const COPIERS: Profile = {
    ...EMPTY_PROFILE,
    directSendSources: [
      { name: 'Copiers', ips: ['192.0.2.50', '192.0.2.51'], senders: ['scan@contoso.com'] },
    ],
  };

  test('one address on an OnPremises relay, one on a non-restricting Partner connector', () => {
    const snapshot = tenant(connectors());
    const { stages, checked } = plan(snapshot, CERT_GATEWAY, COPIERS);
    expect(connectorChanges(stages).filter(([no]) => no < 5)).toEqual([
      [2, 'Scanners', ['RestrictDomainsToIPAddresses']],
    ]);
    const notes = stages[0]!.notes.join('\n');
    expect(notes).toContain("'Copiers' address 192.0.2.50 is already admitted by 'On-prem relay'");
    expect(notes).toContain(
      "'Copiers' address 192.0.2.51 is listed on 'Scanners', which stage 2 restricts by IP",
    );
    const script = renderStageScript(checked, stages[2]!);
    expect(script).not.toMatch(/On-prem relay[^\n]*RestrictDomainsToIPAddresses/);
    expect(checked.plan.refusal).toBeUndefined();
  });

  test('in IP mode only the address that needs it joins the lock-down', () => {
    const snapshot = tenant([partner('SEG', {}), ...connectors().slice(1)]);
    const { stages } = plan(snapshot, IP_GATEWAY, COPIERS);
    expect(stages[0]!.changes.find((c) => c.identity === 'SEG')?.after['SenderIPAddresses']).toEqual([
      '203.0.113.10',
      '192.0.2.51',
    ]);
  });
});

describe('AssociatedAcceptedDomains: a connector scoped to other recipient domains admits nothing (CON-5 [D])', () => {
  const DOMAINS = [
    { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
    { DomainName: 'fabrikam.com', DomainType: 'Authoritative', Default: false },
  ];
  const scanners = (associated: string[]) =>
    partner('Scanners', {
      SenderDomains: ['contoso.com'],
      SenderIPAddresses: ['192.0.2.50'],
      RestrictDomainsToIPAddresses: true,
      AssociatedAcceptedDomains: associated,
    });
  const seg = partner('SEG', { TlsSenderCertificateName: '*.gw.example', SenderIPAddresses: [] });

  test('scoped to fabrikam.com: not admitted, the printer gets a connector of its own and stage 2 passes', () => {
    const { stages, checked } = plan(
      tenant([seg, scanners(['fabrikam.com'])], { 'Get-AcceptedDomain': DOMAINS }),
      CERT_GATEWAY,
    );
    expect(stages[0]!.notes.join('\n')).toContain(
      'its AssociatedAcceptedDomains (fabrikam.com) do not include contoso.com, which the source delivers to',
    );
    expect(connectorChanges(stages).map(([no, id]) => [no, id])).toContainEqual([
      0,
      'mxlock - Direct Send: HQ printer',
    ]);
    expect(checked.plan.refusal).toBeUndefined();
    expect(printerAfter(checked)?.status).not.toBe('broken');
  });

  test('scoped to every custom domain: admitted, nothing to do', () => {
    const { stages } = plan(
      tenant([seg, scanners(['contoso.com', 'fabrikam.com'])], { 'Get-AcceptedDomain': DOMAINS }),
      CERT_GATEWAY,
    );
    expect(stages[0]!.notes.join('\n')).toContain("is already admitted by 'Scanners'");
    expect(connectorChanges(stages).filter(([, id]) => id !== 'SEG')).toEqual([]);
  });
});

describe('IP lock-down and declared sources: RequireTls is not switched on under them (CON-6 [D])', () => {
  const PLAIN_TEXT: StandardPath = {
    id: 'printer-plain-text',
    kind: 'legitimate',
    description: 'the printer without STARTTLS',
    attempt: {
      clientIp: '192.0.2.50',
      tls: false,
      certNames: [],
      mailFrom: 'scanner@contoso.com',
      headerFrom: 'scanner@contoso.com',
      rcpts: ['user@contoso.com'],
    },
  };

  test('RequireTls off today: left off, and the plan warns naming the source and CON-6', () => {
    const snapshot = tenant([partner('SEG', { RequireTls: false })]);
    const { stages, checked, warnings } = plan(snapshot, IP_GATEWAY);
    const stage2 = stages[2]!.changes.find((c) => c.identity === 'SEG')!;
    expect(stage2.after['RestrictDomainsToIPAddresses']).toBe(true);
    expect('RequireTls' in stage2.after).toBe(false);
    const warning = warnings.find((w) => w.includes('CON-6 [D]'));
    expect(warning).toContain("'HQ printer'");
    expect(warning).toContain('leaves its RequireTls $false');
    // A plain-text printer still reaches the tenant after the whole plan (no CON-6 refusal).
    const [after] = simulateAttempts(checked.afterSnapshot, IP_GATEWAY, [PLAIN_TEXT]);
    expect(after!.status).not.toBe('broken');
    expect(after!.evidence.join('\n')).not.toContain('CON-6');
  });

  test('RequireTls already on: kept, and the plan warns that the sources must use TLS', () => {
    const snapshot = tenant([partner('SEG', { RequireTls: true })]);
    const { warnings } = plan(snapshot, IP_GATEWAY);
    const warning = warnings.find((w) => w.includes('CON-6 [D]'));
    expect(warning).toContain("'HQ printer'");
    expect(warning).toContain('has RequireTls $true: each must offer STARTTLS');
  });

  test('a lock-down created for the gateway and the printer starts with RequireTls off', () => {
    const { stages } = plan(tenant([]), IP_GATEWAY);
    expect(stages[0]!.changes[0]!.after['RequireTls']).toBe(false);
  });

  test('without declared sources on it, stage 2 switches RequireTls on as before', () => {
    const { stages, warnings } = plan(
      tenant([partner('SEG', { RequireTls: false })]),
      IP_GATEWAY,
      EMPTY_PROFILE,
    );
    expect(stages[2]!.changes.find((c) => c.identity === 'SEG')?.after['RequireTls']).toBe(true);
    expect(warnings.join('\n')).not.toContain('CON-6');
  });
});

describe('a declared source inside the gateway ranges (residual path path.shared-gateway-ip)', () => {
  test('the plan warns that admitting it lets the gateway’s other customers send as its domains', () => {
    const gateway = makeGateway({
      name: 'Example SEG',
      ips: ['203.0.113.0/24'],
      certificate: 'mx.contoso-unique.example',
      certificateUnique: true,
    });
    const snapshot = tenant([
      partner('From SEG', {
        SenderIPAddresses: [],
        TlsSenderCertificateName: 'mx.contoso-unique.example',
        RestrictDomainsToCertificate: true,
        RequireTls: true,
      }),
    ]);
    const profile: Profile = {
      ...EMPTY_PROFILE,
      directSendSources: [{ name: 'SaaS via SEG', ips: ['203.0.113.50'], senders: ['noreply@contoso.com'] }],
    };
    const { warnings } = plan(snapshot, gateway, profile);
    const warning = warnings.find((w) => w.startsWith("declared source 'SaaS via SEG'"));
    // It names the gateway range that contains the source address (issue 10 item 4).
    expect(warning).toContain("203.0.113.50 lies within the gateway's addresses (203.0.113.0/24)");
    expect(warning).toContain('send as contoso.com past the lock-down (residual path path.shared-gateway-ip');
    expect(plan(snapshot, gateway).warnings.join('\n')).not.toContain("lies within the gateway's addresses");
  });
});

describe('an SPF sender only listed on a non-restricting connector is a candidate the plan warns about', () => {
  test('undeclared, it breaks at stage 2; the plan warnings carry the inventory candidate', () => {
    const snapshot = tenant(
      [
        partner('From SEG', {}),
        partner('ERP', { SenderDomains: ['contoso.com'], SenderIPAddresses: ['192.0.2.60'] }),
      ],
      {},
      new Map([['contoso.com', { TXT: ['v=spf1 ip4:203.0.113.10 ip4:192.0.2.60 -all'] }]]),
    );
    const profile = ProfileSchema.parse({ gateway: { name: 'Example SEG', ips: ['203.0.113.10'] } });
    const { report } = assessSnapshot(snapshot, { profile });
    expect(report.findings.find((f) => f.id === 'inventory.direct-send-sources')?.status).toBe('warn');
    const built = buildPlan({ snapshot, profile, gateway: IP_GATEWAY, report });
    if (!built.ok) throw new Error(built.reason);
    const text = built.checked.plan.warnings.join('\n');
    expect(text).toContain('declare each real, undeclared one under directSendSources');
    expect(text).toContain('ip4:192.0.2.60 (address)');
    expect(text).toContain(
      "it is listed on 'ERP' (SenderDomains covering contoso.com), which does not restrict by IP",
    );
  });
});
