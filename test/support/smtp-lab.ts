/**
 * Loopback SMTP peers for the probe's tests (DESIGN §7): a real `smtp-server` with STARTTLS under a certificate made
 * here with the openssl CLI, answering RCPT as a test decides (replies as Exchange Online words them), and logging
 * every command it receives; and raw `node:net` servers that misbehave (never answer, hang up, flood).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

export interface TestCert {
  key: string;
  cert: string;
  /** The folder holding cert.pem (the CA a client trusts: the certificate is self-signed). */
  dir: string;
  certPath: string;
}

/** A self-signed P-256 certificate for localhost and 127.0.0.1, valid a day, made by the openssl CLI. */
export async function makeCert(): Promise<TestCert> {
  const dir = await mkdtemp(join(tmpdir(), 'mxlock-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8'), dir, certPath };
}

export async function removeCert(c: TestCert): Promise<void> {
  await rm(c.dir, { recursive: true, force: true });
}

/** A refusal as smtp-server sends it: the code, and the text with the enhanced status code in it. */
export function smtpError(reply: string): Error {
  const m = /^(\d{3}) (.*)$/s.exec(reply);
  if (!m) throw new Error(`not a reply: ${reply}`);
  return Object.assign(new Error(m[2]), { responseCode: Number(m[1]) });
}

export interface EopLab {
  port: number;
  /** Every command received, in order (`EHLO [127.0.0.1]`, `MAIL FROM:<…>`, `DATA`…). */
  commands: string[];
  /** Messages received over DATA. */
  messages: string[];
  close(): Promise<void>;
}

/**
 * An smtp-server on 127.0.0.1 port 0 with STARTTLS: `decide(mailFrom, rcpt)` returns the RCPT reply to refuse with
 * (`550 5.7.68 …`) or undefined to accept.
 */
export async function startEopLab(
  cert: TestCert,
  decide: (mailFrom: string, rcpt: string) => string | undefined,
  /** `::` listens on IPv6 and IPv4 alike. */
  host = '127.0.0.1',
  /** The MAIL FROM reply to refuse with, or undefined to accept (the default). */
  decideMail: (mailFrom: string) => string | undefined = () => undefined,
): Promise<EopLab> {
  const commands: string[] = [];
  const messages: string[] = [];
  const record = (meta: unknown, ...args: unknown[]) => {
    if ((meta as { tnx?: unknown } | undefined)?.tnx === 'command') commands.push(String(args[1] ?? ''));
  };
  const logger = {
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    trace: () => undefined,
    fatal: () => undefined,
    debug: record,
    child: () => logger,
    level: () => undefined,
  };
  const server = new SMTPServer({
    key: cert.key,
    cert: cert.cert,
    name: 'eop-lab.localhost',
    banner: 'Microsoft ESMTP MAIL Service ready (mxlock test lab)',
    disabledCommands: ['AUTH'],
    logger: logger as never,
    onMailFrom(a: SMTPServerAddress, _s: SMTPServerSession, cb: (err?: Error | null) => void) {
      const reply = decideMail(a.address);
      cb(reply === undefined ? null : smtpError(reply));
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
      const reply = decide(from, address.address);
      cb(reply === undefined ? null : smtpError(reply));
    },
    onData(stream, _s, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    commands,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RawLab {
  port: number;
  close(): Promise<void>;
}

/** A raw TCP server on 127.0.0.1 port 0 that does whatever `onConnection` does with each socket. */
export async function startRawLab(onConnection: (socket: Socket) => void): Promise<RawLab> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
