/**
 * Builders shared by the planner tests: a Partner inbound connector, a contoso tenant around it, the safety check
 * with the inputs every such test passes alike, and hand-built stages. Every default is spelled out here, so a test
 * states only what it varies; a file whose cases all share another value (RequireTls $true, say) wraps `partner`.
 */
import { assessExport } from '../../src/assess-export.js';
import type { DnsZone } from '../../src/common/zone.js';
import { buildPlan } from '../../src/plan/index.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import { checkPlan, type CheckedPlan, type SafetyInput } from '../../src/plan/safety.js';
import type { Change, PsValue, Stage, StageNo } from '../../src/plan/types.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeSnapshot, type ExportData } from '../checks/helpers.js';

/** The gateway egress address `partner` lists by default (TEST-NET-3, RFC 5737). */
export const GATEWAY_IP = '203.0.113.10';

/**
 * A `*` Partner inbound connector: enabled, listing GATEWAY_IP, restricting neither by IP nor by certificate,
 * RequireTls $false, scoped to no accepted domain. `props` override these or add to them.
 */
export function partner(name: string, props: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: name,
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['smtp:*;1'],
    SenderIPAddresses: [GATEWAY_IP],
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    RequireTls: false,
    AssociatedAcceptedDomains: [],
    ...props,
  };
}

/**
 * The 'contoso' tenant with `connectors`: no transport rules, RejectDirectSend $false, contoso.com its only (default,
 * authoritative) accepted domain. `cmdlets` replaces whole exports (more domains, RejectDirectSend on, rules); `dns`
 * is the recorded zone.
 */
/**
 * contoso.com opted out of IPv6 inbound: for tests of IPv4 behaviour (without the file, IPv6 is taken as Enabled,
 * Microsoft's default, and an IP lock-down leaves the gateway's mail over IPv6 uncertain: test/plan/ipv6.test.ts).
 */
export const IPV4_ONLY: ExportData = {
  'Get-IPv6StatusForAcceptedDomain': [{ Domain: 'contoso.com', Status: 'Disabled' }],
};

export function tenant(
  connectors: Record<string, unknown>[],
  cmdlets: ExportData = {},
  dns?: DnsZone,
): Snapshot {
  return makeSnapshot(
    {
      'Get-InboundConnector': connectors,
      'Get-TransportRule': [],
      'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: false }],
      'Get-AcceptedDomain': [{ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true }],
      ...cmdlets,
    } as ExportData,
    dns,
  );
}

/** The safety check of `stages` for the 'contoso' tenant, with no draft warnings and no DNS records unless given. */
export function checkStages(
  input: Pick<SafetyInput, 'snapshot' | 'profile' | 'gateway' | 'stages'> & Partial<SafetyInput>,
): CheckedPlan {
  return checkPlan({ tenant: 'contoso', warnings: [], dnsRecords: [], ...input });
}

/** A hand-built change setting `after` (was `before`) on an existing object. */
export function setChange(
  stage: StageNo,
  kind: Change['kind'],
  identity: string,
  before: Record<string, PsValue>,
  after: Record<string, PsValue>,
): Change {
  return {
    id: `${kind}:${identity}:${Object.keys(after).join(',')}`,
    stage,
    title: `Set ${Object.keys(after).join(', ')} on ${identity || kind}`,
    why: ['test'],
    kind,
    identity,
    creates: false,
    before,
    after,
  };
}

/** Stage 2's title, as the planner writes it. */
export const LOCKDOWN_TITLE = 'Restrict the Partner inbound connector to the gateway';

/** Stages 0–5 holding `byStage`'s changes; a stage without a title in `titles` is called `stage <no>`. */
export function stagesWith(
  byStage: Partial<Record<StageNo, readonly Change[]>>,
  titles: Partial<Record<StageNo, string>> = { 2: LOCKDOWN_TITLE },
): Stage[] {
  return ([0, 1, 2, 3, 4, 5] as const).map((no) => ({
    no,
    title: titles[no] ?? `stage ${no}`,
    observe: 'a day',
    changes: [...(byStage[no] ?? [])],
    notes: [],
  }));
}

/** `mxlock plan <dir> --offline` as a library call: the export assessed, then planned with its profile and DNS. */
export async function planExportOffline(dir: string, now: Date) {
  const e = await assessExport(dir, { offline: true, now });
  const profile = e.profile ?? EMPTY_PROFILE;
  const built = buildPlan({
    snapshot: e.snapshot,
    profile,
    gateway: resolveGateway(profile, e.snapshot),
    report: e.report,
    zone: e.zone,
    now,
  });
  if (!built.ok) throw new Error(built.reason);
  return { assessed: e, checked: built.checked };
}
