/**
 * Stage 5 (guide 4.2, 4.3, step 5): anti-spoofing, anti-spam, the connection filter, Enhanced Filtering on every
 * connector that carries the gateway's mail after stage 2, and the SCL -1 rules it replaces.
 */
import { rankGatewayConnectors } from '../../model/gateway-connector.js';
import { IpSet } from '../../common/ip.js';
import type { Profile } from '../../profile/schema.js';
import type { AntiPhishPolicy, InboundConnector } from '../../snapshot/schema.js';
import type { Obj } from '../drafts.js';
import type { PsValue } from '../types.js';
import { nameOf, type PlanStage } from './context.js';

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

export const stage5: PlanStage = {
  no: 5,
  title: 'Anti-spoofing, anti-spam and Enhanced Filtering',
  observe: 'a week of spoof detections and quarantine reviews',
  draft(ctx) {
    const { tenant: t, profile, gateway: gw, connectors, rules } = ctx;
    const { connector: gwConn, name: gwName, certificate } = ctx.lockdown;
    const disabledByPlan = ctx.competing.disable.map((d) => d.connector);
    const ap = t.antiPhish;
    if (ap) {
      ctx.drafts.push({
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
      ctx.warnings.push(
        'no default anti-phishing policy in the export: stage 5 leaves anti-phishing unchanged',
      );
    const cf = t.contentFilterDefault;
    if (cf) {
      const own = new Set(t.domainNames);
      const allowed = cf.AllowedSenderDomains ?? [];
      ctx.drafts.push({
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
        ctx.warnings.push(
          `the connection-filter IP Allow List keeps ${keep.join(', ')}: not the gateway; review them (they skip spam filtering)`,
        );
      ctx.drafts.push({
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
      ctx.drafts.push({
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
      ctx.drafts.push({
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
  },
};
