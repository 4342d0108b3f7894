/**
 * What an SMTP reply from Exchange Online means for a probed path (DESIGN §3.4 `probe.attempts[].classification`).
 * Pure; the one reading of reply codes, used for the live reply and for the simulator's predicted reply alike, so the
 * two are compared in the same terms.
 */

import { REPLY_5_7_51, REPLY_5_7_64, REPLY_5_7_68 } from '../model/rcpt.js';
import type { ProbeClassification, ProbeProblem } from '../report/probe.js';

export type { ProbeClassification, ProbeProblem };

export interface ReplyMeaning {
  classification: ProbeClassification;
  /** Set for `error`. */
  problem?: ProbeProblem;
  /** One sentence a person reads: what the reply says about the path. */
  meaning: string;
}

/** `x.y.z` enhanced status code (RFC 3463 §2) at the start of a reply's text. */
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})\b/;

/** The three-digit code and the enhanced status code (when present) of a reply's first line (`550 5.7.68 …`). */
export function replyCodes(reply: string): { code: number; enhanced?: string } | undefined {
  const m = /^([2-5]\d\d)(?:[ -](.*))?$/s.exec(reply.trim());
  if (!m) return undefined;
  const e = ENHANCED.exec(m[2] ?? '');
  const code = Number(m[1]);
  return e ? { code, enhanced: `${e[1]}.${e[2]}.${e[3]}` } : { code };
}

/**
 * The enhanced codes of the simulator's own refusals (model/rcpt.ts): the probe reads a live reply by the very codes
 * the simulator predicts, so the two cannot drift apart.
 */
function enhancedOf(reply: string): string {
  const e = replyCodes(reply)?.enhanced;
  // Never undefined: `case undefined` would read every reply without an enhanced code as this refusal.
  if (e === undefined)
    throw new Error(`internal: the simulator's reply "${reply}" has no enhanced status code`);
  return e;
}
const DIRECT_SEND = enhancedOf(REPLY_5_7_68);
const CONNECTOR = enhancedOf(REPLY_5_7_51);
const RELAY = enhancedOf(REPLY_5_7_64);

/**
 * The meaning of a reply to RCPT TO (or, with --send, to the end of DATA). EOP's in-session refusals (eop-model §1.2):
 * 5.7.68 RejectDirectSend (DS-2 [D]), 5.7.51 Partner-connector restriction (CON-5 [D]), 5.7.64 relay denied (CON-7
 * [D]) and 5.7.54 (unable to relay for a recipient domain not accepted), 5.4.1 DBEB / 5.1.x unknown recipient (§9);
 * any 4xx is temporary (greylisting, throttling, 4.7.25/4.7.26 for anonymous IPv6 without PTR/SPF, §13).
 */
export function classifyReply(reply: string): ReplyMeaning {
  const c = replyCodes(reply);
  if (!c)
    return { classification: 'error', problem: 'protocol', meaning: 'not an SMTP reply (no 3-digit code)' };
  // 3xx is an intermediate reply (354 to DATA, 334 to AUTH): never an answer to MAIL, RCPT or the end of DATA.
  if (c.code >= 300 && c.code < 400)
    return {
      classification: 'error',
      problem: 'protocol',
      meaning: `a ${c.code} intermediate reply where SMTP expects a final one: not an answer about the path`,
    };
  if (c.code >= 200 && c.code < 300)
    return {
      classification: 'accepted',
      meaning:
        'accepted: the path is open at the SMTP stage; a transport rule or anti-spoofing may still act after DATA',
    };
  if (c.code >= 400 && c.code < 500)
    return {
      classification: 'error',
      problem: 'temporary',
      meaning:
        c.enhanced === '4.7.25' || c.enhanced === '4.7.26'
          ? 'deferred: Exchange Online wants a PTR record and SPF or DKIM from anonymous IPv6 senders (eop-model §13 [D]); this says nothing about the tenant’s lock-down'
          : 'deferred (4xx): greylisting or throttling; the path is neither shown open nor closed — probe again later',
    };
  switch (c.enhanced) {
    case DIRECT_SEND:
      return {
        classification: 'rejected-direct-send',
        meaning:
          'refused by RejectDirectSend (eop-model DS-2 [D]): Direct Send with an own-domain MAIL FROM is closed',
      };
    case CONNECTOR:
      return {
        classification: 'rejected-connector',
        meaning:
          'refused by a Partner connector that restricts by IP or certificate (eop-model CON-5 [D]): the lock-down holds',
      };
    case RELAY:
    case '5.7.54':
      return {
        classification: 'rejected-relay',
        meaning:
          'relay refused (eop-model CON-7 [D]): the recipient domain is not an accepted domain of this tenant',
      };
  }
  if (c.enhanced === '5.4.1' || c.enhanced?.startsWith('5.1.'))
    return {
      classification: 'rejected-recipient',
      meaning:
        'the recipient was refused (no such mailbox, Directory-Based Edge Blocking): this says nothing about the path; name a real mailbox with --rcpt',
    };
  if (c.enhanced === '5.2.1')
    return {
      classification: 'error',
      problem: 'rejected-other',
      meaning:
        'refused: the domain does not accept mail over IPv6 (Disable-IPv6ForAcceptedDomain, eop-model §13 [D])',
    };
  return {
    classification: 'error',
    problem: 'rejected-other',
    meaning:
      'refused for a reason that is not one of the tenant’s path controls (e.g. 5.7.606–649: this machine’s IP is on Microsoft’s block list; 5.7.513: the tenant’s IP Block List): the path is neither shown open nor closed',
  };
}

/** What to do about each kind of failure: the probe then shows neither an open nor a closed path. */
export function problemAdvice(problem: ProbeProblem, port: number): string {
  switch (problem) {
    case 'port-blocked':
      return `outbound TCP port ${port} looks blocked by this network: most home ISPs and cloud providers (AWS, Azure, Google Cloud by default) block port 25. Run the probe from a host allowed to send on port 25 (a mail server, a VM whose provider has lifted the block), or ask the network's administrator`;
    case 'timeout':
      return 'the server did not answer in time: probe again, or raise --timeout (milliseconds)';
    case 'refused':
      return port === 25
        ? 'the connection was refused: Exchange Online always listens on 25, so a firewall on the way (or --host/--port) is the likely cause; probe from another network or check the endpoint'
        : 'the connection was refused: check --host and --port';
    case 'unreachable':
      return 'this machine has no route to that address (for IPv6: no IPv6 connectivity here); probe from a network that has one';
    case 'tls':
      return 'STARTTLS or the TLS handshake failed: a proxy intercepting TLS, or a lab server with its own certificate (give --ca-file with its CA, or --insecure-tls for a lab server only; Exchange Online has a valid certificate)';
    case 'closed':
      return 'the server closed the connection before the attempt was decided: probe again later; repeated closes may mean this address is throttled';
    case 'protocol':
      return 'the server did not speak SMTP within the limits mxlock reads (reply line length, lines per reply, octets per session): this is not Exchange Online, or something on the way interferes';
    case 'temporary':
      return 'a temporary refusal (greylisting, throttling): probe again in a few minutes';
    case 'rejected-other':
      return 'read the reply: it refuses the attempt for a reason outside the tenant’s path controls, so it shows neither an open nor a closed path';
  }
}
