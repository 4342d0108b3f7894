/**
 * A plain SMTP client for tests over loopback: raw `net`/`tls`, one command at a time, every reply line kept, so a
 * test sees exactly what the server said (nodemailer hides the RCPT replies of a message it could not send). Also
 * makes client certificates with the `openssl` CLI into a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export class SmtpTestClient {
  private socket: net.Socket;
  private buffer = '';
  private lines: string[] = [];
  private waiting: (() => void) | undefined;
  private closed = false;
  greeting = '';

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.listen(socket);
  }

  private listen(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, nl).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<SmtpTestClient> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new SmtpTestClient(socket);
    c.greeting = await c.reply();
    return c;
  }

  /** The next complete reply (its lines joined by `\n`); '' when the server closed the connection first. */
  async reply(): Promise<string> {
    const out: string[] = [];
    for (;;) {
      while (this.lines.length > 0) {
        const line = this.lines.shift()!;
        out.push(line);
        if (/^\d{3}(?: |$)/.test(line)) return out.join('\n');
      }
      if (this.closed) return out.join('\n');
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }

  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** Sends raw bytes without waiting for a reply. */
  write(data: string): void {
    this.socket.write(data);
  }

  /** STARTTLS, then the handshake on the same socket, presenting `cert`/`key` when given. */
  async starttls(options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
    const r = await this.command('STARTTLS');
    if (!r.startsWith('220')) throw new Error(`STARTTLS refused: ${r}`);
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false, ...options });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
    return secure;
  }

  /** QUIT and wait for the server to close. */
  async quit(): Promise<void> {
    if (this.closed) return;
    await this.command('QUIT');
    await this.closedPromise();
  }

  /** Drops the connection without a word. */
  destroy(): void {
    this.socket.destroy();
  }

  closedPromise(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }
}

/** A client certificate and key for `name`, made by the openssl CLI (self-signed, one day). */
export function opensslCertificate(name: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-client-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=DNS:${name}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
