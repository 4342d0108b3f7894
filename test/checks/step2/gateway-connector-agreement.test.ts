/**
 * One "gateway connector" rule (model/gateway-connector.ts): the report's step-2 remediation and the plan's stage 2
 * name the same connector. A lock-down that lost one of the gateway's ranges is still the gateway's connector (its
 * coverage is a finding about it, not a reason to create another one); the property is then checked over every
 * bundled example and a set of generated tenants.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../../src/assess.js';
import { assessExport } from '../../../src/assess-export.js';
import { CHECKS } from '../../../src/checks/registry.js';
import { planChanges } from '../../../src/plan/planner.js';
import type { Stage } from '../../../src/plan/types.js';
import { resolveGateway } from '../../../src/profile/infer.js';
import { loadProfile } from '../../../src/profile/load.js';
import { ProfileSchema, type Profile } from '../../../src/profile/schema.js';
import type { Report, ReportFinding } from '../../../src/report/model.js';
import { readExport } from '../../../src/snapshot/read.js';
import type { Snapshot } from '../../../src/snapshot/types.js';
import { generateConfig } from '../../model/generate.js';
import { partner, tenant } from '../../plan/builders.js';

const GATEWAY_IPS = ['203.0.113.10', '198.51.100.0/28'];
const PROFILE = ProfileSchema.parse({ gateway: { name: 'SEG', ips: GATEWAY_IPS } });

/** The step-2 findings whose remediation restricts, creates or completes the gateway's lock-down connector. */
const LOCKDOWN_FINDINGS = [
  'connector.lockdown-missing',
  'connector.lockdown-disabled',
  'connector.lockdown-sender-scope',
  'connector.lockdown-gateway-coverage',
  // Turning an IP-only lock-down to the certificate: the same connector, in place.
  'connector.ip-only',
];

/** `'a''b'` → `a'b` (a single-quoted PowerShell literal, src/powershell/quote.ts). */
const unquote = (literal: string) => literal.slice(1, -1).replaceAll("''", "'");
const LITERAL = "'(?:[^']|'')*'";

/**
 * The connectors a remediation script treats as the gateway's lock-down: `creates` those it makes with
 * `New-InboundConnector … -SenderDomains '*'`, `edits` those it restricts (`-RestrictDomainsTo… $true`), enables, or
 * gives a gateway address (`-SenderIPAddresses @{Add=…}` naming a gateway entry). Comment lines say nothing.
 */
function lockdownClaims(ps: string, gatewayIps: readonly string[]): { creates: string[]; edits: string[] } {
  const creates: string[] = [];
  const edits: string[] = [];
  const statements = ps
    .replace(/`\r?\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of statements) {
    const made = new RegExp(`^New-InboundConnector -Name (${LITERAL})`).exec(line);
    if (made?.[1] && /-SenderDomains '\*'/.test(line)) creates.push(unquote(made[1]));
    const set = new RegExp(`^Set-InboundConnector -Identity (${LITERAL})`).exec(line);
    if (!set?.[1]) continue;
    const added = /-SenderIPAddresses @\{Add=([^}]*)\}/.exec(line)?.[1] ?? '';
    const addsGateway = [...added.matchAll(new RegExp(LITERAL, 'g'))].some((m) =>
      gatewayIps.includes(unquote(m[0])),
    );
    if (/-RestrictDomainsTo(IPAddresses|Certificate) \$true|-Enabled \$true/.test(line) || addsGateway)
      edits.push(unquote(set[1]));
  }
  return { creates, edits };
}

/**
 * The plan's lock-down: the stage-2 change titled "Restrict '<name>' to the gateway's …" (a change lists only the
 * properties that differ, so its title is what tells it from the device connectors stage 2 restricts too). `creates`:
 * the plan makes that connector, in stage 2 or already in stage 0 (an IP lock-down it creates with the sources' IPs).
 */
function planLockdown(stages: readonly Stage[]): { identity: string; creates: boolean } | undefined {
  const change = stages
    .find((s) => s.no === 2)
    ?.changes.find(
      (c) =>
        c.kind === 'InboundConnector' && /^Restrict '.*' to the gateway's (certificate|IPs)$/s.test(c.title),
    );
  if (!change) return undefined;
  const creates = stages.some((s) =>
    s.changes.some((c) => c.kind === 'InboundConnector' && c.identity === change.identity && c.creates),
  );
  return { identity: change.identity, creates };
}

/** The findings of `report` whose remediation the check wrote for this tenant (not its catalogue example). */
function tailoredFindings(report: Report): ReportFinding[] {
  return report.findings.filter((f) => {
    const check = CHECKS.find((c) => c.id === f.id);
    return LOCKDOWN_FINDINGS.includes(f.id) && check?.remediation.powershell !== f.remediation.powershell;
  });
}

interface Comparison {
  plan: { identity: string; creates: boolean } | undefined;
  blocked: string | undefined;
  /** Per finding id, what its remediation claims. */
  claims: Record<string, { creates: string[]; edits: string[] }>;
}

function compare(snapshot: Snapshot, profile: Profile | undefined): Comparison {
  const { report } = assessSnapshot(snapshot, { profile });
  const gateway = resolveGateway(profile, snapshot);
  const draft = planChanges({ snapshot, profile: profile ?? ProfileSchema.parse({}), gateway });
  const claims: Comparison['claims'] = {};
  for (const f of tailoredFindings(report))
    claims[f.id] = lockdownClaims(f.remediation.powershell, gateway.ips);
  return { plan: planLockdown(draft.stages), blocked: draft.blocked, claims };
}

/** The property: every lock-down the report names is the plan's, created only when the plan creates it. */
function expectAgreement(c: Comparison, where: string): void {
  if (c.blocked !== undefined) return;
  for (const [id, { creates, edits }] of Object.entries(c.claims)) {
    // Nothing left for stage 2 to do: the report has no lock-down to restrict or create either.
    if (c.plan === undefined) {
      expect([...creates, ...edits], `${where}: ${id} while the plan leaves the lock-down as it is`).toEqual(
        [],
      );
      continue;
    }
    const named = [...creates, ...edits];
    for (const n of named)
      expect(n.toLowerCase(), `${where}: ${id} names '${n}', the plan's stage 2 '${c.plan.identity}'`).toBe(
        c.plan.identity.toLowerCase(),
      );
    if (c.plan.creates) expect(edits, `${where}: ${id} edits while the plan creates`).toEqual([]);
    else expect(creates, `${where}: ${id} creates while the plan edits`).toEqual([]);
  }
}

describe('a gateway connector that lost one of the gateway ranges (partial overlap)', () => {
  test('unrestricted: lockdown-missing restricts the existing connector, as stage 2 does', () => {
    const snapshot = tenant([partner('From SEG', { SenderIPAddresses: ['203.0.113.10'] })]);
    const c = compare(snapshot, PROFILE);
    expect(c.plan).toEqual({ identity: 'From SEG', creates: false });
    expect(c.claims['connector.lockdown-missing']).toEqual({ creates: [], edits: ['From SEG'] });
    const { report } = assessSnapshot(snapshot, { profile: PROFILE });
    const missing = report.findings.find((f) => f.id === 'connector.lockdown-missing')!;
    expect(missing.status).toBe('fail');
    // The range it lost is added in the same statement that restricts it (CON-5: never a moment without it).
    expect(missing.remediation.powershell).toContain(
      "Set-InboundConnector -Identity 'From SEG' -SenderIPAddresses @{Add='198.51.100.0/28'} -RestrictDomainsToIPAddresses $true",
    );
    expect(missing.remediation.powershell).not.toContain('New-InboundConnector');
    expectAgreement(c, 'partial, unrestricted');
  });

  test('restricting: gateway-coverage says which ranges the connector lacks and adds them to it', () => {
    const snapshot = tenant([
      partner('From SEG', {
        SenderIPAddresses: ['203.0.113.10'],
        RestrictDomainsToIPAddresses: true,
        RequireTls: true,
      }),
    ]);
    const { report } = assessSnapshot(snapshot, { profile: PROFILE });
    const coverage = report.findings.find((f) => f.id === 'connector.lockdown-gateway-coverage')!;
    expect(coverage.status).toBe('fail');
    expect(coverage.evidence.join('\n')).toContain("connector 'From SEG' lacks 198.51.100.0/28");
    expect(coverage.remediation.powershell).toBe(
      "Set-InboundConnector -Identity 'From SEG' -SenderIPAddresses @{Add='198.51.100.0/28'}",
    );
    const c = compare(snapshot, PROFILE);
    expect(c.plan).toEqual({ identity: 'From SEG', creates: false });
    expectAgreement(c, 'partial, restricting');
  });

  test('beside a scoped device lock-down: sender-scope and gateway-coverage restrict the existing connector', () => {
    const snapshot = tenant([
      partner('From SEG', { SenderIPAddresses: ['203.0.113.10'] }),
      partner('Printer', {
        SenderDomains: ['contoso.com'],
        SenderIPAddresses: ['192.0.2.50'],
        RestrictDomainsToIPAddresses: true,
      }),
    ]);
    const c = compare(snapshot, PROFILE);
    expect(c.plan).toEqual({ identity: 'From SEG', creates: false });
    expect(c.claims['connector.lockdown-sender-scope']).toEqual({ creates: [], edits: ['From SEG'] });
    expect(c.claims['connector.lockdown-gateway-coverage']).toEqual({ creates: [], edits: ['From SEG'] });
    expectAgreement(c, 'partial, beside a device connector');
  });

  test('beside a stale lock-down of other addresses: the ranges go to the gateway connector, not the first one', () => {
    const snapshot = tenant([
      partner('Old', { SenderIPAddresses: ['192.0.2.99'], RestrictDomainsToIPAddresses: true }),
      partner('From SEG', { SenderIPAddresses: ['203.0.113.10'], RestrictDomainsToIPAddresses: true }),
    ]);
    const c = compare(snapshot, PROFILE);
    expect(c.plan).toEqual({ identity: 'From SEG', creates: false });
    expect(c.claims['connector.lockdown-gateway-coverage']?.edits).toEqual(['From SEG']);
    expectAgreement(c, 'partial, beside a stale lock-down');
  });

  test('disabled: lockdown-disabled enables the connector stage 2 restricts, and only that one', () => {
    const snapshot = tenant([
      partner('Other', {
        SenderIPAddresses: ['192.0.2.99'],
        RestrictDomainsToIPAddresses: true,
        Enabled: false,
      }),
      partner('From SEG', {
        SenderIPAddresses: ['203.0.113.10'],
        RestrictDomainsToIPAddresses: true,
        Enabled: false,
      }),
    ]);
    const c = compare(snapshot, PROFILE);
    expect(c.plan).toEqual({ identity: 'From SEG', creates: false });
    expect(c.claims['connector.lockdown-disabled']).toEqual({ creates: [], edits: ['From SEG'] });
    expectAgreement(c, 'disabled');
  });

  test('no connector at all: lockdown-missing creates the connector under the name stage 2 gives it', () => {
    const snapshot = tenant([]);
    const c = compare(snapshot, PROFILE);
    expect(c.plan).toEqual({ identity: 'mxlock - From SEG', creates: true });
    expect(c.claims['connector.lockdown-missing']).toEqual({ creates: ['mxlock - From SEG'], edits: [] });
    expectAgreement(c, 'none');
  });

  test('recipient scope: the gateway connector is the one cleared, as stage 2 does', () => {
    const scopedTo = { AssociatedAcceptedDomains: ['contoso.com'] };
    const snapshot = tenant(
      [
        partner('Old', {
          SenderIPAddresses: ['192.0.2.99'],
          RestrictDomainsToIPAddresses: true,
          ...scopedTo,
        }),
        partner('From SEG', {
          SenderIPAddresses: GATEWAY_IPS,
          RestrictDomainsToIPAddresses: true,
          ...scopedTo,
        }),
      ],
      {
        'Get-AcceptedDomain': [
          { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
          { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', InitialDomain: true },
        ],
      },
    );
    const { report } = assessSnapshot(snapshot, { profile: PROFILE });
    const scope = report.findings.find((f) => f.id === 'connector.lockdown-recipient-scope')!;
    expect(scope.status).toBe('fail');
    expect(scope.remediation.powershell).toContain(
      "Set-InboundConnector -Identity 'From SEG' -AssociatedAcceptedDomains $null",
    );
    expect(scope.remediation.powershell).not.toContain("-Identity 'Old'");
    expect(compare(snapshot, PROFILE).plan).toEqual({ identity: 'From SEG', creates: false });
  });

  test('a declared source joins the gateway connector, the IP lock-down the plan adds it to', () => {
    const snapshot = tenant([
      partner('Old', { SenderIPAddresses: ['192.0.2.99'], RestrictDomainsToIPAddresses: true }),
      partner('From SEG', { SenderIPAddresses: GATEWAY_IPS, RestrictDomainsToIPAddresses: true }),
    ]);
    const profile = ProfileSchema.parse({
      gateway: { name: 'SEG', ips: GATEWAY_IPS },
      directSendSources: [{ name: 'Scanner', ips: ['192.0.2.50'], senders: ['scan@contoso.com'] }],
    });
    const { report } = assessSnapshot(snapshot, { profile });
    const inventory = report.findings.find((f) => f.id === 'inventory.direct-send-sources')!;
    expect(inventory.remediation.powershell).toContain(
      "Set-InboundConnector -Identity 'From SEG' -SenderIPAddresses @{Add='192.0.2.50'}",
    );
    expect(inventory.remediation.powershell).not.toContain("-Identity 'Old'");
    const draft = planChanges({ snapshot, profile, gateway: resolveGateway(profile, snapshot) });
    const stage0 = draft.stages.find((st) => st.no === 0)!.changes;
    expect(stage0.map((c) => c.identity)).toContain('From SEG');
    expect(stage0.map((c) => c.identity)).not.toContain('Old');
  });

  test('the claim parser sees what a script does (so the property can fail)', () => {
    expect(
      lockdownClaims(
        [
          "# Set-InboundConnector -Identity 'Comment' -Enabled $true",
          "New-InboundConnector -Name 'It''s new' -ConnectorType Partner -SenderDomains '*' `",
          '  -RestrictDomainsToIPAddresses $true',
          "Set-InboundConnector -Identity 'A' -SenderIPAddresses @{Add='203.0.113.10'}",
          "Set-InboundConnector -Identity 'B' -SenderIPAddresses @{Remove='203.0.113.10'}",
          "Set-InboundConnector -Identity 'C' -Enabled $true",
        ].join('\n'),
        GATEWAY_IPS,
      ),
    ).toEqual({ creates: ["It's new"], edits: ['A', 'C'] });
    expect(() =>
      expectAgreement(
        {
          plan: { identity: 'From SEG', creates: false },
          blocked: undefined,
          claims: { x: { creates: ['From SEG'], edits: [] } },
        },
        'self-test',
      ),
    ).toThrow();
  });
});

describe('the report and the plan name the same gateway connector', () => {
  const examples = join(__dirname, '../../../examples');
  test.each(['half-done', 'hardened', 'wide-open'])('example %s', async (name) => {
    const dir = join(examples, name);
    const snapshot = await readExport(dir);
    const profile = await loadProfile(join(dir, 'mxlock.yaml'));
    const direct = compare(snapshot, profile);
    expectAgreement(direct, name);
    // The same through the CLI's pipeline (assessExport), so the examples are read as a user reads them.
    const { report } = await assessExport(dir, { offline: true });
    const gateway = resolveGateway(profile, snapshot);
    for (const f of tailoredFindings(report))
      expect(lockdownClaims(f.remediation.powershell, gateway.ips)).toEqual(direct.claims[f.id]);
  });

  const profiles: [string, Profile | undefined][] = [
    ['inferred', undefined],
    ['IPs', ProfileSchema.parse({ gateway: { name: 'GW', ips: ['203.0.113.10', '198.51.100.0/28'] } })],
    [
      'certificate',
      ProfileSchema.parse({ gateway: { name: 'GW', ips: ['203.0.113.10'], certificate: '*.gw.example' } }),
    ],
  ];
  test.each(profiles)('generated tenants, gateway %s', (label, profile) => {
    let planned = 0;
    let named = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { snapshot } = generateConfig(40_000 + seed, { maxConnectors: 5, maxRules: 2 });
      const c = compare(snapshot, profile);
      if (c.plan) planned++;
      if (c.plan && Object.values(c.claims).some((x) => x.creates.length + x.edits.length > 0)) named++;
      expectAgreement(c, `seed ${40_000 + seed} (${label})`);
    }
    // The property must have been exercised: plans made, and findings that name a lock-down beside them.
    expect(planned).toBeGreaterThanOrEqual(10);
    expect(named).toBeGreaterThanOrEqual(3);
  });
});
