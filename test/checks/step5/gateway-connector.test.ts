import { expect, test } from 'vitest';
import { efEnabled, findGatewayConnector } from '../../../src/checks/step5/gateway-connector.js';
import { makeCtx, type CtxOptions } from '../ctx4.js';

const SEG = 'From Secure Email Gateway';
const certConnector = {
  Name: 'From SEG (cert)',
  Enabled: true,
  ConnectorType: 'Partner',
  SenderDomains: ['*'],
  SenderIPAddresses: [],
  TlsSenderCertificateName: '*.Mail-Gateway.example.com',
  RestrictDomainsToIPAddresses: false,
  RestrictDomainsToCertificate: true,
};

const seg = (props: Record<string, unknown>) => ({ ...certConnector, ...props });
const BY_CERT =
  "enabled Partner connector with SenderDomains *; its TlsSenderCertificateName is the gateway's certificate";
const BY_WILDCARD =
  "enabled Partner connector with SenderDomains *; its TlsSenderCertificateName '*.mail-gateway.example.com' covers the gateway's certificate";
const FALLBACK = "the enabled lock-down connector (none matched the gateway's IPs or certificate)";

test.each<[string, CtxOptions, string, string | undefined, string | undefined]>([
  ['IP overlap with the gateway', {}, 'found', SEG, "its SenderIPAddresses overlap the gateway's IPs"],
  [
    'certificate equal to the gateway certificate (case-insensitive)',
    {
      set: { 'Get-InboundConnector': [certConnector] },
      gateway: { ips: [], certificate: '*.mail-gateway.example.com' },
    },
    'found',
    'From SEG (cert)',
    BY_CERT,
  ],
  [
    'certificate covered by the connector wildcard, on a connector that restricts nothing',
    {
      set: { 'Get-InboundConnector': [seg({ RestrictDomainsToCertificate: false })] },
      gateway: { ips: [], certificate: 'mx1.mail-gateway.example.com' },
    },
    'found',
    'From SEG (cert)',
    BY_WILDCARD,
  ],
  [
    'fallback: the enabled lock-down connector when nothing matches',
    { gateway: { ips: ['192.0.2.1'] } },
    'found',
    SEG,
    FALLBACK,
  ],
  [
    'a non-restricting connector the gateway does not match is not the gateway connector',
    {
      set: { 'Get-InboundConnector': [seg({ RestrictDomainsToCertificate: false })] },
      gateway: { ips: ['192.0.2.1'] },
    },
    'none',
    undefined,
    undefined,
  ],
  [
    'disabled connectors do not count',
    { patch: { 'Get-InboundConnector': { props: { Enabled: false } } } },
    'none',
    undefined,
    undefined,
  ],
  [
    'a disabled match is not reported; the enabled lock-down is, as the fallback',
    {
      set: {
        'Get-InboundConnector': [
          seg({ Name: 'Disabled match', Enabled: false }),
          seg({ Name: 'Live lock-down', TlsSenderCertificateName: '*.other.example' }),
        ],
      },
      gateway: { ips: [], certificate: 'mx1.mail-gateway.example.com' },
    },
    'found',
    'Live lock-down',
    FALLBACK,
  ],
  [
    'Enabled absent (unknown) is not evidence',
    { patch: { 'Get-InboundConnector': { props: { Enabled: undefined } } } },
    'none',
    undefined,
    undefined,
  ],
  [
    'a connector scoped to some sender domains is not the gateway connector',
    { patch: { 'Get-InboundConnector': { props: { SenderDomains: ['contoso.com'] } } } },
    'none',
    undefined,
    undefined,
  ],
  [
    'Get-InboundConnector not exported',
    { omit: ['Get-InboundConnector'] },
    'not-exported',
    undefined,
    undefined,
  ],
])('%s', (_n, opts, kind, name, basis) => {
  const found = findGatewayConnector(makeCtx(opts));
  expect(found.kind).toBe(kind);
  if (found.kind === 'found') {
    expect(found.name).toBe(name);
    expect(found.basis).toContain(basis);
  }
});

test('among several matches the restricting one wins', () => {
  const attributing = {
    Name: 'Attribution only',
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['*'],
    SenderIPAddresses: ['203.0.113.10'],
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
  };
  const both = makeCtx({
    set: {
      'Get-InboundConnector': [
        attributing,
        { ...attributing, Name: 'Lock-down', RestrictDomainsToIPAddresses: true },
      ],
    },
  });
  const found = findGatewayConnector(both);
  expect(found.kind === 'found' && found.name).toBe('Lock-down');
  // The attribution-only connector matches too, so EOP may attribute the gateway's mail to it (ef.configured).
  expect(found.kind === 'found' && found.others.map((c) => c.Name)).toEqual(['Attribution only']);
});

test('a disabled match is not among the others', () => {
  const ctx = makeCtx({
    patch: {
      'Get-InboundConnector': {
        index: 2,
        props: {
          Name: 'Old SEG connector',
          Enabled: false,
          ConnectorType: 'Partner',
          SenderDomains: ['*'],
          SenderIPAddresses: ['203.0.113.10'],
        },
      },
    },
  });
  const found = findGatewayConnector(ctx);
  expect(found.kind === 'found' && found.name).toBe(SEG);
  expect(found.kind === 'found' && found.others).toEqual([]);
});

test.each<[Record<string, unknown>, boolean | undefined]>([
  [{ EFSkipLastIP: true, EFSkipIPs: [] }, true],
  [{ EFSkipLastIP: false, EFSkipIPs: ['203.0.113.10'] }, true],
  [{ EFSkipLastIP: false, EFSkipIPs: [] }, false],
  [{ EFSkipLastIP: undefined, EFSkipIPs: [] }, undefined],
  [{ EFSkipLastIP: false, EFSkipIPs: undefined }, undefined],
  [{ EFSkipLastIP: undefined, EFSkipIPs: ['203.0.113.10'] }, true],
])('efEnabled(%j) = %s', (props, expected) => {
  const ctx = makeCtx({ patch: { 'Get-InboundConnector': { props } } });
  const c = ctx.tenant.inboundConnectors?.[0];
  if (!c) throw new Error('fixture lost its connector');
  expect(efEnabled(c)).toBe(expected);
});
