import { compileConfig, type SimConfig } from '../../src/model/config.js';
import { buildTenant } from '../../src/model/tenant.js';
import { recordedAuthOracle } from '../../src/dns/oracle.js';
import { zoneFromJson, type DnsZone } from '../../src/common/zone.js';
import type { Snapshot, SnapshotObjects } from '../../src/snapshot/types.js';
import { CMDLET_NAMES } from '../../src/snapshot/schema.js';

export type Data = { [K in keyof SnapshotObjects]?: Partial<SnapshotObjects[K]>[] };

export const GATEWAY_IPS = ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'];

export const baseData = (): Data => ({
  'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: false }],
  'Get-AcceptedDomain': [
    { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
    { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', InitialDomain: true },
  ],
  'Get-InboundConnector': [],
  'Get-TransportRule': [],
  'Get-HostedConnectionFilterPolicy': [
    { Name: 'Default', IsDefault: true, IPAllowList: [], IPBlockList: [], EnableSafeList: false },
  ],
  'Get-HostedContentFilterPolicy': [
    {
      Name: 'Default',
      IsDefault: true,
      SpamAction: 'MoveToJmf',
      AllowedSenderDomains: [],
      AllowedSenders: [],
    },
  ],
  'Get-AntiPhishPolicy': [
    {
      Name: 'Office365 AntiPhish Default',
      IsDefault: true,
      EnableSpoofIntelligence: true,
      HonorDmarcPolicy: true,
      AuthenticationFailAction: 'Quarantine',
      DmarcQuarantineAction: 'Quarantine',
      DmarcRejectAction: 'Reject',
    },
  ],
  'Get-DkimSigningConfig': [],
});

export const lockdownIp = (
  over: Partial<SnapshotObjects['Get-InboundConnector']> = {},
): Partial<SnapshotObjects['Get-InboundConnector']> => ({
  Name: 'From SEG',
  Enabled: true,
  ConnectorType: 'Partner',
  SenderDomains: ['*'],
  SenderIPAddresses: GATEWAY_IPS,
  RestrictDomainsToIPAddresses: true,
  RestrictDomainsToCertificate: false,
  RequireTls: true,
  AssociatedAcceptedDomains: [],
  ...over,
});

export const safetyNet = (
  over: Partial<SnapshotObjects['Get-TransportRule']> = {},
): Partial<SnapshotObjects['Get-TransportRule']> => ({
  Name: 'BLOCK - Direct EOP Ingress',
  Priority: 0,
  State: 'Enabled',
  Mode: 'Enforce',
  FromScope: 'NotInOrganization',
  ExceptIfSenderIpRanges: GATEWAY_IPS,
  RejectMessageEnhancedStatusCode: '5.7.1',
  RejectMessageReasonText: 'Mail not delivered via SEG.',
  ...over,
});

export function snapshotOf(data: Data, dns?: Record<string, object>): Snapshot {
  const d = data as Snapshot['data'];
  return {
    source: 'test',
    data: d,
    dns: dns ? zoneFromJson(dns as Parameters<typeof zoneFromJson>[0]) : undefined,
    missing: CMDLET_NAMES.filter((n) => d[n] === undefined),
    warnings: [],
  };
}

/**
 * The data with every accepted domain opted out of IPv6 inbound (Get-IPv6StatusForAcceptedDomain Disabled): a tenant
 * only IPv4 reaches, for tests about IPv4 behaviour (without the file, IPv6 is taken as Enabled, Microsoft's default).
 */
export function ipv4Only(d: Data): Data {
  d['Get-IPv6StatusForAcceptedDomain'] = (d['Get-AcceptedDomain'] ?? []).map((a) => ({
    Domain: a.DomainName,
    Status: 'Disabled',
  }));
  return d;
}

export const DNS_MX_SEG = {
  'contoso.com': {
    MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }],
    TXT: ['v=spf1 ip4:203.0.113.10 ip4:203.0.113.11 ip4:198.51.100.0/28 ip4:192.0.2.50 -all'],
  },
  '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:d@contoso.com'] },
};

export function configOf(
  data: Data,
  opts: { dns?: Record<string, object>; mxPointsToEop?: boolean | undefined } = {},
): SimConfig {
  const snap = snapshotOf(data, opts.dns);
  const zone: DnsZone | undefined = snap.dns;
  return compileConfig({
    tenant: buildTenant(snap),
    tablSpoof: snap.data['Get-TenantAllowBlockListSpoofItems'],
    mxPointsToEop: 'mxPointsToEop' in opts ? opts.mxPointsToEop : false,
    mxBasis: 'test',
    auth: recordedAuthOracle(zone),
  });
}
