/**
 * The planner (DESIGN §6, guide "activation order"): the changes that close every path for THIS tenant, in
 * stages 0 backup + admit declared Direct Send sources → 1 safety-net rule in AuditAndNotify → 2 restrict the
 * Partner connector → 3 RejectDirectSend → 4 rule to Enforce → 5 anti-spoofing, anti-spam, Enhanced Filtering.
 * Pure: reads the snapshot, writes nothing. Never an allow-by-sender-domain connector.
 */
import { isSafetyNet } from '../checks/step3/safety-net.js';
import { domainOf } from '../model/domains.js';
import { sourceAdmission } from '../model/admission.js';
import { isGatewayCandidate, rankGatewayConnectors } from '../model/gateway-connector.js';
import { IpSet } from '../model/ip.js';
import { buildTenant, type Tenant } from '../model/tenant.js';
import type { ResolvedGateway } from '../profile/gateway.js';
import type { Profile } from '../profile/schema.js';
import type { AntiPhishPolicy, InboundConnector } from '../snapshot/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import { applyChange, CMDLET_OF } from './model.js';
import type { Change, ObjectKind, PsValue, Stage, StageNo } from './types.js';

export const SAFETY_NET_NAME = 'mxlock - BLOCK direct EOP ingress (bypass SEG)';
export const SAFETY_NET_REASON =
  'Mail to this organization must be delivered via the official Secure Email Gateway.';

const STAGES: Record<StageNo, { title: string; observe: string }> = {
  0: {
    title: 'Backup and admit the declared Direct Send sources',
    observe: 'check that each source still delivers (message trace) before stage 1',
  },
  1: {
    title: 'Safety-net transport rule in audit mode (AuditAndNotify)',
    observe: 'one week: every rule match in the reports must be an attack, not legitimate mail',
  },
  2: {
    title: 'Restrict the Partner inbound connector to the gateway',
    observe: 'one to two days: watch for 5.7.51 rejections of legitimate senders',
  },
  3: {
    title: 'Reject Direct Send',
    observe: 'up to 30 minutes to propagate; watch for 5.7.68 bounces of legitimate senders',
  },
  4: { title: 'Safety-net rule to Enforce', observe: 'a week of message trace and rule reports' },
  5: {
    title: 'Anti-spoofing, anti-spam and Enhanced Filtering',
    observe: 'a week of spoof detections and quarantine reviews',
  },
};

type Obj = Record<string, unknown>;

/** New-InboundConnector's documented defaults for what the plan does not set (eop-model §2.2 [D] S8). */
const CONNECTOR_DEFAULTS: Record<string, PsValue> = {
  AssociatedAcceptedDomains: [],
  RestrictDomainsToCertificate: false,
  RestrictDomainsToIPAddresses: false,
  TreatMessagesAsInternal: false,
  CloudServicesMailEnabled: false,
  TrustedOrganizations: [],
  EFSkipIPs: [],
  EFSkipLastIP: false,
  EFUsers: [],
  EFTestMode: false,
};

function value(o: Obj | undefined, key: string): PsValue | undefined {
  const v = o?.[key];
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(String);
  return undefined;
}

function same(a: PsValue | undefined, b: PsValue): boolean {
  if (Array.isArray(b)) {
    if (!Array.isArray(a)) return false;
    const x = [...a].map((s) => s.toLowerCase()).sort();
    const y = [...b].map((s) => s.toLowerCase()).sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

interface Draft {
  stage: StageNo;
  title: string;
  why: string[];
  kind: ObjectKind;
  identity: string;
  object: Obj | undefined;
  set: Record<string, PsValue>;
}

/** Only the properties that differ become part of the change; a change that would set nothing is dropped. */
function toChange(d: Draft): Change | undefined {
  const creates = d.object === undefined && d.kind !== 'OrganizationConfig';
  const after: Record<string, PsValue> = {};
  const before: Record<string, PsValue | undefined> = {};
  for (const [k, v] of Object.entries(d.set)) {
    const prior = value(d.object, k);
    if (!creates && same(prior, v)) continue;
    after[k] = v;
    before[k] = creates ? undefined : prior;
  }
  if (Object.keys(after).length === 0) return undefined;
  const what = Object.keys(after).sort().join(',');
  const change: Change = {
    id: `${d.kind}:${d.identity}:${what}`,
    stage: d.stage,
    title: d.title,
    why: d.why,
    kind: d.kind,
    identity: d.identity,
    creates,
    before,
    after,
  };
  if (creates && d.kind === 'InboundConnector') change.defaults = CONNECTOR_DEFAULTS;
  return change;
}

const nameOf = (o: { Name?: string | undefined; Identity?: string | undefined }) =>
  o.Name ?? o.Identity ?? '';

/**
 * The connector the plan turns into the lock-down: the best-ranked candidate of model/gateway-connector.ts that matches
 * the gateway or already restricts, enabled or not. A disabled match ranks above a lock-down the gateway does not match:
 * it already names the gateway, and stage 2 sets Enabled = true, so reusing it beats creating a duplicate.
 */
function gatewayConnector(t: Tenant, gw: ResolvedGateway): InboundConnector | undefined {
  return rankGatewayConnectors(t.inboundConnectors, gw).find(isGatewayCandidate)?.connector;
}

/**
 * `listed` followed by each of `more` that it does not cover yet, so an existing wider range is not repeated by a
 * narrower entry (IpSet.covers); the existing entries keep their text and order, which rollback restores as they were.
 */
function withIps(listed: readonly string[], more: readonly string[]): string[] {
  const out = [...listed];
  for (const e of more) {
    if (new IpSet(out).covers(e) || out.some((x) => x.toLowerCase() === e.toLowerCase())) continue;
    out.push(e);
  }
  return out;
}

/**
 * Guide 4.2 settings that exist only with Defender for Office 365: mailbox intelligence, and impersonation protection
 * for the profile's protectedUsers. Proposed only when the export shows the policy has them (an EOP-only tenant's
 * export lacks the properties, and the cmdlet would refuse them).
 */
function mdoSettings(ap: AntiPhishPolicy, profile: Profile): Record<string, PsValue> {
  const out: Record<string, PsValue> = {};
  if (ap.EnableMailboxIntelligence !== undefined) out['EnableMailboxIntelligence'] = true;
  if (ap.EnableMailboxIntelligenceProtection !== undefined) out['EnableMailboxIntelligenceProtection'] = true;
  if (profile.protectedUsers.length > 0 && ap.EnableTargetedUserProtection !== undefined) {
    const current = ap.TargetedUsersToProtect ?? [];
    const listed = new Set(current.map((e) => (e.split(';').pop() ?? '').trim().toLowerCase()));
    // Entries are "Display name;address"; the local part stands in for a display name the export does not give.
    const missing = profile.protectedUsers
      .filter((u) => !listed.has(u.toLowerCase()))
      .map((u) => `${u.split('@')[0]};${u}`);
    out['EnableTargetedUserProtection'] = true;
    out['TargetedUserProtectionAction'] = 'Quarantine';
    if (missing.length > 0) out['TargetedUsersToProtect'] = [...current, ...missing];
  }
  return out;
}

export interface PlanInput {
  snapshot: Snapshot;
  profile: Profile;
  gateway: ResolvedGateway;
}

export interface PlanDraft {
  stages: Stage[];
  warnings: string[];
  /** Why no plan can be made (e.g. no gateway): the CLI reports it and exits 2. */
  blocked?: string;
}

export function planChanges(input: PlanInput): PlanDraft {
  const { snapshot, profile, gateway: gw } = input;
  const t = buildTenant(snapshot);
  const warnings: string[] = [];
  const drafts: Draft[] = [];
  const notes: Record<StageNo, string[]> = { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [] };

  if (gw.source === 'none' || (gw.ips.length === 0 && !gw.certificate)) {
    return {
      stages: [],
      warnings,
      blocked:
        'the gateway is not known: declare gateway.ips (and gateway.certificate, if it presents one) in mxlock.yaml, or run `mxlock init`',
    };
  }
  for (const need of [
    'Get-InboundConnector',
    'Get-TransportRule',
    'Get-OrganizationConfig',
    'Get-AcceptedDomain',
  ] as const) {
    if (snapshot.missing.includes(need))
      return {
        stages: [],
        warnings,
        blocked: `${need}.json is not in the export: a plan built without it could undo or duplicate what is there`,
      };
  }

  const gwConn = gatewayConnector(t, gw);
  // A connector that already restricts to a certificate keeps doing so when the profile names none: switching it to
  // IPs would weaken it (a shared gateway's IPs serve other customers) or, added on top, mix IPs and a certificate in
  // one connector, which CON-3 [D] advises against.
  const keptCertificate =
    gw.certificate === undefined &&
    gwConn?.RestrictDomainsToCertificate === true &&
    gwConn.TlsSenderCertificateName?.trim()
      ? gwConn.TlsSenderCertificateName.trim()
      : undefined;
  if (keptCertificate !== undefined)
    warnings.push(
      `'${nameOf(gwConn!)}' already restricts to the certificate ${keptCertificate}, which mxlock.yaml does not declare: the plan keeps the certificate lock-down; declare gateway.certificate to make it explicit`,
    );
  const certificate = gw.certificate ?? keptCertificate;
  const certMode = certificate !== undefined;
  const gwName = gwConn ? nameOf(gwConn) : `mxlock - From ${gw.name ?? 'Secure Email Gateway'}`;
  const declared = profile.directSendSources;
  const hybridIps = profile.hybrid?.ips ?? [];

  // Stage 0: backup, then admit every declared source that no connector matches by IP yet (DESIGN §6).
  notes[0].push(
    'Back up the configuration: the script writes the same export folder mxlock reads (rollback reads nothing else).',
  );
  const ipLockdownExtra: string[] = [];
  /** Connectors to restrict by IP together with the lock-down (stage 2): created in stage 0, or existing ones. */
  const deviceConnectors: { name: string; object: Obj | undefined }[] = [];
  for (const src of declared) {
    notes[0].push(
      `Direct Send source '${src.name}': the preferred fixes are to route it through the gateway or to submit with SMTP AUTH (smtp.office365.com:587); the change below keeps it working as it is.`,
    );
    const domains = [
      ...new Set(src.senders.map((s) => domainOf(s)).filter((d): d is string => d !== undefined)),
    ].sort();
    // Admitted as the lock-down will judge it, not merely listed somewhere (model/admission.ts, CON-5, §12 OQ-2).
    const adm = sourceAdmission(t.inboundConnectors ?? [], src.ips, domains);
    const listedOn = adm.connectors.map((c) => `'${nameOf(c)}'`).join(', ');
    if (adm.kind === 'admitted') {
      notes[0].push(`'${src.name}' (${src.ips.join(', ')}) is already admitted by ${listedOn}.`);
      continue;
    }
    if (adm.kind === 'restrict-with-lockdown' && certMode) {
      // Its own Partner connector covers its domains: restricted with the lock-down, it satisfies it (§12 OQ-2 [I]).
      notes[0].push(
        `'${src.name}' (${src.ips.join(', ')}) is listed on ${listedOn}, which stage 2 restricts by IP together with the lock-down.`,
      );
      for (const c of adm.connectors)
        if (!deviceConnectors.some((d) => d.name.toLowerCase() === nameOf(c).toLowerCase()))
          deviceConnectors.push({ name: nameOf(c), object: c as Obj });
      continue;
    }
    if (adm.kind === 'exempt-only')
      notes[0].push(
        `'${src.name}' is listed on ${listedOn}, which exempts it from RejectDirectSend only: ${adm.reasons.join('; ')}.`,
      );
    if (certMode) {
      // Option 3: a separate Partner connector matching the source by IP, restricted in stage 2 with the lock-down.
      const name = `mxlock - Direct Send: ${src.name}`;
      deviceConnectors.push({ name, object: undefined });
      drafts.push({
        stage: 0,
        title: `Partner connector for '${src.name}' matching its IPs`,
        why: [
          `admits '${src.name}' by IP: matched by IP, it is exempt from RejectDirectSend (eop-model DS-2 [D]) and, restricted with the lock-down, satisfies it for ${domains.join(', ')} (§12 OQ-2 [I])`,
          'never an allow-by-sender-domain connector: one that matches by domain only neither exempts nor admits (CON-3 [D])',
        ],
        kind: 'InboundConnector',
        identity: name,
        object: (t.inboundConnectors ?? []).find((c) => nameOf(c).toLowerCase() === name.toLowerCase()) as
          Obj | undefined,
        set: {
          ConnectorType: 'Partner',
          SenderDomains: domains,
          SenderIPAddresses: [...src.ips],
          RestrictDomainsToIPAddresses: false,
          RequireTls: false,
          Enabled: true,
        },
      });
    } else {
      // Option 2: the source's IPs join the IP-restricted lock-down connector.
      ipLockdownExtra.push(...src.ips);
    }
  }
  // IP lock-down: the connector must list every gateway egress entry by the time it restricts, or the gateway's mail
  // from an entry it lacks (a second region, a DR range) gets 550 5.7.51 (CON-5 [D]). One list for stages 0 and 2, so
  // stage 2 finds nothing left to add when stage 0 already wrote it.
  const gwListed = gwConn?.SenderIPAddresses ?? [];
  const gwMissing = certMode ? [] : gw.ips.filter((e) => !new IpSet(gwListed).covers(e));
  const lockdownIps = withIps(gwListed, [...gw.ips, ...ipLockdownExtra]);
  const gatewayWhy =
    gwConn && gwMissing.length > 0
      ? [
          `adds the gateway's ${gwMissing.join(', ')}, which '${gwName}' does not list: once it restricts, the gateway's mail from there would get 550 5.7.51 (CON-5 [D])`,
        ]
      : [];
  const stage0SetsIps = !certMode && (ipLockdownExtra.length > 0 || !gwConn);
  if (stage0SetsIps) {
    drafts.push({
      stage: 0,
      title: gwConn
        ? `Add the declared sources' IPs to '${gwName}'`
        : `Partner connector '${gwName}' matching the gateway and the declared sources by IP`,
      why: [
        'matched by IP, the sources are exempt from RejectDirectSend (DS-2 [D]) and, once the connector restricts in stage 2, satisfy it (CON-5 [D])',
        ...gatewayWhy,
      ],
      kind: 'InboundConnector',
      identity: gwName,
      object: gwConn as Obj | undefined,
      set: gwConn
        ? { SenderIPAddresses: lockdownIps }
        : {
            ConnectorType: 'Partner',
            SenderDomains: ['*'],
            SenderIPAddresses: lockdownIps,
            RestrictDomainsToIPAddresses: false,
            RequireTls: true,
            Enabled: true,
          },
    });
  }

  // Stage 1: the safety net in AuditAndNotify at priority 0 (guide step 3).
  const rules = t.transportRules ?? [];
  const net = rules.find((r) => isSafetyNet(r));
  const exceptIps = [...new Set([...gw.ips, ...declared.flatMap((s) => s.ips), ...hybridIps])];
  const netName = net ? nameOf(net) : SAFETY_NET_NAME;
  const enforcedNet = net?.Mode === 'Enforce' && net.State === 'Enabled';
  drafts.push({
    stage: 1,
    title: net
      ? `Safety-net rule '${netName}': gateway exceptions, first place${enforcedNet ? '' : ', audit mode'}`
      : `Safety-net rule '${netName}' in AuditAndNotify`,
    why: [
      'a second layer that rejects external mail not arriving from the gateway, after acceptance (TR-1 [D], §4.6 [C])',
      'priority 0 so no SCL -1 or stop-processing rule above it overrides it (TR-2 [D])',
      'exceptions: the gateway, the declared sources and hybrid (X-MS-Exchange-Organization-AuthAs Internal), calendaring (§4.6 [C] S51)',
    ],
    kind: 'TransportRule',
    identity: netName,
    object: net as Obj | undefined,
    set: {
      ...(net
        ? {}
        : {
            FromScope: 'NotInOrganization',
            RejectMessageEnhancedStatusCode: '5.7.1',
            RejectMessageReasonText: SAFETY_NET_REASON,
            ExceptIfHeaderMatchesMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
            ExceptIfHeaderMatchesPatterns: ['Internal'],
            ExceptIfMessageTypeMatches: 'Calendaring',
          }),
      ExceptIfSenderIpRanges: net
        ? [...new Set([...(net.ExceptIfSenderIpRanges ?? []), ...exceptIps])]
        : exceptIps,
      ...(enforcedNet ? {} : { Mode: 'AuditAndNotify' }),
      State: 'Enabled',
      Priority: 0,
    },
  });

  // Stage 2: the lock-down on the gateway connector (certificate preferred, IPs otherwise; never both, CON-3 [D]).
  const lockdownSet: Record<string, PsValue> = certMode
    ? {
        ConnectorType: 'Partner',
        SenderDomains: ['*'],
        RestrictDomainsToCertificate: true,
        TlsSenderCertificateName: certificate!,
        RestrictDomainsToIPAddresses: false,
        SenderIPAddresses: [],
        RequireTls: true,
        AssociatedAcceptedDomains: [],
        Enabled: true,
      }
    : {
        ConnectorType: 'Partner',
        SenderDomains: ['*'],
        // Set in the same change as the restriction, so there is no moment it restricts without them (CON-5 [D]).
        SenderIPAddresses: lockdownIps,
        RestrictDomainsToIPAddresses: true,
        RequireTls: true,
        AssociatedAcceptedDomains: [],
        Enabled: true,
      };
  drafts.push({
    stage: 2,
    title: `Restrict '${gwName}' to the gateway's ${certMode ? 'certificate' : 'IPs'}`,
    why: [
      'the real control for a SEG tenant: every other source gets 550 5.7.51 at RCPT, whatever the sender domain (CON-5 [D], S9)',
      certMode
        ? 'certificate preferred over IPs (S9 [D]); IPs and certificate never in one connector (CON-3 [D])'
        : 'IP-restricted: other customers of the same gateway share these IPs (residual path path.shared-gateway-ip)',
      ...(stage0SetsIps ? [] : gatewayWhy),
    ],
    kind: 'InboundConnector',
    identity: gwName,
    object: gwConn as Obj | undefined,
    set: lockdownSet,
  });
  for (const { name, object } of deviceConnectors) {
    drafts.push({
      stage: 2,
      title: `Restrict '${name}' to its IPs with the lock-down`,
      why: [
        'with the certificate lock-down in place, the source must satisfy a restricting connector of its own (§12 OQ-2 [I])',
        'not before the lock-down: a restricting connector scoped to an own domain refuses that domain from every other source (CON-5 [D])',
      ],
      kind: 'InboundConnector',
      identity: name,
      object,
      set: { RestrictDomainsToIPAddresses: true },
    });
  }

  // Stage 3: RejectDirectSend.
  drafts.push({
    stage: 3,
    title: 'Set-OrganizationConfig -RejectDirectSend $true',
    why: [
      'anonymous mail with an own-domain MAIL FROM is refused with 550 5.7.68 (DS-2 [D]); with the lock-down it is a complement',
    ],
    kind: 'OrganizationConfig',
    identity: '',
    object: t.org as Obj | undefined,
    set: { RejectDirectSend: true },
  });

  // Stage 4: the safety net enforces.
  drafts.push({
    stage: 4,
    title: `Safety-net rule '${netName}' to Enforce`,
    why: ['audit mode does not affect delivery (TR-3 [D])'],
    kind: 'TransportRule',
    identity: netName,
    object: undefined,
    set: { Mode: 'Enforce' },
  });

  // Stage 5: anti-spoofing, anti-spam, connection filter, Enhanced Filtering, SCL -1 rules.
  const ap = t.antiPhish;
  if (ap) {
    drafts.push({
      stage: 5,
      title: `Anti-phishing policy '${nameOf(ap)}' hardened`,
      why: [
        'guide 4.2: spoof intelligence on, honour DMARC, quarantine unauthenticated senders (eop-model §6.3 [D])',
      ],
      kind: 'AntiPhishPolicy',
      identity: nameOf(ap),
      object: ap as Obj,
      set: {
        EnableSpoofIntelligence: true,
        HonorDmarcPolicy: true,
        AuthenticationFailAction: 'Quarantine',
        ...mdoSettings(ap, profile),
      },
    });
  } else
    warnings.push('no default anti-phishing policy in the export: stage 5 leaves anti-phishing unchanged');
  const cf = t.contentFilterDefault;
  if (cf) {
    const own = new Set(t.domainNames);
    const allowed = cf.AllowedSenderDomains ?? [];
    drafts.push({
      stage: 5,
      title: `Anti-spam policy '${nameOf(cf)}': guide thresholds, no own domain allowed`,
      why: [
        'guide 4.3: BCL 6 or lower, quarantine high-confidence phish; an own domain on the allow list lets spoofs through (S31 [D])',
      ],
      kind: 'HostedContentFilterPolicy',
      identity: nameOf(cf),
      object: cf as Obj,
      set: {
        ...((cf.BulkThreshold ?? 7) > 6 ? { BulkThreshold: 6 } : {}),
        HighConfidencePhishAction: 'Quarantine',
        ...(allowed.some((d) => own.has(d))
          ? { AllowedSenderDomains: allowed.filter((d) => !own.has(d)) }
          : {}),
      },
    });
  }
  const conn = t.connectionFilter;
  if (conn) {
    const gwSet = new IpSet(gw.ips);
    const allow = conn.IPAllowList ?? [];
    const keep = allow.filter((e) => !gwSet.covers(e));
    if (keep.length > 0)
      warnings.push(
        `the connection-filter IP Allow List keeps ${keep.join(', ')}: not the gateway; review them (they skip spam filtering)`,
      );
    drafts.push({
      stage: 5,
      title: `Connection filter '${nameOf(conn)}': no safe list, no gateway IPs on the allow list`,
      why: ['the gateway is handled by Enhanced Filtering, not by skipping spam filtering (S9, S30 [D])'],
      kind: 'HostedConnectionFilterPolicy',
      identity: nameOf(conn),
      object: conn as Obj,
      set: { EnableSafeList: false, ...(keep.length !== allow.length ? { IPAllowList: keep } : {}) },
    });
  }
  drafts.push({
    stage: 5,
    title: `Enhanced Filtering on '${gwName}' for the gateway's IPs`,
    why: [
      'EOP finds the real sender behind the gateway for SPF/DMARC and spoof checks; with the MX elsewhere, honouring DMARC needs it (EF-1, EF-5 [D])',
    ],
    kind: 'InboundConnector',
    identity: gwName,
    object: undefined,
    set: { EFSkipIPs: [...gw.ips], EFSkipLastIP: false, EFUsers: [] },
  });
  for (const r of rules) {
    if (r.SetSCL !== -1 || r.State !== 'Enabled') continue;
    drafts.push({
      stage: 5,
      title: `Disable SCL -1 rule '${nameOf(r)}'`,
      why: [
        'an SCL -1 rule bypasses spam and spoof filtering (eop-model §4.4, §4.5 [D]); Enhanced Filtering replaces "skip double filtering" rules (field-notes 6)',
      ],
      kind: 'TransportRule',
      identity: nameOf(r),
      object: r as Obj,
      set: { State: 'Disabled' },
    });
  }

  return { stages: resolveStages(drafts, snapshot, notes), warnings };
}

function resolveStages(drafts: Draft[], snapshot: Snapshot, notes: Record<StageNo, string[]>): Stage[] {
  const stages: Stage[] = ([0, 1, 2, 3, 4, 5] as StageNo[]).map((no) => ({
    no,
    ...STAGES[no],
    changes: [],
    notes: notes[no],
  }));
  let state = snapshot;
  for (const d of drafts) {
    const t = buildTenant(state);
    const object =
      d.kind === 'OrganizationConfig'
        ? (t.org as Obj | undefined)
        : (lookup(state, d.kind, d.identity) ?? d.object);
    const change = toChange({
      ...d,
      object: object ?? (lookup(state, d.kind, d.identity) as Obj | undefined),
    });
    if (!change) continue;
    stages[d.stage]!.changes.push(change);
    state = applyChange(state, change);
  }
  return stages;
}

function lookup(s: Snapshot, kind: ObjectKind, identity: string): Obj | undefined {
  const list = (s.data as Record<string, Obj[] | undefined>)[CMDLET_OF[kind]] ?? [];
  const id = identity.toLowerCase();
  return list.find((o) =>
    [o['Name'], o['Identity']].some((v) => typeof v === 'string' && v.toLowerCase() === id),
  );
}
