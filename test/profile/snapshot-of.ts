/** Builds a Snapshot through the real export reader from plain cmdlet objects (a `snapshot.json` bundle in memory). */
import { buildSnapshot } from '../../src/snapshot/build.js';
import type { Snapshot } from '../../src/snapshot/types.js';

export function snapshotOf(bundle: Record<string, unknown>, source = 'contoso-export'): Snapshot {
  const bytes = new TextEncoder().encode(JSON.stringify(bundle));
  return buildSnapshot({
    source,
    bundle: { name: 'snapshot.json', path: `${source}/snapshot.json`, bytes },
    files: [],
  });
}

export const CONTOSO_DOMAINS = [
  { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true, InitialDomain: false },
  { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', Default: false, InitialDomain: true },
  {
    DomainName: 'contoso.mail.onmicrosoft.com',
    DomainType: 'Authoritative',
    Default: false,
    InitialDomain: false,
  },
];

export function partnerConnector(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: 'From SEG',
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['smtp:*;1'],
    SenderIPAddresses: ['203.0.113.10', '198.51.100.0/28'],
    RestrictDomainsToIPAddresses: true,
    RestrictDomainsToCertificate: false,
    TlsSenderCertificateName: null,
    ...overrides,
  };
}
