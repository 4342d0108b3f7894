/**
 * The mail flows the tenant's own inbound connectors were set up for (DESIGN §5 `path.connector:<name>`, §6): each
 * enabled inbound connector that is neither the gateway's nor a lock-down — an allow-by-domain or TLS partner, an
 * OnPremises relay, a SaaS that presents its certificate, a device connector — stands for mail someone set up, and the
 * hardening must keep it working. One decision, read by the standard paths (model/paths.ts) and the planner. Pure.
 */
import type { InboundConnector } from '../snapshot/schema.js';
import { connectorName, isEnabled, isLockdown, isOnPremises, isPartner } from './connectors.js';
import { matchGateway, type GatewayKeys } from './gateway-connector.js';

/** SPF networks of a sender domain, from recorded or live DNS; undefined when they cannot be listed (and why). */
export type SpfNetworks = (domain: string) => { networks: string[] } | { unknown: string };

export interface ConnectorFlow {
  /** The connector's name (`Name`, else `Identity`): the path is `path.connector:<name>`. */
  name: string;
  connector: InboundConnector;
  /** Where the sending addresses come from: the connector's own list, its sender domains' SPF [I], or nowhere. */
  addresses: 'connector' | 'spf' | 'certificate-only' | 'none';
  /** IP entries the flow's mail comes from (the connector's SenderIPAddresses, or SPF networks). */
  ips: string[];
  /** The certificate name it presents, when the connector matches by one (TlsSenderCertificateName). */
  certificate: string | undefined;
  /** Sender domains to send as: the connector's SenderDomains (`*` and empty mean any: undefined). */
  senderDomains: string[] | undefined;
  /** Why the addresses are what they are, for the evidence. */
  basis: string[];
}

/** `*.x` → `x` is not a sender; a host under it is (`mail.x`). */
function senderDomainOf(pattern: string): string {
  return pattern.startsWith('*.') ? `mail.${pattern.slice(2)}` : pattern;
}

/**
 * The flows of the enabled inbound connectors that are neither the gateway's (they match its IPs or certificate) nor a
 * lock-down (CON-5 [D]: those carry the gateway's mail, path.gateway-delivery). `Enabled` absent is not enabled: an
 * unknown connector's flow is not invented (its checks report the missing property).
 */
export function connectorFlows(
  connectors: readonly InboundConnector[] | undefined,
  gateway: GatewayKeys | undefined,
  spf: SpfNetworks | undefined,
  /** Declared on-premises Exchange: the OnPremises connector matching it is path.hybrid-onpremises, not a flow. */
  hybrid?: GatewayKeys,
): ConnectorFlow[] {
  const flows: ConnectorFlow[] = [];
  const seen = new Set<string>();
  for (const c of connectors ?? []) {
    if (!isEnabled(c) || isLockdown(c)) continue;
    if (!isPartner(c) && !isOnPremises(c)) continue;
    if (gateway && matchGateway(c, gateway).by !== 'none') continue;
    if (hybrid && isOnPremises(c) && matchGateway(c, hybrid).by !== 'none') continue;
    const name = connectorName(c);
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const domains = (c.SenderDomains ?? []).filter((d) => d.trim() !== '' && d !== '*');
    const senderDomains = domains.length > 0 && !(c.SenderDomains ?? []).includes('*') ? domains : undefined;
    const certificate = c.TlsSenderCertificateName?.trim() || undefined;
    const listed = (c.SenderIPAddresses ?? []).filter((e) => e.trim() !== '');
    const flow: ConnectorFlow = {
      name,
      connector: c,
      addresses: 'none',
      ips: [],
      certificate,
      senderDomains: senderDomains?.map(senderDomainOf),
      basis: [],
    };
    if (listed.length > 0) {
      flow.addresses = 'connector';
      flow.ips = listed;
      flow.basis.push(`from the addresses the connector lists (SenderIPAddresses: ${listed.join(', ')})`);
    } else if (certificate) {
      // A connector that matches by certificate admits its sender from any address (CON-1 [D]).
      flow.addresses = 'certificate-only';
      flow.basis.push(`presenting the certificate the connector names (${certificate}), from any address`);
    } else if (senderDomains && spf) {
      const found: string[] = [];
      const gaps: string[] = [];
      for (const d of senderDomains) {
        if (d.startsWith('*.')) {
          gaps.push(`${d}: a wildcard has no SPF record of its own`);
          continue;
        }
        const r = spf(d);
        if ('networks' in r) found.push(...r.networks);
        else gaps.push(`${d}: ${r.unknown}`);
      }
      if (found.length > 0) {
        flow.addresses = 'spf';
        flow.ips = [...new Set(found)];
        flow.basis.push(
          `from the addresses the SPF records of ${senderDomains.join(', ')} authorise (${flow.ips.join(', ')}): the connector lists none, so its partner is assumed to send from them [I]`,
          ...gaps.map((g) => `not listed: ${g}`),
        );
      } else {
        flow.basis.push(
          `the connector lists no address or certificate, and SPF names none for ${senderDomains.join(', ')}${gaps.length > 0 ? ` (${gaps.join('; ')})` : ''}: where its mail comes from is unknown`,
        );
      }
    } else {
      flow.basis.push(
        'the connector lists no address, no certificate and no sender domain to read SPF for: where its mail comes from is unknown',
      );
    }
    flows.push(flow);
  }
  return flows;
}
