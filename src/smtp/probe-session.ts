/**
 * One probe attempt over raw `node:net` / `node:tls` (DESIGN §7: envelope-only probing needs control over DATA, which
 * SMTP client libraries take away): banner, EHLO, STARTTLS, EHLO, MAIL FROM, RCPT TO, then RSET and QUIT — DATA only
 * when the caller hands a message (`--send`). Every read is bounded (line length, lines per reply, octets per session)
 * and every wait has a deadline, so a server that never answers, drips or floods ends the attempt within the timeout.
 * The transcript records each line (`C:` sent, `S:` received, `I:` what happened on the connection).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ProbeProblem } from './probe-reply.js';
import { addressLiteral } from './probe-input.js';

/**
 * RFC 5321 §4.5.3.1.5 limits a reply line to 512 octets; Exchange stays well inside it. A server gets twice that
 * before the attempt stops, so a long but honest banner still reads.
 */
export const MAX_REPLY_LINE_OCTETS = 1024;
/** Lines of one reply (an EHLO reply lists one extension per line; Exchange sends about a dozen). */
export const MAX_REPLY_LINES = 64;
/** Everything one attempt may receive before it stops. */
export const MAX_SESSION_OCTETS = 64 * 1024;

export type ProbeStage = 'connect' | 'tls' | 'mail' | 'rcpt' | 'data';

export interface SessionOptions {
  /** IP address to connect to. */
  address: string;
  port: number;
  /** The endpoint's host name: the TLS server name (SNI) and the name its certificate must carry; none for an IP. */
  servername?: string | undefined;
  /** Accept any server certificate (a lab server with a self-signed one), or trust these CA certificates (PEM). */
  tls: { insecure: boolean; ca?: string | undefined };
  /** Deadline of the TCP connection, of the TLS handshake and of each reply, in milliseconds. */
  timeoutMs: number;
  /** EHLO argument; default the address literal of the local address (RFC 5321 §4.1.4). */
  ehlo?: string | undefined;
  /** P1 sender, '' for the null reverse path. Validated by the caller (probe-input.ts). */
  mailFrom: string;
  rcpt: string;
  /** `--send`: the message sent after an accepted RCPT (headers, blank line, body). Never sent otherwise. */
  message?: string | undefined;
}

export interface SessionResult {
  /** The SMTP step the attempt ended at: where the deciding reply came, or where it failed. */
  stage: ProbeStage;
  /** The deciding reply (its lines joined by a line feed), when a reply came. */
  reply?: string;
  failure?: { problem: ProbeProblem; message: string };
  transcript: string[];
  /** Whether the connection was encrypted before MAIL FROM. */
  tls: boolean;
  /** Whether DATA was sent (only with a message). */
  dataSent: boolean;
}

class ProbeFailure extends Error {
  constructor(
    readonly problem: ProbeProblem,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  code: number;
  lines: string[];
}

/** Reads replies off a stream within the limits; the stream is swapped for its TLS wrapper after STARTTLS. */
class Wire {
  private buffered: Buffer = Buffer.alloc(0);
  private received = 0;
  private ended: string | undefined;
  private wake: (() => void) | undefined;
  private stream: Socket | TLSSocket;
  private readonly onData = (chunk: Buffer) => {
    this.received += chunk.length;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.ended ??= 'the server closed the connection';
    this.wake?.();
  };
  private readonly onError = (err: Error) => {
    this.ended ??= `connection error: ${err.message}`;
    this.wake?.();
  };

  constructor(
    stream: Socket | TLSSocket,
    private readonly transcript: string[],
  ) {
    this.stream = stream;
    this.attach();
  }

  private attach(): void {
    this.stream.on('data', this.onData);
    this.stream.on('end', this.onEnd);
    this.stream.on('close', this.onEnd);
    this.stream.on('error', this.onError);
  }

  /** Stops reading the plain socket (the TLS layer takes it over); anything still buffered is returned. */
  detach(): Buffer {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    // An error listener stays: an unhandled 'error' would crash the process.
    const rest = this.buffered;
    this.buffered = Buffer.alloc(0);
    return rest;
  }

  use(stream: TLSSocket): void {
    this.stream = stream;
    this.ended = undefined;
    this.attach();
  }

  write(line: string): void {
    // Every value was validated before; this is the last guard against a command split into two (issue 11).
    if (/[\r\n]/.test(line)) throw new Error('internal: a command holds a line break');
    this.transcript.push(`C: ${line}`);
    this.stream.write(`${line}\r\n`);
  }

  writeRaw(data: string): void {
    this.stream.write(data);
  }

  /** One complete reply, or a ProbeFailure: timeout, closed, or a reply beyond the limits or not SMTP. */
  async reply(timeoutMs: number): Promise<Reply> {
    const lines: string[] = [];
    let code: number | undefined;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.buffered.indexOf(0x0a);
      if (nl < 0 && this.buffered.length > MAX_REPLY_LINE_OCTETS)
        throw new ProbeFailure('protocol', `a reply line longer than ${MAX_REPLY_LINE_OCTETS} octets`);
      if (this.received > MAX_SESSION_OCTETS)
        throw new ProbeFailure('protocol', `the server sent more than ${MAX_SESSION_OCTETS} octets`);
      if (nl >= 0) {
        if (nl > MAX_REPLY_LINE_OCTETS)
          throw new ProbeFailure('protocol', `a reply line longer than ${MAX_REPLY_LINE_OCTETS} octets`);
        const raw = this.buffered.subarray(0, nl).toString('utf8').replace(/\r$/, '');
        this.buffered = this.buffered.subarray(nl + 1);
        this.transcript.push(`S: ${raw}`);
        const m = /^([2-5]\d\d)([ -]|$)/.exec(raw);
        if (!m) throw new ProbeFailure('protocol', 'the server sent a line that is not an SMTP reply');
        const c = Number(m[1]);
        if (code !== undefined && c !== code)
          throw new ProbeFailure('protocol', 'the lines of one reply carry different codes');
        code = c;
        lines.push(raw);
        if (m[2] !== '-') return { code, lines };
        if (lines.length >= MAX_REPLY_LINES)
          throw new ProbeFailure('protocol', `a reply of more than ${MAX_REPLY_LINES} lines`);
        continue;
      }
      if (this.ended !== undefined) throw new ProbeFailure('closed', this.ended);
      const left = deadline - Date.now();
      if (left <= 0) throw new ProbeFailure('timeout', `no complete reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

function connectProblem(code: unknown, port: number): ProbeProblem {
  if (code === 'ECONNREFUSED') return 'refused';
  if (
    code === 'ENETUNREACH' ||
    code === 'EHOSTUNREACH' ||
    code === 'EADDRNOTAVAIL' ||
    code === 'EAFNOSUPPORT'
  )
    return 'unreachable';
  if (code === 'ETIMEDOUT') return port === 25 ? 'port-blocked' : 'timeout';
  return 'closed';
}

function openSocket(o: SessionOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: o.address, port: o.port });
    const timer = setTimeout(() => {
      socket.destroy();
      // Exchange Online always listens on 25: no answer at all is most often this network blocking port 25.
      reject(
        new ProbeFailure(
          o.port === 25 ? 'port-blocked' : 'timeout',
          `no TCP connection to ${o.address} port ${o.port} within ${o.timeoutMs} ms`,
        ),
      );
    }, o.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: Error & { code?: unknown }) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ProbeFailure(connectProblem(err.code, o.port), `cannot connect: ${err.message}`));
    });
  });
}

function startTls(socket: Socket, o: SessionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      // SNI carries host names only (RFC 6066 §3); an IP endpoint is checked against the certificate's IP entries.
      ...(o.servername ? { servername: o.servername } : { host: o.address }),
      rejectUnauthorized: !o.tls.insecure,
      ...(o.tls.ca !== undefined ? { ca: o.tls.ca } : {}),
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new ProbeFailure('tls', `no TLS handshake within ${o.timeoutMs} ms`));
    }, o.timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      resolve(secure);
    });
    secure.once('error', (err: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(new ProbeFailure('tls', `TLS handshake failed: ${err.message}`));
    });
  });
}

function describeTls(s: TLSSocket, insecure: boolean): string {
  const cert = s.getPeerCertificate();
  const subject = typeof cert.subject?.CN === 'string' ? cert.subject.CN : 'no subject name';
  const check = s.authorized
    ? 'certificate verified'
    : insecure
      ? `certificate NOT verified (--insecure-tls): ${String(s.authorizationError ?? 'unknown reason')}`
      : 'certificate not verified';
  return `I: TLS ${s.getProtocol() ?? '?'} ${s.getCipher().name}, server certificate ${subject}, ${check}`;
}

/** The message as DATA carries it (RFC 5321 §4.5.2): CRLF line ends, a leading dot doubled, ended by `.`. */
function dataBody(message: string): { wire: string; lines: string[] } {
  const lines = message.replace(/\r?\n$/, '').split(/\r?\n/);
  const stuffed = lines.map((l) => (l.startsWith('.') ? `.${l}` : l));
  return { wire: `${stuffed.join('\r\n')}\r\n.\r\n`, lines: [...stuffed, '.'] };
}

/** Runs one attempt; never throws for anything the server or the network does. */
export async function probeSession(o: SessionOptions): Promise<SessionResult> {
  const transcript: string[] = [];
  let stage: ProbeStage = 'connect';
  let tls = false;
  let dataSent = false;
  let socket: Socket | undefined;
  let secure: TLSSocket | undefined;
  const end = (reply: Reply | undefined, at: ProbeStage = stage): SessionResult => ({
    stage: at,
    ...(reply ? { reply: reply.lines.join('\n') } : {}),
    transcript,
    tls,
    dataSent,
  });
  try {
    transcript.push(`I: connecting to ${o.address} port ${o.port}`);
    socket = await openSocket(o);
    const wire = new Wire(socket, transcript);
    const ehlo = o.ehlo ?? addressLiteral(socket.localAddress ?? '0.0.0.0');
    const step = async (line: string): Promise<Reply> => {
      wire.write(line);
      return wire.reply(o.timeoutMs);
    };
    const banner = await wire.reply(o.timeoutMs);
    if (banner.code !== 220) return end(banner);
    let caps = await step(`EHLO ${ehlo}`);
    if (caps.code !== 250) return end(caps);
    if (caps.lines.some((l) => /^250[ -]STARTTLS\b/i.test(l))) {
      stage = 'tls';
      const ready = await step('STARTTLS');
      if (ready.code !== 220) return end(ready);
      const early = wire.detach();
      // Bytes after the 220 and before the handshake would be read as if they came over TLS (CVE-2011-0411).
      if (early.length > 0)
        throw new ProbeFailure('protocol', 'the server sent data after its STARTTLS reply, before TLS');
      secure = await startTls(socket, o);
      tls = true;
      transcript.push(describeTls(secure, o.tls.insecure));
      wire.use(secure);
      caps = await step(`EHLO ${ehlo}`);
      if (caps.code !== 250) return end(caps);
    } else {
      transcript.push('I: the server offered no STARTTLS: the attempt continues without TLS');
      stage = 'connect';
    }
    stage = 'mail';
    const mail = await step(`MAIL FROM:<${o.mailFrom}>`);
    if (mail.code !== 250) return end(mail);
    stage = 'rcpt';
    const rcpt = await step(`RCPT TO:<${o.rcpt}>`);
    let decided: Reply = rcpt;
    if ((rcpt.code === 250 || rcpt.code === 251) && o.message !== undefined) {
      stage = 'data';
      const go = await step('DATA');
      dataSent = true;
      if (go.code !== 354) decided = go;
      else {
        const body = dataBody(o.message);
        for (const l of body.lines) transcript.push(`C: ${l}`);
        wire.writeRaw(body.wire);
        decided = await wire.reply(o.timeoutMs);
      }
    }
    // Leave politely; a server that has had enough may already be gone.
    try {
      await step('RSET');
      await step('QUIT');
    } catch (e) {
      if (!(e instanceof ProbeFailure)) throw e;
      transcript.push(`I: ${e.message} (after the attempt: no effect on its result)`);
    }
    return end(decided);
  } catch (e) {
    if (!(e instanceof ProbeFailure)) throw e;
    transcript.push(`I: ${e.message}`);
    return { ...end(undefined), failure: { problem: e.problem, message: e.message } };
  } finally {
    secure?.destroy();
    socket?.destroy();
  }
}
