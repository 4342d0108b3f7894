/**
 * `runProbe` over real loopback SMTP (DESIGN §7): an smtp-server answering like Exchange Online, STARTTLS with a
 * certificate made in the test, the standard attack attempts of DESIGN §5, and the comparison with the simulator's
 * prediction for an export.
 */
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { domainOf } from '../../src/common/domains.js';
import { zoneFromJson } from '../../src/common/zone.js';
import { recordedResolver, type ResolveFn } from '../../src/dns/resolver.js';
import { attackPaths } from '../../src/model/paths.js';
import { REPLY_5_7_51, REPLY_5_7_68 } from '../../src/model/rcpt.js';
import { probeExitCode } from '../../src/report/probe.js';
import { configurationOfExport, resolveEndpoint, runProbe, type ProbeOptions } from '../../src/smtp/probe.js';
import { REPO } from '../support/cli.js';
import {
  makeCert,
  removeCert,
  startEopLab,
  startRawLab,
  type EopLab,
  type TestCert,
} from '../support/smtp-lab.js';

let cert: TestCert;
beforeAll(async () => {
  cert = await makeCert();
});
afterAll(async () => {
  await removeCert(cert);
});

/** A resolver that must not be asked (the endpoint is an IP): any question fails the test. */
const noDns: ResolveFn = (name) => Promise.reject(new Error(`unexpected DNS question for ${name}`));

/** Exchange Online with RejectDirectSend and a lock-down on contoso.com, nothing on the initial domain. */
const halfLocked = (mailFrom: string, rcpt: string): string | undefined => {
  if (domainOf(rcpt) === 'contoso.onmicrosoft.com') return undefined;
  if (domainOf(mailFrom) === 'contoso.com') return REPLY_5_7_68;
  return REPLY_5_7_51;
};

async function withLab<T>(decide: typeof halfLocked, run: (lab: EopLab) => Promise<T>): Promise<T> {
  const lab = await startEopLab(cert, decide);
  try {
    return await run(lab);
  } finally {
    await lab.close();
  }
}

const options = (lab: EopLab, over: Partial<ProbeOptions> = {}): ProbeOptions => ({
  domain: 'contoso.com',
  host: '127.0.0.1',
  port: lab.port,
  tenant: 'contoso.onmicrosoft.com',
  timeoutMs: 5_000,
  tls: { insecure: false, ca: cert.cert },
  resolve: noDns,
  ...over,
});

describe('runProbe against an Exchange-Online-like server', () => {
  test('each standard attack attempt, over STARTTLS, classified; no DATA without --send', async () => {
    await withLab(halfLocked, async (lab) => {
      const r = await runProbe(options(lab));
      // The attempts are the simulator's definitions (model/paths.ts), in their order.
      expect(r.attempts.map((a) => a.path)).toEqual(
        attackPaths(['contoso.com'], 'contoso.onmicrosoft.com', '192.0.2.1').map((p) => p.id),
      );
      expect(Object.fromEntries(r.attempts.map((a) => [a.path, [a.classification, a.status]]))).toEqual({
        'path.direct-send-own-domain': ['rejected-direct-send', 'closed'],
        'path.spoof-header-own-domain': ['rejected-connector', 'closed'],
        'path.foreign-domain-direct': ['rejected-connector', 'closed'],
        'path.null-sender-direct': ['rejected-connector', 'closed'],
        'path.initial-domain-direct': ['accepted', 'open'],
      });
      const ds = r.attempts[0]!;
      expect(ds).toMatchObject({
        stage: 'rcpt',
        reply: REPLY_5_7_68,
        mailFrom: 'ceo@contoso.com',
        rcpt: 'user@contoso.com',
        tls: true,
        dataSent: false,
        family: 4,
        address: '127.0.0.1',
      });
      expect(ds.transcript).toEqual(
        expect.arrayContaining([
          'C: STARTTLS',
          expect.stringMatching(/^I: TLS TLSv1\.[23] .*server certificate localhost, certificate verified$/),
          'C: MAIL FROM:<ceo@contoso.com>',
          'C: RCPT TO:<user@contoso.com>',
          `S: ${REPLY_5_7_68}`,
          'C: RSET',
          'C: QUIT',
        ]),
      );
      expect(r.attempts.find((a) => a.path === 'path.null-sender-direct')?.mailFrom).toBe('');
      const open = r.attempts.find((a) => a.path === 'path.initial-domain-direct')!;
      expect(open.explanation).toMatch(
        /open at the SMTP stage; a transport rule .* may still act after DATA/,
      );
      expect(r.summary).toEqual({ attempts: 5, open: 1, uncertain: 0, disagreements: 0 });
      expect(probeExitCode(r)).toBe(1);
      // The server's own log: every session went EHLO, STARTTLS, EHLO, MAIL, RCPT, RSET, QUIT, and none sent DATA.
      expect(lab.commands.filter((c) => /^DATA/i.test(c))).toEqual([]);
      expect(lab.messages).toEqual([]);
      expect(lab.commands.filter((c) => c === 'STARTTLS')).toHaveLength(5);
      expect(lab.commands.slice(0, 7).map((c) => c.split(/[ :]/)[0])).toEqual([
        'EHLO',
        'STARTTLS',
        'EHLO',
        'MAIL',
        'RCPT',
        'RSET',
        'QUIT',
      ]);
    });
  });

  test('a closed tenant exits 0; RejectDirectSend looking off gets the 30-minute note', async () => {
    await withLab(
      (from, rcpt) => (domainOf(rcpt) === 'contoso.onmicrosoft.com' ? REPLY_5_7_51 : halfLocked(from, rcpt)),
      async (lab) => {
        const r = await runProbe(options(lab));
        expect(r.summary.open).toBe(0);
        expect(probeExitCode(r)).toBe(0);
      },
    );
    await withLab(
      () => undefined,
      async (lab) => {
        const r = await runProbe(options(lab));
        expect(r.attempts[0]!.notes.join(' ')).toMatch(/RejectDirectSend takes up to about 30 minutes/);
        expect(r.summary.open).toBe(5);
      },
    );
  });

  test('a self-signed certificate is refused unless trusted: a TLS error, and MAIL FROM never sent', async () => {
    await withLab(halfLocked, async (lab) => {
      const r = await runProbe(options(lab, { tls: { insecure: false } }));
      for (const a of r.attempts) {
        expect(a).toMatchObject({ classification: 'error', stage: 'tls', status: 'uncertain', reply: null });
        expect(a.problem?.kind).toBe('tls');
        expect(a.problem?.advice).toMatch(/--ca-file/);
      }
      expect(lab.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
      expect(probeExitCode(r)).toBe(1);
    });
    await withLab(halfLocked, async (lab) => {
      const r = await runProbe(options(lab, { tls: { insecure: true } }));
      expect(r.attempts[0]!.classification).toBe('rejected-direct-send');
      expect(r.attempts[0]!.transcript.join('\n')).toMatch(/certificate NOT verified \(--insecure-tls\)/);
    });
  });

  test('--send sends one marked message, to the named recipient only, on the first accepted path', async () => {
    await withLab(
      (from) => (domainOf(from) === 'contoso.com' ? REPLY_5_7_68 : undefined),
      async (lab) => {
        const r = await runProbe(options(lab, { send: 'alice@contoso.com' }));
        expect(lab.commands.filter((c) => c === 'DATA')).toHaveLength(1);
        expect(lab.messages).toHaveLength(1);
        expect(lab.messages[0]).toMatch(
          /^Subject: mxlock probe test message \(path\.spoof-header-own-domain\)/m,
        );
        expect(lab.messages[0]).toMatch(/^To: <alice@contoso\.com>$/m);
        expect(lab.messages[0]).toMatch(/sent by mxlock probe/);
        const rcpts = lab.commands.filter((c) => c.startsWith('RCPT'));
        expect(new Set(rcpts)).toEqual(
          new Set(['RCPT TO:<alice@contoso.com>', 'RCPT TO:<alice@contoso.onmicrosoft.com>']),
        );
        const sent = r.attempts.filter((a) => a.dataSent);
        expect(sent.map((a) => [a.path, a.stage, a.classification])).toEqual([
          ['path.spoof-header-own-domain', 'data', 'accepted'],
        ]);
        expect(sent[0]!.notes.join(' ')).toMatch(/look where it landed/);
      },
    );
  });

  test('a 5.7.68 at MAIL FROM is read as RejectDirectSend, and the stage recorded (eop-model OQ-1)', async () => {
    const lab = await startEopLab(
      cert,
      () => undefined,
      '127.0.0.1',
      (from) => (domainOf(from) === 'contoso.com' ? REPLY_5_7_68 : undefined),
    );
    try {
      const r = await runProbe(options(lab));
      expect(r.attempts[0]).toMatchObject({
        path: 'path.direct-send-own-domain',
        stage: 'mail',
        classification: 'rejected-direct-send',
        status: 'closed',
      });
      expect(lab.commands.filter((c) => c.startsWith('RCPT'))).toHaveLength(4);
    } finally {
      await lab.close();
    }
  });

  test('a host with IPv4 and IPv6 addresses is probed over both', async () => {
    const lab = await startEopLab(cert, halfLocked, '::');
    try {
      const zone = zoneFromJson({ 'lab.mxlock.test': { A: ['127.0.0.1'], AAAA: ['::1'] } } as never);
      const r = await runProbe(
        options(lab, { host: 'lab.mxlock.test', resolve: recordedResolver(zone), tls: { insecure: true } }),
      );
      expect(r.endpoint).toBe(`lab.mxlock.test:${lab.port}`);
      expect(r.attempts.map((a) => `${a.family} ${a.address} ${a.classification}`).slice(0, 1)).toEqual([
        '4 127.0.0.1 rejected-direct-send',
      ]);
      expect(r.attempts.filter((a) => a.family === 6).map((a) => a.classification)).toEqual(
        r.attempts.filter((a) => a.family === 4).map((a) => a.classification),
      );
      expect(r.attempts.filter((a) => a.family === 6)).toHaveLength(5);
      expect(r.attempts.find((a) => a.family === 6)!.transcript).toContain('C: EHLO [IPv6:::1]');
    } finally {
      await lab.close();
    }
  });

  test('addresses and names that could inject a command are refused before anything is sent', async () => {
    await withLab(halfLocked, async (lab) => {
      await expect(runProbe(options(lab, { rcpt: 'alice@contoso.com\r\nDATA' }))).rejects.toThrow(/--rcpt/);
      await expect(runProbe(options(lab, { rcpt: 'alice@fabrikam.com' }))).rejects.toThrow(
        /must be at contoso\.com/,
      );
      await expect(runProbe(options(lab, { ehlo: 'x.example\r\nDATA' }))).rejects.toThrow(/--ehlo/);
      await expect(runProbe(options(lab, { tenant: 'contoso.com' }))).rejects.toThrow(/onmicrosoft\.com/);
      await expect(runProbe(options(lab, { domain: 'contoso.com\nx' }))).rejects.toThrow(/the domain/);
      expect(lab.commands).toEqual([]);
    });
  });
});

describe('runProbe with --export: the simulator predicts each attempt', () => {
  const wideOpen = join(REPO, 'examples', 'wide-open');

  test('configuration open, endpoint locked: every attempt is a disagreement (exit 1)', async () => {
    const configuration = await configurationOfExport(wideOpen, { offline: true });
    await withLab(halfLocked, async (lab) => {
      const r = await runProbe(options(lab, { tenant: undefined, configuration }));
      // The initial domain comes from the export.
      expect(r.attempts.map((a) => a.rcpt)).toContain('user@contoso.onmicrosoft.com');
      const byPath = Object.fromEntries(r.attempts.map((a) => [a.path, a.prediction]));
      expect(byPath['path.direct-send-own-domain']).toMatchObject({
        status: 'open',
        comparison: 'disagrees',
      });
      expect(byPath['path.direct-send-own-domain']!.explanation).toMatch(/the endpoint refused it/);
      // The initial domain is open in both.
      expect(byPath['path.initial-domain-direct']).toMatchObject({ status: 'open', comparison: 'agrees' });
      expect(r.summary.disagreements).toBe(4);
      expect(probeExitCode(r)).toBe(1);
    });
  });

  test('configuration after the plan closed, endpoint open: "configuration says closed, the endpoint accepted"', async () => {
    const configuration = await configurationOfExport(wideOpen, { offline: true, afterPlan: true });
    await withLab(
      () => undefined,
      async (lab) => {
        const r = await runProbe(options(lab, { tenant: undefined, configuration }));
        for (const a of r.attempts) {
          expect(a.prediction).toMatchObject({ status: 'closed', comparison: 'disagrees' });
          expect(a.prediction!.explanation).toMatch(/says closed \(550 5\.7\.51\), the endpoint accepted/);
        }
        expect(r.summary.disagreements).toBe(5);
      },
    );
    await withLab(halfLocked, async (lab) => {
      const r = await runProbe(options(lab, { tenant: undefined, configuration }));
      const byPath = Object.fromEntries(r.attempts.map((a) => [a.path, a.prediction]));
      expect(byPath['path.spoof-header-own-domain']).toMatchObject({ comparison: 'agrees' });
      expect(byPath['path.spoof-header-own-domain']!.explanation).toBe(
        'the configuration after the plan says closed (550 5.7.51): refused as predicted',
      );
      // Refused, with another code than predicted: still closed, and the undocumented order is named.
      expect(byPath['path.direct-send-own-domain']).toMatchObject({ comparison: 'agrees' });
      expect(byPath['path.direct-send-own-domain']!.explanation).toMatch(/OQ-2/);
    });
  });

  test('a domain that is not an accepted domain of the export is a usage error', async () => {
    const configuration = await configurationOfExport(wideOpen, { offline: true });
    await expect(
      runProbe({ domain: 'fabrikam.com', host: '127.0.0.1', port: 1, resolve: noDns, configuration }),
    ).rejects.toThrow(/not an accepted domain/);
  });
});

describe('resolveEndpoint', () => {
  /** A recorded zone, and every question asked of it. */
  function zone(json: Record<string, unknown>): { resolve: ResolveFn; asked: string[] } {
    const inner = recordedResolver(zoneFromJson(json as never));
    const asked: string[] = [];
    return {
      asked,
      resolve: (name, type) => {
        asked.push(`${name}/${type}`);
        return inner(name, type);
      },
    };
  }

  test('the MX of the domain when it is Exchange Online, with IPv4 and IPv6 addresses', async () => {
    const z = zone({
      'contoso.com': { MX: [{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }] },
      'contoso-com.mail.protection.outlook.com': {
        A: ['52.101.0.1', '52.101.0.2'],
        AAAA: ['2a01:111:f403::1'],
      },
    });
    const e = await resolveEndpoint(z.resolve, { domain: 'contoso.com' });
    expect(e).toMatchObject({
      host: 'contoso-com.mail.protection.outlook.com',
      port: 25,
      basis: 'MX of contoso.com, Exchange Online',
      addresses: [
        { address: '52.101.0.1', family: 4 },
        { address: '2a01:111:f403::1', family: 6 },
      ],
    });
  });

  test('a *.mx.microsoft MX is Exchange Online too', async () => {
    const z = zone({
      'fabrikam.com': { MX: [{ exchange: 'fabrikam-com.a-v1.mx.microsoft', priority: 0 }] },
      'fabrikam-com.a-v1.mx.microsoft': { A: ['52.101.0.9'] },
    });
    expect((await resolveEndpoint(z.resolve, { domain: 'fabrikam.com' })).host).toBe(
      'fabrikam-com.a-v1.mx.microsoft',
    );
  });

  test('behind a gateway: the MX of the tenant’s onmicrosoft.com domain, never a name built from the domain', async () => {
    const z = zone({
      'contoso.com': { MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }] },
      'contoso.onmicrosoft.com': { MX: [{ exchange: 'contoso.mail.protection.outlook.com', priority: 0 }] },
      'contoso.mail.protection.outlook.com': { A: ['52.101.0.3'] },
    });
    const e = await resolveEndpoint(z.resolve, { domain: 'contoso.com', tenant: 'contoso.onmicrosoft.com' });
    expect(e.host).toBe('contoso.mail.protection.outlook.com');
    expect(e.basis).toMatch(/MX of contoso\.onmicrosoft\.com .*mimecast/);
    const without = zone({
      'contoso.com': { MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }] },
    });
    await expect(resolveEndpoint(without.resolve, { domain: 'contoso.com' })).rejects.toThrow(/--tenant/);
    expect(without.asked).toEqual(['contoso.com/MX']);
  });

  test('a hostile MX answer is refused before it is used', async () => {
    const z = zone({
      'contoso.com': { MX: [{ exchange: 'bad\rname.mail.protection.outlook.com', priority: 0 }] },
    });
    await expect(resolveEndpoint(z.resolve, { domain: 'contoso.com' })).rejects.toThrow(/the MX host/);
  });
});

/** A plain SMTP server (no STARTTLS) answering MAIL and RCPT with the given replies. */
async function withPlainLab<T>(
  answer: { mail: string; rcpt: string },
  run: (port: number) => Promise<T>,
): Promise<T> {
  const lab = await startRawLab((s: Socket) => {
    s.write('220 lab ready\r\n');
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        const verb = line.split(/[ :]/)[0]!.toUpperCase();
        if (verb === 'EHLO') s.write('250 lab\r\n');
        else if (verb === 'MAIL') s.write(`${answer.mail}\r\n`);
        else if (verb === 'RCPT') s.write(`${answer.rcpt}\r\n`);
        else if (verb === 'QUIT') s.end('221 bye\r\n');
        else s.write('250 ok\r\n');
      }
    });
  });
  try {
    return await run(lab.port);
  } finally {
    await lab.close();
  }
}

describe('runProbe: where a reply came decides what it means (issue 11 review)', () => {
  const plain = (port: number): ProbeOptions => ({
    domain: 'contoso.com',
    host: '127.0.0.1',
    port,
    tenant: 'contoso.onmicrosoft.com',
    timeoutMs: 5_000,
    resolve: noDns,
  });

  test('5.1.8 at MAIL FROM refuses the sender, not the recipient: never "name a real mailbox with --rcpt"', async () => {
    await withPlainLab(
      { mail: '550 5.1.8 Access denied, bad outbound sender', rcpt: '250 ok' },
      async (port) => {
        const r = await runProbe(plain(port));
        const a = r.attempts[0]!;
        expect(a.stage).toBe('mail');
        expect(a.classification).toBe('error');
        expect(a.problem?.kind).toBe('rejected-other');
        expect(a.explanation).toMatch(/MAIL FROM/);
        expect(a.explanation).not.toMatch(/--rcpt/);
        expect(a.status).toBe('uncertain');
      },
    );
  });

  test('a 2xx other than 250 at MAIL FROM ends the attempt before RCPT: not an open path', async () => {
    await withPlainLab({ mail: '251 odd', rcpt: '250 ok' }, async (port) => {
      const r = await runProbe(plain(port));
      expect(r.attempts.map((a) => [a.stage, a.classification, a.status])).toEqual(
        r.attempts.map(() => ['mail', 'error', 'uncertain']),
      );
      expect(r.summary.open).toBe(0);
      expect(probeExitCode(r)).toBe(1);
    });
  });

  test('a 3xx reply to RCPT TO is not SMTP: never "accepted"', async () => {
    await withPlainLab({ mail: '250 ok', rcpt: '354 go ahead' }, async (port) => {
      const r = await runProbe(plain(port));
      expect(r.attempts[0]).toMatchObject({ stage: 'rcpt', classification: 'error', status: 'uncertain' });
      expect(r.attempts[0]!.problem?.kind).toBe('protocol');
    });
  });
});

describe('probeExitCode: no attempt is no proof (issue 11 review)', () => {
  test('a report without a counted attempt (every address skipped) exits 1', () => {
    expect(
      probeExitCode({
        schemaVersion: 1,
        endpoint: 'mx.example:25',
        domain: 'contoso.com',
        endpointBasis: '--host',
        attempts: [],
        summary: { attempts: 0, open: 0, uncertain: 0, disagreements: 0 },
        notes: [],
      }),
    ).toBe(1);
  });
});
