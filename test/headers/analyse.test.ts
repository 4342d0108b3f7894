import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyseHeaders,
  needsAttention,
  NO_CONTEXT,
  type HeadersContext,
} from '../../src/headers/analyse.js';
import { headersContext } from '../../src/headers/context.js';
import { loadProfile } from '../../src/profile/load.js';
import { readExport } from '../../src/snapshot/read.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'headers');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

let tenant: HeadersContext;
beforeAll(async () => {
  const snapshot = await readExport(join(import.meta.dirname, '..', '..', 'examples', 'half-done'));
  tenant = headersContext(await loadProfile(join(FIXTURES, 'mxlock.yaml')), snapshot);
});

describe('headers: each fixture classified with the tenant known (examples/half-done + profile)', () => {
  it.each([
    ['gateway-ef.eml', 'via-gateway', 'applied', 'not-overridden', /203\.0\.113\.10, an IP of Proofpoint/],
    [
      'gateway-no-ef.eml',
      'via-gateway',
      'not-applied',
      'not-overridden',
      /judged against 203\.0\.113\.11, the gateway's own IP/,
    ],
    ['direct-send.eml', 'bypass', 'not-applied', 'not-overridden', /IsAnonymousDirectSend: True/],
    ['ghost-sender.eml', 'bypass', 'not-applied', 'overridden', /Ghost-Sender pattern/],
    [
      'hybrid-internal.eml',
      'internal',
      'unknown',
      'not-overridden',
      /a hybrid \(on-premises\) IP of the profile/,
    ],
    [
      'outlook-pasted.txt',
      'via-gateway',
      'applied',
      'not-overridden',
      /198\.51\.100\.3, an IP of Proofpoint/,
    ],
    ['hostile.eml', 'bypass', 'not-applied', 'not-overridden', /192\.0\.2\.202.*not an IP of Proofpoint/],
  ] as const)('%s → %s, EF %s, enforcement %s', (file, verdict, ef, enforcement, reason) => {
    const { messages } = analyseHeaders(fixture(file), tenant);
    expect(messages).toHaveLength(1);
    const m = messages[0]!;
    expect(m.verdict).toBe(verdict);
    expect(m.enhancedFiltering).toBe(ef);
    expect(m.enforcement).toBe(enforcement);
    expect(m.reasons.join('\n')).toMatch(reason);
  });

  it('the own-domain From: of a Direct Send is named as a spoof of an accepted domain', () => {
    const m = analyseHeaders(fixture('direct-send.eml'), tenant).messages[0]!;
    expect(m.reasons.join('\n')).toMatch(/From: domain fabrikam\.com is one of your accepted domains/);
    expect(m.connectingIp).toBe('192.0.2.200');
    expect(m.authentication).toMatchObject({
      spf: 'softfail',
      dkim: 'none',
      dmarc: 'fail',
      compauth: 'fail',
    });
  });

  it('Ghost-Sender: compauth=none reason=451 and action=oreject are each explained and never a pass', () => {
    const m = analyseHeaders(fixture('ghost-sender.eml'), tenant).messages[0]!;
    const text = m.reasons.join('\n');
    expect(text).toMatch(/compauth=none reason=451: EOP bypassed composite authentication/);
    expect(text).toMatch(/dmarc=fail action=oreject/);
    expect(m.authentication).toMatchObject({
      compauth: 'none',
      compauthReason: '451',
      dmarcAction: 'oreject',
    });
  });

  it('Enhanced Filtering through the gateway is read from ExternalOriginalInternetSender', () => {
    const m = analyseHeaders(fixture('gateway-ef.eml'), tenant).messages[0]!;
    expect(m.reasons.join('\n')).toMatch(
      /ExternalOriginalInternetSender names the original sender 192\.0\.2\.77/,
    );
    expect(m.upstream.map((u) => u.header)).toEqual(['Authentication-Results-Original']);
    expect(m.arc).toEqual([
      expect.objectContaining({
        instance: 1,
        sealer: 'microsoft.com',
        cv: 'none',
        authservId: 'mx.microsoft.com',
      }),
    ]);
    expect(m.antispam).toMatchObject({ CIP: '192.0.2.77', SCL: '1', SFV: 'NSPM', DIR: 'INB', BCL: '0' });
  });
});

describe('headers: the Received chain', () => {
  it('hops oldest first, with IPs, times and delays; the hop into Exchange Online found', () => {
    const m = analyseHeaders(fixture('gateway-ef.eml'), tenant).messages[0]!;
    expect(m.hops.map((h) => [h.from, h.ip, h.time, h.delaySeconds])).toEqual([
      ['mail.contoso.example', '192.0.2.77', '2026-11-02T09:00:01.000Z', undefined],
      ['mx1.pphosted.example', '203.0.113.10', '2026-11-02T09:00:03.000Z', 2],
      [
        'BN8NAM11FT010.eop-nam11.prod.protection.outlook.com',
        '2603:10b6:5:1:cafe::1',
        '2026-11-02T09:00:04.000Z',
        1,
      ],
      ['DM6PR11MB0001.namprd11.prod.outlook.com', '2603:10b6:5:1::10', '2026-11-02T09:00:05.000Z', 1],
    ]);
    expect(m.entry?.by).toBe('BN8NAM11FT010.mail.protection.outlook.com');
  });

  it('a Direct Send from an address-literal HELO keeps the IP of the comment, not 127.0.0.1', () => {
    const m = analyseHeaders(fixture('direct-send.eml'), tenant).messages[0]!;
    expect(m.entry).toMatchObject({ from: '[127.0.0.1]', ip: '192.0.2.200' });
  });
});

describe("headers: trust boundary (which Authentication-Results and anti-spam report are the tenant's)", () => {
  it("EOP's results are the topmost without another authserv-id; a later system's results are shown apart", () => {
    const mbox = analyseHeaders(fixture('several.mbox'), tenant);
    const m = mbox.messages[2]!;
    expect(m.authentication).toMatchObject({ spf: 'pass', spfSenderIp: '192.0.2.150', compauth: 'pass' });
    expect(m.otherResults.map((o) => o.authservId)).toEqual(['exch01.fabrikam.com']);
  });

  it("a sender tenant's DIR:OUT report and the -Untrusted stamps are listed as another organization's", () => {
    const m = analyseHeaders(fixture('several.mbox'), tenant).messages[2]!;
    expect(m.antispam).toMatchObject({ DIR: 'INB', CIP: '192.0.2.150', BCL: '0' });
    expect(m.foreign.map((f) => [f.header, /DIR:OUT|-Untrusted/.exec(f.why)?.[0]])).toEqual([
      ['X-Forefront-Antispam-Report', 'DIR:OUT'],
      ['X-Forefront-Antispam-Report-Untrusted', '-Untrusted'],
      ['X-Microsoft-Antispam-Untrusted', '-Untrusted'],
    ]);
    expect(m.verdict).toBe('via-gateway');
  });

  it("a passing results header below EOP's (carried in by the sender) is never read as EOP's verdict", () => {
    const m = analyseHeaders(fixture('hostile.eml'), tenant).messages[0]!;
    expect(m.authentication).toMatchObject({ spf: 'fail', compauth: 'fail', compauthReason: '000' });
  });
});

describe('headers: without an export or profile nothing is assumed', () => {
  it('a gateway-delivered message is unknown, with the reason', () => {
    const m = analyseHeaders(fixture('gateway-ef.eml'), NO_CONTEXT).messages[0]!;
    expect(m.verdict).toBe('unknown');
    expect(m.reasons.join('\n')).toMatch(/gateway's IPs are unknown/);
  });

  it('an anonymous Direct Send flag is a bypass even without the tenant', () => {
    expect(analyseHeaders(fixture('direct-send.eml'), NO_CONTEXT).messages[0]!.verdict).toBe('bypass');
  });

  it('the Ghost-Sender override is found without the tenant', () => {
    expect(analyseHeaders(fixture('ghost-sender.eml'), NO_CONTEXT).messages[0]!.enforcement).toBe(
      'overridden',
    );
  });

  it('headers that never reached Exchange Online are unknown', () => {
    const m = analyseHeaders(
      'Received: from a (a [192.0.2.1]) by b; Mon, 2 Nov 2026 09:00:00 +0000\nFrom: x@y.example\n',
      tenant,
    ).messages[0]!;
    expect(m.verdict).toBe('unknown');
    expect(m.reasons[0]).toMatch(/do not show the message reaching Exchange Online/);
  });
});

describe('headers: several messages', () => {
  it('an mbox gives one result per message, in order', () => {
    const r = analyseHeaders(fixture('several.mbox'), tenant);
    expect(r.messages.map((m) => [m.message.messageId, m.verdict])).toEqual([
      ['<gw-ef-1@contoso.example>', 'via-gateway'],
      ['<direct-send-1@fabrikam.com>', 'bypass'],
      ['<cross-1@partner.example>', 'via-gateway'],
    ]);
  });
});

describe('headers: rules at the edges', () => {
  const viaGateway = (extra: string[]) =>
    [
      ...extra,
      'Received: from mx1.pphosted.example (203.0.113.10) by X1.mail.protection.outlook.com (10.0.0.1) with Microsoft SMTP Server; Mon, 2 Nov 2026 09:00:03 +0000',
      'X-MS-Exchange-Organization-AuthAs: Anonymous',
      'From: someone@elsewhere.example',
      '',
    ].join('\n');

  it('behind the gateway, compauth=none reason=451 with action=oreject is still an overridden enforcement', () => {
    const m = analyseHeaders(
      viaGateway([
        'Authentication-Results: spf=fail (sender IP is 192.0.2.5) smtp.mailfrom=bank.example; dkim=none (message not signed) header.d=none;dmarc=fail action=oreject header.from=bank.example;compauth=none reason=451',
      ]),
      tenant,
    ).messages[0]!;
    expect([m.verdict, m.enhancedFiltering, m.enforcement]).toEqual(['via-gateway', 'applied', 'overridden']);
  });

  it.each(['405', '905'])(
    'compauth=none reason=%s (bypassed) is overridden; reason=3xx (not checked) is not',
    (r) => {
      const auth = (reason: string) =>
        `Authentication-Results: spf=pass (sender IP is 203.0.113.10) smtp.mailfrom=a.example; dmarc=none action=none header.from=a.example;compauth=none reason=${reason}`;
      expect(analyseHeaders(viaGateway([auth(r)]), tenant).messages[0]!.enforcement).toBe('overridden');
      expect(analyseHeaders(viaGateway([auth('301')]), tenant).messages[0]!.enforcement).toBe(
        'not-overridden',
      );
    },
  );

  it('SkipListedInternetSender alone: skip listing ran, EF did not act (EF-3/EF-4)', () => {
    const m = analyseHeaders(
      viaGateway(['X-MS-Exchange-SkipListedInternetSender: ip=[192.0.2.5];domain=mail.elsewhere.example']),
      tenant,
    ).messages[0]!;
    expect(m.enhancedFiltering).toBe('not-applied');
    expect(m.reasons.join('\n')).toMatch(/skip listing ran but EF did not act/);
  });

  it("without Authentication-Results, EOP's X-MS-Exchange-Authentication-Results copy stands in, and a note says so", () => {
    const m = analyseHeaders(
      viaGateway([
        'X-MS-Exchange-Authentication-Results: spf=pass (sender IP is 192.0.2.5) smtp.mailfrom=elsewhere.example; dkim=none (message not signed) header.d=none;dmarc=pass action=none header.from=elsewhere.example;',
      ]),
      tenant,
    ).messages[0]!;
    expect(m.authentication).toMatchObject({ spf: 'pass', source: 'X-MS-Exchange-Authentication-Results' });
    expect(m.enforcement).toBe('unknown');
    expect(m.notes.join('\n')).toMatch(/read from X-MS-Exchange-Authentication-Results/);
  });

  it('a gateway known by certificate only: a connecting host under the certificate name is the gateway [I]', () => {
    const byCert: HeadersContext = {
      ...tenant,
      gateway: { ...tenant.gateway!, ips: [], certificate: '*.pphosted.example' },
    };
    const m = analyseHeaders(viaGateway([]), byCert).messages[0]!;
    expect(m.verdict).toBe('via-gateway');
    expect(m.reasons[0]).toMatch(/under the gateway certificate \*\.pphosted\.example.*\[I\]/);
  });

  it('a tenant with no gateway: the verdict stays unknown, with the reason', () => {
    const none: HeadersContext = { ...tenant, gateway: { ...tenant.gateway!, source: 'none', ips: [] } };
    const m = analyseHeaders(viaGateway([]), none).messages[0]!;
    expect(m.verdict).toBe('unknown');
    expect(m.reasons[0]).toMatch(/no gateway/);
  });

  it('AuthAs Anonymous is never internal, whatever DIR says', () => {
    const m = analyseHeaders(
      [
        'Received: from x.example (192.0.2.9) by X1.mail.protection.outlook.com (10.0.0.1); Mon, 2 Nov 2026 09:00:03 +0000',
        'X-MS-Exchange-Organization-AuthAs: Anonymous',
        'X-Forefront-Antispam-Report: CIP:192.0.2.9;DIR:INT;',
        '',
      ].join('\n'),
      tenant,
    ).messages[0]!;
    expect(m.verdict).toBe('bypass');
  });
});

describe('headers: what the sender claims never decides (issue 11 review)', () => {
  it('a HELO naming a Microsoft 365 host from an address outside Microsoft is the hop into Exchange Online, not an internal relay', () => {
    // The client names itself in EHLO; only the IP in EOP's comment is EOP's own observation. Read as an internal
    // hop, the forged gateway hop below it would have made this own-domain spoof "via-gateway".
    const m = analyseHeaders(fixture('helo-spoof.eml'), tenant).messages[0]!;
    expect(m.entry?.ip).toBe('192.0.2.200');
    expect(m.verdict).toBe('bypass');
    expect(m.reasons.join('\n')).toMatch(
      /192\.0\.2\.200 \(relay\.mail\.protection\.outlook\.com\), not an IP of Proofpoint/,
    );
  });

  it('internal relays shown with loopback or link-local addresses (mapi, ::1, fe80::%zone) stay internal hops', () => {
    const top = [
      'Received: from DM6PR11MB0003.namprd11.prod.outlook.com ([fe80::1c2d:3e4f:5a6b:7c8d%4]) by',
      ' DM6PR11MB0003.namprd11.prod.outlook.com ([fe80::1c2d:3e4f:5a6b:7c8d%4]) with mapi id',
      ' 15.20.8000.10; Mon, 2 Nov 2026 10:00:06 +0000',
      'Received: from DM6PR11MB0004.namprd11.prod.outlook.com (::1) by',
      ' DM6PR11MB0003.namprd11.prod.outlook.com with HTTPS; Mon, 2 Nov 2026 10:00:05 +0000',
      '',
    ].join('\n');
    const m = analyseHeaders(top + fixture('gateway-no-ef.eml'), tenant).messages[0]!;
    expect(m.entry?.ip).toBe('203.0.113.11');
    expect(m.verdict).toBe('via-gateway');
  });

  it("a HELO under the gateway's certificate does not outweigh a connecting IP that is not the gateway's", () => {
    const withCert: HeadersContext = {
      ...tenant,
      gateway: { ...tenant.gateway!, certificate: '*.pphosted.example' },
    };
    const text = fixture('gateway-no-ef.eml').replace(
      'from mx2.pphosted.example (203.0.113.11)',
      'from mx9.pphosted.example (192.0.2.200)',
    );
    const m = analyseHeaders(text, withCert).messages[0]!;
    expect(m.verdict).toBe('bypass');
    expect(m.reasons[0]).toMatch(
      /came from 192\.0\.2\.200 \(mx9\.pphosted\.example\), not an IP of Proofpoint/,
    );
  });
});

describe('headers: the exit decision (issue 11 review)', () => {
  it("delivered by the gateway but without EOP's compauth: enforcement unknown needs attention (unknown is never safe)", () => {
    const text = fixture('gateway-ef.eml').replace(/^Authentication-Results:.*(?:\n[ \t].*)*\n/m, '');
    const m = analyseHeaders(text, tenant).messages[0]!;
    expect(m.verdict).toBe('via-gateway');
    expect(m.enforcement).toBe('unknown');
    expect(needsAttention(m)).toBe(true);
  });

  it('delivered by the gateway with compauth present: no attention needed', () => {
    const m = analyseHeaders(fixture('gateway-ef.eml'), tenant).messages[0]!;
    expect(m.enforcement).toBe('not-overridden');
    expect(needsAttention(m)).toBe(false);
  });
});

describe('headers: a compauth bypass code is never a pass (issue 11 review)', () => {
  it.each(['pass', 'softpass'])(
    'compauth=%s reason=451: enforcement overridden (eop-model §13: 4xx/9xx never a pass)',
    (result) => {
      const text = fixture('gateway-ef.eml').replace(
        /compauth=\w+ reason=\d+/,
        `compauth=${result} reason=451`,
      );
      expect(text).toContain(`compauth=${result} reason=451`);
      const m = analyseHeaders(text, tenant).messages[0]!;
      expect(m.enforcement).toBe('overridden');
      expect(m.reasons.join('\n')).toMatch(/reason=451: EOP bypassed composite authentication/);
      expect(needsAttention(m)).toBe(true);
    },
  );
});
