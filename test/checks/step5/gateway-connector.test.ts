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

test.each<[string, CtxOptions, string, string | undefined]>([
  ['IP overlap with the gateway', {}, 'found', SEG],
  [
    'certificate equal to the gateway certificate (case-insensitive)',
    {
      set: { 'Get-InboundConnector': [certConnector] },
      gateway: { ips: [], certificate: '*.mail-gateway.example.com' },
    },
    'found',
    'From SEG (cert)',
  ],
  [
    'fallback: the enabled lock-down connector when nothing matches',
    { gateway: { ips: ['192.0.2.1'] } },
    'found',
    SEG,
  ],
  [
    'disabled connectors do not count',
    { patch: { 'Get-InboundConnector': { props: { Enabled: false } } } },
    'none',
    undefined,
  ],
  [
    'a connector scoped to some sender domains is not the gateway connector',
    { patch: { 'Get-InboundConnector': { props: { SenderDomains: ['contoso.com'] } } } },
    'none',
    undefined,
  ],
  ['Get-InboundConnector not exported', { omit: ['Get-InboundConnector'] }, 'not-exported', undefined],
])('%s', (_n, opts, kind, name) => {
  const found = findGatewayConnector(makeCtx(opts));
  expect(found.kind).toBe(kind);
  if (found.kind === 'found') expect(found.name).toBe(name);
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
