/**
 * The simulator's view of a tenant, compiled once per configuration: IP sets and rule predicates are parsed
 * here so that each evaluation is cheap (DESIGN §8). Pure.
 */
import type {
  AntiPhishPolicy,
  ContentFilterPolicy,
  InboundConnector,
  TablSpoofItem,
  TransportRule,
} from '../snapshot/schema.js';
import type { Tenant } from './tenant.js';
import { IpSet } from '../common/ip.js';
import { planOf } from './precompiled.js';
import type { AuthVerdict } from './types.js';

/** Tri-state: an absent property is unknown, never false (formats.md §6.2 item 9). */
export type Tri = boolean | undefined;

export interface CompiledConnector {
  name: string;
  type: 'Partner' | 'OnPremises' | 'unknown';
  enabled: Tri;
  senderDomains: string[];
  /** False when SenderDomains was not exported: an empty list then means "unknown", not "none". */
  senderDomainsKnown: boolean;
  ips: IpSet;
  certificate: string | undefined;
  requireTls: Tri;
  restrictIp: Tri;
  restrictCert: Tri;
  associatedDomains: string[];
  /** False when AssociatedAcceptedDomains was not exported (empty would otherwise read as "all domains"). */
  associatedDomainsKnown: boolean;
  cloudServicesMailEnabled: Tri;
  treatAsInternal: Tri;
  efSkipIps: IpSet;
  efSkipLastIp: Tri;
  efUsers: string[];
  efTestMode: Tri;
}

export interface CompiledRule {
  name: string;
  priority: number | undefined;
  raw: TransportRule;
  senderIps: IpSet | undefined;
  exceptSenderIps: IpSet | undefined;
}

/**
 * Computes the authentication EOP would see; implemented over recorded or live DNS by the caller. A function of its
 * input: the simulator caches verdicts per configuration (precompiled.ts).
 */
export interface AuthOracle {
  /** `ipLabel`, when given, is how `notes` write the address (the simulator's replay cache passes a placeholder). */
  verdict(input: {
    ip: string;
    ipLabel?: string;
    mailFrom: string;
    headerFrom: string;
    dkimDomains: string[];
  }): AuthVerdict;
}

export interface SimConfig {
  tenant: Tenant;
  acceptedDomains: string[];
  connectors: CompiledConnector[];
  connectorsKnown: boolean;
  rules: CompiledRule[];
  rulesKnown: boolean;
  rejectDirectSend: Tri;
  ipAllow: IpSet;
  ipBlock: IpSet;
  connFilterKnown: boolean;
  antiPhish: AntiPhishPolicy | undefined;
  contentFilter: ContentFilterPolicy | undefined;
  tablSpoof: TablSpoofItem[];
  /** MX of the tenant's domains at EOP; undefined = unknown (eop-model §6.1). */
  mxPointsToEop: boolean | undefined;
  mxBasis: string;
  auth: AuthOracle;
  /** For rules with ActivationDate/ExpiryDate; without it such rules are undecided. */
  now: Date | undefined;
}

function compileConnector(c: InboundConnector): CompiledConnector {
  return {
    name: c.Name ?? c.Identity ?? '(unnamed connector)',
    type:
      c.ConnectorType === 'Partner' ? 'Partner' : c.ConnectorType === 'OnPremises' ? 'OnPremises' : 'unknown',
    enabled: c.Enabled,
    senderDomains: c.SenderDomains ?? [],
    senderDomainsKnown: c.SenderDomains !== undefined,
    ips: new IpSet(c.SenderIPAddresses ?? []),
    certificate: c.TlsSenderCertificateName,
    requireTls: c.RequireTls,
    restrictIp: c.RestrictDomainsToIPAddresses,
    restrictCert: c.RestrictDomainsToCertificate,
    associatedDomains: c.AssociatedAcceptedDomains ?? [],
    associatedDomainsKnown: c.AssociatedAcceptedDomains !== undefined,
    cloudServicesMailEnabled: c.CloudServicesMailEnabled,
    treatAsInternal: c.TreatMessagesAsInternal,
    efSkipIps: new IpSet(c.EFSkipIPs ?? []),
    efSkipLastIp: c.EFSkipLastIP,
    efUsers: c.EFUsers ?? [],
    efTestMode: c.EFTestMode,
  };
}

function compileRule(r: TransportRule): CompiledRule {
  return {
    name: r.Name ?? r.Identity ?? '(unnamed rule)',
    priority: r.Priority,
    raw: r,
    senderIps: r.SenderIpRanges && r.SenderIpRanges.length > 0 ? new IpSet(r.SenderIpRanges) : undefined,
    exceptSenderIps:
      r.ExceptIfSenderIpRanges && r.ExceptIfSenderIpRanges.length > 0
        ? new IpSet(r.ExceptIfSenderIpRanges)
        : undefined,
  };
}

export interface CompileInput {
  tenant: Tenant;
  tablSpoof: TablSpoofItem[] | undefined;
  mxPointsToEop: boolean | undefined;
  mxBasis: string;
  auth: AuthOracle;
  now?: Date;
}

export function compileConfig(input: CompileInput): SimConfig {
  const t = input.tenant;
  const cf = t.connectionFilter;
  const cfg: SimConfig = {
    tenant: t,
    acceptedDomains: t.domainNames,
    connectors: (t.inboundConnectors ?? []).map(compileConnector),
    connectorsKnown: t.inboundConnectors !== undefined,
    rules: (t.transportRules ?? []).map(compileRule),
    rulesKnown: t.transportRules !== undefined,
    rejectDirectSend: t.org?.RejectDirectSend,
    ipAllow: new IpSet(cf?.IPAllowList ?? []),
    ipBlock: new IpSet(cf?.IPBlockList ?? []),
    connFilterKnown: cf !== undefined,
    antiPhish: t.antiPhish,
    contentFilter: t.contentFilterDefault,
    tablSpoof: input.tablSpoof ?? [],
    mxPointsToEop: input.mxPointsToEop,
    mxBasis: input.mxBasis,
    auth: input.auth,
    now: input.now,
  };
  // Everything the simulator derives from the configuration alone is built here, once (DESIGN §8).
  planOf(cfg);
  return cfg;
}
