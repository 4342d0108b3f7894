import { describe, expect, test } from 'vitest';
import {
  gatewayConnectorChoice,
  gatewayUnknown,
  isGatewayCandidate,
  matchGateway,
  newGatewayConnectorName,
  rankGatewayConnectors,
  type GatewayKeys,
} from '../../src/model/gateway-connector.js';
import { parseCmdlet } from '../../src/snapshot/normalize.js';
import type { InboundConnector } from '../../src/snapshot/schema.js';
import type { GatewaySource } from '../../src/common/gateway.js';

/** Connectors go through the real reader, so `smtp:*;1`, key case and the lower-cased certificate name are what an export gives. */
function connectors(...raw: Record<string, unknown>[]): InboundConnector[] {
  return parseCmdlet('Get-InboundConnector', raw, 'test/Get-InboundConnector.json');
}

function partner(name: string, props: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: name,
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['smtp:*;1'],
    SenderIPAddresses: [],
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    ...props,
  };
}

const GW: GatewayKeys = { ips: ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'] };
const GW_CERT: GatewayKeys = { ips: [], certificate: 'mx1.mail-gateway.example.com' };

describe('matchGateway: IP overlap with CIDR ranges, certificate wildcard and case (CON-1)', () => {
  test.each<
    [string, Record<string, unknown>, GatewayKeys | undefined, string, string[] | string | undefined]
  >([
    ['a single gateway IP', { SenderIPAddresses: ['203.0.113.10'] }, GW, 'ip', ['203.0.113.10']],
    ['a range holding a gateway IP', { SenderIPAddresses: ['203.0.113.0/24'] }, GW, 'ip', ['203.0.113.0/24']],
    ['an IP inside a gateway range', { SenderIPAddresses: ['198.51.100.5'] }, GW, 'ip', ['198.51.100.5']],
    [
      'a range that only overlaps a gateway range',
      { SenderIPAddresses: ['198.51.100.8/29', '192.0.2.1'] },
      GW,
      'ip',
      ['198.51.100.8/29'],
    ],
    ['a range next to the gateway range', { SenderIPAddresses: ['198.51.100.16/28'] }, GW, 'none', undefined],
    ['other IPs', { SenderIPAddresses: ['192.0.2.0/24'] }, GW, 'none', undefined],
    ['no IPs', {}, GW, 'none', undefined],
    ['an unparsable entry is no match', { SenderIPAddresses: ['203.0.113.10/99'] }, GW, 'none', undefined],
    [
      'the same certificate name, other case',
      { TlsSenderCertificateName: 'MX1.Mail-Gateway.example.com' },
      GW_CERT,
      'certificate',
      'mx1.mail-gateway.example.com',
    ],
    [
      'a wildcard covering the certificate',
      { TlsSenderCertificateName: '*.MAIL-GATEWAY.example.com' },
      GW_CERT,
      'certificate',
      '*.mail-gateway.example.com',
    ],
    [
      'the same wildcard on both sides',
      { TlsSenderCertificateName: '*.mail-gateway.example.com' },
      { ips: [], certificate: ' *.Mail-Gateway.example.com ' },
      'certificate',
      '*.mail-gateway.example.com',
    ],
    [
      'a specific name does not cover a wildcard certificate',
      { TlsSenderCertificateName: 'mx1.mail-gateway.example.com' },
      { ips: [], certificate: '*.mail-gateway.example.com' },
      'none',
      undefined,
    ],
    [
      'a wildcard of another domain',
      { TlsSenderCertificateName: '*.gateway.example.net' },
      GW_CERT,
      'none',
      undefined,
    ],
    [
      'a look-alike suffix is not a subdomain',
      { TlsSenderCertificateName: '*.example.com' },
      { ips: [], certificate: 'mx1.evilexample.com' },
      'none',
      undefined,
    ],
    [
      'IP overlap is reported before the certificate',
      { SenderIPAddresses: ['203.0.113.11'], TlsSenderCertificateName: 'mx1.mail-gateway.example.com' },
      { ...GW, certificate: 'mx1.mail-gateway.example.com' },
      'ip',
      ['203.0.113.11'],
    ],
    [
      'an unknown gateway matches nothing',
      { SenderIPAddresses: ['203.0.113.10'] },
      undefined,
      'none',
      undefined,
    ],
  ])('%s', (_name, props, gateway, by, detail) => {
    const [c] = connectors(partner('C', props));
    const m = matchGateway(c!, gateway);
    expect(m.by).toBe(by);
    if (m.by === 'ip') expect(m.entries).toEqual(detail);
    if (m.by === 'certificate') expect(m.name).toBe(detail);
  });
});

test('case is ignored on both sides, also for a connector that did not come through the reader', () => {
  const raw: InboundConnector = {
    ConnectorType: 'Partner',
    TlsSenderCertificateName: '*.Mail-Gateway.EXAMPLE.com',
  };
  expect(matchGateway(raw, { ips: [], certificate: 'MX1.mail-gateway.example.COM' })).toEqual({
    by: 'certificate',
    name: '*.Mail-Gateway.EXAMPLE.com',
    certificate: 'MX1.mail-gateway.example.COM',
  });
});

describe('rankGatewayConnectors: matching, then enabled, then restricting, then export order', () => {
  const lockdown = { SenderIPAddresses: ['203.0.113.10'], RestrictDomainsToIPAddresses: true };
  const unrestricted = { SenderIPAddresses: ['203.0.113.10'] };
  const otherLockdown = { SenderIPAddresses: ['192.0.2.1'], RestrictDomainsToIPAddresses: true };
  const scopeOnly = { SenderIPAddresses: ['192.0.2.1'] };

  test.each<[string, Record<string, unknown>[], GatewayKeys | undefined, [string, number][]]>([
    ['no connectors', [], GW, []],
    [
      'only Partner connectors with SenderDomains * are candidates',
      [
        partner('scoped', { ...lockdown, SenderDomains: ['contoso.com'] }),
        partner('onprem', { ...lockdown, ConnectorType: 'OnPremises' }),
        partner('gw', lockdown),
      ],
      GW,
      [['gw', 0]],
    ],
    [
      'restricting before unrestricted among matches, whatever the export order',
      [partner('attribution', unrestricted), partner('lockdown', lockdown)],
      GW,
      [
        ['lockdown', 0],
        ['attribution', 1],
      ],
    ],
    [
      'a match before a lock-down the gateway does not match',
      [partner('other lockdown', otherLockdown), partner('gw', unrestricted)],
      GW,
      [
        ['gw', 1],
        ['other lockdown', 4],
      ],
    ],
    [
      'a disabled match outranks a live lock-down the gateway does not match',
      [partner('other lockdown', otherLockdown), partner('disabled gw', { ...lockdown, Enabled: false })],
      GW,
      [
        ['disabled gw', 2],
        ['other lockdown', 4],
      ],
    ],
    [
      'enabled before disabled among matches, and among the rest',
      [
        partner('disabled other', { ...otherLockdown, Enabled: false }),
        partner('disabled gw', { ...lockdown, Enabled: false }),
        partner('other lockdown', otherLockdown),
        partner('gw', unrestricted),
      ],
      GW,
      [
        ['gw', 1],
        ['disabled gw', 2],
        ['other lockdown', 4],
        ['disabled other', 6],
      ],
    ],
    [
      'Enabled absent is not enabled',
      [partner('unknown', { ...lockdown, Enabled: null }), partner('scope only', scopeOnly)],
      GW,
      [
        ['unknown', 2],
        ['scope only', 5],
      ],
    ],
    [
      'every rank, shuffled',
      [
        partner('7', { ...scopeOnly, Enabled: false }),
        partner('5', scopeOnly),
        partner('3', { ...unrestricted, Enabled: false }),
        partner('1', unrestricted),
        partner('6', { ...otherLockdown, Enabled: false }),
        partner('4', otherLockdown),
        partner('2', { ...lockdown, Enabled: false }),
        partner('0', lockdown),
      ],
      GW,
      [
        ['0', 0],
        ['1', 1],
        ['2', 2],
        ['3', 3],
        ['4', 4],
        ['5', 5],
        ['6', 6],
        ['7', 7],
      ],
    ],
    [
      'several at one rank keep export order',
      [partner('b', lockdown), partner('a', lockdown), partner('c', { ...lockdown, Enabled: false })],
      GW,
      [
        ['b', 0],
        ['a', 0],
        ['c', 2],
      ],
    ],
    [
      'a certificate match ranks with IP matches',
      [
        partner('by ip', { ...otherLockdown }),
        partner('by cert', {
          TlsSenderCertificateName: '*.mail-gateway.example.com',
          RestrictDomainsToCertificate: true,
        }),
      ],
      GW_CERT,
      [
        ['by cert', 0],
        ['by ip', 4],
      ],
    ],
    [
      'gateway unknown (inference): enabled, then restricting',
      [
        partner('scope only', scopeOnly),
        partner('disabled', { ...lockdown, Enabled: false }),
        partner('l', lockdown),
      ],
      undefined,
      [
        ['l', 4],
        ['scope only', 5],
        ['disabled', 6],
      ],
    ],
  ])('%s', (_name, raw, gateway, expected) => {
    const ranked = rankGatewayConnectors(connectors(...raw), gateway);
    expect(ranked.map((c) => [c.connector.Name, c.rank])).toEqual(expected);
  });

  test('candidate flags say why', () => {
    const [c] = rankGatewayConnectors(connectors(partner('gw', { ...lockdown, Enabled: false })), GW);
    expect(c).toMatchObject({
      enabled: false,
      restricting: true,
      match: { by: 'ip', entries: ['203.0.113.10'] },
    });
  });

  test('not exported gives no candidates', () => {
    expect(rankGatewayConnectors(undefined, GW)).toEqual([]);
  });
});

describe('isGatewayCandidate: matches the gateway or restricts', () => {
  test.each<[string, Record<string, unknown>, boolean]>([
    ['matching, unrestricted', { SenderIPAddresses: ['203.0.113.10'] }, true],
    [
      'restricting, not matching',
      { SenderIPAddresses: ['192.0.2.1'], RestrictDomainsToCertificate: true },
      true,
    ],
    ['neither', { SenderIPAddresses: ['192.0.2.1'] }, false],
    [
      'disabled and matching (callers filter on enabled)',
      { SenderIPAddresses: ['203.0.113.10'], Enabled: false },
      true,
    ],
  ])('%s → %s', (_name, props, expected) => {
    const [c] = rankGatewayConnectors(connectors(partner('C', props)), GW);
    expect(isGatewayCandidate(c!)).toBe(expected);
  });
});

describe('gatewayConnectorChoice: the one answer for the plan, the checks and step 5', () => {
  const GW_NAMED = { ...GW, name: 'Example SEG' };

  test('a connector that lost a gateway range is still the gateway connector; what it lacks is listed', () => {
    const list = connectors(
      partner('Stale', { SenderIPAddresses: ['192.0.2.99'], RestrictDomainsToIPAddresses: true }),
      partner('From SEG', { SenderIPAddresses: ['203.0.113.10'] }),
    );
    const choice = gatewayConnectorChoice(list, GW_NAMED);
    expect(choice.name).toBe('From SEG');
    expect(choice.connector).toBe(list[1]);
    expect(choice.missingIps).toEqual(['203.0.113.11', '198.51.100.0/28']);
  });

  test('a disabled match is chosen for the plan, the enabled lock-down for what EOP does today', () => {
    const list = connectors(
      partner('Stale', { SenderIPAddresses: ['192.0.2.99'], RestrictDomainsToIPAddresses: true }),
      partner('From SEG', { SenderIPAddresses: [...GW.ips], Enabled: false }),
    );
    expect(gatewayConnectorChoice(list, GW_NAMED).name).toBe('From SEG');
    expect(gatewayConnectorChoice(list, GW_NAMED, { enabledOnly: true }).name).toBe('Stale');
  });

  test('none fits: the name the plan creates, every gateway IP missing', () => {
    const list = connectors(partner('Other partner', { SenderIPAddresses: ['192.0.2.99'] }));
    expect(gatewayConnectorChoice(list, GW_NAMED)).toEqual({
      candidate: undefined,
      connector: undefined,
      name: 'mxlock - From Example SEG',
      missingIps: GW.ips,
    });
    expect(gatewayConnectorChoice(undefined, { ips: [] }).name).toBe(newGatewayConnectorName(undefined));
    expect(newGatewayConnectorName(undefined)).toBe('mxlock - From Secure Email Gateway');
  });

  test.each<[string, { source: GatewaySource; ips: string[]; certificate?: string }, boolean]>([
    ['no gateway', { source: 'none', ips: ['203.0.113.10'] }, true],
    ['gateway unknown', { source: 'unknown', ips: ['203.0.113.10'] }, true],
    ['nothing to tell it by', { source: 'inferred', ips: [] }, true],
    ['IPs', { source: 'profile', ips: ['203.0.113.10'] }, false],
    ['a certificate only', { source: 'profile', ips: [], certificate: 'mx.gw.example' }, false],
  ])('gatewayUnknown: %s', (_n, gw, unknown) => {
    expect(gatewayUnknown(gw)).toBe(unknown);
  });
});
