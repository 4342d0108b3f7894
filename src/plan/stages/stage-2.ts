/**
 * Stage 2: the lock-down on the gateway connector (certificate preferred, IPs otherwise; never both, CON-3 [D]), the
 * declared sources' own connectors restricted with it (stage 0 decided which), and the other restricting `*` Partner
 * connectors that would let others past a certificate lock-down disabled in the same stage (§12 OQ-2 [I]).
 */
import {
  coversEverySender,
  isEnabled,
  isPartner,
  restrictsByCertificate,
  restrictsByIp,
} from '../../model/connectors.js';
import { IpSet, parseIpEntry } from '../../common/ip.js';
import { ipv6Acceptance } from '../../model/ipv6.js';
import { psQuote } from '../../powershell/quote.js';
import { certificateVendor } from '../../common/vendors.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import type { Obj } from '../drafts.js';
import type { PsValue } from '../types.js';
import { nameOf, type PlanBase, type PlanContext, type PlanStage } from './context.js';
import type { SourcesAdmitted } from './stage-0.js';

/** The connectors stage 2 disables beside a certificate lock-down, and the warnings about those it leaves alone. */
export interface CompetingConnectors {
  /** Each with how it restricts, as the change's title and reason say it. */
  disable: { connector: InboundConnector; how: string }[];
  warnings: string[];
}

/**
 * Beside a certificate lock-down, another enabled restricting `*` Partner connector admits whoever satisfies it: one
 * satisfying restricting connector suffices (§12 OQ-2 [I]), so a connector restricted to a shared certificate (a
 * gateway's `*.<vendor>` name) or to the gateway's shared IPs lets the gateway's other customers past the lock-down.
 * Stage 2 disables it in the same stage (rather than editing it: rollback re-enables it as it was). Never the
 * lock-down itself, a connector stage 2 restricts for a declared source, or one that admits a declared source today
 * (disabling it would refuse that source; the safety check would refuse the stage): those are warned about.
 */
export function competingConnectors(base: PlanBase, sources: SourcesAdmitted): CompetingConnectors {
  const { gateway: gw, connectors } = base;
  const { connector: gwConn, name: gwName, certificate } = base.lockdown;
  const warnings: string[] = [];
  const disable: CompetingConnectors['disable'] = [];
  if (certificate === undefined) return { disable, warnings };
  const deviceNames = new Set(sources.deviceConnectors.map((d) => d.name.toLowerCase()));
  const planCertificate = certificate.trim().toLowerCase();
  const competing = connectors.filter((c) => {
    if (c === gwConn || !isEnabled(c) || !isPartner(c)) return false;
    if (!coversEverySender(c) || deviceNames.has(nameOf(c).toLowerCase())) return false;
    const otherCertificate =
      restrictsByCertificate(c) &&
      (c.TlsSenderCertificateName?.trim() ?? '') !== '' &&
      c.TlsSenderCertificateName?.trim().toLowerCase() !== planCertificate;
    return otherCertificate || restrictsByIp(c);
  });
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
    if (sources.admitting.includes(c)) {
      warnings.push(
        `'${nameOf(c)}' restricts ${how} beside the certificate lock-down '${gwName}' and admits a declared Direct Send source, so the plan leaves it enabled: whoever satisfies it passes the lock-down (one satisfying restricting connector suffices, §12 OQ-2 [I]); give the source a connector of its own scoped to its domains, then disable '${nameOf(c)}'`,
      );
      continue;
    }
    disable.push({ connector: c, how });
    // Addresses on it that are not the gateway's may be a system nobody declared (a second gateway during a migration,
    // an application): once it is disabled, their mail meets the lock-down (5.7.51). Say so before it happens.
    const gatewaySet = new IpSet(gw.ips);
    const foreign = (c.SenderIPAddresses ?? []).filter((e) => !gatewaySet.covers(e));
    if (foreign.length > 0)
      warnings.push(
        `stage 2 disables '${nameOf(c)}', which also lists ${foreign.join(', ')} (not the gateway's): if a legitimate system sends from there, declare it under directSendSources (or route it through the gateway) before stage 2, or it gets 550 5.7.51 (CON-5 [D])`,
      );
  }
  return { disable, warnings };
}

/** At most this many opt-out commands are written into a warning; the rest are counted. */
const OPT_OUT_LISTED = 5;

/**
 * IPv6 inbound (model/ipv6.ts, eop-model §13): the domains that take mail over IPv6 let a gateway with IPv6 deliver over
 * it. An IP lock-down cannot list IPv6 (IPV6-4) and the safety net stage 1 writes excepts the gateway's declared ranges
 * only: without gateway.certificate, or without the gateway's IPv6 egress in gateway.ips, its mail over IPv6 would be
 * refused (5.7.51) or rejected after acceptance. The planner already takes the certificate when the profile has one;
 * this says what is left, and how to avoid it (the simulation after the plan shows path.gateway-delivery uncertain).
 */
export function ipv6Warnings(ctx: Pick<PlanContext, 'tenant' | 'gateway' | 'lockdown'>): string[] {
  const accepting = ctx.tenant.domainNames.filter((d) => ipv6Acceptance(ctx.tenant.ipv6Statuses, d).accepts);
  if (accepting.length === 0) return [];
  const gwV6 = ctx.gateway.ips.filter((e) => parseIpEntry(e).kind === 'v6');
  const byIp = ctx.lockdown.certificate === undefined;
  const causes = [
    ...(byIp
      ? [
          `the lock-down '${ctx.lockdown.name}' restricts by IP, and SenderIPAddresses takes IPv4 only (IPV6-4): the gateway's mail over IPv6 would get 550 5.7.51 (CON-5 [D])`,
        ]
      : []),
    ...(gwV6.length === 0
      ? [
          "the safety-net rule excepts the gateway's IPv4 ranges only (mxlock.yaml lists no IPv6 egress for it): its mail over IPv6 would be rejected once the rule enforces (stage 4, TR-1 [D])",
        ]
      : []),
  ];
  if (causes.length === 0) return [];
  const named =
    accepting.length > OPT_OUT_LISTED
      ? `${accepting.slice(0, OPT_OUT_LISTED).join(', ')}, …`
      : accepting.join(', ');
  const optOut = accepting
    .slice(0, OPT_OUT_LISTED)
    .map((d) => `Disable-IPv6ForAcceptedDomain -Domain ${psQuote(d)}`)
    .join('; ');
  return [
    `IPv6: ${named} take${accepting.length > 1 ? '' : 's'} mail over IPv6 (Get-IPv6StatusForAcceptedDomain, Enabled by default since 2024-10-16), so a gateway with IPv6 may deliver over it; ${causes.join('; and ')}. ` +
      `Whether the gateway delivers over IPv6 is ${gwV6.length > 0 ? 'declared' : 'unknown'} (path.gateway-delivery reads uncertain after the plan). ` +
      `${byIp ? 'Declare gateway.certificate in mxlock.yaml so the plan restricts to it (a certificate matches over IPv6), ' : ''}declare the gateway's IPv6 egress in gateway.ips if it has any, or keep these domains on IPv4 before stage 2: ${optOut}${accepting.length > OPT_OUT_LISTED ? ` (and the other ${accepting.length - OPT_OUT_LISTED})` : ''} (connector.ipv6-coverage).`,
  ];
}

export const stage2: PlanStage = {
  no: 2,
  title: 'Restrict the Partner inbound connector to the gateway',
  observe: 'one to two days: watch for 5.7.51 rejections of legitimate senders',
  draft(ctx) {
    const { sources } = ctx;
    const { connector: gwConn, name: gwName, certificate } = ctx.lockdown;
    ctx.warnings.push(...ipv6Warnings(ctx));
    const lockdownSet: Record<string, PsValue> =
      certificate !== undefined
        ? {
            ConnectorType: 'Partner',
            SenderDomains: ['*'],
            RestrictDomainsToCertificate: true,
            TlsSenderCertificateName: certificate,
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
            SenderIPAddresses: sources.lockdownIps,
            RestrictDomainsToIPAddresses: true,
            // Not switched on under declared sources that may send in plain text (CON-6 [D]; stage 0 warns).
            ...(sources.keepRequireTls ? {} : { RequireTls: true }),
            AssociatedAcceptedDomains: [],
            Enabled: true,
          };
    ctx.drafts.push({
      stage: 2,
      title: `Restrict '${gwName}' to the gateway's ${certificate !== undefined ? 'certificate' : 'IPs'}`,
      why: [
        'the real control for a SEG tenant: every other source gets 550 5.7.51 at RCPT, whatever the sender domain (CON-5 [D], S9)',
        certificate !== undefined
          ? 'certificate preferred over IPs (S9 [D]); IPs and certificate never in one connector (CON-3 [D])'
          : 'IP-restricted: other customers of the same gateway share these IPs (residual path path.shared-gateway-ip)',
        ...(sources.stage0SetsIps ? [] : sources.gatewayWhy),
      ],
      kind: 'InboundConnector',
      identity: gwName,
      object: gwConn as Obj | undefined,
      set: lockdownSet,
    });
    for (const { name, object } of sources.deviceConnectors) {
      ctx.drafts.push({
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
    ctx.warnings.push(...ctx.competing.warnings);
    for (const { connector: c, how } of ctx.competing.disable) {
      ctx.drafts.push({
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
  },
};
