/** Helpers of the connector checks of step 2 (eop-model §2, §12): labels, lock-down discovery with unknown properties. */
import { restrictsByCertificate, restrictsByIp } from '../../model/connectors.js';
import { certificateMatches } from '../../common/domains.js';
import { gatewayConnectorChoice, gatewayUnknown } from '../../model/gateway-connector.js';
import { IpSet } from '../../common/ip.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import type { ResolvedGateway } from '../../common/gateway.js';
import type { CheckContext, ExportProperty } from '../types.js';
import {
  commentSafe,
  connectorName,
  isLockdown,
  isRestricting,
  isUnmappedEnum,
  notExported,
  psQuote,
  show,
  type Gate,
} from '../util.js';

export function connectorLabel(c: InboundConnector): string {
  return `connector '${connectorName(c)}'`;
}

/** `connector 'From SEG': RestrictDomainsToIPAddresses = false` */
export function prop<K extends keyof InboundConnector & string>(c: InboundConnector, key: K): string {
  return `${connectorLabel(c)}: ${key} = ${show(c[key])}`;
}

/**
 * Connectors whose lock-down role cannot be decided because the export lacks a property: a missing ConnectorType,
 * missing restriction flags on a Partner connector, or missing SenderDomains on a restricting one.
 */
export function unclassifiedConnectors(connectors: readonly InboundConnector[]): string[] {
  const out: string[] = [];
  for (const c of connectors) {
    if (isUnmappedEnum(c.ConnectorType)) {
      out.push(
        `${connectorLabel(c)}: ConnectorType ${c.ConnectorType === undefined ? 'missing' : `= '${c.ConnectorType}' (unknown value)`}`,
      );
      continue;
    }
    if (c.ConnectorType !== 'Partner') continue;
    if (
      !isRestricting(c) &&
      (c.RestrictDomainsToIPAddresses === undefined || c.RestrictDomainsToCertificate === undefined)
    ) {
      const missing = (['RestrictDomainsToIPAddresses', 'RestrictDomainsToCertificate'] as const).filter(
        (k) => c[k] === undefined,
      );
      out.push(`${connectorLabel(c)}: ${missing.join(', ')} missing`);
    } else if (isRestricting(c) && c.SenderDomains === undefined) {
      out.push(`${connectorLabel(c)}: SenderDomains missing`);
    }
  }
  return out;
}

/** The inbound connectors, or `unknown` when the file was not exported. */
export function inboundConnectors(ctx: CheckContext): Gate<InboundConnector[]> {
  const list = ctx.tenant.inboundConnectors;
  if (!list)
    return { ok: false, outcome: { status: 'unknown', evidence: [notExported('Get-InboundConnector')] } };
  return { ok: true, value: list };
}

/** What `isLockdown`, `unclassifiedConnectors` and `enabledLockdowns` read, for the declarations of their checks. */
export const LOCKDOWN_READS = [
  'ConnectorType',
  'Enabled',
  'RestrictDomainsToIPAddresses',
  'RestrictDomainsToCertificate',
  'SenderDomains',
] as const satisfies readonly ExportProperty<'Get-InboundConnector'>[];

/** What choosing the gateway's connector reads (model/gateway-connector.ts gatewayConnectorChoice): the fixes name it. */
export const GATEWAY_CHOICE_READS = [
  ...LOCKDOWN_READS,
  'SenderIPAddresses',
  'TlsSenderCertificateName',
] as const satisfies readonly ExportProperty<'Get-InboundConnector'>[];

/**
 * The enabled lock-down connectors (restricting Partner connectors with SenderDomains `*`), or the outcome when there
 * are none: `unknown` when a missing property hides whether one exists or is enabled, else `not-applicable` (the
 * lockdown-missing/-disabled/-sender-scope checks report the gap itself).
 */
export function enabledLockdowns(ctx: CheckContext): Gate<InboundConnector[]> {
  const gate = inboundConnectors(ctx);
  if (!gate.ok) return gate;
  const lockdowns = gate.value.filter(isLockdown);
  const enabled = lockdowns.filter((c) => c.Enabled === true);
  if (enabled.length > 0) return { ok: true, value: enabled };
  const unclassified = unclassifiedConnectors(gate.value);
  const enabledUnknown = lockdowns.filter((c) => c.Enabled === undefined).map((c) => prop(c, 'Enabled'));
  if (enabledUnknown.length > 0 || unclassified.length > 0) {
    return {
      ok: false,
      outcome: {
        status: 'unknown',
        evidence: [
          ...enabledUnknown,
          ...unclassified,
          'cannot tell whether an enabled lock-down connector exists',
        ],
      },
    };
  }
  const evidence =
    lockdowns.length === 0
      ? [
          'no Partner connector with SenderDomains * restricts by IP or certificate (see connector.lockdown-missing and connector.lockdown-sender-scope)',
        ]
      : [
          ...lockdowns.map((c) => prop(c, 'Enabled')),
          'every lock-down connector is disabled (see connector.lockdown-disabled)',
        ];
  return { ok: false, outcome: { status: 'not-applicable', evidence } };
}

/** The certificate lock-down of the hardening guide (step 2, option B), with the gateway's certificate when known. */
export function certLockdownScript(gw: ResolvedGateway): string {
  return [
    '# Preferred: the gateway authenticates with its TLS certificate (eop-model CON-5 [D], S9)',
    ...(gw.certificate ? [] : ['# replace the name with the certificate subject your gateway presents']),
    `New-InboundConnector -Name 'From Secure Email Gateway' -ConnectorType Partner -SenderDomains '*' \``,
    `  -RestrictDomainsToCertificate $true -TlsSenderCertificateName ${psQuote(gw.certificate ?? '*.mail-gateway.example.com')} -RequireTls $true -Enabled $true`,
  ].join('\n');
}

/** The IP lock-down of the hardening guide (step 2, option B), with the gateway's IPs when known. */
export function ipLockdownScript(gw: ResolvedGateway): string {
  const ips = gw.ips.length > 0 ? gw.ips : ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'];
  return [
    '# Alternative: the gateway is identified by its egress IPs (IPv4, /24 to /32)',
    ...(gw.ips.length > 0
      ? []
      : ['# replace the addresses with every egress IP/range of your gateway, DR regions included']),
    `New-InboundConnector -Name 'From SEG (IP-bound)' -ConnectorType Partner -SenderDomains '*' \``,
    `  -RestrictDomainsToIPAddresses $true -SenderIPAddresses ${ips.map(psQuote).join(',')} -RequireTls $true -Enabled $true`,
  ].join('\n');
}

/** Both variants, the one the known gateway supports first (the certificate when nothing is known). */
export function lockdownConnectorScript(gw: ResolvedGateway): string {
  const cert = certLockdownScript(gw);
  const ip = ipLockdownScript(gw);
  return (gw.certificate || gw.ips.length === 0 ? [cert, ip] : [ip, cert]).join('\n\n');
}

export type Satisfied = 'yes' | 'no' | 'unknown';

/**
 * Whether mail from the gateway satisfies a restricting connector (eop-model CON-5 [D]): every gateway IP in its
 * SenderIPAddresses (RestrictDomainsToIPAddresses), or the gateway certificate matching its TlsSenderCertificateName
 * (RestrictDomainsToCertificate, CON-1 wildcard rule). `unknown` when the gateway or the connector lacks the data.
 */
export function gatewaySatisfies(gw: ResolvedGateway, c: InboundConnector): Satisfied {
  let unknown = false;
  if (c.RestrictDomainsToCertificate === true) {
    if (gw.certificate === undefined || c.TlsSenderCertificateName === undefined) unknown = true;
    else if (certificateMatches(c.TlsSenderCertificateName, [gw.certificate])) return 'yes';
  }
  if (c.RestrictDomainsToIPAddresses === true) {
    if (gw.ips.length === 0 || c.SenderIPAddresses === undefined) unknown = true;
    else {
      const set = new IpSet(c.SenderIPAddresses);
      if (gw.ips.every((ip) => set.covers(ip))) return 'yes';
    }
  }
  return unknown ? 'unknown' : 'no';
}

/**
 * Whether a connector matches ALL the gateway's mail (CON-1 [D]), restricting or not: every gateway IP in its
 * SenderIPAddresses, or the gateway's certificate under its TlsSenderCertificateName. Not "is it the gateway's
 * connector": that is model/gateway-connector.ts (any overlap), which a connector lacking a range still is.
 */
export function matchesAllGatewayMail(gw: ResolvedGateway, c: InboundConnector): boolean {
  const set = new IpSet(c.SenderIPAddresses ?? []);
  const byIp = gw.ips.length > 0 && gw.ips.every((ip) => set.covers(ip));
  const byCert =
    gw.certificate !== undefined &&
    c.TlsSenderCertificateName !== undefined &&
    certificateMatches(c.TlsSenderCertificateName, [gw.certificate]);
  return byIp || byCert;
}

/**
 * Stage 2 of the plan as remediation: restrict the gateway connector — model/gateway-connector.ts's choice, the very
 * connector the plan's stage 2 restricts — to the gateway's certificate when it is known (preferred, S9 [D]), else to
 * its IPs, adding in the same statement the gateway ranges it lacks (CON-5 [D]: a range it lacks is refused with
 * 5.7.51 once it restricts), and enabling it when it is not; or, when no connector can be the gateway's, create it
 * under the name the plan gives it. With the gateway unknown there is no plan: the guide's two variants, to fill in.
 */
export function gatewayLockdownScript(
  connectors: readonly InboundConnector[] | undefined,
  gw: ResolvedGateway,
): string {
  if (gatewayUnknown(gw)) return lockdownConnectorScript(gw);
  const choice = gatewayConnectorChoice(connectors, gw);
  const head =
    '# Step 2 of the guide (mxlock plan, stage 2): admit Direct Send sources first (inventory.direct-send-sources); activation order: safety-net rule in audit → this → RejectDirectSend.';
  const cert = gw.certificate;
  if (!choice.candidate) {
    const how = cert
      ? `-RestrictDomainsToCertificate $true -TlsSenderCertificateName ${psQuote(cert)} -RequireTls $true`
      : `-RestrictDomainsToIPAddresses $true -SenderIPAddresses ${gw.ips.map(psQuote).join(',')}`;
    return [
      head,
      `New-InboundConnector -Name ${psQuote(choice.name)} -ConnectorType Partner -SenderDomains '*' \``,
      `  ${how} -Enabled $true`,
    ].join('\n');
  }
  // Only what the connector lacks of the lock-down the plan makes of it: a lock-down that is merely disabled is enabled.
  const c = choice.candidate.connector;
  const params: string[] = [];
  const notes: string[] = [];
  if (cert) {
    const name = c.TlsSenderCertificateName;
    if (!(restrictsByCertificate(c) && name !== undefined && certificateMatches(name, [cert])))
      params.push(
        `-RestrictDomainsToCertificate $true -TlsSenderCertificateName ${psQuote(cert)} -RequireTls $true`,
      );
    if (c.RestrictDomainsToIPAddresses === true) {
      notes.push(
        '# IPs and a certificate do not share a connector (CON-3 [D]): its IP restriction goes off in the same change.',
      );
      params.push('-RestrictDomainsToIPAddresses $false');
    }
  } else {
    if (choice.missingIps.length > 0)
      params.push(`-SenderIPAddresses @{Add=${choice.missingIps.map(psQuote).join(',')}}`);
    if (!restrictsByIp(c)) params.push('-RestrictDomainsToIPAddresses $true');
  }
  if (!choice.candidate.enabled) params.push('-Enabled $true');
  if (params.length === 0)
    return `# ${commentSafe(psQuote(choice.name))} is the gateway's lock-down already (mxlock plan, stage 2)`;
  return [head, ...notes, `Set-InboundConnector -Identity ${psQuote(choice.name)} ${params.join(' ')}`].join(
    '\n',
  );
}
