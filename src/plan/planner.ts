/**
 * The planner (DESIGN §6, guide "activation order"): the changes that close every path for THIS tenant, in
 * stages 0 backup + admit declared Direct Send sources → 1 safety-net rule in AuditAndNotify → 2 restrict the
 * Partner connector → 3 RejectDirectSend → 4 rule to Enforce → 5 anti-spoofing, anti-spam, Enhanced Filtering.
 * Pure: reads the snapshot, writes nothing. Never an allow-by-sender-domain connector.
 */
import { lackingExports } from '../snapshot/partial.js';
import { isSafetyNet } from '../model/safety-net.js';
import { domainOf } from '../common/domains.js';
import { deviceRecipientDomains, sourceAdmission } from '../model/admission.js';
import {
  coversEverySender,
  isEnabled,
  isPartner,
  restrictsByCertificate,
  restrictsByIp,
} from '../model/connectors.js';
import { gatewayConnectorChoice, gatewayUnknown, rankGatewayConnectors } from '../model/gateway-connector.js';
import { certificateVendor } from '../common/vendors.js';
import { IpSet, parseIpEntry } from '../common/ip.js';
import { buildTenant } from '../model/tenant.js';
import type { ResolvedGateway } from '../common/gateway.js';
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

type LaterOwned = Record<string, { stage: StageNo; value: PsValue }>;

/**
 * Only the properties that differ become part of the change; a change that would set nothing is dropped. `later`: the
 * properties a later stage sets to another value on the same object. On an existing object such a property is left
 * alone when it already holds the later stage's value (setting it here would undo that stage for the time between
 * them); otherwise it is set and marked `ownedLater`, so a re-run after the later stage leaves it alone too. A created
 * object is still created with it: the later stage has not run while the object does not exist, and the cmdlet default
 * is not always the value wanted in between (New-TransportRule's Mode defaults to Enforce, stage 1 wants the audit).
 */
function toChange(d: Draft, later: LaterOwned = {}): Change | undefined {
  const creates = d.object === undefined && d.kind !== 'OrganizationConfig';
  const after: Record<string, PsValue> = {};
  const before: Record<string, PsValue | undefined> = {};
  const ownedLater: LaterOwned = {};
  for (const [k, v] of Object.entries(d.set)) {
    const prior = value(d.object, k);
    if (!creates && same(prior, v)) continue;
    const owner = later[k];
    if (!creates && owner && same(prior, owner.value)) continue;
    after[k] = v;
    before[k] = creates ? undefined : prior;
    if (owner) ownedLater[k] = owner;
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
  if (Object.keys(ownedLater).length > 0) change.ownedLater = ownedLater;
  const toNull = creates ? [] : nullBefore(d, after, before);
  if (toNull.length > 0) change.rollbackToNull = toNull;
  return change;
}

/** Connector properties Get-InboundConnector writes as null when unset (eop-model §8.1 [C] S44: a string or null). */
const NULL_WHEN_UNSET = ['TlsSenderCertificateName'] as const;

/**
 * The properties `after` sets whose prior value can only have been null: the reader turns null into undefined, so
 * `before` alone cannot tell null from "not exported". Get-InboundConnector always writes TlsSenderCertificateName, as
 * a name or null (§8.1 [C] S44), so on a connector of the export that matches by IP (SenderIPAddresses listed) and does
 * not restrict by certificate, an absent name is null: a name there would be the mix of IPs and a certificate in one
 * connector that CON-3 [D] advises against, and any name the export held would have been read. Rolling such a property
 * back to $null keeps rollback from leaving the plan's certificate on an IP connector (mixed, CON-3). Elsewhere (a
 * connector with no IPs, an object of a hand-made export) the prior value stays unknown and rollback leaves it. [I]
 */
function nullBefore(
  d: Draft,
  after: Readonly<Record<string, PsValue>>,
  before: Readonly<Record<string, PsValue | undefined>>,
): string[] {
  if (d.kind !== 'InboundConnector' || d.object === undefined) return [];
  const ips = value(d.object, 'SenderIPAddresses');
  const matchesByIp = Array.isArray(ips) && ips.length > 0;
  if (!matchesByIp || d.object['RestrictDomainsToCertificate'] === true) return [];
  return NULL_WHEN_UNSET.filter((k) => k in after && before[k] === undefined);
}

const nameOf = (o: { Name?: string | undefined; Identity?: string | undefined }) =>
  o.Name ?? o.Identity ?? '';

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

/** SenderIPAddresses takes IPv4 addresses and CIDR ranges from /24 to /32 only (eop-model §2.2 [D] S8). */
const NARROWEST_SENDER_IP_PREFIX = 24;
/**
 * The most /24 blocks one wider entry is split into: a /16. Beyond it the entry is left out with a warning rather than
 * written as thousands of entries: an IP lock-down over such a range is no lock-down, and the safety check then shows
 * the gateway's mail from it refused (CON-5 [D]), which is the truth once the plan runs.
 */
const MAX_BLOCKS_PER_ENTRY = 256;

const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** The CIDR blocks that exactly cover lo..hi, none wider than /`widest` (the standard range-to-CIDR split). */
function cidrBlocks(lo: number, hi: number, widest: number): { base: number; bits: number }[] {
  const out: { base: number; bits: number }[] = [];
  let cur = lo;
  while (cur <= hi) {
    let bits = 32;
    // Grow the block while it stays aligned at `cur`, within the range and no wider than /widest.
    while (bits > widest) {
      const size = 2 ** (32 - (bits - 1));
      if (cur % size !== 0 || cur + size - 1 > hi) break;
      bits--;
    }
    out.push({ base: cur, bits });
    cur += 2 ** (32 - bits);
  }
  return out;
}

/**
 * `entries` in the form Set-InboundConnector takes for SenderIPAddresses (§2.2 [D] S8: IPv4 only, single address or
 * CIDR /24 to /32): an IPv4 CIDR wider than /24 or an `a-b` range becomes the CIDR blocks that cover it (none wider
 * than /24); IPv6, unparsable and overly wide entries are left out. Each rewrite or omission is a warning naming
 * `what`. Only entries the plan adds go through here; those already on a connector stay as exported.
 */
function senderIpEntries(entries: readonly string[], what: string, warnings: string[]): string[] {
  const out: string[] = [];
  for (const text of entries) {
    const e = parseIpEntry(text);
    if (e.kind === 'v6') {
      warnings.push(
        `${what} ${text} is IPv6, which SenderIPAddresses does not take (IPv4 only, eop-model §2.2 [D] S8): left out, so mail from it does not match the connector by IP (CON-1 [D]) and gets 550 5.7.51 once it restricts (CON-5 [D]); a certificate lock-down does not depend on addresses`,
      );
      continue;
    }
    if (e.kind === 'invalid') {
      warnings.push(`${text}: ${what} is not an IPv4 address or range: left out of SenderIPAddresses`);
      continue;
    }
    // Kept as written when it already is an address or an aligned CIDR of /24 or narrower.
    const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(e.text);
    if (cidr && Number(cidr[2] ?? 32) >= NARROWEST_SENDER_IP_PREFIX && dotted(e.range.lo) === cidr[1]) {
      out.push(e.text);
      continue;
    }
    // Every block holds at most 256 addresses, so a range of more than 256 full blocks is refused before splitting.
    const tooWide = e.range.hi - e.range.lo + 1 > MAX_BLOCKS_PER_ENTRY * 256;
    const blocks = tooWide ? [] : cidrBlocks(e.range.lo, e.range.hi, NARROWEST_SENDER_IP_PREFIX);
    if (tooWide || blocks.length > MAX_BLOCKS_PER_ENTRY) {
      warnings.push(
        `${what} ${text} spans more than ${MAX_BLOCKS_PER_ENTRY} blocks of /24, the most the plan writes for one entry (SenderIPAddresses takes /24 to /32 only, eop-model §2.2 [D] S8): left out, so mail from it gets 550 5.7.51 once the connector restricts (CON-5 [D]); list the ranges really used, or use the gateway's certificate`,
      );
      continue;
    }
    const written = blocks.map((b) => (b.bits === 32 ? dotted(b.base) : `${dotted(b.base)}/${b.bits}`));
    warnings.push(
      `${what} ${text} is written to SenderIPAddresses as ${written.join(', ')}: the cmdlet takes IPv4 CIDR /24 to /32 only (eop-model §2.2 [D] S8)`,
    );
    out.push(...written);
  }
  return out;
}

const quoted = (list: readonly InboundConnector[]) => list.map((c) => `'${nameOf(c)}'`).join(', ');

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

  if (gw.source === 'none') {
    return {
      stages: [],
      warnings,
      blocked:
        'the tenant has no gateway (every MX of the accepted domains points at Exchange Online): the staged gateway lock-down does not apply; act on the findings of `mxlock assess` (RejectDirectSend, SPF/DKIM/DMARC, anti-spoofing), or declare gateway.ips in mxlock.yaml if mail does pass a gateway',
    };
  }
  if (gatewayUnknown(gw)) {
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
    // A tool's partial copy (ScubaGear's Select-Object of Get-OrganizationConfig) lacks what the rollback restores.
    if (lackingExports(snapshot).includes(need))
      return {
        stages: [],
        warnings,
        blocked: `${need}.json is not in the export: a plan built without it could undo or duplicate what is there`,
      };
  }

  // What was inferred about the gateway rather than declared: the plan rests on it, so it is said again here.
  for (const c of gw.cautions ?? []) warnings.push(`gateway: ${c}`);
  const connectors = t.inboundConnectors ?? [];
  // The connector stage 2 turns into the lock-down, or creates: the one decision the step-2 checks name too.
  const choice = gatewayConnectorChoice(t.inboundConnectors, gw);
  // A certificate lock-down in place that the gateway's profile does not tie to the gateway (src/profile/infer.ts takes
  // its certificate when it matches the declared IPs or names the gateway vendor's zone) may be a previous gateway's or
  // a SaaS's. Keeping it as the lock-down, replacing it, or restricting by IP beside it could each lock the gateway out
  // or let others in (§12 OQ-2): no plan until the profile says which certificate the gateway presents.
  if (gw.certificate === undefined) {
    const certLocks = connectors.filter(
      (c) =>
        isEnabled(c) &&
        coversEverySender(c) &&
        restrictsByCertificate(c) &&
        (c.TlsSenderCertificateName?.trim() ?? '') !== '',
    );
    if (certLocks.length > 0)
      return {
        stages: [],
        warnings,
        blocked: `${certLocks.map((c) => `'${nameOf(c)}' restricts every sender domain to the certificate ${c.TlsSenderCertificateName!.trim()}`).join('; ')}, which mxlock cannot tie to the gateway: declare gateway.certificate in mxlock.yaml (the certificate your gateway presents), or disable a stale lock-down, then plan again`,
      };
  }
  const gwConn = choice.connector;
  const certificate = gw.certificate;
  const certMode = certificate !== undefined;
  const gwName = choice.name;
  const declared = profile.directSendSources;
  const hybridIps = profile.hybrid?.ips ?? [];
  const recipients = deviceRecipientDomains(t.domainNames, t.defaultDomain);
  // The connector stage 2 locks by certificate loses its IPs there (CON-3 [D]): it never admits a source by IP, and is
  // never restricted by IP for one.
  const lockedByCertificate = certMode ? gwConn : undefined;
  const gatewaySet = new IpSet(gw.ips);

  // Stage 0: backup, then admit every declared source that no connector matches by IP yet (DESIGN §6).
  notes[0].push(
    'Back up the configuration: the script writes the same export folder mxlock reads (rollback reads nothing else).',
  );
  const ipLockdownExtra: string[] = [];
  /** Connectors to restrict by IP together with the lock-down (stage 2): created in stage 0, or existing ones. */
  const deviceConnectors: { name: string; object: Obj | undefined }[] = [];
  /** Connectors that already admit a declared source: the plan keeps them as they are. */
  const admitting: InboundConnector[] = [];
  const addDeviceConnector = (name: string, object: Obj | undefined) => {
    if (!deviceConnectors.some((d) => d.name.toLowerCase() === name.toLowerCase()))
      deviceConnectors.push({ name, object });
  };
  for (const src of declared) {
    notes[0].push(
      `Direct Send source '${src.name}': the preferred fixes are to route it through the gateway or to submit with SMTP AUTH (smtp.office365.com:587); the change below keeps it working as it is.`,
    );
    const domains = [
      ...new Set(src.senders.map((s) => domainOf(s)).filter((d): d is string => d !== undefined)),
    ].sort();
    const shared = src.ips.filter((ip) => gatewaySet.overlaps(ip));
    if (shared.length > 0)
      warnings.push(
        `declared source '${src.name}': ${shared.join(', ')} lies within the gateway's addresses (gateway.ips), which the gateway's other customers send from too: admitting it by IP for ${domains.join(', ') || 'its domains'} lets them send as ${domains.join(', ') || 'the tenant'} past the lock-down (residual path path.shared-gateway-ip, CON-5 [D], §12 OQ-2 [I]); route it through the gateway, or have it submit with SMTP AUTH`,
      );
    // Admitted as the lock-down will judge it, address by address (model/admission.ts, CON-5, §12 OQ-2).
    const adm = sourceAdmission(connectors, src.ips, { senders: domains, recipients, lockedByCertificate });
    if (adm.kind === 'admitted') {
      admitting.push(...adm.connectors);
      notes[0].push(
        `'${src.name}' (${src.ips.join(', ')}) is already admitted by ${quoted(adm.connectors)}.`,
      );
      continue;
    }
    const ownIps: string[] = [];
    for (const { ip, admission } of adm.perIp) {
      const subject = adm.perIp.length > 1 ? `'${src.name}' address ${ip}` : `'${src.name}' (${ip})`;
      const listedOn = quoted(admission.connectors);
      if (admission.kind === 'admitted') {
        admitting.push(...admission.connectors);
        notes[0].push(`${subject} is already admitted by ${listedOn}.`);
        continue;
      }
      if (admission.kind === 'restrict-with-lockdown' && certMode) {
        // Its own Partner connector covers its domains: restricted with the lock-down, it satisfies it (§12 OQ-2 [I]).
        // Only the connectors of THIS address, all Partner by construction (CON-4 [D]: OnPremises ones cannot restrict).
        notes[0].push(
          `${subject} is listed on ${listedOn}, which stage 2 restricts by IP together with the lock-down.`,
        );
        for (const c of admission.connectors) addDeviceConnector(nameOf(c), c as Obj);
        continue;
      }
      if (admission.kind === 'exempt-only')
        notes[0].push(
          `${subject} is listed on ${listedOn}, which exempts it from RejectDirectSend only: ${admission.reasons.join('; ')}.`,
        );
      else if (admission.kind === 'restrict-with-lockdown')
        notes[0].push(
          gwConn !== undefined && admission.connectors.includes(gwConn)
            ? `${subject} is listed on '${gwName}', which stage 2 restricts by IP: it then satisfies the lock-down.`
            : `${subject} is listed on ${listedOn}, which does not restrict by IP: it joins the IP lock-down '${gwName}' instead (DESIGN §6 option 2).`,
        );
      if (certMode) ownIps.push(ip);
      // Option 2: the address joins the IP-restricted lock-down connector.
      else ipLockdownExtra.push(ip);
    }
    if (ownIps.length === 0) continue;
    // Option 3: a separate Partner connector matching the source by IP, restricted in stage 2 with the lock-down.
    const name = `mxlock - Direct Send: ${src.name}`;
    addDeviceConnector(name, undefined);
    drafts.push({
      stage: 0,
      title: `Partner connector for '${src.name}' matching its IPs`,
      why: [
        `admits '${src.name}' by IP: matched by IP, it is exempt from RejectDirectSend (eop-model DS-2 [D]) and, restricted with the lock-down, satisfies it for ${domains.join(', ')} (§12 OQ-2 [I])`,
        'never an allow-by-sender-domain connector: one that matches by domain only neither exempts nor admits (CON-3 [D])',
        'RequireTls off: a device that sends in plain text would be refused by it (CON-6 [D])',
      ],
      kind: 'InboundConnector',
      identity: name,
      object: connectors.find((c) => nameOf(c).toLowerCase() === name.toLowerCase()) as Obj | undefined,
      set: {
        ConnectorType: 'Partner',
        SenderDomains: domains,
        SenderIPAddresses: senderIpEntries(ownIps, `declared source '${src.name}' address`, warnings),
        RestrictDomainsToIPAddresses: false,
        RequireTls: false,
        Enabled: true,
      },
    });
  }
  // IP lock-down: the connector must list every gateway egress entry by the time it restricts, or the gateway's mail
  // from an entry it lacks (a second region, a DR range) gets 550 5.7.51 (CON-5 [D]). One list for stages 0 and 2, so
  // stage 2 finds nothing left to add when stage 0 already wrote it. Entries are written in the form the cmdlet takes
  // (senderIpEntries); those already on the connector stay as exported, so rollback restores them exactly.
  const gwListed = gwConn?.SenderIPAddresses ?? [];
  const gwEntries = certMode ? [] : senderIpEntries(gw.ips, 'gateway.ips entry', warnings);
  const listedSet = new IpSet(gwListed);
  const gwMissing = gwEntries.filter((e) => !listedSet.covers(e));
  const lockdownIps = withIps(gwListed, [
    ...gwEntries,
    ...senderIpEntries(ipLockdownExtra, 'declared source address', warnings),
  ]);
  if (!certMode && gwConn) {
    // Whatever else the connector lists satisfies the lock-down once it restricts (CON-5 [D]) and is exempt from
    // RejectDirectSend (DS-2 [D]): an unknown range there is a way in that the plan would bless.
    const known = new IpSet([...gw.ips, ...declared.flatMap((s) => s.ips), ...hybridIps]);
    const unknown = gwListed.filter((e) => !known.covers(e));
    if (unknown.length > 0)
      warnings.push(
        `'${gwName}' keeps ${unknown.join(', ')} in SenderIPAddresses when it restricts by IP: neither a gateway.ips entry, a declared Direct Send source nor hybrid, so mail from there will satisfy the lock-down (CON-5 [D]) and skip RejectDirectSend (DS-2 [D]); remove what is not yours, or declare it in mxlock.yaml`,
      );
  }
  // A declared source on the IP lock-down is matched by it, so the connector's RequireTls applies to it (CON-6 [D]);
  // the declared-source path assumes STARTTLS, so the simulator cannot see a plain-text device break. An address inside
  // the gateway's own ranges is the gateway's traffic and does not hold RequireTls back.
  const lockdownIpSet = new IpSet(lockdownIps);
  const onLockdown = certMode
    ? []
    : declared.filter((s) => s.ips.some((ip) => lockdownIpSet.overlaps(ip) && !gatewaySet.covers(ip)));
  const keepRequireTls = onLockdown.length > 0;
  if (keepRequireTls) {
    const names = onLockdown.map((s) => `'${s.name}'`).join(', ');
    const current = gwConn?.RequireTls;
    warnings.push(
      current === true
        ? `declared source(s) ${names} deliver through the IP lock-down '${gwName}', which has RequireTls $true: each must offer STARTTLS or it is refused (CON-6 [D]; the simulator assumes a source uses TLS); move a plain-text device to SMTP AUTH or the gateway`
        : `declared source(s) ${names} deliver through the IP lock-down '${gwName}': the plan leaves its RequireTls ${current === false || !gwConn ? '$false' : 'as it is (not exported)'} instead of switching it on, since a device sending in plain text would then be refused (CON-6 [D]); once every source offers STARTTLS, set RequireTls $true`,
    );
  }
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
        ...(!gwConn && keepRequireTls
          ? ['RequireTls off: declared sources that may send in plain text join it (CON-6 [D])']
          : []),
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
            RequireTls: !keepRequireTls,
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
        // Not switched on under declared sources that may send in plain text (CON-6 [D]; warned above).
        ...(keepRequireTls ? {} : { RequireTls: true }),
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

  // Beside a certificate lock-down, another enabled restricting `*` Partner connector admits whoever satisfies it: one
  // satisfying restricting connector suffices (§12 OQ-2 [I]), so a connector restricted to a shared certificate (a
  // gateway's `*.<vendor>` name) or to the gateway's shared IPs lets the gateway's other customers past the lock-down.
  // Stage 2 disables it in the same stage (rather than editing it: rollback re-enables it as it was). Never the
  // lock-down itself, a connector stage 2 restricts for a declared source, or one that admits a declared source today
  // (disabling it would refuse that source; the safety check would refuse the stage): those are warned about.
  const deviceNames = new Set(deviceConnectors.map((d) => d.name.toLowerCase()));
  const planCertificate = certificate?.trim().toLowerCase();
  const competing = certMode
    ? connectors.filter((c) => {
        if (c === gwConn || !isEnabled(c) || !isPartner(c)) return false;
        if (!coversEverySender(c) || deviceNames.has(nameOf(c).toLowerCase())) return false;
        const otherCertificate =
          restrictsByCertificate(c) &&
          (c.TlsSenderCertificateName?.trim() ?? '') !== '' &&
          c.TlsSenderCertificateName?.trim().toLowerCase() !== planCertificate;
        return otherCertificate || restrictsByIp(c);
      })
    : [];
  const disabledByPlan: InboundConnector[] = [];
  for (const c of competing) {
    const how =
      c.RestrictDomainsToIPAddresses === true
        ? `by IP (${(c.SenderIPAddresses ?? []).join(', ') || 'no addresses'})`
        : `to the certificate ${c.TlsSenderCertificateName?.trim() ?? ''}`;
    if (c.RestrictDomainsToIPAddresses !== true) {
      // Another certificate is a hole only when it is the gateway's shared one and the plan moves to a certificate
      // of the tenant's own (the point of certificateUnique). Otherwise it may be another egress of the gateway, a
      // SaaS that sends this way, or a stale lock-down: mxlock cannot tell, and a certificate sender cannot be
      // declared, so it is named, never disabled.
      const other = c.TlsSenderCertificateName?.trim() ?? '';
      const sameVendor = gw.vendor !== undefined && certificateVendor(other)?.id === gw.vendor;
      if (!(sameVendor && gw.certificateUnique)) {
        warnings.push(
          `'${nameOf(c)}' restricts every sender domain to the certificate ${other} beside the certificate lock-down '${gwName}': whoever presents a name it covers passes the lock-down (one satisfying restricting connector suffices, §12 OQ-2 [I])${sameVendor ? `; it is in ${gw.name ?? 'the gateway'}'s zone, so it may be another egress of the gateway` : ''}. If it is stale, disable it; the plan leaves it as it is`,
        );
        continue;
      }
    }
    if (admitting.includes(c)) {
      warnings.push(
        `'${nameOf(c)}' restricts ${how} beside the certificate lock-down '${gwName}' and admits a declared Direct Send source, so the plan leaves it enabled: whoever satisfies it passes the lock-down (one satisfying restricting connector suffices, §12 OQ-2 [I]); give the source a connector of its own scoped to its domains, then disable '${nameOf(c)}'`,
      );
      continue;
    }
    disabledByPlan.push(c);
    // Addresses on it that are not the gateway's may be a system nobody declared (a second gateway during a migration,
    // an application): once it is disabled, their mail meets the lock-down (5.7.51). Say so before it happens.
    const gatewaySet = new IpSet(gw.ips);
    const foreign = (c.SenderIPAddresses ?? []).filter((e) => !gatewaySet.covers(e));
    if (foreign.length > 0)
      warnings.push(
        `stage 2 disables '${nameOf(c)}', which also lists ${foreign.join(', ')} (not the gateway's): if a legitimate system sends from there, declare it under directSendSources (or route it through the gateway) before stage 2, or it gets 550 5.7.51 (CON-5 [D])`,
      );
    drafts.push({
      stage: 2,
      title: `Disable '${nameOf(c)}', which restricts ${how} beside the lock-down`,
      why: [
        `with the lock-down restricting to ${certificate ?? ''}, '${nameOf(c)}' is a second restricting Partner connector for every sender domain: a connection satisfying either one is not refused with 5.7.51 (§12 OQ-2 [I], CON-5 [D]), so whoever satisfies it${c.RestrictDomainsToIPAddresses === true ? " (the gateway's other customers, on shared IPs)" : " (anyone presenting a name that certificate covers, e.g. the gateway's other customers)"} passes the lock-down`,
        'disabled in the same stage as the lock-down, not edited: rollback enables it again as it was',
      ],
      kind: 'InboundConnector',
      identity: nameOf(c),
      object: c as Obj,
      set: { Enabled: false },
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
  // Enhanced Filtering on every enabled `*` Partner connector that matches the gateway after stage 2, not only the
  // lock-down: EF is configured per connector (EF-2 [D] S8, S19), and which of several matching connectors EOP
  // attributes a gateway message to is not documented, so one left without EF may be the one its mail takes. Matched
  // by IP or by the plan's certificate (CON-1 [D]); connectors stage 2 disables never match (§2.2 [D]).
  const efTargets: { name: string; connector: InboundConnector | undefined; by?: string }[] = [
    { name: gwName, connector: gwConn },
  ];
  for (const cand of rankGatewayConnectors(connectors, { ips: gw.ips, certificate })) {
    if (cand.connector === gwConn || !cand.enabled || cand.match.by === 'none') continue;
    if (disabledByPlan.includes(cand.connector)) continue;
    efTargets.push({ name: nameOf(cand.connector), connector: cand.connector, by: cand.match.by });
  }
  for (const target of efTargets) {
    // Each connector as stage 5 finds it: nothing before stage 5 touches EFTestMode.
    const efTestMode = target.connector?.EFTestMode === true;
    drafts.push({
      stage: 5,
      title: `Enhanced Filtering on '${target.name}' for the gateway's IPs`,
      why: [
        'EOP finds the real sender behind the gateway for SPF/DMARC and spoof checks; with the MX elsewhere, honouring DMARC needs it (EF-1, EF-5 [D])',
        ...(target.by
          ? [
              `'${target.name}' matches the gateway too (by ${target.by === 'ip' ? 'IP' : 'certificate'}, CON-1 [D]): which matching connector EOP attributes the gateway's mail to is not documented, so each gets Enhanced Filtering (EF-2 [D])`,
            ]
          : []),
        ...(efTestMode
          ? [
              'EFTestMode off: the parameter is documented as reserved for internal Microsoft use (§2.2 [D] S8), and ORCA reads test mode as "Enhanced Filtering not applied" (EF-3 [C] S45), as does the simulator',
            ]
          : []),
      ],
      kind: 'InboundConnector',
      identity: target.name,
      object: undefined,
      set: {
        EFSkipIPs: [...gw.ips],
        EFSkipLastIP: false,
        EFUsers: [],
        ...(efTestMode ? { EFTestMode: false } : {}),
      },
    });
  }
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

  return { stages: resolveStages(drafts, snapshot, notes), warnings: [...new Set(warnings)] };
}

function resolveStages(drafts: Draft[], snapshot: Snapshot, notes: Record<StageNo, string[]>): Stage[] {
  const stages: Stage[] = ([0, 1, 2, 3, 4, 5] as StageNo[]).map((no) => ({
    no,
    ...STAGES[no],
    changes: [],
    notes: notes[no],
  }));
  let state = snapshot;
  for (const [i, d] of drafts.entries()) {
    const t = buildTenant(state);
    const object =
      d.kind === 'OrganizationConfig'
        ? (t.org as Obj | undefined)
        : (lookup(state, d.kind, d.identity) ?? d.object);
    const change = toChange(
      { ...d, object: object ?? (lookup(state, d.kind, d.identity) as Obj | undefined) },
      laterOwned(d, drafts.slice(i + 1)),
    );
    if (!change) continue;
    stages[d.stage]!.changes.push(change);
    state = applyChange(state, change);
  }
  return stages;
}

/**
 * What the later stages set on `d`'s object to a value other than `d` sets (the last such stage wins, as it runs last).
 * Drafts come in stage order; one of the same stage is not "later" (stages run as a whole).
 */
function laterOwned(d: Draft, rest: readonly Draft[]): LaterOwned {
  const out: LaterOwned = {};
  const id = d.identity.toLowerCase();
  for (const l of rest) {
    if (l.stage <= d.stage || l.kind !== d.kind || l.identity.toLowerCase() !== id) continue;
    for (const [k, v] of Object.entries(l.set)) {
      const mine = d.set[k];
      if (mine === undefined) continue;
      if (same(mine, v)) Reflect.deleteProperty(out, k);
      else out[k] = { stage: l.stage, value: v };
    }
  }
  return out;
}

function lookup(s: Snapshot, kind: ObjectKind, identity: string): Obj | undefined {
  const list = (s.data as Record<string, Obj[] | undefined>)[CMDLET_OF[kind]] ?? [];
  const id = identity.toLowerCase();
  return list.find((o) =>
    [o['Name'], o['Identity']].some((v) => typeof v === 'string' && v.toLowerCase() === id),
  );
}
