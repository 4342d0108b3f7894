/**
 * Helpers shared by the connector checks of step 2 (eop-model §2, §12) and reused by steps 0 and 3:
 * evidence formatting, "not exported" outcomes, lock-down discovery with unknown properties, and status merging.
 */
import type { CmdletName, InboundConnector } from '../../snapshot/schema.js';
import type { ResolvedGateway } from '../../profile/gateway.js';
import type { CheckContext, CheckOutcome } from '../types.js';
import { connectorName, isLockdown, isRestricting, psQuote } from '../util.js';

export const EAC_CONNECTORS =
  'Exchange admin center (https://admin.exchange.microsoft.com) → Mail flow → Connectors';
export const EAC_RULES = 'Exchange admin center (https://admin.exchange.microsoft.com) → Mail flow → Rules';

export const LEARN = {
  setOrganizationConfig:
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-organizationconfig',
  newInboundConnector:
    'https://learn.microsoft.com/powershell/module/exchangepowershell/new-inboundconnector',
  thirdPartyCloud:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/manage-mail-flow-using-third-party-cloud',
  useConnectors:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/use-connectors-to-configure-mail-flow',
  inboundConnectorFaq:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/inbound-connector-faq',
  newTransportRule: 'https://learn.microsoft.com/powershell/module/exchangepowershell/new-transportrule',
  mailFlowRules:
    'https://learn.microsoft.com/exchange/security-and-compliance/mail-flow-rules/mail-flow-rules',
  policyPrecedence:
    'https://learn.microsoft.com/defender-office-365/how-policies-and-protections-are-combined',
  antiPhishTuning: 'https://learn.microsoft.com/defender-office-365/anti-phishing-protection-tuning',
  enhancedFiltering:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors',
  directSendBlog:
    'https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790',
  devices:
    'https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365',
} as const;

export function notExported(cmdlet: CmdletName): string {
  return `${cmdlet}.json was not exported`;
}

/** A property value as evidence shows it: lists in brackets, strings quoted, absent as "(not exported)". */
export function show(value: unknown): string {
  if (value === undefined) return '(not exported)';
  if (Array.isArray(value)) return value.length === 0 ? '[] (empty)' : `[${value.map(String).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

export function connectorLabel(c: InboundConnector): string {
  return `connector '${connectorName(c)}'`;
}

/** `connector 'From SEG': RestrictDomainsToIPAddresses = false` */
export function prop<K extends keyof InboundConnector & string>(c: InboundConnector, key: K): string {
  return `${connectorLabel(c)}: ${key} = ${show(c[key])}`;
}

/** An enum value the reader could not map (`#3`) is as good as absent. */
export function isUnmappedEnum(value: string | undefined): boolean {
  return value === undefined || value.startsWith('#');
}

const STATUS_ORDER: readonly CheckOutcome['status'][] = [
  'fail',
  'warn',
  'unknown',
  'info',
  'pass',
  'not-applicable',
];

/** The most serious status of several partial verdicts (a warn already says "act"; unknown still blocks a pass). */
export function worst(
  statuses: readonly CheckOutcome['status'][],
  empty: CheckOutcome['status'] = 'pass',
): CheckOutcome['status'] {
  let best = STATUS_ORDER.length;
  for (const s of statuses) best = Math.min(best, STATUS_ORDER.indexOf(s));
  return STATUS_ORDER[best] ?? empty;
}

/** Either the data a check needs, or the outcome to return because it cannot be had. */
export type Gate<T> = { ok: true; value: T } | { ok: false; outcome: CheckOutcome };

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
