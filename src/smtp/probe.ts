/**
 * `mxlock probe` (issue 11 item 1): the standard attack attempts of DESIGN §5 sent to the tenant's Exchange Online
 * endpoint over real SMTP, each reply classified (DESIGN §3.4), and, with an export, compared with what the simulator
 * predicts for the same attempt. Safe by default: every attempt stops after RCPT TO (RSET, QUIT); only `--send` sends
 * one clearly marked message, to the one recipient named.
 */
import { randomUUID } from 'node:crypto';
import { isValidIp } from '../common/ip.js';
import type { ResolvedGateway } from '../common/gateway.js';
import { analyseMx, type MxAnalysis } from '../dns/mx.js';
import { describeResult, query, type ResolveFn } from '../dns/resolver.js';
import { ConfigError } from '../errors.js';
import type { ExportTenantOptions } from './export-tenant.js';
import { attackPaths, OWN_DOMAIN_SPOOF_PATHS, type PathResult, type StandardPath } from '../model/paths.js';
import type { Attempt } from '../model/types.js';
import type { ProbeAttempt, ProbePrediction, ProbeReport } from '../report/probe.js';
import { inlineSafe } from '../common/text.js';
import { addressProblem, ehloProblem, hostNameProblem, hostProblem } from './probe-input.js';
import { classifyReply, problemAdvice, replyCodes } from './probe-reply.js';
import { probeSession, type SessionResult } from './probe-session.js';

/** RFC 5321 §4.5.3.2 allows a server minutes; a probe waits this long per step unless told otherwise. */
export const DEFAULT_PROBE_TIMEOUT_MS = 20_000;
export const SMTP_PORT = 25;

/** Stands for this machine's address in the attempt definitions when no configuration is given (nothing matches it). */
const THIS_MACHINE = '192.0.2.1';

/** What the probe compares with: the export's standard attack paths and the simulator's prediction of an attempt. */
export interface ProbeConfiguration {
  /** The attack paths as the simulator defines them for this configuration (`standardPathsFor`). */
  attackPaths: StandardPath[];
  acceptedDomains: readonly string[];
  initialDomain: string | undefined;
  gatewaySource: ResolvedGateway['source'];
  /** The simulator's result for each of these attempts (`simulateAttempts` on the export). */
  predict: (paths: StandardPath[]) => PathResult[];
  /** Which state is predicted: "the export", "the export after the plan". */
  label: string;
}

export interface ProbeOptions {
  domain: string;
  host?: string | undefined;
  port?: number | undefined;
  /** The tenant's `*.onmicrosoft.com` domain (`--tenant`); default the export's initial domain. */
  tenant?: string | undefined;
  /** The recipient of the attempts, at `domain` (`--rcpt`); default the attempt definitions' recipient. */
  rcpt?: string | undefined;
  /** `--send`: one test message to this recipient (at `domain`), on the first attempt its RCPT accepts. */
  send?: string | undefined;
  timeoutMs?: number | undefined;
  ehlo?: string | undefined;
  tls?: { insecure: boolean; ca?: string | undefined };
  resolve: ResolveFn;
  configuration?: ProbeConfiguration | undefined;
  now?: Date;
  log?: (line: string) => void;
}

export interface Endpoint {
  host: string;
  port: number;
  basis: string;
  /** The addresses tried: the first IPv4 and the first IPv6 address of the host. */
  addresses: { address: string; family: 4 | 6 }[];
  notes: string[];
  /** The domain's MX analysis when it was looked up (not with --host). */
  mx?: MxAnalysis;
}

function usage(message: string): ConfigError {
  return new ConfigError(message);
}

function checked(what: string, value: string, problem: string | undefined): void {
  if (problem !== undefined) throw usage(`${what} "${inlineSafe(value)}": ${problem}`);
}

/** The Exchange Online hosts of an MX answer, best preference first. */
function eopHosts(mx: MxAnalysis): string[] {
  return mx.hosts.filter((h) => h.class.kind === 'eop').map((h) => h.exchange);
}

function mxSummary(mx: MxAnalysis): string {
  if (mx.state !== 'ok')
    return mx.state === 'dns-failure' ? `DNS failure ${mx.failure ?? ''}`.trim() : mx.state;
  return mx.hosts.map((h) => h.exchange).join(', ');
}

/**
 * The endpoint (issue 11): `--host` when given; else the domain's MX when it is Exchange Online's
 * (`*.mail.protection.outlook.com`, `*.mx.microsoft`, vendors.ts `classifyMx`); else the MX of the tenant's
 * `*.onmicrosoft.com` domain, which is always Exchange Online's. Never a name built from the domain: new domains get
 * `*.mx.microsoft` hosts whose names cannot be guessed (eop-model §13 [D]).
 */
export async function resolveEndpoint(
  resolve: ResolveFn,
  o: { domain: string; host?: string | undefined; port?: number | undefined; tenant?: string | undefined },
): Promise<Endpoint> {
  const port = o.port ?? SMTP_PORT;
  const notes: string[] = [];
  let host: string;
  let basis: string;
  let mx: MxAnalysis | undefined;
  if (o.host !== undefined) {
    host = o.host.replace(/\.$/, '');
    basis = '--host';
  } else {
    mx = await analyseMx(resolve, o.domain);
    if (mx.state === 'dns-failure')
      throw usage(
        `cannot look up the MX of ${o.domain} (${mx.failure ?? 'DNS failure'}): try again, use --dns-server, or name the endpoint with --host`,
      );
    const own = eopHosts(mx);
    if (own.length > 0) {
      host = own[0]!;
      basis = `MX of ${o.domain}, Exchange Online`;
      if (mx.mixed)
        notes.push(
          `the MX of ${o.domain} mixes Exchange Online and other hosts (${mxSummary(mx)}): mail can reach Exchange Online without the gateway by design`,
        );
    } else if (o.tenant !== undefined) {
      const t = await analyseMx(resolve, o.tenant);
      const tenantHosts = eopHosts(t);
      if (tenantHosts.length === 0)
        throw usage(
          `the MX of ${o.tenant} is not Exchange Online's (${mxSummary(t)}): check --tenant, or name the endpoint with --host`,
        );
      host = tenantHosts[0]!;
      basis = `MX of ${o.tenant} (the MX of ${o.domain} is ${mx.state === 'ok' ? mxSummary(mx) : mx.state}, not Exchange Online)`;
    } else {
      throw usage(
        `the MX of ${o.domain} is not Exchange Online (${mxSummary(mx)}), so the endpoint is the tenant's: give --tenant <name>.onmicrosoft.com or --export <dir>, or name it with --host`,
      );
    }
    // An MX answer is DNS data: it is checked like a name typed on the command line before it is used.
    checked('the MX host', host, hostNameProblem(host));
  }
  const addresses: Endpoint['addresses'] = [];
  if (isValidIp(host)) addresses.push({ address: host, family: host.includes(':') ? 6 : 4 });
  else {
    const [a, aaaa] = await Promise.all([query(resolve, host, 'A'), query(resolve, host, 'AAAA')]);
    if (a.kind === 'answer') addresses.push({ address: a.records[0]!, family: 4 });
    else notes.push(`no IPv4 address for ${host}: ${describeResult(a)}`);
    if (aaaa.kind === 'answer') addresses.push({ address: aaaa.records[0]!, family: 6 });
    else if (aaaa.kind !== 'nodata' && aaaa.kind !== 'nxdomain')
      notes.push(`IPv6 address of ${host} unknown: ${describeResult(aaaa)}`);
    if (addresses.length === 0)
      throw usage(
        `${host} has no address to connect to (${describeResult(a)}): check the name or use --host`,
      );
  }
  return { host, port, basis, addresses, notes, ...(mx ? { mx } : {}) };
}

function localPart(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}

function domainPart(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The attempt a path makes for the probed domain: the one whose domain it is, else its first (the initial domain's). */
function attemptFor(p: StandardPath, domain: string): Attempt {
  const all = [p.attempt, ...(p.variants ?? [])];
  const i = p.domains?.indexOf(domain) ?? -1;
  return (i >= 0 ? all[i] : undefined) ?? p.attempt;
}

/** The attempt with the recipient the user named: the same local part at the attempt's own recipient domain. */
function withRecipient(a: Attempt, local: string | undefined): Attempt {
  if (local === undefined) return a;
  return { ...a, rcpts: a.rcpts.map((r) => `${local}@${domainPart(r)}`) };
}

/** RFC 5322 §3.3 date, in UTC. */
function mailDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

/** The `--send` message: every line says what it is, so a recipient or an administrator recognises it. */
function testMessage(path: string, a: Attempt, rcpt: string, now: Date): string {
  return [
    `From: <${a.headerFrom}>`,
    `To: <${rcpt}>`,
    `Subject: mxlock probe test message (${path}) - safe to delete`,
    `Date: ${mailDate(now)}`,
    `Message-ID: <${randomUUID()}@mxlock-probe.invalid>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    `X-Mxlock-Probe: ${path}`,
    '',
    'This is a test message sent by mxlock probe, a tool that checks whether mail can',
    "reach this mailbox without passing through the organisation's mail gateway.",
    `It was sent as the attack path ${path}: the sender and From: are test values.`,
    'If it reached your Inbox or Junk folder, that path is open. It is safe to delete.',
    '',
  ].join('\n');
}

/** A reply by its codes (`550 5.7.51`): the full text is in the JSON. */
function shortReply(reply: string | undefined): string {
  const c = reply === undefined ? undefined : replyCodes(reply);
  return c ? `${c.code}${c.enhanced ? ` ${c.enhanced}` : ''}` : (reply ?? 'no reply');
}

/** The prediction of an attempt and how the endpoint's answer compares with it. */
function compare(p: PathResult, observed: ProbeAttempt, label: string): ProbePrediction {
  const outs = p.result.outcomes;
  const canRefuse = outs.filter((o) => o.stage === 'rcpt');
  const canAccept = outs.filter((o) => o.stage === 'post-acceptance');
  const base = {
    status: p.status,
    stage: p.outcome.stage,
    ...(p.outcome.reply !== undefined ? { reply: p.outcome.reply } : {}),
    disposition: p.outcome.disposition,
  };
  const refusals = [...new Set(canRefuse.map((o) => shortReply(o.reply)))].join(' or ');
  const said = `${label} says ${p.status}`;
  if (observed.classification === 'accepted') {
    if (canAccept.length > 0)
      return {
        ...base,
        comparison: 'agrees',
        explanation:
          canRefuse.length > 0
            ? `${said} (accepted or refused with ${refusals}): the endpoint accepted`
            : `${said}: accepted at RCPT, then ${[...new Set(canAccept.map((o) => o.disposition))].join(' or ')} after DATA (not visible at the SMTP stage)`,
      };
    return {
      ...base,
      comparison: 'disagrees',
      explanation: `${label} says closed (${refusals}), the endpoint accepted: the configuration does not hold on the live endpoint (a change not yet applied, or made since the export)`,
    };
  }
  if (observed.status === 'closed') {
    if (canRefuse.length === 0)
      return {
        ...base,
        comparison: 'disagrees',
        explanation: `${said} (accepted at RCPT), the endpoint refused it: the export may be out of date, or something the export does not show decides`,
      };
    const expected = new Set(canRefuse.map((o) => classifyReply(o.reply ?? '').classification));
    return {
      ...base,
      comparison: 'agrees',
      explanation: expected.has(observed.classification)
        ? `${said} (${refusals}): refused as predicted`
        : `${said} (${refusals}): refused, but as ${observed.classification} instead of ${[...expected].join(' or ')}; which control answers first at RCPT is undocumented (eop-model §12, OQ-2)`,
    };
  }
  return {
    ...base,
    comparison: 'inconclusive',
    explanation: `${said}; the probe could not tell (${observed.classification})`,
  };
}

/** The probe's own reading of an attempt, before any comparison. */
function judge(
  path: string,
  a: Attempt,
  family: 4 | 6,
  address: string,
  s: SessionResult,
  port: number,
  counts: boolean,
): ProbeAttempt {
  const meaning = s.failure
    ? { classification: 'error' as const, problem: s.failure.problem, meaning: s.failure.message }
    : classifyReply(s.reply ?? '');
  // A refusal of the banner, EHLO or STARTTLS comes before the tenant is known (eop-model §1.1 S0–S1): not one of its
  // controls. MAIL FROM is read as RCPT is: where EOP answers 5.7.68 is undocumented (OQ-1), the stage is recorded.
  const early = (s.stage === 'connect' || s.stage === 'tls') && meaning.classification !== 'error';
  // MAIL FROM names no recipient: a 2xx other than 250 ended the attempt before RCPT (nothing was accepted), and a
  // 5.1.x/5.4.1 there refuses the sender, not a mailbox (RFC 3463 §3.2: X.1.7/X.1.8 are sender address codes).
  const atMail =
    s.stage === 'mail' &&
    (meaning.classification === 'accepted' || meaning.classification === 'rejected-recipient');
  const m = early
    ? {
        classification: 'error' as const,
        problem: s.reply?.startsWith('4') ? ('temporary' as const) : ('rejected-other' as const),
        meaning: `refused at ${s.stage}, before the recipient: ${meaning.meaning}`,
      }
    : atMail
      ? meaning.classification === 'accepted'
        ? {
            classification: 'error' as const,
            problem: 'protocol' as const,
            meaning: `MAIL FROM was answered ${shortReply(s.reply)}, not 250, so RCPT TO was never tried: the path is neither shown open nor closed`,
          }
        : {
            classification: 'error' as const,
            problem: 'rejected-other' as const,
            meaning: `the sender (MAIL FROM) was refused with ${shortReply(s.reply)}, before any recipient: the path is neither shown open nor closed`,
          }
      : meaning;
  const status: ProbeAttempt['status'] =
    m.classification === 'accepted'
      ? 'open'
      : m.classification === 'rejected-recipient' || m.classification === 'error'
        ? 'uncertain'
        : 'closed';
  const notes: string[] = [];
  if (!s.tls && !s.failure)
    notes.push(
      'the server offered no STARTTLS: the attempt went without TLS, unlike the attack paths of DESIGN §5',
    );
  if (m.classification === 'accepted' && s.stage === 'data')
    notes.push(
      `the test message was accepted after DATA: look where it landed for ${a.rcpts[0] ?? 'the recipient'} (Inbox, Junk, quarantine) or in message trace`,
    );
  return {
    path,
    stage: s.stage,
    reply: s.reply ?? null,
    classification: m.classification,
    transcript: s.transcript,
    address,
    family,
    mailFrom: a.mailFrom,
    headerFrom: a.headerFrom,
    rcpt: a.rcpts[0] ?? '',
    status,
    counts,
    explanation: m.meaning,
    ...(m.problem ? { problem: { kind: m.problem, advice: problemAdvice(m.problem, port) } } : {}),
    notes,
    tls: s.tls,
    dataSent: s.dataSent,
  };
}

export async function runProbe(o: ProbeOptions): Promise<ProbeReport> {
  const log = o.log ?? (() => undefined);
  const domain = o.domain.toLowerCase().replace(/\.$/, '');
  checked('the domain', o.domain, hostNameProblem(o.domain));
  if (o.host !== undefined) checked('--host', o.host, hostProblem(o.host));
  if (o.ehlo !== undefined) checked('--ehlo', o.ehlo, ehloProblem(o.ehlo));
  for (const [flag, v] of [
    ['--rcpt', o.rcpt],
    ['--send', o.send],
  ] as const) {
    if (v === undefined) continue;
    checked(flag, v, addressProblem(v));
    if (domainPart(v) !== domain)
      throw usage(`${flag} "${inlineSafe(v)}": the recipient must be at ${domain}, the domain probed`);
  }
  if (o.rcpt !== undefined && o.send !== undefined && o.rcpt.toLowerCase() !== o.send.toLowerCase())
    throw usage(
      '--rcpt and --send name different recipients: --send alone names the recipient of every attempt',
    );
  const cfg = o.configuration;
  const tenant = (o.tenant ?? cfg?.initialDomain)?.toLowerCase().replace(/\.$/, '');
  if (o.tenant !== undefined) {
    checked('--tenant', o.tenant, hostNameProblem(o.tenant));
    if (!tenant!.endsWith('.onmicrosoft.com'))
      throw usage(`--tenant "${inlineSafe(o.tenant)}": the tenant's initial domain ends in .onmicrosoft.com`);
  }
  if (cfg && !cfg.acceptedDomains.some((d) => d.toLowerCase() === domain))
    throw usage(
      `${domain} is not an accepted domain of ${cfg.label} (${cfg.acceptedDomains.slice(0, 5).join(', ') || 'none listed'}): probe one of them`,
    );
  const endpoint = await resolveEndpoint(o.resolve, { domain, host: o.host, port: o.port, tenant });
  const recipient = o.send ?? o.rcpt;
  const local = recipient !== undefined ? localPart(recipient) : undefined;
  const paths = (cfg?.attackPaths ?? attackPaths([domain], tenant, THIS_MACHINE)).filter(
    (p) => p.kind === 'attack',
  );
  const attempts = paths.map((p) => ({ path: p, attempt: withRecipient(attemptFor(p, domain), local) }));
  for (const { attempt } of attempts) {
    if (attempt.mailFrom !== '') checked('the MAIL FROM', attempt.mailFrom, addressProblem(attempt.mailFrom));
    for (const r of attempt.rcpts) checked('the recipient', r, addressProblem(r));
  }
  // Without a gateway in front, a foreign domain's mail reaching the inbox is ordinary mail: only own-domain spoofs
  // count (DESIGN §5, paths.ts exposedAttackPaths). The gateway: the export's, else the domain's MX.
  const gatewaySource: ResolvedGateway['source'] =
    cfg?.gatewaySource ??
    (endpoint.mx?.state === 'ok' ? (endpoint.mx.allEop ? 'none' : 'inferred') : 'unknown');
  const counts = (id: string) => gatewaySource !== 'none' || OWN_DOMAIN_SPOOF_PATHS.has(id);
  const predictions = new Map<string, PathResult>();
  if (cfg)
    for (const p of cfg.predict(
      attempts.map(({ path, attempt }) => ({
        id: path.id,
        kind: path.kind,
        description: path.description,
        attempt,
      })),
    ))
      predictions.set(p.id, p);
  const timeoutMs = o.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const now = o.now ?? new Date();
  const out: ProbeAttempt[] = [];
  const notes = [...endpoint.notes];
  let sent = false;
  for (const { address, family } of endpoint.addresses) {
    for (const [i, { path, attempt }] of attempts.entries()) {
      const rcpt = attempt.rcpts[0]!;
      const message =
        o.send !== undefined && !sent && rcpt.toLowerCase() === o.send.toLowerCase()
          ? testMessage(path.id, attempt, rcpt, now)
          : undefined;
      log(`probing ${path.id} over IPv${family} (${address})`);
      const s = await probeSession({
        address,
        port: endpoint.port,
        servername: isValidIp(endpoint.host) ? undefined : endpoint.host,
        tls: o.tls ?? { insecure: false },
        timeoutMs,
        ehlo: o.ehlo,
        mailFrom: attempt.mailFrom,
        rcpt,
        message,
      });
      sent ||= s.dataSent;
      if (family === 6 && i === 0 && s.failure?.problem === 'unreachable') {
        notes.push(
          `IPv6: ${endpoint.host} has an IPv6 address (${address}) but this machine cannot reach it (${s.failure.message}): the IPv6 attempts were skipped`,
        );
        break;
      }
      const judged = judge(path.id, attempt, family, address, s, endpoint.port, counts(path.id));
      const predicted = predictions.get(path.id);
      if (predicted && cfg) {
        judged.prediction = compare(predicted, judged, cfg.label);
        // The simulator says what happens after DATA: accepted and then only mitigated is not an open path.
        if (judged.status === 'open' && judged.prediction.comparison === 'agrees') {
          const after = predicted.result.outcomes.filter((x) => x.stage === 'post-acceptance');
          if (after.every((x) => x.disposition !== 'inbox' && x.disposition !== 'junk'))
            judged.status = 'mitigated';
        }
      }
      if (path.id === 'path.direct-send-own-domain' && judged.classification === 'accepted')
        judged.notes.push(
          'RejectDirectSend takes up to about 30 minutes to apply after Set-OrganizationConfig -RejectDirectSend $true (eop-model §13 [C]): if it was just turned on, probe again later',
        );
      out.push(judged);
    }
  }
  if (cfg)
    notes.push(
      `predictions are for ${cfg.label}, from an address that matches no connector (DESIGN §5 attack paths): from a gateway's or a declared source's address the comparison does not hold`,
    );
  if (!tenant)
    notes.push(
      'path.initial-domain-direct was not tried: give --tenant <name>.onmicrosoft.com or --export <dir>',
    );
  if (o.send !== undefined && !sent)
    notes.push(`--send: no attempt to ${o.send} was accepted at RCPT, so no message was sent`);
  const counted = out.filter((a) => a.counts);
  return {
    schemaVersion: 1,
    endpoint: `${endpoint.host}:${endpoint.port}`,
    domain,
    endpointBasis: endpoint.basis,
    attempts: out,
    summary: {
      attempts: out.length,
      open: counted.filter((a) => a.status === 'open').length,
      uncertain: counted.filter((a) => a.status === 'uncertain').length,
      disagreements: out.filter((a) => a.prediction?.comparison === 'disagrees').length,
    },
    notes,
  };
}

export type ExportOptions = ExportTenantOptions;

/**
 * The configuration of an export for the probe to compare with: its attack paths and the simulator's prediction, built
 * the way `simulate` builds them (assess.ts `standardPathsFor`, `simulateAttempts`), for the tenant `emulate` answers as
 * (export-tenant.ts), before or after the plan.
 */
export async function configurationOfExport(
  exportPath: string,
  options: ExportOptions = {},
): Promise<ProbeConfiguration> {
  const [{ exportTenant }, assess, { EMPTY_PROFILE }] = await Promise.all([
    import('./export-tenant.js'),
    import('../assess.js'),
    import('../profile/schema.js'),
  ]);
  const now = options.now ?? new Date();
  const t = await exportTenant(exportPath, { ...options, now });
  const { snapshot, gateway, zone } = t;
  return {
    attackPaths: assess
      .standardPathsFor(snapshot, t.profile ?? EMPTY_PROFILE, gateway, { zone, now })
      .filter((p) => p.kind === 'attack'),
    acceptedDomains: t.acceptedDomains,
    initialDomain: t.initialDomain,
    gatewaySource: gateway.source,
    predict: (list) => assess.simulateAttempts(snapshot, gateway, list, { zone, now }),
    label: t.label,
  };
}
