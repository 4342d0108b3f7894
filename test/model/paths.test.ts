import { describe, expect, test } from 'vitest';
import { evaluatePaths, standardPaths, verdictOf } from '../../src/model/paths.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import { NO_GATEWAY, type ResolvedGateway } from '../../src/profile/gateway.js';
import { baseData, configOf, DNS_MX_SEG, GATEWAY_IPS, lockdownIp, safetyNet } from './helpers.js';

const gateway: ResolvedGateway = { ...NO_GATEWAY, source: 'profile', name: 'SEG', ips: GATEWAY_IPS };
const profile: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'HQ scanners', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
};

describe('standard paths (DESIGN §5)', () => {
  test('every path of the catalogue is generated, declared sources by name', () => {
    const cfg = configOf(baseData(), { dns: DNS_MX_SEG });
    const ids = standardPaths(cfg, { ...profile, hybrid: { ips: ['192.0.2.10'] } }, gateway)
      .map((p) => p.id)
      .sort();
    expect(ids).toEqual([
      'path.declared-source:HQ scanners',
      'path.direct-send-own-domain',
      'path.foreign-domain-direct',
      'path.gateway-delivery',
      'path.hybrid-onpremises',
      'path.initial-domain-direct',
      'path.null-sender-direct',
      'path.shared-gateway-ip',
      'path.spoof-header-own-domain',
    ]);
  });

  test('the attacker IP is one no configuration names', () => {
    const d = baseData();
    d['Get-InboundConnector'] = [lockdownIp({ SenderIPAddresses: ['198.18.7.7'] })];
    const p = standardPaths(configOf(d, { dns: DNS_MX_SEG }), EMPTY_PROFILE, gateway).find(
      (x) => x.id === 'path.foreign-domain-direct',
    );
    expect(p?.attempt.clientIp).not.toBe('198.18.7.7');
  });

  test('an open tenant: verdict open, listing the open paths', () => {
    const paths = evaluatePaths(configOf(baseData(), { dns: DNS_MX_SEG }), profile, gateway);
    const v = verdictOf(paths);
    expect(v.bypass).toBe('open');
    expect(v.summary).toContain('path.foreign-domain-direct');
  });

  test('a locked-down tenant with the scanner admitted: closed and preserved', () => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    d['Get-InboundConnector'] = [
      lockdownIp(),
      lockdownIp({
        Name: 'Scanners',
        SenderDomains: ['contoso.com'],
        SenderIPAddresses: ['192.0.2.50'],
        RequireTls: false,
      }),
    ];
    d['Get-TransportRule'] = [safetyNet({ ExceptIfSenderIpRanges: [...GATEWAY_IPS, '192.0.2.50'] })];
    const paths = evaluatePaths(configOf(d, { dns: DNS_MX_SEG }), profile, gateway);
    const status = Object.fromEntries(paths.map((p) => [p.id, p.status]));
    expect(status).toEqual({
      'path.declared-source:HQ scanners': 'preserved',
      'path.direct-send-own-domain': 'closed',
      'path.foreign-domain-direct': 'closed',
      'path.gateway-delivery': 'preserved',
      'path.initial-domain-direct': 'closed',
      'path.null-sender-direct': 'closed',
      'path.shared-gateway-ip': 'open', // residual: the shared IP is excepted everywhere
      'path.spoof-header-own-domain': 'closed',
    });
    expect(verdictOf(paths)).toMatchObject({ bypass: 'closed', legitimateFlows: 'preserved' });
  });

  test('the scanner not admitted: RejectDirectSend breaks it', () => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    const paths = evaluatePaths(configOf(d, { dns: DNS_MX_SEG }), profile, gateway);
    expect(paths.find((p) => p.id === 'path.declared-source:HQ scanners')).toMatchObject({
      status: 'broken',
      outcome: { stage: 'rcpt' },
    });
    expect(verdictOf(paths).legitimateFlows).toBe('broken');
  });

  test('missing Get-InboundConnector: never closed, and the verdict says what is missing', () => {
    const d = baseData();
    d['Get-OrganizationConfig'] = [{ RejectDirectSend: true }];
    d['Get-TransportRule'] = [safetyNet()];
    delete d['Get-InboundConnector'];
    const paths = evaluatePaths(configOf(d, { dns: DNS_MX_SEG }), profile, gateway, ['Get-InboundConnector']);
    for (const p of paths.filter((x) => x.kind === 'attack'))
      expect(['open', 'uncertain']).toContain(p.status);
    const v = verdictOf(paths, ['Get-InboundConnector']);
    expect(v.bypass).not.toBe('closed');
    expect(v.summary).toContain('Get-InboundConnector.json');
  });
});
