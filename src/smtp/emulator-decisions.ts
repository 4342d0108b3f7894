/**
 * What the emulator answers at RCPT TO and at the end of DATA: the simulator's decision for the session so far, turned
 * into one SMTP reply (eop-model §1.1 stages S3 and S4, §9). Pure: the server (emulator.ts) gathers the session facts
 * and sends the reply; this file holds the one mapping from the simulator's outcomes to what is said on the wire.
 */
import type { SimConfig } from '../model/config.js';
import { simulate } from '../model/simulate.js';
import type { Attempt, Decision, Outcome, SimResult } from '../model/types.js';
import type { FromAddress } from './message-head.js';

/** What the emulator knows of a session when it decides (eop-model §9 INPUT session). */
export interface SessionFacts {
  /** The address the simulator judges: the TCP peer, `--as`, or XCLIENT ADDR (emulator.ts). */
  clientIp: string;
  tls: boolean;
  /** Subject CN and DNS SANs of the client certificate, whether or not it chains to a trusted root (CON-1). */
  certNames: string[];
  /** P1; '' for the null reverse path. */
  mailFrom: string;
}

/** What the message's head gave at end of DATA (message-head.ts). */
export interface HeadFacts {
  from: FromAddress;
  receivedIps: string[];
  headers: Record<string, string>;
}

/**
 * When the model cannot tell whether EOP refuses a recipient (its outcomes mix a refusal and a delivery, an open
 * question decides): `accept`, the default, shows the worse case for the defender (the path may be open), so a probe
 * never reads "closed" where the model is not sure of it (DESIGN §1 principle 1); `refuse` shows the other branch.
 */
export type UncertainPolicy = 'accept' | 'refuse';

export interface SmtpReply {
  code: number;
  /** The text after the code, as sent. */
  text: string;
}

export interface OutcomeSummary {
  stage: Outcome['stage'];
  disposition: Outcome['disposition'];
  reply?: string;
  rules: Decision[];
}

export interface EmulatorDecision {
  reply: SmtpReply;
  accepted: boolean;
  /** The model's outcomes disagree on refusal vs delivery (RCPT), or on the disposition (DATA). */
  uncertain: boolean;
  uncertainties: string[];
  /** Every outcome the model allows, with the eop-model rules that decided each. */
  outcomes: OutcomeSummary[];
  /** The rules behind the reply that was sent, once each, in order. */
  rules: Decision[];
}

/**
 * The reply when the model refuses in session with a reply text Microsoft does not document (CON-6 RequireTls, OQ-6):
 * a refusal that says so, never an invented EOP text.
 */
export const UNDOCUMENTED_REFUSAL: SmtpReply = {
  code: 550,
  text: '5.7.1 mxlock emulate: refused in session; Exchange Online does not document the reply for this (see the decision log)',
};

/** 550 5.7.512 [D] S40: a message without one valid From: address (eop-model §1.1 S4). */
export const REPLY_5_7_512: SmtpReply = {
  code: 550,
  text: '5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant',
};

/** What smtp-server itself says for an accepted RCPT (it takes no text from the handler). */
export const RCPT_ACCEPTED: SmtpReply = { code: 250, text: 'Accepted' };

/** `550 5.7.51 …` → 550 and the rest; `unknown` or anything else that is not a reply → the undocumented refusal. */
export function splitReply(reply: string | undefined): SmtpReply {
  const m = /^([2-5]\d\d) (.+)$/s.exec(reply ?? '');
  return m ? { code: Number(m[1]), text: m[2]! } : UNDOCUMENTED_REFUSAL;
}

function summary(o: Outcome): OutcomeSummary {
  const s: OutcomeSummary = { stage: o.stage, disposition: o.disposition, rules: o.decisions };
  if (o.reply !== undefined) s.reply = o.reply;
  return s;
}

function rulesOf(outcomes: readonly Outcome[]): Decision[] {
  const seen = new Set<string>();
  const out: Decision[] = [];
  for (const o of outcomes)
    for (const d of o.decisions) {
      const k = `${d.rule}\u0000${d.text}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(d);
    }
  return out;
}

function attemptOf(s: SessionFacts, rcpts: string[], over: Partial<Attempt> = {}): Attempt {
  return {
    clientIp: s.clientIp,
    tls: s.tls,
    certNames: s.certNames,
    mailFrom: s.mailFrom,
    // The From: header is not known at RCPT; only the post-acceptance stage reads it (eop-model §1.1).
    headerFrom: s.mailFrom,
    rcpts,
    ...over,
  };
}

/**
 * RCPT TO (eop-model §1.1 S3): the simulator's reply for this recipient alone. Refused when every outcome is a
 * refusal in session (the reply of the first, §12 "Order at RCPT"); accepted when none is; otherwise the model cannot
 * tell and `policy` decides.
 */
export function rcptDecision(
  cfg: SimConfig,
  s: SessionFacts,
  rcpt: string,
  policy: UncertainPolicy = 'accept',
): EmulatorDecision {
  const result = simulate(cfg, attemptOf(s, [rcpt]));
  const refusals = result.outcomes.filter((o) => o.stage === 'rcpt');
  const deliveries = result.outcomes.filter((o) => o.stage !== 'rcpt');
  const uncertain = refusals.length > 0 && deliveries.length > 0;
  const refuse = refusals.length > 0 && (deliveries.length === 0 || policy === 'refuse');
  return {
    reply: refuse ? splitReply(refusals[0]!.reply) : RCPT_ACCEPTED,
    accepted: !refuse,
    uncertain,
    uncertainties: uncertaintiesOf(result, uncertain, policy),
    outcomes: result.outcomes.map(summary),
    rules: rulesOf(refuse ? [refusals[0]!] : deliveries),
  };
}

function uncertaintiesOf(result: SimResult, uncertain: boolean, policy: UncertainPolicy): string[] {
  const out = [...result.uncertainties];
  if (uncertain)
    out.push(
      `the model allows both a refusal and a delivery here; answered as ${policy === 'accept' ? 'accepted (the worse case, --uncertain accept)' : 'refused (--uncertain refuse)'}`,
    );
  return out;
}

/**
 * End of DATA (eop-model §1.1 S4, S5): 550 5.7.512 without one valid From: address; otherwise 250, since every later
 * decision is a disposition (inbox, junk, quarantine, NDR, drop), never an SMTP reply (TR-1). The reply names the
 * dispositions the model gives (rule ids and words of ours only: no tenant text goes on the wire).
 */
export function dataDecision(
  cfg: SimConfig,
  s: SessionFacts,
  rcpts: string[],
  head: HeadFacts,
): EmulatorDecision {
  if ('problem' in head.from) {
    const rules: Decision[] = [
      { rule: 'S4', evidence: 'D', text: `${head.from.problem}: refused at end of DATA with 5.7.512 (S40)` },
    ];
    return {
      reply: REPLY_5_7_512,
      accepted: false,
      uncertain: false,
      uncertainties: [],
      outcomes: [{ stage: 'rcpt', disposition: 'rejected', reply: `550 ${REPLY_5_7_512.text}`, rules }],
      rules,
    };
  }
  const result = simulate(
    cfg,
    attemptOf(s, rcpts, {
      headerFrom: head.from.address,
      headers: head.headers,
      receivedIps: head.receivedIps,
    }),
  );
  // A recipient accepted under --uncertain accept may still show its refusal branch here: that branch never reached
  // DATA, so only what happens after acceptance is the answer.
  const after = result.outcomes.filter((o) => o.stage !== 'rcpt');
  const dispositions = [...new Set(after.map((o) => o.disposition))];
  const uncertain = dispositions.length > 1;
  const said = dispositions.length > 0 ? dispositions.join(' or ') : 'undecided';
  const rules = rulesOf(after);
  const ids = [...new Set(rules.map((d) => d.rule))].join(' ');
  const uncertainties = [...result.uncertainties];
  if (uncertain) uncertainties.push(`the model allows several dispositions: ${said}`);
  return {
    reply: {
      code: 250,
      text: `2.6.0 Queued mail for delivery; mxlock emulate: ${said}${ids ? ` (${ids})` : ''}; message discarded`,
    },
    accepted: true,
    uncertain,
    uncertainties,
    outcomes: result.outcomes.map(summary),
    rules,
  };
}
