/**
 * The lock-down must admit exactly the gateway: a gateway IP or certificate it misses gets 550 5.7.51 for legitimate
 * mail (eop-model CON-5 [D]); a range or certificate name it admits beyond the gateway lets that sender deliver
 * directly. A restricting connector scoped to some sender domains (a device connector) that the gateway does not
 * satisfy refuses gateway mail with those MAIL FROM domains, unless a restricting connector the gateway satisfies
 * covers them too (one satisfying connector suffices, §12 OQ-2 [I]).
 */
import { certificateMatches, domainPatternMatches } from '../../common/domains.js';
import { IpSet, parseIpEntry } from '../../common/ip.js';
import type { ResolvedGateway } from '../../common/gateway.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import type { Check, CheckContext, CheckOutcome } from '../types.js';
import {
  connectorName,
  EAC_CONNECTORS,
  isLockdown,
  isOnPremises,
  isRestricting,
  LEARN,
  psQuote,
  show,
  worst,
} from '../util.js';
import { senderPatternCovers } from '../../model/connectors.js';
import { gatewayConnectorChoice, gatewayUnknown } from '../../model/gateway-connector.js';
import {
  connectorLabel,
  enabledLockdowns,
  gatewayLockdownScript,
  gatewaySatisfies,
  matchesAllGatewayMail,
} from './connectors.js';
import { LOCKDOWN_READS } from './connectors.js';

/** SenderIPAddresses accepts IPv4 addresses and CIDR masks /24 to /32 only (eop-model §2.2 [D] S8). */
export const MIN_CONNECTOR_V4_MASK = 24;

const PORTAL = `${EAC_CONNECTORS} → select the lock-down connector → Edit security restrictions: the gateway's certificate name, or every gateway egress IP`;

interface Part {
  status: CheckOutcome['status'];
  line: string;
  fix?: string;
}

/** Entries outside the documented SenderIPAddresses syntax: IPv6, `a-b` ranges, IPv4 masks shorter than /24. */
function undocumentedForm(entry: string): string | undefined {
  const e = parseIpEntry(entry);
  if (e.kind === 'v6') return 'IPv6 is not supported in SenderIPAddresses (IPv4 only, eop-model §2.2 [D])';
  if (e.kind !== 'v4') return undefined;
  if (e.text.includes('-'))
    return 'address ranges a-b are documented for EFSkipIPs, not SenderIPAddresses (eop-model §2.2 [D])';
  const mask = /\/(\d+)$/.exec(e.text)?.[1];
  if (mask !== undefined && Number(mask) < MIN_CONNECTOR_V4_MASK) {
    return `mask /${mask} is wider than the documented /${MIN_CONNECTOR_V4_MASK}–/32 (eop-model §2.2 [D]): it admits ${2 ** (32 - Number(mask))} addresses`;
  }
  return undefined;
}

/** Whether connector `d`'s recipient scope includes every recipient domain `c` restricts (empty = all, CON-5 [D]). */
function recipientsCovered(d: InboundConnector, c: InboundConnector): boolean | undefined {
  if (d.AssociatedAcceptedDomains === undefined) return undefined;
  if (d.AssociatedAcceptedDomains.length === 0) return true;
  const own = c.AssociatedAcceptedDomains ?? [];
  return own.length > 0 && own.every((x) => d.AssociatedAcceptedDomains?.includes(x));
}

/**
 * Restricting connectors that are not the `*` lock-down (device or partner connectors scoped to some sender domains):
 * for each domain they restrict, does some enabled restricting connector the gateway satisfies cover it, or an
 * OnPremises connector matching the gateway exempt it (§12 [I])? If neither, gateway mail with that P1 domain is refused.
 */
function scopedParts(
  ctx: CheckContext,
  connectors: readonly InboundConnector[],
  gw: ResolvedGateway,
): Part[] {
  const scoped = connectors.filter(
    (c) => isRestricting(c) && c.Enabled !== false && c.SenderDomains !== undefined && !isLockdown(c),
  );
  if (scoped.length === 0) return [];
  if (gatewayUnknown(gw)) {
    return [
      {
        status: 'unknown',
        line: `gateway unknown (source: ${gw.source}, no IPs, no certificate): cannot tell whether it satisfies ${scoped.map(connectorLabel).join(', ')} (declare the gateway in mxlock.yaml)`,
      },
    ];
  }
  const parts: Part[] = [];
  // The same script for every connector below (it depends on the connectors and the gateway only): written once.
  let fix: string | undefined;
  const satisfiers = connectors.filter(
    (d) => isRestricting(d) && d.Enabled === true && gatewaySatisfies(gw, d) === 'yes',
  );
  const onPrem = connectors.find(
    (d) => isOnPremises(d) && d.Enabled === true && matchesAllGatewayMail(gw, d),
  );
  for (const c of scoped) {
    const label = connectorLabel(c);
    const domains = c.SenderDomains ?? [];
    if (c.Enabled === undefined) {
      parts.push({
        status: 'unknown',
        line: `${label}: Enabled missing: cannot tell whether it restricts SenderDomains ${show(domains)}`,
      });
      continue;
    }
    const sat = gatewaySatisfies(gw, c);
    if (sat === 'yes') {
      parts.push({
        status: 'pass',
        line: `${label}: restricts SenderDomains ${show(domains)} and the gateway satisfies it`,
      });
      continue;
    }
    if (sat === 'unknown') {
      parts.push({
        status: 'unknown',
        line: `${label}: restricts SenderDomains ${show(domains)}: cannot tell whether the gateway satisfies it (gateway IPs or certificate, or the connector's SenderIPAddresses or TlsSenderCertificateName, not known)`,
      });
      continue;
    }
    if (onPrem) {
      parts.push({
        status: 'pass',
        line: `${label}: restricts SenderDomains ${show(domains)} and the gateway does not satisfy it, but OnPremises connector '${connectorName(onPrem)}' matches the gateway, taken as exempt from the Partner restriction (eop-model §12 [I]; see connector.onpremises-antipattern)`,
      });
      continue;
    }
    const uncovered: string[] = [];
    const coveredBy = new Set<InboundConnector>();
    let undecided = false;
    for (const domain of domains) {
      const covering = satisfiers.filter(
        (d) => d !== c && (d.SenderDomains ?? []).some((q) => senderPatternCovers(q, domain)),
      );
      const full = covering.filter((d) => recipientsCovered(d, c) === true);
      full.forEach((d) => coveredBy.add(d));
      if (full.length > 0) continue;
      if (covering.some((d) => recipientsCovered(d, c) === undefined)) undecided = true;
      else uncovered.push(domain);
    }
    if (uncovered.length === 0 && !undecided) {
      parts.push({
        status: 'pass',
        line: `${label}: restricts SenderDomains ${show(domains)}; the gateway does not satisfy it, but satisfies ${[...coveredBy].map(connectorLabel).join(', ')}, which cover(s) the same sender domains (one satisfying connector suffices, eop-model §12 OQ-2 [I])`,
      });
      continue;
    }
    if (uncovered.length === 0) {
      parts.push({
        status: 'unknown',
        line: `${label}: restricts SenderDomains ${show(domains)}; a connector the gateway satisfies covers them, but its AssociatedAcceptedDomains is missing`,
      });
      continue;
    }
    const ownHit = uncovered.some((d) => ctx.tenant.domainNames.some((a) => domainPatternMatches(d, a)));
    parts.push({
      status: 'warn',
      line: `${label}: restricts SenderDomains ${show(domains)} to its own ${c.RestrictDomainsToCertificate === true ? 'certificate' : 'IPs'}, the gateway does not satisfy it, and no restricting connector the gateway satisfies covers ${uncovered.join(', ')}: gateway mail whose MAIL FROM domain is ${uncovered.join(' or ')} is refused with 550 5.7.51${ownHit ? ' (own-domain mail relayed through the gateway: SaaS senders, forwards, replies to your lists)' : ''} (eop-model CON-5 [D]; one satisfying connector suffices, §12 OQ-2 [I])`,
      fix: (fix ??= gatewayLockdownScript(connectors, gw)),
    });
  }
  return parts;
}

export const check: Check = {
  id: 'connector.lockdown-gateway-coverage',
  requiresGateway: true,
  step: 2,
  title: "The lock-down connector admits every gateway IP (or the gateway's certificate) and nothing else",
  severity: 'high',
  references: [
    'eop-model CON-1 [D]',
    'eop-model CON-5 [D]',
    'eop-model §2.2 [D]',
    'eop-model §12 OQ-2 [D]/[I]',
    LEARN.newInboundConnector,
    LEARN.thirdPartyCloud,
  ],
  remediation: {
    powershell: [
      "Set-InboundConnector -Identity 'From SEG (IP-bound)' -SenderIPAddresses '203.0.113.10','203.0.113.11','198.51.100.0/28'",
      '# or, for a certificate lock-down:',
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -TlsSenderCertificateName '*.mail-gateway.example.com'",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName'],
    'Get-InboundConnector': [
      ...LOCKDOWN_READS,
      'SenderIPAddresses',
      'TlsSenderCertificateName',
      'AssociatedAcceptedDomains',
    ],
  },
  checklist: 'checklist.connector-lockdown',
  evaluate(ctx) {
    const gate = enabledLockdowns(ctx);
    const gw = ctx.gateway;
    const scoped = ctx.tenant.inboundConnectors ? scopedParts(ctx, ctx.tenant.inboundConnectors, gw) : [];
    if (!gate.ok) {
      if (scoped.length === 0 || gate.outcome.status === 'unknown') {
        if (scoped.length === 0) return gate.outcome;
        return { status: 'unknown', evidence: [...gate.outcome.evidence, ...scoped.map((p) => p.line)] };
      }
      // Without a `*` lock-down there is nothing else to verify: only a refusing scoped connector is worth a status.
      if (worst(scoped.map((p) => p.status)) === 'pass')
        return {
          status: 'not-applicable',
          evidence: [...gate.outcome.evidence, ...scoped.map((p) => p.line)],
        };
      return finish([...scoped, { status: 'not-applicable', line: gate.outcome.evidence.join('; ') }]);
    }
    if (gatewayUnknown(gw)) {
      return {
        status: 'unknown',
        evidence: [
          `gateway unknown (source: ${gw.source}, no IPs, no certificate): declare the gateway in mxlock.yaml (gateway.ips, gateway.certificate) to verify the lock-down connector`,
        ],
      };
    }
    const parts: Part[] = [];
    if (gw.source === 'inferred') {
      parts.push({
        status: 'pass',
        line: `gateway inferred from the export (${gw.basis.join('; ') || 'MX and connectors'}): declare it in mxlock.yaml so this comparison does not rest on the connector itself`,
      });
    }
    const connectors = ctx.tenant.inboundConnectors;
    // The gateway connector: the one the plan's stage 2 restricts, and the one every fix below names (one decision).
    const gateway = gatewayConnectorChoice(connectors, gw);
    const certLockdowns = gate.value.filter((c) => c.RestrictDomainsToCertificate === true);
    const ipLockdowns = gate.value.filter((c) => c.RestrictDomainsToIPAddresses === true);

    // Certificate restriction: some connector's name must equal or wildcard-cover the gateway's (CON-1 [D]).
    let certSatisfied = false;
    if (certLockdowns.length > 0) {
      const gwCert = gw.certificate;
      if (!gwCert) {
        parts.push({
          status: 'unknown',
          line: `gateway certificate not declared: cannot verify TlsSenderCertificateName of ${certLockdowns.map(connectorLabel).join(', ')} (declare gateway.certificate in mxlock.yaml)`,
        });
      } else {
        const matching = certLockdowns.filter(
          (c) =>
            c.TlsSenderCertificateName !== undefined &&
            certificateMatches(c.TlsSenderCertificateName, [gwCert]),
        );
        certSatisfied = matching.length > 0;
        for (const c of certLockdowns) {
          const name = c.TlsSenderCertificateName;
          if (name === undefined) {
            parts.push({
              status: 'unknown',
              line: `${connectorLabel(c)}: TlsSenderCertificateName missing although RestrictDomainsToCertificate = true`,
            });
          } else if (matching.includes(c) && !certificateMatches(gwCert, [name])) {
            // CON-1 [D]: `*.example.com` admits every certificate under example.com, not only the gateway's.
            parts.push({
              status: 'warn',
              line: `${connectorLabel(c)}: TlsSenderCertificateName = '${name}' is wider than the gateway certificate '${gwCert}': any server presenting a certificate under it satisfies the lock-down and can deliver directly (eop-model CON-1 [D])`,
              fix: `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -TlsSenderCertificateName ${psQuote(gwCert)}`,
            });
          } else if (matching.includes(c)) {
            parts.push({
              status: 'pass',
              line: `${connectorLabel(c)}: TlsSenderCertificateName = '${name}' matches the gateway certificate '${gwCert}'`,
            });
          } else {
            // Only the gateway connector gets the gateway's certificate: another lock-down is named, and left to the
            // administrator (the plan leaves it too), or the plan's stage 2 when nothing admits the gateway.
            parts.push({
              status: certSatisfied ? 'warn' : 'fail',
              line: `${connectorLabel(c)}: TlsSenderCertificateName = '${name}' does not match the gateway certificate '${gwCert}'${certSatisfied ? ' (another lock-down connector matches it; if this one is stale, disable it)' : ': legitimate gateway mail is rejected with 550 5.7.51 (eop-model CON-5 [D])'}`,
              ...(c === gateway.connector
                ? {
                    fix: `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -TlsSenderCertificateName ${psQuote(gwCert)}`,
                  }
                : certSatisfied
                  ? {}
                  : { fix: gatewayLockdownScript(connectors, gw) }),
            });
          }
        }
      }
    }

    // IP restriction: the union of the IP lock-downs must cover every gateway IP (one satisfied connector suffices, §12 OQ-2).
    if (ipLockdowns.length > 0) {
      const entries = ipLockdowns.flatMap((c) => c.SenderIPAddresses ?? []);
      const set = new IpSet(entries);
      const listMissing = ipLockdowns.some((x) => x.SenderIPAddresses === undefined);
      for (const c of ipLockdowns.filter((x) => x.SenderIPAddresses === undefined)) {
        parts.push({
          status: 'unknown',
          line: `${connectorLabel(c)}: SenderIPAddresses missing although RestrictDomainsToIPAddresses = true`,
        });
      }
      for (const c of ipLockdowns) {
        for (const bad of new IpSet(c.SenderIPAddresses ?? []).invalid) {
          parts.push({
            status: 'fail',
            line: `${connectorLabel(c)}: SenderIPAddresses entry '${bad}' is not a valid IPv4 address or CIDR range`,
            fix: `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -SenderIPAddresses @{Remove=${psQuote(bad)}}`,
          });
        }
      }
      if (gw.ips.length === 0) {
        parts.push({
          status: 'unknown',
          line: 'gateway IPs not declared: cannot verify SenderIPAddresses (declare gateway.ips in mxlock.yaml)',
        });
      } else {
        // What EOP does: one satisfied IP lock-down admits the gateway's mail (§12 OQ-2 [I]), so a gateway range is
        // refused only when no enabled IP lock-down lists it. A connector whose list was not exported may hold it.
        const refused = gw.ips.filter((ip) => !set.covers(ip));
        const refusal = (): CheckOutcome['status'] =>
          certSatisfied ? 'warn' : listMissing ? 'unknown' : 'fail';
        const consequence = certSatisfied
          ? 'admitted only while the gateway presents its certificate'
          : 'legitimate gateway mail from it is rejected with 550 5.7.51 (eop-model CON-5 [D])';
        const own = gateway.connector;
        if (own && ipLockdowns.includes(own)) {
          // The gateway connector is an IP lock-down: what it lacks is a property of it, and the fix is to add it there,
          // whichever other lock-down happens to list it today: the plan's stage 2 edits the same connector (with a
          // certificate known it moves it to the certificate instead, connector.ip-only).
          const lacks = gateway.missingIps;
          const elsewhere = lacks.filter((ip) => set.covers(ip));
          const fix = `Set-InboundConnector -Identity ${psQuote(connectorName(own))} -SenderIPAddresses @{Add=${lacks.map(psQuote).join(',')}}`;
          const missingHere = lacks.filter((ip) => !set.covers(ip));
          if (missingHere.length > 0)
            parts.push({
              status: refusal(),
              line: `${connectorLabel(own)} lacks ${missingHere.join(', ')} of the gateway's IPs, and no other lock-down lists ${missingHere.length > 1 ? 'them' : 'it'}: ${consequence}; add ${missingHere.length > 1 ? 'them' : 'it'} to ${connectorLabel(own)}`,
              fix,
            });
          if (elsewhere.length > 0)
            parts.push({
              status: 'info',
              line: `${connectorLabel(own)} lacks ${elsewhere.join(', ')} of the gateway's IPs, admitted today only through ${ipLockdowns
                .filter((c) => c !== own)
                .map(connectorLabel)
                .join(
                  ', ',
                )} (one satisfying connector suffices, §12 OQ-2 [I]): add ${elsewhere.length > 1 ? 'them' : 'it'} to ${connectorLabel(own)}, the gateway's connector`,
              fix,
            });
        } else {
          // The gateway connector is not an IP lock-down: the remedy for a refused range is the plan's stage 2 on the
          // gateway connector, never adding the range to another connector.
          for (const ip of refused) {
            parts.push({
              status: refusal(),
              line: `gateway IP ${ip} is not in the SenderIPAddresses of ${ipLockdowns.map(connectorLabel).join(', ')}: ${consequence}`,
              ...(certSatisfied ? {} : { fix: gatewayLockdownScript(connectors, gw) }),
            });
          }
        }
        if (refused.length === 0)
          parts.push({
            status: 'pass',
            line: `every gateway IP (${gw.ips.join(', ')}) is in SenderIPAddresses`,
          });
        const known = new IpSet([
          ...gw.ips,
          ...(ctx.profile.hybrid?.ips ?? []),
          ...ctx.profile.directSendSources.flatMap((s) => s.ips),
        ]);
        for (const c of ipLockdowns) {
          for (const entry of c.SenderIPAddresses ?? []) {
            if (parseIpEntry(entry).kind === 'invalid' || known.covers(entry)) continue;
            parts.push({
              status: 'warn',
              line: `${connectorLabel(c)}: SenderIPAddresses entry ${entry} is neither a gateway, hybrid nor declared-source address: whoever sends from it can deliver directly (declare it in mxlock.yaml if it is legitimate)`,
              fix: `Set-InboundConnector -Identity ${psQuote(connectorName(c))} -SenderIPAddresses @{Remove=${psQuote(entry)}}`,
            });
          }
        }
      }
      for (const c of ipLockdowns) {
        for (const entry of c.SenderIPAddresses ?? []) {
          const why = undocumentedForm(entry);
          if (why)
            parts.push({
              status: 'warn',
              line: `${connectorLabel(c)}: SenderIPAddresses entry ${entry}: ${why}`,
            });
        }
      }
    }

    return finish([...parts, ...scoped]);
  },
};

function finish(parts: readonly Part[]): CheckOutcome {
  const status = worst(parts.map((p) => p.status));
  const outcome: CheckOutcome = { status, evidence: parts.map((p) => p.line) };
  const fixes = [...new Set(parts.flatMap((p) => (p.fix ? [p.fix] : [])))];
  if (fixes.length > 0) outcome.remediation = { powershell: fixes.join('\n'), portal: PORTAL };
  return outcome;
}
