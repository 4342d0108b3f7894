/**
 * `mxlock probe` output: the DESIGN §3.4 JSON (the canonical model), the terminal view of it at 80 columns, and the
 * transcript file (`--transcript`). Pure.
 */
import pc from 'picocolors';
import { inlineSafe, appendAll } from '../common/text.js';
import type { PathStatus } from '../model/types.js';
import { stringifyJson, wrapText } from './text.js';

/** DESIGN §3.4 classification (src/smtp/probe-reply.ts decides it). */
export type ProbeClassification =
  | 'rejected-direct-send'
  | 'rejected-connector'
  | 'rejected-relay'
  | 'rejected-recipient'
  | 'accepted'
  | 'error';

/** What went wrong when the classification is `error`: each has its own explanation and advice (probe-reply.ts). */
export type ProbeProblem =
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'port-blocked'
  | 'tls'
  | 'closed'
  | 'protocol'
  | 'temporary'
  | 'rejected-other';

export interface ProbePrediction {
  /** The simulator's status for this very attempt (DESIGN §5 statuses). */
  status: PathStatus;
  stage: 'rcpt' | 'post-acceptance';
  reply?: string;
  disposition: string;
  /** `agrees`: the endpoint answered as one of the outcomes the configuration allows; `inconclusive`: the probe could not tell. */
  comparison: 'agrees' | 'disagrees' | 'inconclusive';
  explanation: string;
}

export interface ProbeAttempt {
  path: string;
  /** Where the attempt ended: `mail` when MAIL FROM was refused (DESIGN §3.4 lists rcpt, data, connect, tls). */
  stage: 'connect' | 'tls' | 'mail' | 'rcpt' | 'data';
  /** The deciding SMTP reply; null when none came (a timeout, a refused connection). */
  reply: string | null;
  classification: ProbeClassification;
  transcript: string[];
  /** The address connected to, and its family. */
  address: string;
  family: 4 | 6;
  mailFrom: string;
  headerFrom: string;
  rcpt: string;
  /** What the attempt shows about the path: closed (refused in session), open, mitigated (per the configuration), uncertain. */
  status: 'closed' | 'open' | 'mitigated' | 'uncertain';
  /** Whether the path counts towards the exit code (without a gateway only own-domain spoofs do, DESIGN §5). */
  counts: boolean;
  /** What the reply or failure means. */
  explanation: string;
  /** Set for `error`: the kind of failure (timeout, port-blocked, tls, temporary…) and what to do. */
  problem?: { kind: ProbeProblem; advice: string };
  notes: string[];
  tls: boolean;
  dataSent: boolean;
  prediction?: ProbePrediction;
}

export interface ProbeReport {
  schemaVersion: 1;
  /** `host:port` connected to. */
  endpoint: string;
  domain: string;
  /** How the endpoint was chosen. */
  endpointBasis: string;
  attempts: ProbeAttempt[];
  summary: { attempts: number; open: number; uncertain: number; disagreements: number };
  notes: string[];
}

/** DESIGN §3.4 `probe`, deterministic key order. */
export function renderProbeJson(r: ProbeReport): string {
  return stringifyJson(r);
}

/**
 * Exit code: 1 when a counted attempt is open or uncertain, or the endpoint disagrees with the configuration; and when
 * no counted attempt was made at all (every address skipped): no attempt proves nothing closed (DESIGN §1.1).
 */
export function probeExitCode(r: ProbeReport): 0 | 1 {
  if (!r.attempts.some((a) => a.counts)) return 1;
  return r.summary.open > 0 || r.summary.uncertain > 0 || r.summary.disagreements > 0 ? 1 : 0;
}

export function renderProbeTerminal(r: ProbeReport, options: { color: boolean; width?: number }): string {
  const c = pc.createColors(options.color);
  const width = Math.max(60, options.width ?? 80);
  const paint = (status: string, text: string) =>
    status === 'open' || status === 'disagrees'
      ? c.red(c.bold(text))
      : status === 'uncertain' || status === 'inconclusive'
        ? c.yellow(text)
        : c.green(text);
  const out: string[] = [];
  const wrap = (text: string, first: string, rest = `${' '.repeat(first.length)}`) =>
    appendAll(out, wrapText(inlineSafe(text), width, first, rest));
  wrap(`Probe of ${r.domain} at ${r.endpoint} (${r.endpointBasis})`, '');
  out.push('');
  for (const a of r.attempts) {
    const label = `${a.path} over IPv${a.family}`;
    out.push(`${inlineSafe(label)}  ${paint(a.status, a.status.toUpperCase())}  ${a.classification}`);
    wrap(
      `MAIL FROM <${a.mailFrom}>, From: ${a.headerFrom}, RCPT TO <${a.rcpt}>${a.tls ? ', over TLS' : ', WITHOUT TLS'}`,
      '    ',
    );
    const reply = a.reply === null ? 'no reply' : a.reply.split('\n').join(' / ');
    wrap(`at ${a.stage}: ${reply}`, '    ');
    wrap(a.explanation, '    ');
    if (a.problem) wrap(`what to do: ${a.problem.advice}`, '    ');
    if (a.prediction)
      out.push(
        ...wrapText(
          inlineSafe(a.prediction.explanation),
          width,
          `    ${paint(a.prediction.comparison, a.prediction.comparison.toUpperCase())}: `,
          '      ',
        ),
      );
    for (const n of a.notes) wrap(n, '    ! ', '      ');
    if (!a.counts) wrap('not counted: without a gateway, only own-domain spoofs are a bypass', '    ');
    out.push('');
  }
  const s = r.summary;
  wrap(
    `${s.attempts} attempts: ${s.open} open, ${s.uncertain} uncertain, ${s.disagreements} disagreeing with the configuration.`,
    '',
  );
  for (const n of r.notes) wrap(n, '! ', '  ');
  return `${out.join('\n')}\n`;
}

/** The `--transcript` file: each attempt's lines, escaped (a server's text is untrusted). */
export function renderProbeTranscript(r: ProbeReport): string {
  const out: string[] = [`# mxlock probe ${inlineSafe(r.domain)} at ${inlineSafe(r.endpoint)}`];
  for (const a of r.attempts) {
    out.push(
      '',
      `## ${inlineSafe(a.path)} over IPv${a.family} (${inlineSafe(a.address)}): ${a.classification}`,
    );
    for (const l of a.transcript) out.push(inlineSafe(l));
  }
  return `${out.join('\n')}\n`;
}
