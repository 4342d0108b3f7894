/**
 * The emulator under load (issue 11 acceptance): 200 concurrent sessions, then abrupt disconnects at every stage
 * (after the greeting, mid-envelope, mid-DATA, inside TLS, during the TLS handshake), and every socket is gone
 * afterwards. Event-driven, no timed assertion: the test waits for the 200 close entries of the decision log.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { startEmulator, type EmulatorLogEntry } from '../../src/smtp/emulator.js';
import { REPO } from '../support/cli.js';
import { SmtpTestClient } from '../support/smtp-client.js';

const SESSIONS = 200;

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

test(
  `${SESSIONS} concurrent sessions and abrupt disconnects leave no socket behind`,
  { timeout: 60_000 },
  async () => {
    const r = await assessExport(join(REPO, 'examples', 'wide-open'), { offline: true });
    const log: EmulatorLogEntry[] = [];
    let wake: (() => void) | undefined;
    const emu = await startEmulator({
      snapshot: r.snapshot,
      profile: r.profile,
      log: (e) => {
        log.push(e);
        wake?.();
      },
    });
    try {
      const baseline = openSockets();
      const clients = await Promise.all(
        Array.from({ length: SESSIONS }, () => SmtpTestClient.connect(emu.port)),
      );
      for (const c of clients) expect(c.greeting).toMatch(/^220 /);
      expect(emu.sessions()).toBe(SESSIONS);
      expect(await emu.connections()).toBe(SESSIONS);
      expect(openSockets()).toBe(baseline + 2 * SESSIONS);

      await Promise.all(
        clients.map(async (c, i) => {
          switch (i % 5) {
            case 0: // gone right after the greeting
              break;
            case 1: // mid-envelope
              await c.command('EHLO load.test');
              await c.command('MAIL FROM:<ceo@contoso.com>');
              expect(await c.command('RCPT TO:<user@contoso.com>')).toBe('250 Accepted');
              break;
            case 2: // mid-DATA
              await c.command('EHLO load.test');
              await c.command('MAIL FROM:<ceo@contoso.com>');
              await c.command('RCPT TO:<user@contoso.com>');
              expect(await c.command('DATA')).toMatch(/^354/);
              c.write('From: ceo@contoso.com\r\nSubject: cut\r\n\r\nhalf a messa');
              break;
            case 3: // inside TLS
              await c.command('EHLO load.test');
              await c.starttls();
              await c.command('EHLO load.test');
              break;
            case 4: // during the TLS handshake
              await c.command('EHLO load.test');
              expect(await c.command('STARTTLS')).toMatch(/^220/);
              break;
          }
          c.destroy();
          await c.closedPromise();
        }),
      );
      while (log.filter((e) => e.event === 'close').length < SESSIONS)
        await new Promise<void>((resolve) => (wake = resolve));

      expect(emu.sessions()).toBe(0);
      expect(await emu.connections()).toBe(0);
      expect(openSockets()).toBe(baseline);
      // Each session logged its connect and its close once; the envelopes got their decisions.
      expect(log.filter((e) => e.event === 'connect')).toHaveLength(SESSIONS);
      expect(new Set(log.filter((e) => e.event === 'close').map((e) => e.session)).size).toBe(SESSIONS);
      expect(log.filter((e) => e.event === 'rcpt').length).toBeGreaterThanOrEqual((2 * SESSIONS) / 5);
      expect(log.some((e) => e.event === 'data')).toBe(false);
    } finally {
      await emu.close();
    }
  },
);

test('a client trickling a byte at a time cannot hold its slot past maxSessionMs: 421, then closed', async () => {
  const r = await assessExport(join(REPO, 'examples', 'wide-open'), { offline: true });
  const closed: EmulatorLogEntry[] = [];
  let wake: (() => void) | undefined;
  // The idle timeout is far away: only the session limit can end this session.
  const emu = await startEmulator({
    snapshot: r.snapshot,
    profile: r.profile,
    limits: { socketTimeoutMs: 60_000, maxSessionMs: 400 },
    log: (e) => {
      if (e.event === 'close') closed.push(e);
      wake?.();
    },
  });
  const { connect } = await import('node:net');
  const socket = connect(emu.port, '127.0.0.1');
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  // One byte of an EHLO line every 50 ms, never a whole command: the idle timer restarts each time.
  const trickle = setInterval(() => socket.write('E'), 50);
  try {
    await ended;
    expect(received).toMatch(/^220 [\s\S]*\r\n421 [^\r\n]*session lasted longer than 400 ms/);
    while (closed.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    expect(emu.sessions()).toBe(0);
  } finally {
    clearInterval(trickle);
    socket.destroy();
    await emu.close();
  }
});
