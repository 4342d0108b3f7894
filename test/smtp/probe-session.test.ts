/** One probe attempt against servers that misbehave: every read is bounded and every wait ends (issue 11). */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import {
  MAX_REPLY_LINE_OCTETS,
  MAX_REPLY_LINES,
  probeSession,
  type SessionOptions,
} from '../../src/smtp/probe-session.js';
import { startRawLab, type RawLab } from '../support/smtp-lab.js';

let lab: RawLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const attempt = (port: number, over: Partial<SessionOptions> = {}): SessionOptions => ({
  address: '127.0.0.1',
  port,
  tls: { insecure: false },
  timeoutMs: 400,
  mailFrom: 'ceo@contoso.com',
  rcpt: 'user@contoso.com',
  ...over,
});

/** A server that speaks just enough SMTP (no STARTTLS) and hands every later line to `after`. */
function plainSmtp(after: (line: string, write: (s: string) => void) => void) {
  return (s: Socket) => {
    s.write('220 lab ready\r\n');
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (line.startsWith('EHLO')) s.write('250-lab\r\n250 SIZE 1000\r\n');
        else after(line, (x) => s.write(x));
      }
    });
  };
}

describe('probeSession against misbehaving servers', () => {
  test('a server that never answers ends the attempt at its timeout, as a timeout at connect', async () => {
    lab = await startRawLab(() => undefined);
    const r = await probeSession(attempt(lab.port));
    expect(r.failure?.problem).toBe('timeout');
    expect(r.stage).toBe('connect');
    expect(r.reply).toBeUndefined();
    expect(r.transcript.at(-1)).toMatch(/no complete reply within 400 ms/);
  });

  test('a server that hangs up mid-session is reported closed at the step it hung up on', async () => {
    lab = await startRawLab((s) =>
      plainSmtp((line, write) => {
        if (line.startsWith('MAIL')) write('250 ok\r\n');
        if (line.startsWith('RCPT')) s.end('250-half a reply\r\n');
      })(s),
    );
    const r = await probeSession(attempt(lab.port, { timeoutMs: 5_000 }));
    expect(r.failure?.problem).toBe('closed');
    expect(r.stage).toBe('rcpt');
    expect(r.transcript).toContain('S: 250-half a reply');
  });

  test('a server that sends endless continuation lines is stopped at the reply-lines limit', async () => {
    lab = await startRawLab((s) => {
      s.write('220 lab\r\n');
      s.once('data', () => {
        const flood = () => {
          if (s.destroyed) return;
          s.write('250-more\r\n'.repeat(50), () => setImmediate(flood));
        };
        flood();
      });
    });
    const r = await probeSession(attempt(lab.port, { timeoutMs: 5_000 }));
    expect(r.failure?.problem).toBe('protocol');
    expect(r.failure?.message).toMatch(new RegExp(`more than ${MAX_REPLY_LINES} lines`));
    expect(r.stage).toBe('connect');
  });

  test('a line without an end is stopped at the line-length limit', async () => {
    lab = await startRawLab((s) => {
      s.write('220 ');
      const flood = () => {
        if (s.destroyed) return;
        s.write('x'.repeat(4096), () => setImmediate(flood));
      };
      flood();
    });
    const r = await probeSession(attempt(lab.port, { timeoutMs: 5_000 }));
    expect(r.failure?.problem).toBe('protocol');
    expect(r.failure?.message).toContain(`longer than ${MAX_REPLY_LINE_OCTETS} octets`);
  });

  test('data after the STARTTLS reply, before TLS, ends the attempt (no command injection, CVE-2011-0411)', async () => {
    lab = await startRawLab((s) => {
      s.write('220 lab\r\n');
      s.on('data', (d: Buffer) => {
        const line = d.toString();
        if (line.startsWith('EHLO')) s.write('250-lab\r\n250 STARTTLS\r\n');
        if (line.startsWith('STARTTLS')) s.write('220 go ahead\r\n250 injected\r\n');
      });
    });
    const r = await probeSession(attempt(lab.port));
    expect(r.failure?.problem).toBe('protocol');
    expect(r.stage).toBe('tls');
    expect(r.transcript).not.toContain('C: MAIL FROM:<ceo@contoso.com>');
  });

  test('a connection refused is reported as refused, with no reply', async () => {
    lab = await startRawLab(() => undefined);
    const port = lab.port;
    await lab.close();
    lab = undefined;
    const r = await probeSession(attempt(port));
    expect(r.failure?.problem).toBe('refused');
    expect(r.reply).toBeUndefined();
  });

  test('without STARTTLS the attempt goes on in plain text, says so, and stops before DATA', async () => {
    const seen: string[] = [];
    lab = await startRawLab(
      plainSmtp((line, write) => {
        seen.push(line);
        if (line.startsWith('MAIL') || line.startsWith('RSET')) write('250 ok\r\n');
        if (line.startsWith('RCPT'))
          write(
            '550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources\r\n',
          );
        if (line.startsWith('QUIT')) write('221 bye\r\n');
      }),
    );
    const r = await probeSession(attempt(lab.port, { mailFrom: '' }));
    expect(r.tls).toBe(false);
    expect(r.stage).toBe('rcpt');
    expect(r.reply).toMatch(/^550 5\.7\.68 /);
    expect(r.transcript).toContain('I: the server offered no STARTTLS: the attempt continues without TLS');
    expect(seen).toEqual(['MAIL FROM:<>', 'RCPT TO:<user@contoso.com>', 'RSET', 'QUIT']);
    expect(r.dataSent).toBe(false);
  });
});
