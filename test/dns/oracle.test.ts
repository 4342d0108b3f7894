import { describe, expect, test } from 'vitest';
import { recordedAuthOracle } from '../../src/dns/oracle.js';
import { zoneFromJson } from '../../src/dns/zone.js';

const IP = '203.0.113.10';
const zone = (dmarc: string) =>
  zoneFromJson({
    'example.com': { TXT: [`v=spf1 ip4:${IP} -all`] },
    'bounce.example.com': { TXT: [`v=spf1 ip4:${IP} -all`] },
    '_dmarc.example.com': { TXT: [dmarc] },
  });

describe('recordedAuthOracle: DMARC from SPF alignment (RFC 7489 §3.1)', () => {
  test.each([
    ['same domain, relaxed', 'v=DMARC1; p=reject', 'a@example.com', 'pass'],
    ['P1 subdomain, relaxed alignment', 'v=DMARC1; p=reject', 'a@bounce.example.com', 'pass'],
    ['P1 subdomain, aspf=s: not aligned', 'v=DMARC1; p=reject; aspf=s', 'a@bounce.example.com', 'fail'],
    ['same domain, aspf=s', 'v=DMARC1; p=reject; aspf=s', 'a@example.com', 'pass'],
    ['P1 unrelated', 'v=DMARC1; p=reject', 'a@other.example', 'fail'],
  ] as const)('%s → %s', (_name, dmarc, mailFrom, expected) => {
    const v = recordedAuthOracle(zone(dmarc)).verdict({
      ip: IP,
      mailFrom,
      headerFrom: 'ceo@example.com',
      dkimDomains: [],
    });
    expect(v.dmarc).toBe(expected);
  });

  test.each([
    ['relaxed', 'v=DMARC1; p=reject', 'mail.example.com', 'pass'],
    ['adkim=s', 'v=DMARC1; p=reject; adkim=s', 'mail.example.com', 'fail'],
    ['adkim=s, exact d=', 'v=DMARC1; p=reject; adkim=s', 'example.com', 'pass'],
  ] as const)('DKIM alignment, %s (%s), d=%s → %s', (_name, dmarc, d, expected) => {
    const v = recordedAuthOracle(zone(dmarc)).verdict({
      ip: '198.51.100.1',
      mailFrom: 'a@other.example',
      headerFrom: 'ceo@example.com',
      dkimDomains: [d],
    });
    expect(v.dmarc).toBe(expected);
  });

  test('a pct downgrade reaches the verdict and its notes', () => {
    const v = recordedAuthOracle(zone('v=DMARC1; p=reject; pct=20')).verdict({
      ip: '198.51.100.1',
      mailFrom: 'a@other.example',
      headerFrom: 'ceo@example.com',
      dkimDomains: [],
    });
    expect(v).toMatchObject({ dmarc: 'fail', dmarcPolicy: 'quarantine' });
    expect(v.notes.join(' ')).toMatch(/pct=20/);
  });

  test('without DNS nothing passes', () => {
    const v = recordedAuthOracle(undefined).verdict({
      ip: IP,
      mailFrom: 'a@example.com',
      headerFrom: 'ceo@example.com',
      dkimDomains: [],
    });
    expect(v.dmarc).toBe('unknown');
  });
});

test('an undecidable SPF result of an unaligned P1 domain does not make DMARC unknown', () => {
  const z = zoneFromJson({
    'other.example': { TXT: ['v=spf1 ptr -all'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=reject'] },
  });
  const v = recordedAuthOracle(z).verdict({
    ip: IP,
    mailFrom: 'a@other.example',
    headerFrom: 'ceo@example.com',
    dkimDomains: [],
  });
  expect(v).toMatchObject({ spf: 'unknown', dmarc: 'fail', dmarcPolicy: 'reject' });
});
