/** Helpers of the connector checks of step 2 (eop-model §2, §12): labels, lock-down discovery with unknown properties. */
import { certificateMatches } from '../../model/domains.js';
import { IpSet } from '../../model/ip.js';
import type { InboundConnector } from '../../snapshot/schema.js';
import type { ResolvedGateway } from '../../profile/gateway.js';
import type { CheckContext, ExportProperty } from '../types.js';
import {
  connectorName,
  isLockdown,
  isPartner,
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

/** Whether a connector matches the gateway by IP or certificate at all (CON-1 [D]), restricting or not. */
export function matchesGateway(gw: ResolvedGateway, c: InboundConnector): boolean {
  const set = new IpSet(c.SenderIPAddresses ?? []);
  const byIp = gw.ips.length > 0 && gw.ips.every((ip) => set.covers(ip));
  const byCert =
    gw.certificate !== undefined &&
    c.TlsSenderCertificateName !== undefined &&
    certificateMatches(c.TlsSenderCertificateName, [gw.certificate]);
  return byIp || byCert;
}

/**
 * Whether the SenderDomains entry `outer` covers every domain `inner` covers: `*` covers all, `*.contoso.com` the
 * domain and its subdomains (eop-model CON-2 [D] S8 wildcard rule), a plain domain only itself.
 */
export function senderPatternCovers(outer: string, inner: string): boolean {
  const o = outer.trim().toLowerCase();
  const i = inner.trim().toLowerCase();
  if (o === '*') return true;
  if (i === '*') return false;
  const iBase = i.startsWith('*.') ? i.slice(2) : i;
  if (o.startsWith('*.')) {
    const base = o.slice(2);
    return iBase === base || iBase.endsWith(`.${base}`);
  }
  return !i.startsWith('*.') && o === i;
}

/**
 * The gateway's own connector before step 2: an enabled Partner connector with SenderDomains * that matches the gateway
 * by IP or certificate but restricts nothing. Restricting it is the lock-down (hardening guide step 2).
 */
export function unrestrictedGatewayConnector(
  connectors: readonly InboundConnector[],
  gw: ResolvedGateway,
): InboundConnector | undefined {
  return connectors.find(
    (c) =>
      c.Enabled === true &&
      isPartner(c) &&
      !isRestricting(c) &&
      (c.SenderDomains ?? []).includes('*') &&
      matchesGateway(gw, c),
  );
}

/**
 * How to restrict direct delivery without refusing the gateway: restrict the gateway's existing `*` connector by what
 * it already matches, else create the guide's lock-down connector. Never widen a connector the gateway does not
 * satisfy: a `*` restriction only a device meets refuses every gateway delivery with 5.7.51 (CON-5 [D]).
 */
export function restrictGatewayScript(connectors: readonly InboundConnector[], gw: ResolvedGateway): string {
  const carrier = unrestrictedGatewayConnector(connectors, gw);
  if (!carrier) return lockdownConnectorScript(gw);
  const set = new IpSet(carrier.SenderIPAddresses ?? []);
  const byIp = gw.ips.length > 0 && gw.ips.every((ip) => set.covers(ip));
  return [
    '# Step 2 of the guide: restrict the connector the gateway already delivers through (admit Direct Send sources',
    '# first, see inventory.direct-send-sources; activation order: safety-net rule in audit → this → RejectDirectSend).',
    `Set-InboundConnector -Identity ${psQuote(connectorName(carrier))} ${byIp ? '-RestrictDomainsToIPAddresses $true' : '-RestrictDomainsToCertificate $true -RequireTls $true'}`,
  ].join('\n');
}
