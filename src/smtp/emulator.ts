/**
 * `mxlock emulate`: a local SMTP server (smtp-server 3, DESIGN §7) that answers like Exchange Online Protection would
 * for one configuration: each RCPT TO with the simulator's reply at the RCPT stage, the end of DATA with its
 * post-acceptance decision (emulator-decisions.ts). It is the rehearsal peer of `mxlock probe` and of the tests.
 *
 * What a session gives the simulator (eop-model §9 INPUT session):
 * - the client IP: the TCP peer; or, for every session, the `clientIp` option (`--as`), so one machine can rehearse as
 *   the gateway or a printer; or, when `trustXclient` is set, the ADDR of a Postfix XCLIENT command
 *   (http://www.postfix.org/XCLIENT_README.html), so one client can play several senders, one per session. XCLIENT is
 *   the standard way for a trusted proxy to name the real client, smtp-server validates its ADDR, and it is off unless
 *   asked for: without it a client could claim the gateway's address.
 * - STARTTLS with the given certificate, or one made in memory at start (self-signed.ts, never written to disk), and
 *   the client certificate's subject CN and DNS SANs, read even when it chains to no trusted root: EOP matches
 *   TlsSenderCertificateName by name (CON-1), and the emulator has no public CA store to judge by.
 * - EHLO, MAIL FROM, each RCPT TO, and at end of DATA the message's head (From:, Received:, fields).
 * Accepted mail is discarded: nothing is stored or relayed. Every decision is logged as one entry (`log`).
 *
 * Resources are bounded: concurrent connections (421 beyond), message size (552), recipients per message (452),
 * command line length, idle time; the head read for decisions is capped, the rest of a message is drained unread.
 */
import type { TLSSocket } from 'node:tls';
import type {
  SMTPServer,
  SMTPServerAddress,
  SMTPServerDataStream,
  SMTPServerOptions,
  SMTPServerSession,
} from 'smtp-server';
import { configFor } from '../assess.js';
import type { ResolvedGateway } from '../common/gateway.js';
import type { DnsZone } from '../common/zone.js';
import type { Decision } from '../model/types.js';
import { resolveGateway } from '../profile/infer.js';
import type { Profile } from '../profile/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import {
  dataDecision,
  rcptDecision,
  type EmulatorDecision,
  type OutcomeSummary,
  type SessionFacts,
  type UncertainPolicy,
} from './emulator-decisions.js';
import { fromAddress, headerRecord, parseHead, receivedIps } from './message-head.js';
import { selfSignedCertificate } from './self-signed.js';

export interface EmulatorLimits {
  /** Concurrent connections; the next one is answered 421 and closed. */
  maxConnections: number;
  /** Bytes of DATA; a bigger message is answered 552 (its bytes are drained, never kept). */
  maxMessageBytes: number;
  /** Recipients per message; the next RCPT is answered 452 (RFC 5321 §4.5.3.1.10). */
  maxRecipients: number;
  /** Bytes of one command line. */
  maxCommandLength: number;
  /** Idle time before a session is closed with 421. */
  socketTimeoutMs: number;
  /**
   * Longest a session may last, however busy, before it is closed with 421: the idle timeout restarts on every byte,
   * so without it clients trickling a byte at a time could hold every connection slot for good.
   */
  maxSessionMs: number;
  /** After `close()`, how long open sessions may finish before they are closed with 421. */
  closeTimeoutMs: number;
  /** Bytes of a message's head read for the decision at end of DATA. */
  maxHeadBytes: number;
}

/**
 * Defaults: room for 200+ rehearsal sessions at once; 36 MB, Exchange Online's default maximum receive size [D]
 * (Exchange Online limits); 500 recipients, its default per-message recipient limit [D] (same page); lines and timeouts
 * as smtp-server's own defaults, so a session idle for a minute is closed.
 */
export const DEFAULT_LIMITS: EmulatorLimits = {
  maxConnections: 256,
  maxMessageBytes: 36 * 1024 * 1024,
  maxRecipients: 500,
  maxCommandLength: 16 * 1024,
  socketTimeoutMs: 60_000,
  // A rehearsal session lasts seconds; ten minutes leaves room for a 36 MB message over a slow line.
  maxSessionMs: 10 * 60_000,
  closeTimeoutMs: 5_000,
  maxHeadBytes: 256 * 1024,
};

export type ClientIpSource = 'peer' | 'as' | 'xclient';

/** One decision-log entry (a JSON line in the CLI's log). */
export interface EmulatorLogEntry {
  time: string;
  session: string;
  event: 'connect' | 'tls' | 'mail' | 'rcpt' | 'data' | 'close';
  /** The TCP peer, `ip:port`. */
  peer: string;
  /** The address the simulator judged, and where it came from. */
  clientIp: string;
  clientIpFrom: ClientIpSource;
  tls: false | { protocol: string; cipher: string };
  certNames: string[];
  /** Whether the client certificate chains to a root Node trusts (EOP's own check is not emulated). */
  certAuthorized?: boolean;
  ehlo?: string;
  mailFrom?: string;
  rcpt?: string;
  rcpts?: string[];
  /** DATA: bytes received. */
  bytes?: number;
  /** The reply sent, code and text. */
  reply?: string;
  accepted?: boolean;
  uncertain?: boolean;
  uncertainties?: string[];
  /** The eop-model rules behind the reply. */
  rules?: Decision[];
  /** Every outcome the model allows, each with its rules. */
  outcomes?: OutcomeSummary[];
  note?: string;
}

export interface EmulatorOptions {
  snapshot: Snapshot;
  profile?: Profile | undefined;
  /** Default: resolved from the profile and the snapshot, as `assess` does. */
  gateway?: ResolvedGateway | undefined;
  /** Recorded DNS answers for the simulator's SPF/DMARC (default: the snapshot's dns.json). */
  zone?: DnsZone | undefined;
  /** For transport rules with ActivationDate/ExpiryDate. */
  now?: Date | undefined;
  /** Default 127.0.0.1: loopback unless the caller says otherwise. */
  host?: string | undefined;
  /** Default 0: a free port (read it from the result). */
  port?: number | undefined;
  /** PEM certificate and key for STARTTLS; default a self-signed one made in memory for `name`. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  /** The server's name in the greeting and the generated certificate. */
  name?: string | undefined;
  /** Judge every session as coming from this address (`--as`), unless XCLIENT names another. */
  clientIp?: string | undefined;
  /** Honour XCLIENT ADDR= (`--trust-xclient`). */
  trustXclient?: boolean | undefined;
  uncertain?: UncertainPolicy | undefined;
  limits?: Partial<EmulatorLimits> | undefined;
  /** Receives every decision-log entry. */
  log?: ((entry: EmulatorLogEntry) => void) | undefined;
  /** The log's clock; default the system clock. */
  clock?: (() => Date) | undefined;
}

export interface Emulator {
  /** The address it listens on, `host:port` (IPv6 in brackets). */
  address: string;
  host: string;
  port: number;
  /** SMTP sessions open now (greeted and not yet closed): the emulator's own per-session state. */
  sessions(): number;
  /** TCP connections open now, sessions and connections still in their TLS handshake alike. */
  connections(): Promise<number>;
  /** Stops listening; open sessions get `closeTimeoutMs` to finish, then 421. */
  close(): Promise<void>;
}

/** The default server name: a name under `.invalid` (RFC 2606), never one a client could mistake for a real host. */
export const DEFAULT_NAME = 'emulator.mxlock.invalid';

/** What the sweep uses of smtp-server's connection objects (`server.connections`, as its own close() does). */
interface SmtpConnection {
  id: string;
  send(code: number, text: string): void;
  close(): void;
}

interface SessionState {
  /** When the session connected (Date.now(), for maxSessionMs). */
  since: number;
  peer: string;
  tls: EmulatorLogEntry['tls'];
  certNames: string[];
  certAuthorized?: boolean;
  mailFrom?: string;
}

/** Subject CN(s) and DNS SANs of a peer certificate, as `getPeerCertificate` gives them (CON-1). */
export function certificateNames(cert: {
  subject?: Record<string, string | string[] | undefined> | undefined;
  subjectaltname?: string | undefined;
}): string[] {
  const names: string[] = [];
  const cn = cert.subject?.['CN'];
  for (const n of Array.isArray(cn) ? cn : cn !== undefined ? [cn] : []) names.push(n);
  for (const part of (cert.subjectaltname ?? '').split(',')) {
    const m = /^\s*DNS:(.+?)\s*$/.exec(part);
    if (m) names.push(m[1]!);
  }
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

function smtpError(reply: { code: number; text: string }): Error & { responseCode: number } {
  return Object.assign(new Error(reply.text), { responseCode: reply.code });
}

/** Starts the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const { SMTPServer: Server } = await import('smtp-server');
  const limits: EmulatorLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const gateway = options.gateway ?? resolveGateway(options.profile, options.snapshot);
  const cfg = configFor(options.snapshot, gateway, {
    ...(options.zone ? { zone: options.zone } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const name = options.name ?? DEFAULT_NAME;
  const tls = options.tls ?? selfSignedCertificate([name]);
  const clock = options.clock ?? (() => new Date());
  const policy = options.uncertain ?? 'accept';
  const emit = options.log ?? (() => undefined);
  const states = new Map<string, SessionState>();

  const clientOf = (session: SMTPServerSession): { ip: string; from: ClientIpSource } => {
    if (session.xClient.has('ADDR')) return { ip: session.remoteAddress, from: 'xclient' };
    if (options.clientIp !== undefined) return { ip: options.clientIp, from: 'as' };
    return { ip: session.remoteAddress, from: 'peer' };
  };

  /** The session's state, kept from onConnect to onClose; a hook that runs outside that span gets a fresh one (never kept). */
  const stateOf = (session: SMTPServerSession): SessionState =>
    states.get(session.id) ?? {
      since: Date.now(),
      peer: `${session.remoteAddress}:${session.remotePort}`,
      tls: false,
      certNames: [],
    };

  const entry = (
    session: SMTPServerSession,
    event: EmulatorLogEntry['event'],
    extra: Partial<EmulatorLogEntry> = {},
  ): EmulatorLogEntry => {
    const s = stateOf(session);
    const client = clientOf(session);
    const e: EmulatorLogEntry = {
      time: clock().toISOString(),
      session: session.id,
      event,
      peer: s.peer,
      clientIp: client.ip,
      clientIpFrom: client.from,
      tls: s.tls,
      certNames: s.certNames,
    };
    if (s.certAuthorized !== undefined) e.certAuthorized = s.certAuthorized;
    if (session.hostNameAppearsAs) e.ehlo = session.hostNameAppearsAs;
    if (s.mailFrom !== undefined) e.mailFrom = s.mailFrom;
    return Object.assign(e, extra);
  };

  const decided = (d: EmulatorDecision): Partial<EmulatorLogEntry> => ({
    reply: `${d.reply.code} ${d.reply.text}`,
    accepted: d.accepted,
    uncertain: d.uncertain,
    uncertainties: d.uncertainties,
    rules: d.rules,
    outcomes: d.outcomes,
  });

  const facts = (session: SMTPServerSession): SessionFacts => {
    const s = stateOf(session);
    return {
      clientIp: clientOf(session).ip,
      tls: s.tls !== false,
      certNames: s.tls !== false ? s.certNames : [],
      mailFrom: s.mailFrom ?? '',
    };
  };

  const serverOptions: SMTPServerOptions = {
    name,
    banner: 'mxlock emulate: Exchange Online Protection as simulated; no mail is delivered',
    key: tls.key,
    cert: tls.cert,
    // Ask for a client certificate, and take any: its names are what EOP matches (CON-1).
    requestCert: true,
    rejectUnauthorized: false,
    // The MX endpoint takes no SMTP AUTH (client submission is smtp.office365.com, DS-3).
    disabledCommands: ['AUTH'],
    disableReverseLookup: true,
    logger: false,
    maxClients: limits.maxConnections,
    size: limits.maxMessageBytes,
    rejectOversized: true,
    maxRecipients: limits.maxRecipients,
    maxCommandLength: limits.maxCommandLength,
    socketTimeout: limits.socketTimeoutMs,
    closeTimeout: limits.closeTimeoutMs,
    useXClient: options.trustXclient === true,
    onConnect(session, callback) {
      states.set(session.id, stateOf(session));
      emit(entry(session, 'connect'));
      callback();
    },
    onSecure(socket, session, callback) {
      const s = stateOf(session);
      const t = socket as TLSSocket;
      const cipher = t.getCipher();
      s.tls = { protocol: t.getProtocol() ?? 'unknown', cipher: cipher.name };
      const cert = t.getPeerCertificate();
      s.certNames = cert && Object.keys(cert).length > 0 ? certificateNames(cert) : [];
      if (s.certNames.length > 0) s.certAuthorized = t.authorized;
      emit(entry(session, 'tls'));
      callback();
    },
    onMailFrom(address: SMTPServerAddress, session, callback) {
      // No tenant-specific decision at MAIL FROM: the tenant is not known before RCPT (eop-model §1.1 S2).
      stateOf(session).mailFrom = address.address;
      emit(entry(session, 'mail', { reply: '250 Accepted' }));
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session, callback) {
      const d = rcptDecision(cfg, facts(session), address.address, policy);
      emit(entry(session, 'rcpt', { rcpt: address.address, ...decided(d) }));
      callback(d.accepted ? null : smtpError(d.reply));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const rcpts = session.envelope.rcptTo.map((r) => r.address);
      const head: Buffer[] = [];
      let headBytes = 0;
      let blankLine = false;
      let tail = Buffer.alloc(0);
      stream.on('data', (chunk: Buffer) => {
        if (blankLine || headBytes >= limits.maxHeadBytes) return;
        const part = chunk.subarray(0, limits.maxHeadBytes - headBytes);
        // A copy: the head must not pin a large chunk of the stream (DESIGN §8).
        head.push(Buffer.from(part));
        headBytes += part.length;
        // The empty line that ends the head may straddle two chunks: look at the last two bytes of the one before too.
        const window = Buffer.concat([tail, part]);
        blankLine = window.includes('\n\r\n') || window.includes('\n\n');
        tail = Buffer.from(window.subarray(Math.max(0, window.length - 2)));
      });
      // The client went away mid-message: nothing to decide, the close entry records it.
      stream.on('error', () => undefined);
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          // smtp-server answers 552 itself (rejectOversized).
          emit(
            entry(session, 'data', {
              rcpts,
              bytes: stream.byteLength,
              reply: `552 Error: message exceeds fixed maximum message size ${limits.maxMessageBytes}`,
              accepted: false,
            }),
          );
          return callback();
        }
        const fields = parseHead(Buffer.concat(head).toString('utf8'));
        const d = dataDecision(cfg, facts(session), rcpts, {
          from: fromAddress(fields),
          receivedIps: receivedIps(fields),
          headers: headerRecord(fields),
        });
        const note =
          blankLine || headBytes < limits.maxHeadBytes
            ? undefined
            : `the head is longer than ${limits.maxHeadBytes} bytes: only that much was read`;
        emit(
          entry(session, 'data', {
            rcpts,
            bytes: stream.byteLength,
            ...decided(d),
            ...(note ? { note } : {}),
          }),
        );
        if (d.accepted) callback(null, d.reply.text);
        else callback(smtpError(d.reply));
      });
    },
    onClose(session) {
      if (!states.has(session.id)) return;
      emit(entry(session, 'close'));
      states.delete(session.id);
    },
  };
  const server: SMTPServer = new Server(serverOptions);
  // A failing socket is the client's problem, never the emulator's end: record it and go on.
  server.on('error', () => undefined);
  // Sessions past maxSessionMs are closed the way smtp-server closes them when it shuts down (421, then close).
  const sweep = setInterval(
    () => {
      const oldest = Date.now() - limits.maxSessionMs;
      for (const c of server.connections as Set<SmtpConnection>) {
        const since = states.get(c.id)?.since;
        if (since !== undefined && since <= oldest) {
          c.send(421, `${name} session lasted longer than ${limits.maxSessionMs} ms, closing`);
          c.close();
        }
      }
    },
    Math.max(50, Math.min(5_000, Math.floor(limits.maxSessionMs / 4))),
  );
  sweep.unref();
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const bound = server.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : (options.port ?? 0);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    address,
    host,
    port,
    sessions: () => states.size,
    connections: () =>
      new Promise((resolve, reject) =>
        server.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
      ),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        clearInterval(sweep);
        server.close(() => resolve());
      })),
  };
}
