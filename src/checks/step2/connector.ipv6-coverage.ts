/**
 * IPv6 inbound is on by default per accepted domain since 2024-10-16 (MC835648 [D]): the domain's endpoint then answers
 * AAAA queries, and a gateway or device with IPv6 may deliver over it. An IP-only lock-down cannot list IPv6
 * (SenderIPAddresses takes IPv4 only, eop-model §2.2 [D] S8; "source and destination IP versions must match",
 * MC835648 [D]), so mail from the gateway over IPv6 gets 550 5.7.51 (IPV6-4 [I], CON-5 [D]); a safety-net rule that
 * excepts the gateway by IPv4 ranges rejects it after acceptance (TR-1 [D], §4.2 [D] S20). The certificate lock-down
 * (matching by name, not address) or opting the domain out (Disable-IPv6ForAcceptedDomain) avoids it. The domains'
 * answers come from model/ipv6.ts, which the simulator reads too.
 */
import { IpSet, parseIpEntry } from '../../common/ip.js';
import { acceptanceText, ipv6Acceptance, IPV6_SOURCES } from '../../model/ipv6.js';
import { isSafetyNet } from '../../model/safety-net.js';
import type { TransportRule } from '../../snapshot/schema.js';
import type { Check } from '../types.js';
import { connectorName, EAC_CONNECTORS, LEARN, notExported, psQuote, ruleName } from '../util.js';
import {
  connectorLabel,
  enabledLockdowns,
  gatewayLockdownScript,
  GATEWAY_CHOICE_READS,
} from './connectors.js';
import { isEnforced, SAFETY_NET_READS } from '../step3/safety-net.js';

const PORTAL = `${EAC_CONNECTORS} → the gateway's lock-down connector → authenticate the gateway by the certificate it presents (not by IP addresses); or, per domain, Exchange Online PowerShell: Disable-IPv6ForAcceptedDomain (there is no portal setting for IPv6 inbound)`;

/** At most this many domains are named in one evidence line; the rest are counted. */
const NAMED = 10;

function named(list: readonly string[]): string {
  return list.length > NAMED
    ? `${list.slice(0, NAMED).join(', ')}, … (${list.length} in all)`
    : list.join(', ');
}

function isV6Entry(e: string): boolean {
  return parseIpEntry(e).kind === 'v6';
}

export const check: Check = {
  id: 'connector.ipv6-coverage',
  requiresGateway: true,
  step: 2,
  title:
    'Accepted domains that take mail over IPv6 are not behind an IP-only lock-down or an IP-based safety net',
  severity: 'high',
  references: [
    'eop-model §13 IPv6 inbound [D]',
    'eop-model §2.2 SenderIPAddresses (IPv4 only) [D]',
    'eop-model CON-5 [D]',
    'mxlock rules IPV6-1..IPV6-5 (src/model/ipv6.ts)',
    IPV6_SOURCES.announcement,
    IPV6_SOURCES.status,
    IPV6_SOURCES.disable,
    IPV6_SOURCES.mailFlow,
    LEARN.newInboundConnector,
  ],
  remediation: {
    powershell: [
      '# Preferred: restrict the lock-down to the certificate the gateway presents (matches over IPv4 and IPv6):',
      "Set-InboundConnector -Identity 'From Secure Email Gateway' -RestrictDomainsToCertificate $true -TlsSenderCertificateName '*.mail-gateway.example.com' -RestrictDomainsToIPAddresses $false",
      '# Or keep mail to a domain on IPv4 (up to an hour to show in Get-IPv6StatusForAcceptedDomain):',
      "Disable-IPv6ForAcceptedDomain -Domain 'contoso.com'",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-IPv6StatusForAcceptedDomain': ['Domain', 'Status'],
    'Get-AcceptedDomain': ['DomainName'],
    'Get-InboundConnector': GATEWAY_CHOICE_READS,
    'Get-TransportRule': [...SAFETY_NET_READS, 'State', 'Mode'],
  },
  evaluate(ctx) {
    const statuses = ctx.tenant.ipv6Statuses;
    if (statuses === undefined)
      return {
        status: 'unknown',
        evidence: [
          notExported('Get-IPv6StatusForAcceptedDomain'),
          'IPv6 inbound is Enabled by default for every accepted domain since 2024-10-16 (MC835648): export Get-IPv6StatusForAcceptedDomain per domain to tell which domains take mail over IPv6',
        ],
      };
    if (ctx.tenant.acceptedDomains === undefined)
      return { status: 'unknown', evidence: [notExported('Get-AcceptedDomain')] };
    const acceptance = ctx.tenant.domainNames.map((d) => ipv6Acceptance(statuses, d));
    const accepting = acceptance.filter((a) => a.accepts);
    const optedOut = acceptance.filter((a) => !a.accepts).map((a) => a.domain);
    const assumed = accepting.filter((a) => a.basis === 'default');
    const domainLines = [
      ...(accepting.length > 0 ? [`IPv6 inbound on for ${named(accepting.map((a) => a.domain))}`] : []),
      ...(optedOut.length > 0 ? [`IPv6 inbound opted out (Disabled) for ${named(optedOut)}`] : []),
      ...assumed.slice(0, NAMED).map(acceptanceText),
    ];
    if (accepting.length === 0)
      return {
        status: 'pass',
        evidence: [
          ...domainLines,
          'no accepted domain takes mail over IPv6: every sender connects over IPv4',
        ],
      };

    const gw = ctx.gateway;
    const gwV6 = gw.ips.filter(isV6Entry);
    const gatewayV6 =
      gwV6.length > 0
        ? `mxlock.yaml lists IPv6 egress for the gateway (${gwV6.join(', ')}): it delivers over IPv6 to these domains`
        : 'mxlock.yaml lists no IPv6 egress for the gateway: whether it delivers over IPv6 is unknown; if it does, that mail is refused';

    // The lock-down: only a certificate can admit a connection over IPv6 (IPV6-4).
    const problems: string[] = [];
    const fixes: string[] = [];
    let unknown: string[] = [];
    const gate = enabledLockdowns(ctx);
    if (gate.ok) {
      const byCert = gate.value.filter(
        (c) => c.RestrictDomainsToCertificate === true && (c.TlsSenderCertificateName?.trim() ?? '') !== '',
      );
      const ipOnly = gate.value.filter(
        (c) => c.RestrictDomainsToIPAddresses === true && c.RestrictDomainsToCertificate === false,
      );
      unknown = gate.value
        .filter((c) => c.RestrictDomainsToCertificate === undefined)
        .map((c) => `${connectorLabel(c)}: RestrictDomainsToCertificate missing`);
      if (byCert.length === 0 && ipOnly.length > 0) {
        problems.push(
          `${ipOnly.map(connectorLabel).join(', ')} restrict${ipOnly.length > 1 ? '' : 's'} by IP only: SenderIPAddresses takes IPv4 only, so mail over IPv6 matches no connector and gets 550 5.7.51 (IPV6-4 [I], CON-5 [D])`,
        );
        fixes.push(
          gw.certificate
            ? gatewayLockdownScript(ctx.tenant.inboundConnectors, gw)
            : `# Declare gateway.certificate in mxlock.yaml (the name your gateway presents), then run mxlock plan: stage 2 restricts ${psQuote(connectorName(ipOnly[0]!))} to it, which matches over IPv4 and IPv6`,
        );
      }
    } else if (gate.outcome.status === 'unknown') unknown = gate.outcome.evidence;

    // The safety net: an IPv4-only exception list does not except the gateway over IPv6 (§4.2 [D] S20).
    const rules = ctx.tenant.transportRules;
    if (rules === undefined) unknown.push(notExported('Get-TransportRule'));
    const excepted = (r: TransportRule) => {
      const set = new IpSet(r.ExceptIfSenderIpRanges ?? []);
      return gwV6.length > 0 && gwV6.every((e) => set.covers(e));
    };
    const nets = (rules ?? []).filter((r) => isSafetyNet(r) && isEnforced(r) && !excepted(r));
    for (const r of nets) {
      const v6 = (r.ExceptIfSenderIpRanges ?? []).filter(isV6Entry);
      problems.push(
        `rule '${ruleName(r)}' (Enforce) excepts the gateway by ExceptIfSenderIpRanges ${v6.length > 0 ? `(its IPv6 entries ${v6.join(', ')} do not cover the gateway's declared IPv6 egress)` : '(IPv4 only)'}: mail the gateway delivers over IPv6 is not excepted and is rejected after acceptance (TR-1 [D], §4.2 [D] S20)`,
      );
      fixes.push(
        gwV6.length > 0
          ? `Set-TransportRule -Identity ${psQuote(ruleName(r))} -ExceptIfSenderIpRanges @{Add=${gwV6.map(psQuote).join(',')}}  # IPv6 in SenderIpRanges is not documented either way: test with a message over IPv6`
          : `# Add the gateway's IPv6 egress to the exceptions of ${psQuote(ruleName(r))} (ask the vendor; declare it in gateway.ips), or opt the domains out of IPv6 below`,
      );
    }

    const simulated = ctx.paths.find((p) => p.id === 'path.gateway-delivery');
    const sim = simulated
      ? [
          `simulated: path.gateway-delivery is ${simulated.status}${simulated.outcome.reply ? ` (${simulated.outcome.reply})` : ''}`,
        ]
      : [];
    if (problems.length === 0) {
      if (unknown.length > 0) return { status: 'unknown', evidence: [...domainLines, ...unknown] };
      return {
        status: 'pass',
        evidence: [
          ...domainLines,
          'no IP-only lock-down and no enforced IP-based safety net stands in the way of mail over IPv6',
          ...sim,
        ],
      };
    }
    const optOut = accepting
      .map((a) => `Disable-IPv6ForAcceptedDomain -Domain ${psQuote(a.domain)}`)
      .slice(0, 50);
    return {
      status: 'fail',
      evidence: [...domainLines, ...problems, gatewayV6, ...sim],
      remediation: {
        powershell: [
          ...fixes,
          `# Or keep mail to these domains on IPv4 (MC835648; up to an hour to show in Get-IPv6StatusForAcceptedDomain):`,
          ...optOut,
          ...(accepting.length > optOut.length
            ? [`# … and the other ${accepting.length - optOut.length} domains`]
            : []),
        ].join('\n'),
        portal: PORTAL,
      },
    };
  },
};
