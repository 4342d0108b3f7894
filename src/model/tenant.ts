/** Facts derived once from the snapshot, shared by the simulator and the checks. Pure. */
import type { Snapshot } from '../snapshot/types.js';
import type {
  AcceptedDomain,
  AntiPhishPolicy,
  ConnectionFilterPolicy,
  ContentFilterPolicy,
  InboundConnector,
  OrganizationConfig,
  TransportRule,
} from '../snapshot/schema.js';
import { domainOrSubdomain } from '../common/domains.js';
import { ipv6StatusMap, type Ipv6StatusMap } from './ipv6.js';

export interface Tenant {
  org: OrganizationConfig | undefined;
  acceptedDomains: AcceptedDomain[] | undefined;
  /** Lower-case accepted domain names (empty when not collected). */
  domainNames: string[];
  defaultDomain: string | undefined;
  /** `<tenant>.onmicrosoft.com` (not the `.mail.onmicrosoft.com` coexistence domain). */
  initialDomain: string | undefined;
  inboundConnectors: InboundConnector[] | undefined;
  /** Transport rules in evaluation order (ascending Priority, TR-2). */
  transportRules: TransportRule[] | undefined;
  connectionFilter: ConnectionFilterPolicy | undefined;
  contentFilter: ContentFilterPolicy[] | undefined;
  /** The anti-spam policy that applies to ordinary recipients: the default one. */
  contentFilterDefault: ContentFilterPolicy | undefined;
  /** The policy that applies to ordinary recipients: the default anti-phish policy. */
  antiPhish: AntiPhishPolicy | undefined;
  antiPhishPolicies: AntiPhishPolicy[] | undefined;
  /** Get-IPv6StatusForAcceptedDomain by lower-case domain; undefined when not exported (model/ipv6.ts decides). */
  ipv6Statuses: Ipv6StatusMap;
  /** Exact accepted domain (subdomains are not covered, eop-model §12 OQ-4 [I]). */
  isAccepted(domain: string | undefined): boolean;
  /** A subdomain of an accepted domain with MatchSubDomains: undocumented for RejectDirectSend (OQ-4). */
  coveredByMatchSubDomains(domain: string | undefined): boolean;
}

/** The default policy of a list: IsDefault, else a conventional default name, else the only one. */
export function pickDefault<
  T extends { IsDefault?: boolean | undefined; Name?: string | undefined; Identity?: string | undefined },
>(list: T[] | undefined): T | undefined {
  if (!list || list.length === 0) return undefined;
  return (
    list.find((p) => p.IsDefault === true) ??
    list.find((p) => /^(default|office365 antiphish default)/i.test(p.Name ?? p.Identity ?? '')) ??
    (list.length === 1 ? list[0] : undefined)
  );
}

export function buildTenant(snapshot: Snapshot): Tenant {
  const d = snapshot.data;
  const accepted = d['Get-AcceptedDomain'];
  const domainNames = (accepted ?? []).map((a) => a.DomainName).filter((n): n is string => !!n);
  const defaultDomain =
    accepted?.find((a) => a.Default === true)?.DomainName ??
    domainNames.find((n) => !n.endsWith('.onmicrosoft.com')) ??
    domainNames[0];
  const initialDomain =
    accepted?.find((a) => a.InitialDomain === true)?.DomainName ??
    domainNames.find((n) => n.endsWith('.onmicrosoft.com') && !n.endsWith('.mail.onmicrosoft.com'));
  const rules = d['Get-TransportRule'];
  const sortedRules = rules
    ? [...rules].sort(
        (a, b) => (a.Priority ?? Number.MAX_SAFE_INTEGER) - (b.Priority ?? Number.MAX_SAFE_INTEGER),
      )
    : undefined;
  const connFilters = d['Get-HostedConnectionFilterPolicy'];
  const antiPhish = d['Get-AntiPhishPolicy'];
  const matchSub = new Set(
    (accepted ?? []).filter((a) => a.MatchSubDomains === true).map((a) => a.DomainName),
  );
  const names = new Set(domainNames);
  return {
    org: d['Get-OrganizationConfig']?.[0],
    acceptedDomains: accepted,
    domainNames,
    defaultDomain,
    initialDomain,
    inboundConnectors: d['Get-InboundConnector'],
    transportRules: sortedRules,
    connectionFilter: pickDefault(connFilters),
    contentFilter: d['Get-HostedContentFilterPolicy'],
    contentFilterDefault: pickDefault(d['Get-HostedContentFilterPolicy']),
    antiPhish: pickDefault(antiPhish),
    antiPhishPolicies: antiPhish,
    ipv6Statuses: ipv6StatusMap(d['Get-IPv6StatusForAcceptedDomain']),
    isAccepted(domain) {
      return !!domain && names.has(domain.toLowerCase());
    },
    coveredByMatchSubDomains(domain) {
      if (!domain) return false;
      const dl = domain.toLowerCase();
      return !names.has(dl) && [...matchSub].some((n) => n !== undefined && domainOrSubdomain(n, dl));
    },
  };
}
