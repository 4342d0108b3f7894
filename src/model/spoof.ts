/**
 * Content-filtering stage for spoofing and DMARC (eop-model §6): tells inbox, junk, quarantine and DMARC
 * reject apart. Message content (spam/phish/malware scoring) is not modelled: a message that authenticates
 * is assumed to reach the inbox, the worst case for the defender [I].
 */
import type { AntiPhishPolicy } from '../snapshot/schema.js';
import type { SimConfig } from './config.js';
import type { AuthVerdict, Decision, Disposition, Outcome } from './types.js';
import { decision, planOf, type TablPlan } from './precompiled.js';
import { decisionsOf, extend, type Trail } from './trail.js';

export interface SpoofInput {
  cfg: SimConfig;
  clientIp: string;
  /** How texts write the client's address (a placeholder while a replay-cache entry is made). */
  clientIpLabel: string;
  mailFrom: string;
  headerFrom: string;
  /** `domainOf(headerFrom)`. */
  p2Domain: string | undefined;
  auth: AuthVerdict;
  authAs: 'Anonymous' | 'Internal';
  /** SCL set by a transport rule (-1 bypass, 5–9 spam). */
  ruleScl: number | undefined;
  /** Enhanced Filtering applied to this message (EF-3). */
  efApplied: boolean;
  /** The EF original IP when EF applied (EF-1): the "sending infrastructure" spoof intelligence sees. */
  originalIp?: string;
  /** The evidence so far. */
  trail: Trail;
}

export interface SpoofResult {
  outcomes: Outcome[];
  uncertainties: string[];
}

/** The trail's decisions, then `{ rule, evidence, text }`, as a new array. */
function dec(trail: Trail, rule: string, evidence: Decision['evidence'], text: string): Decision[] {
  return decisionsOf(trail, { rule, evidence, text });
}

// Decisions whose text depends on nothing: made once, shared by every outcome (never modified).
const TABL_ALLOW = decision(
  'TABL-6.6',
  'D',
  'a Tenant Allow/Block List spoof Allow entry covers this sender and infrastructure',
);
const MX_ELSEWHERE = decision(
  'MX-6.1',
  'C',
  'MX does not point to EOP and Enhanced Filtering is not applied: spoof/DMARC enforcement is suppressed; Ghost-Sender observed such spoofs in the Inbox (S37; exact extent OQ-13)',
);
const INTERNAL = decision('CON-8', 'D', 'promoted to internal (AuthAs Internal): anti-spam is bypassed');
const CONTENT_NOT_MODELLED = decision(
  'MODEL-CONTENT',
  'I',
  'content filtering not modelled: an authenticated message is assumed delivered (worst case)',
);
const SCL_BYPASS = decision(
  'TR-SCL',
  'D',
  'a transport rule set SCL -1: filtering is bypassed and the spoof is delivered (eop-model §4.4, §4.5)',
);
const AUTH_UNKNOWN_PASS = decision('SPOOF-6.2', 'I', 'if the sender authenticates, delivered');
const AUTH_UNKNOWN_FAIL = decision('SPOOF-6.3', 'I', 'if it fails, the spoof action applies');
const ALLOW_LISTS_UNKNOWN = decision(
  'AS-6.4',
  'I',
  'anti-spam allow lists unknown: they may allow this sender',
);
const POLICY_UNKNOWN = decision('SPOOF-6.3', 'I', 'anti-phish policy unknown');
const NO_SPOOF_ACTION = decision(
  'SPOOF-6.3',
  'D',
  'spoof intelligence off and no enforceable DMARC policy: no spoof action',
);

function tablInbox(trail: Trail): Outcome {
  return post('inbox', decisionsOf(trail, TABL_ALLOW));
}

/** MX elsewhere without Enhanced Filtering (eop-model §6.1). */
function degraded(trail: Trail): Outcome {
  return post('inbox', decisionsOf(trail, MX_ELSEWHERE));
}

function post(disposition: Disposition, decisions: Decision[], reply?: string): Outcome {
  return reply === undefined
    ? { stage: 'post-acceptance', disposition, decisions }
    : { stage: 'post-acceptance', disposition, reply, decisions };
}

/** Maps an anti-phish / anti-spam action to where the message ends up. */
function actionDisposition(action: string | undefined): Disposition | undefined {
  switch (action) {
    case 'MoveToJmf':
      return 'junk';
    case 'Quarantine':
      return 'quarantine';
    case 'Reject':
      return 'ndr';
    case 'Delete':
      return 'dropped';
    case 'AddXHeader':
    case 'ModifySubject':
    case 'NoAction':
      return 'inbox';
    default:
      return undefined;
  }
}

type Tri3 = boolean | 'unknown';

/** Whether an entry of the list covers (From:, source IP): true, false, or `unknown` for PTR/DKIM forms (§6.6). */
function tablVerdict(
  entries: readonly TablPlan[],
  addr: string,
  domain: string | undefined,
  sourceIp: string,
): Tri3 {
  let result: Tri3 = false;
  for (const e of entries) {
    if (e.spoofedUser !== addr && e.spoofedUser !== domain) continue;
    // Only the /24 form of SendingInfrastructure is decidable offline (eop-model §6.6).
    if (e.infrastructure) {
      if (e.infrastructure.has(sourceIp)) return true;
    } else result = 'unknown';
  }
  return result;
}

/**
 * TABL spoof entries for (From:, source IP): Block beats Allow (S24); an Allow whose SendingInfrastructure is a
 * PTR or DKIM domain cannot be decided offline (§6.6).
 */
function tablAllows(cfg: SimConfig, headerFrom: string, domain: string | undefined, sourceIp: string): Tri3 {
  const tabl = planOf(cfg).tabl;
  if (tabl.allow.length === 0) return false;
  const addr = headerFrom.toLowerCase();
  const block = tablVerdict(tabl.block, addr, domain, sourceIp);
  if (block === true) return false;
  const allow = tablVerdict(tabl.allow, addr, domain, sourceIp);
  if (allow === false) return false;
  return block === 'unknown' || allow === 'unknown' ? 'unknown' : true;
}

export function spoofStage(input: SpoofInput): SpoofResult {
  const { auth, trail } = input;
  const uncertainties: string[] = [];

  if (input.authAs === 'Internal') {
    return {
      outcomes: [post('inbox', decisionsOf(trail, INTERNAL))],
      uncertainties,
    };
  }
  const p2 = input.p2Domain;

  if (auth.dmarc === 'pass') {
    const base = dec(trail, 'SPOOF-6.2', 'D', `DMARC passes for ${p2 ?? 'the sender'}: not a spoof`);
    if (input.ruleScl !== undefined && input.ruleScl >= 5) return spamVerdict(input, base);
    // `base` is a fresh array: extended in place.
    base.push(CONTENT_NOT_MODELLED);
    return { outcomes: [post('inbox', base)], uncertainties };
  }
  if (auth.dmarc === 'unknown') {
    uncertainties.push(
      `authentication of ${p2 ?? 'the sender'} is unknown (${auth.notes.join('; ') || 'DNS not available'})`,
    );
    // If it fails, the message is a spoof candidate like any other: an allow list, an SCL -1 rule or the MX pointing
    // elsewhere still decides it, so a path delivered either way reads as delivered, not as uncertain (DESIGN §5).
    const failing = spoofCandidate({ ...input, trail: extend(trail, AUTH_UNKNOWN_FAIL) }, uncertainties);
    return { outcomes: [post('inbox', decisionsOf(trail, AUTH_UNKNOWN_PASS)), ...failing], uncertainties };
  }
  return { outcomes: spoofCandidate(input, uncertainties), uncertainties };
}

/** The outcomes of a spoof candidate (DMARC fail or no DMARC; or unknown, in its failing branch). */
function spoofCandidate(input: SpoofInput, uncertainties: string[]): Outcome[] {
  const { cfg, trail } = input;
  const p2 = input.p2Domain;
  const sourceIp = input.efApplied && input.originalIp !== undefined ? input.originalIp : input.clientIp;
  const tabl = tablAllows(cfg, input.headerFrom, p2, sourceIp);
  if (tabl === true) return [tablInbox(trail)];
  if (input.ruleScl === -1) return [post('inbox', decisionsOf(trail, SCL_BYPASS))];
  const maybe: Outcome[] = [];
  if (tabl === 'unknown') {
    uncertainties.push(
      `a Tenant Allow/Block List spoof entry for ${input.headerFrom} names its infrastructure by PTR or DKIM domain: not decidable offline`,
    );
    maybe.push(tablInbox(trail));
  }
  const candidates = planOf(cfg).contentFilterCandidates;
  if (candidates === undefined) {
    uncertainties.push(
      'Get-HostedContentFilterPolicy was not exported: an anti-spam allow list may admit the spoof (S31)',
    );
    maybe.push(post('inbox', decisionsOf(trail, ALLOW_LISTS_UNKNOWN)));
  } else {
    const allowing = candidates.filter(
      (cf) =>
        (p2 !== undefined && (cf.AllowedSenderDomains ?? []).includes(p2)) ||
        (cf.AllowedSenders ?? []).includes(input.headerFrom.toLowerCase()),
    );
    const first = allowing[0];
    if (first) {
      const name = first.Name ?? first.Identity ?? 'default';
      const outcome = post(
        'inbox',
        dec(
          trail,
          'AS-6.4',
          'D',
          `the anti-spam policy '${name}' allows ${p2 !== undefined && (first.AllowedSenderDomains ?? []).includes(p2) ? p2 : input.headerFrom} (SFV:SKA): the spoof is delivered (S31)`,
        ),
      );
      if (allowing.length === candidates.length) return [outcome];
      // Only some anti-spam policies allow it: which one covers the recipient depends on rules not modelled.
      uncertainties.push(
        `anti-spam policy '${name}' allows ${input.headerFrom}; whether it covers the recipient is not modelled`,
      );
      maybe.push(outcome);
    }
  }
  if (cfg.ipAllow.size > 0 && cfg.ipAllow.has(input.clientIp)) {
    return [
      post(
        'inbox',
        dec(
          trail,
          'CF-6.5',
          'I',
          `${input.clientIpLabel} is on the connection-filter IP Allow List (IPV:CAL): spam and spoof filtering are skipped`,
        ),
      ),
    ];
  }

  if (cfg.mxPointsToEop === false && !input.efApplied) return [...maybe, degraded(trail)];
  const normal = matrixOverPolicies(input, uncertainties);
  if (cfg.mxPointsToEop === undefined && !input.efApplied) {
    uncertainties.push(
      'whether the MX points to EOP is unknown (no DNS): spoof enforcement may be suppressed (eop-model §6.1, OQ-13)',
    );
    return [...maybe, ...normal, degraded(trail)];
  }
  return [...maybe, ...normal];
}

/** The matrix for every anti-phish policy that may cover the recipient (§6.3: one policy applies, unknown which). */
function matrixOverPolicies(input: SpoofInput, uncertainties: string[]): Outcome[] {
  const policies = planOf(input.cfg).antiPhishCandidates;
  if (policies.length <= 1) return matrix(input, policies[0], uncertainties);
  const per = policies.map((p) => matrix(input, p, uncertainties));
  const sets = per.map((o) => [...new Set(o.map((x) => x.disposition))].sort().join(','));
  if (new Set(sets).size > 1)
    uncertainties.push(
      `anti-phish policies ${policies.map((p) => `'${p.Name ?? p.Identity ?? '?'}'`).join(', ')} act differently on this spoof; which one covers the recipient is not modelled (§6.3 precedence)`,
    );
  return per.flat();
}

/** The outcome of an anti-phish action (or both candidates when the action is unknown). */
function addAction(
  input: SpoofInput,
  name: string,
  outcomes: Outcome[],
  uncertainties: string[],
  action: string | undefined,
  why: string,
): void {
  const disp = actionDisposition(action);
  if (!disp) {
    uncertainties.push(`anti-phish policy '${name}': action ${action ?? '(not exported)'} is unknown`);
    outcomes.push(
      post('inbox', dec(input.trail, 'SPOOF-6.3', 'I', `${why}: action unknown`)),
      post('quarantine', dec(input.trail, 'SPOOF-6.3', 'I', `${why}: action unknown`)),
    );
    return;
  }
  const ndr = disp === 'ndr';
  // Verbatim NDR text of §6.3 [D] S40; whether it is an in-session reply or a post-acceptance NDR is OQ-14.
  const reply = ndr
    ? `550 5.7.509 Access denied, sending domain [${input.p2Domain ?? ''}] does not pass DMARC verification`
    : undefined;
  const text = `${why} → ${action} (anti-phish policy '${name}')${ndr ? '; modelled as an NDR after acceptance (stage undocumented, OQ-14)' : ''}`;
  outcomes.push(post(disp, dec(input.trail, 'SPOOF-6.3', 'D', text), reply));
}

/** The anti-phish DMARC × spoof-intelligence matrix (eop-model §6.3 [D] S27). */
function matrix(input: SpoofInput, policy: AntiPhishPolicy | undefined, uncertainties: string[]): Outcome[] {
  if (!policy) {
    uncertainties.push('Get-AntiPhishPolicy was not exported: the spoof action is unknown');
    return [
      post('inbox', decisionsOf(input.trail, POLICY_UNKNOWN)),
      post('quarantine', decisionsOf(input.trail, POLICY_UNKNOWN)),
    ];
  }
  const name = policy.Name ?? policy.Identity ?? 'default';
  const explicit =
    input.auth.dmarc === 'fail' &&
    (input.auth.dmarcPolicy === 'quarantine' || input.auth.dmarcPolicy === 'reject');
  const spoofIntel = policy.EnableSpoofIntelligence;
  const honor = policy.HonorDmarcPolicy;
  const branches: Array<{ spoofIntel: boolean; honor: boolean }> = [];
  for (const s of spoofIntel === undefined ? [true, false] : [spoofIntel]) {
    for (const h of honor === undefined ? [true, false] : [honor]) branches.push({ spoofIntel: s, honor: h });
  }
  if (spoofIntel === undefined || honor === undefined) {
    uncertainties.push(`anti-phish policy '${name}': EnableSpoofIntelligence/HonorDmarcPolicy not exported`);
  }
  const outcomes: Outcome[] = [];
  for (const b of branches) {
    if (explicit) {
      const p = input.auth.dmarcPolicy;
      if (b.honor)
        addAction(
          input,
          name,
          outcomes,
          uncertainties,
          p === 'reject' ? policy.DmarcRejectAction : policy.DmarcQuarantineAction,
          `DMARC fails with p=${p} and HonorDmarcPolicy is on`,
        );
      else if (b.spoofIntel)
        addAction(
          input,
          name,
          outcomes,
          uncertainties,
          policy.AuthenticationFailAction,
          `DMARC fails with p=${p}, HonorDmarcPolicy off: spoof intelligence acts`,
        );
      else
        outcomes.push(
          post(
            'quarantine',
            dec(
              input.trail,
              'SPOOF-6.3',
              'D',
              `DMARC fails with p=${p}; spoof intelligence and HonorDmarcPolicy off: quarantined`,
            ),
          ),
        );
    } else if (b.spoofIntel) {
      // Implicit failure (p=none or no record): the spoof action needs composite authentication to fail, which rests
      // on undocumented implicit signals (§6.2 "the overall assessment decides"; §6.3 p=none → no spoof action).
      uncertainties.push(
        `implicit authentication failure (DMARC ${input.auth.dmarc}, policy ${input.auth.dmarcPolicy}): whether composite authentication fails is not documented (§6.2, §6.3)`,
      );
      addAction(
        input,
        name,
        outcomes,
        uncertainties,
        policy.AuthenticationFailAction,
        `implicit authentication failure (DMARC ${input.auth.dmarc}, policy ${input.auth.dmarcPolicy}) if composite authentication fails`,
      );
      outcomes.push(
        post(
          'inbox',
          dec(
            input.trail,
            'SPOOF-6.3',
            'I',
            `implicit authentication failure (DMARC ${input.auth.dmarc}, policy ${input.auth.dmarcPolicy}): composite authentication may soft-pass, and no spoof action applies`,
          ),
        ),
      );
    } else {
      outcomes.push(post('inbox', decisionsOf(input.trail, NO_SPOOF_ACTION)));
    }
  }
  // A rule's SCL 5–9 does not change this: spoof outranks spam in the verdict order (S24).
  return outcomes;
}

function spamVerdict(input: SpoofInput, decisions: Decision[]): SpoofResult {
  const cf = input.cfg.contentFilter;
  const hcs = (input.ruleScl ?? 0) >= 7;
  const action = hcs ? cf?.HighConfidenceSpamAction : cf?.SpamAction;
  const disp = actionDisposition(action);
  const text = `a transport rule set SCL ${input.ruleScl}: ${hcs ? 'high-confidence spam' : 'spam'} verdict → ${action ?? 'unknown action'}`;
  if (!disp) {
    return {
      outcomes: [
        post('junk', [...decisions, { rule: 'TR-SCL', evidence: 'I', text }]),
        post('quarantine', [...decisions, { rule: 'TR-SCL', evidence: 'I', text }]),
      ],
      uncertainties: ['anti-spam policy action unknown'],
    };
  }
  return {
    // `decisions` is the caller's fresh array: extended in place.
    outcomes: [post(disp, (decisions.push({ rule: 'TR-SCL', evidence: 'D', text }), decisions))],
    uncertainties: [],
  };
}
