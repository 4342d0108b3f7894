/**
 * `startEmulator` over real loopback SMTP: raw sockets (test/support/smtp-client.ts) and nodemailer as clients,
 * STARTTLS with the emulator's generated certificate and client certificates made by openssl. Every expected reply is
 * the simulator's for the same configuration and attempt, never a copy of it written here.
 */
import nodemailer from 'nodemailer';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { configFor, existingFlows } from '../../src/assess.js';
import { assessExport } from '../../src/assess-export.js';
import type { ResolvedGateway } from '../../src/common/gateway.js';
import { standardPaths, type StandardPath } from '../../src/model/paths.js';
import { simulate } from '../../src/model/simulate.js';
import type { Attempt } from '../../src/model/types.js';
import { buildPlan } from '../../src/plan/index.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import {
  startEmulator,
  type Emulator,
  type EmulatorLogEntry,
  type EmulatorOptions,
} from '../../src/smtp/emulator.js';
import { REPO } from '../support/cli.js';
import { opensslCertificate, SmtpTestClient } from '../support/smtp-client.js';

interface Example {
  snapshot: Snapshot;
  profile: Profile;
  gateway: ResolvedGateway;
}

const examples = new Map<string, Example>();
async function example(name: string): Promise<Example> {
  let e = examples.get(name);
  if (!e) {
    const r = await assessExport(join(REPO, 'examples', name), { offline: true });
    const profile = r.profile ?? EMPTY_PROFILE;
    e = { snapshot: r.snapshot, profile, gateway: resolveGateway(r.profile, r.snapshot) };
    examples.set(name, e);
  }
  return e;
}

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function emulate(
  name: string,
  extra: Partial<EmulatorOptions> = {},
): Promise<{ emu: Emulator; log: EmulatorLogEntry[]; closes: (n: number) => Promise<void> }> {
  const e = await example(name);
  const log: EmulatorLogEntry[] = [];
  const waiters: (() => void)[] = [];
  const emu = await startEmulator({
    ...e,
    log: (x) => {
      log.push(x);
      for (const w of waiters.splice(0)) w();
    },
    ...extra,
  });
  running.push(emu);
  /** Resolves once `n` sessions have logged their close (the server's close handler runs after the socket's). */
  const closes = async (n: number) => {
    while (log.filter((l) => l.event === 'close').length < n) await new Promise<void>((r) => waiters.push(r));
  };
  return { emu, log, closes };
}

/** A session up to MAIL FROM: EHLO, STARTTLS (with a client certificate when given), EHLO, XCLIENT when asked. */
async function session(
  emu: Emulator,
  opts: { cert?: { cert: string; key: string }; xclient?: string; mailFrom: string },
): Promise<SmtpTestClient> {
  const c = await SmtpTestClient.connect(emu.port);
  expect(await c.command('EHLO client.test')).toMatch(/^250/m);
  await c.starttls(opts.cert ?? {});
  expect(await c.command('EHLO client.test')).toMatch(/STARTTLS|^250 /m);
  if (opts.xclient) {
    expect(await c.command(`XCLIENT ADDR=${opts.xclient}`)).toMatch(/^220/);
    expect(await c.command('EHLO client.test')).toMatch(/^250/m);
  }
  expect(await c.command(`MAIL FROM:<${opts.mailFrom}>`)).toBe('250 Accepted');
  return c;
}

const certs = new Map<string, { cert: string; key: string }>();
function clientCert(name: string): { cert: string; key: string } {
  let c = certs.get(name);
  if (!c) certs.set(name, (c = opensslCertificate(name)));
  return c;
}

function expectedRcpt(e: Example, a: Attempt): string {
  const cfg = configFor(e.snapshot, e.gateway, {});
  const r = simulate(cfg, { ...a, rcpts: [a.rcpts[0]!], headerFrom: a.mailFrom });
  const refused = r.outcomes.filter((o) => o.stage === 'rcpt');
  return refused.length > 0 && refused.length === r.outcomes.length ? refused[0]!.reply! : '250 Accepted';
}

describe('RCPT replies are the simulator’s, over real SMTP with STARTTLS', () => {
  test.each(['hardened', 'wide-open', 'half-done'])(
    '%s: every attack and residual attempt of the standard paths',
    async (name) => {
      const e = await example(name);
      const { emu, log } = await emulate(name, { trustXclient: true });
      const cfg = configFor(e.snapshot, e.gateway, {});
      const paths: StandardPath[] = standardPaths(
        cfg,
        e.profile,
        e.gateway,
        existingFlows(e.snapshot, e.gateway, e.profile),
      );
      let tried = 0;
      for (const p of paths.filter((x) => x.kind !== 'legitimate'))
        // Over IPv6 an attempt carries what a session cannot say at RCPT (its PTR record, a DKIM signature the
        // IPv6 requirement reads after DATA, model/ipv6.ts): the emulator is compared on the IPv4 attempts.
        for (const a of [p.attempt, ...(p.variants ?? [])].filter((x) => !x.clientIp.includes(':'))) {
          const c = await session(emu, {
            mailFrom: a.mailFrom,
            xclient: a.clientIp,
            ...(a.certNames[0] ? { cert: clientCert(a.certNames[0]) } : {}),
          });
          const reply = await c.command(`RCPT TO:<${a.rcpts[0]}>`);
          expect(reply, `${p.id} ${a.clientIp} ${a.mailFrom} → ${a.rcpts[0]}`).toBe(expectedRcpt(e, a));
          const logged = log.filter((l) => l.event === 'rcpt').at(-1)!;
          expect(logged).toMatchObject({ clientIp: a.clientIp, clientIpFrom: 'xclient', rcpt: a.rcpts[0] });
          expect(logged.certNames).toEqual(a.certNames.map((n) => n.toLowerCase()));
          await c.quit();
          tried++;
        }
      expect(tried).toBeGreaterThanOrEqual(5);
    },
  );

  test('hardened: own-domain Direct Send is refused in session with 5.7.51, CON-5 and DS-2 in the log', async () => {
    const { emu, log, closes } = await emulate('hardened');
    const c = await session(emu, { mailFrom: 'ceo@northwindtraders.com' });
    const reply = await c.command('RCPT TO:<user@northwindtraders.com>');
    expect(reply).toMatch(/^550 5\.7\.51 TenantInboundAttribution; /);
    await c.quit();
    await closes(1);
    const rcpt = log.find((l) => l.event === 'rcpt')!;
    expect(rcpt).toMatchObject({
      clientIp: '127.0.0.1',
      clientIpFrom: 'peer',
      tls: { protocol: expect.stringMatching(/^TLS/) },
      ehlo: 'client.test',
      mailFrom: 'ceo@northwindtraders.com',
      reply,
      accepted: false,
    });
    expect(rcpt.rules!.map((r) => r.rule)).toEqual(expect.arrayContaining(['CON-5', 'DS-2']));
    expect(log.map((l) => l.event)).toEqual(['connect', 'tls', 'mail', 'rcpt', 'close']);
  });

  test('wide-open: own-domain Direct Send is accepted at RCPT, and DATA names the inbox', async () => {
    const { emu, log } = await emulate('wide-open');
    const c = await session(emu, { mailFrom: 'ceo@contoso.com' });
    expect(await c.command('RCPT TO:<user@contoso.com>')).toBe('250 Accepted');
    expect(await c.command('DATA')).toMatch(/^354/);
    const data = await c.command(
      'From: CEO <ceo@contoso.com>\r\nTo: user@contoso.com\r\nSubject: t\r\n\r\nbody\r\n.',
    );
    expect(data).toMatch(
      /^250 2\.6\.0 Queued mail for delivery; mxlock emulate: inbox \(.*\); message discarded$/,
    );
    await c.quit();
    const d = log.find((l) => l.event === 'data')!;
    expect(d).toMatchObject({ rcpts: ['user@contoso.com'], accepted: true, reply: data });
    expect(d.outcomes!.every((o) => o.stage === 'post-acceptance' && o.disposition === 'inbox')).toBe(true);
  });

  test('a recipient outside the accepted domains is refused as relay (CON-7, 5.7.64)', async () => {
    const { emu } = await emulate('wide-open');
    const c = await session(emu, { mailFrom: 'a@sender.example' });
    expect(await c.command('RCPT TO:<someone@elsewhere.example>')).toBe(
      '550 5.7.64 TenantAttribution; Relay Access Denied',
    );
    await c.quit();
  });

  test('end of DATA without a valid From: gets 550 5.7.512 (eop-model §1.1 S4)', async () => {
    const { emu, log } = await emulate('wide-open');
    const c = await session(emu, { mailFrom: 'a@sender.example' });
    expect(await c.command('RCPT TO:<user@contoso.com>')).toBe('250 Accepted');
    await c.command('DATA');
    expect(await c.command('Subject: no from\r\n\r\nbody\r\n.')).toBe(
      '550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant',
    );
    await c.quit();
    expect(log.find((l) => l.event === 'data')!.rules![0]!.text).toMatch(/no From: header/);
  });

  test('the DATA decision reads the header From: (spoof decisions are P2)', async () => {
    const e = await example('hardened');
    const { emu } = await emulate('hardened', { clientIp: '192.0.2.50' });
    // The HQ scanner (its IP admitted by an IP-restricted connector) writes From: an address of another domain.
    const c = await session(emu, { mailFrom: 'scanner@northwindtraders.com' });
    expect(await c.command('RCPT TO:<user@northwindtraders.com>')).toBe('250 Accepted');
    await c.command('DATA');
    const reply = await c.command('From: <boss@fabrikam.example>\r\n\r\nscan\r\n.');
    await c.quit();
    const cfg = configFor(e.snapshot, e.gateway, {});
    const expected = simulate(cfg, {
      clientIp: '192.0.2.50',
      tls: true,
      certNames: [],
      mailFrom: 'scanner@northwindtraders.com',
      headerFrom: 'boss@fabrikam.example',
      rcpts: ['user@northwindtraders.com'],
      headers: { From: '<boss@fabrikam.example>' },
      receivedIps: [],
    });
    const dispositions = [...new Set(expected.outcomes.map((o) => o.disposition))].join(' or ');
    expect(reply).toContain(`mxlock emulate: ${dispositions} (`);
  });
});

describe('who the client is', () => {
  test('a client certificate matching the certificate-restricted connector is admitted; none is refused', async () => {
    const { emu, log } = await emulate('hardened');
    const send = (tlsOptions: { cert?: string; key?: string }) =>
      nodemailer
        .createTransport({
          host: '127.0.0.1',
          port: emu.port,
          secure: false,
          requireTLS: true,
          tls: { rejectUnauthorized: false, ...tlsOptions },
        })
        .sendMail({
          envelope: { from: 'partner@sender.example', to: ['user@northwindtraders.com'] },
          raw: 'From: partner@sender.example\r\nTo: user@northwindtraders.com\r\nSubject: via the gateway\r\n\r\nhello\r\n',
        });
    const gw = clientCert('mx1.mail-gateway.example.com');
    const info = await send(gw);
    expect(info.accepted).toEqual(['user@northwindtraders.com']);
    expect(info.response).toMatch(/^250 2\.6\.0 .*mxlock emulate: /);
    const admitted = log.find((l) => l.event === 'rcpt')!;
    expect(admitted).toMatchObject({
      certNames: ['mx1.mail-gateway.example.com'],
      accepted: true,
      certAuthorized: false,
    });
    expect(admitted.rules!.some((r) => r.rule === 'CON-5')).toBe(true);

    await expect(send({})).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringMatching(/^550 5\.7\.51 TenantInboundAttribution;/),
    });
    const other = clientCert('mx1.another-seg.example');
    await expect(send(other)).rejects.toMatchObject({ responseCode: 550 });
  });

  test('XCLIENT ADDR is refused unless trusted; --as judges every session from one address', async () => {
    const untrusted = await emulate('hardened');
    const c = await SmtpTestClient.connect(untrusted.emu.port);
    await c.command('EHLO client.test');
    expect(await c.command('XCLIENT ADDR=192.0.2.50')).toMatch(/^550/);
    await c.command('MAIL FROM:<scanner@northwindtraders.com>');
    expect(await c.command('RCPT TO:<user@northwindtraders.com>')).toMatch(/^550 5\.7\.51 /);
    await c.quit();

    const as = await emulate('hardened', { clientIp: '192.0.2.50' });
    const d = await session(as.emu, { mailFrom: 'scanner@northwindtraders.com' });
    expect(await d.command('RCPT TO:<user@northwindtraders.com>')).toBe('250 Accepted');
    await d.quit();
    expect(as.log.find((l) => l.event === 'rcpt')).toMatchObject({
      clientIp: '192.0.2.50',
      clientIpFrom: 'as',
    });
  });

  test('after the plan, the wide-open tenant refuses what it accepted before', async () => {
    const e = await example('wide-open');
    const assessed = await assessExport(join(REPO, 'examples', 'wide-open'), { offline: true });
    const built = buildPlan({ ...e, report: assessed.report });
    if (!built.ok) throw new Error(built.reason);
    const { emu } = await emulate('wide-open', { snapshot: built.checked.afterSnapshot });
    const c = await session(emu, { mailFrom: 'ceo@contoso.com' });
    expect(await c.command('RCPT TO:<user@contoso.com>')).toMatch(/^550 5\.7\.(51|68) /);
    await c.quit();
  });
});

describe('bounds', () => {
  test('recipients per message (452), message size (552), command line length', async () => {
    const { emu, log } = await emulate('wide-open', {
      limits: { maxRecipients: 2, maxMessageBytes: 2048, maxCommandLength: 512 },
    });
    const c = await session(emu, { mailFrom: 'a@sender.example' });
    expect(await c.command('RCPT TO:<a@contoso.com>')).toBe('250 Accepted');
    expect(await c.command('RCPT TO:<b@contoso.com>')).toBe('250 Accepted');
    expect(await c.command('RCPT TO:<c@contoso.com>')).toMatch(/^452 /);
    await c.command('DATA');
    expect(await c.command(`From: a@sender.example\r\n\r\n${'x'.repeat(4096)}\r\n.`)).toMatch(/^552 /);
    expect(log.find((l) => l.event === 'data')).toMatchObject({
      accepted: false,
      reply: expect.stringMatching(/^552/),
    });
    expect(await c.command(`NOOP ${'y'.repeat(1024)}`)).toMatch(/^[45]\d\d /);
    c.destroy();
  });

  test('connections beyond the limit get 421', async () => {
    const { emu } = await emulate('wide-open', { limits: { maxConnections: 3 } });
    const held = await Promise.all([1, 2, 3].map(() => SmtpTestClient.connect(emu.port)));
    for (const h of held) expect(h.greeting).toMatch(/^220 /);
    const extra = await SmtpTestClient.connect(emu.port);
    expect(extra.greeting).toMatch(/^421 .*Too many connected clients/);
    await extra.closedPromise();
    await Promise.all(held.map((h) => h.quit()));
  });
});
