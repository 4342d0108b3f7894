/**
 * Content-filtering stage for spoofing and DMARC (eop-model §6): tells inbox, junk, quarantine and DMARC
 * reject apart. Message content (spam/phish/malware scoring) is not modelled: a message that authenticates
 * is assumed to reach the inbox, the worst case for the defender [I].
 */
import type { SimConfig } from './config.js';
import type { AuthVerdict, Decision, Disposition, Outcome } from './types.js';
import { domainOf } from './domains.js';
import { IpSet } from './ip.js';

export interface SpoofInput {
  cfg: SimConfig;
  clientIp: string;
  mailFrom: string;
  headerFrom: string;
  auth: AuthVerdict;
  authAs: 'Anonymous' | 'Internal';
  /** SCL set by a transport rule (-1 bypass, 5–9 spam). */
  ruleScl: number | undefined;
  /** Enhanced Filtering applied to this message (EF-3). */
  efApplied: boolean;
  decisions: Decision[];
}

export interface SpoofResult {
  outcomes: Outcome[];
  uncertainties: string[];
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

function tablAllows(cfg: SimConfig, headerFrom: string, clientIp: string): boolean {
  const addr = headerFrom.toLowerCase();
  const domain = domainOf(addr);
  return cfg.tablSpoof.some((e) => {
    if (e.Action !== 'Allow' || !e.SpoofedUser || !e.SendingInfrastructure) return false;
    if (e.SpoofedUser !== addr && e.SpoofedUser !== domain) return false;
    // SendingInfrastructure is a /24 or a PTR/DKIM domain (eop-model §6.6); only the /24 form is decidable offline.
    return (
      /^\d+\.\d+\.\d+\.\d+\/24$/.test(e.SendingInfrastructure) &&
      new IpSet([e.SendingInfrastructure]).has(clientIp)
    );
  });
}

export function spoofStage(input: SpoofInput): SpoofResult {
  const { cfg, auth, decisions } = input;
  const d = (rule: string, evidence: Decision['evidence'], text: string): Decision[] => [
    ...decisions,
    { rule, evidence, text },
  ];
  const uncertainties: string[] = [];

  if (input.authAs === 'Internal') {
    return {
      outcomes: [
        post('inbox', d('CON-8', 'D', 'promoted to internal (AuthAs Internal): anti-spam is bypassed')),
      ],
      uncertainties,
    };
  }
  const p2 = domainOf(input.headerFrom);
  const cf = cfg.contentFilter;
  const allowedDomain = p2 !== undefined && (cf?.AllowedSenderDomains ?? []).includes(p2);
  const allowedSender = (cf?.AllowedSenders ?? []).includes(input.headerFrom.toLowerCase());
  const ipAllowed = cfg.ipAllow.has(input.clientIp);

  if (auth.dmarc === 'pass') {
    const base = d('SPOOF-6.2', 'D', `DMARC passes for ${p2 ?? 'the sender'}: not a spoof`);
    if (input.ruleScl !== undefined && input.ruleScl >= 5) return spamVerdict(input, base);
    return {
      outcomes: [
        post('inbox', [
          ...base,
          {
            rule: 'MODEL-CONTENT',
            evidence: 'I',
            text: 'content filtering not modelled: an authenticated message is assumed delivered (worst case)',
          },
        ]),
      ],
      uncertainties,
    };
  }
  if (auth.dmarc === 'unknown') {
    uncertainties.push(
      `authentication of ${p2 ?? 'the sender'} is unknown (${auth.notes.join('; ') || 'DNS not available'})`,
    );
    return {
      outcomes: [
        post('inbox', d('SPOOF-6.2', 'I', 'if the sender authenticates, delivered')),
        post('quarantine', d('SPOOF-6.3', 'I', 'if it fails, the spoof action applies')),
      ],
      uncertainties,
    };
  }

  // From here on: a spoof candidate (DMARC fail or no DMARC).
  if (tablAllows(cfg, input.headerFrom, input.clientIp)) {
    return {
      outcomes: [
        post(
          'inbox',
          d(
            'TABL-6.6',
            'D',
            'a Tenant Allow/Block List spoof Allow entry covers this sender and infrastructure',
          ),
        ),
      ],
      uncertainties,
    };
  }
  if (input.ruleScl === -1) {
    return {
      outcomes: [
        post(
          'inbox',
          d(
            'TR-SCL',
            'D',
            'a transport rule set SCL -1: filtering is bypassed and the spoof is delivered (eop-model §4.4, §4.5)',
          ),
        ),
      ],
      uncertainties,
    };
  }
  if (allowedDomain || allowedSender) {
    return {
      outcomes: [
        post(
          'inbox',
          d(
            'AS-6.4',
            'D',
            `the anti-spam policy allows ${allowedDomain ? p2 : input.headerFrom} (SFV:SKA): the spoof is delivered (S31)`,
          ),
        ),
      ],
      uncertainties,
    };
  }
  if (ipAllowed) {
    return {
      outcomes: [
        post(
          'inbox',
          d(
            'CF-6.5',
            'I',
            `${input.clientIp} is on the connection-filter IP Allow List (IPV:CAL): spam and spoof filtering are skipped`,
          ),
        ),
      ],
      uncertainties,
    };
  }

  const degraded = (): Outcome[] => [
    post(
      'inbox',
      d(
        'MX-6.1',
        'C',
        `MX does not point to EOP and Enhanced Filtering is not applied: spoof/DMARC enforcement is suppressed; Ghost-Sender observed such spoofs in the Inbox (S37; exact extent OQ-13)`,
      ),
    ),
  ];
  if (cfg.mxPointsToEop === false && !input.efApplied) return { outcomes: degraded(), uncertainties };
  const normal = matrix(input, d, uncertainties);
  if (cfg.mxPointsToEop === undefined && !input.efApplied) {
    uncertainties.push(
      'whether the MX points to EOP is unknown (no DNS): spoof enforcement may be suppressed (eop-model §6.1, OQ-13)',
    );
    return { outcomes: [...normal, ...degraded()], uncertainties };
  }
  return { outcomes: normal, uncertainties };
}

/** The anti-phish DMARC × spoof-intelligence matrix (eop-model §6.3 [D] S27). */
function matrix(
  input: SpoofInput,
  d: (rule: string, evidence: Decision['evidence'], text: string) => Decision[],
  uncertainties: string[],
): Outcome[] {
  const policy = input.cfg.antiPhish;
  if (!policy) {
    uncertainties.push('Get-AntiPhishPolicy was not exported: the spoof action is unknown');
    return [
      post('inbox', d('SPOOF-6.3', 'I', 'anti-phish policy unknown')),
      post('quarantine', d('SPOOF-6.3', 'I', 'anti-phish policy unknown')),
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
  const add = (action: string | undefined, why: string) => {
    const disp = actionDisposition(action);
    if (!disp) {
      uncertainties.push(`anti-phish policy '${name}': action ${action ?? '(not exported)'} is unknown`);
      outcomes.push(
        post('inbox', d('SPOOF-6.3', 'I', `${why}: action unknown`)),
        post('quarantine', d('SPOOF-6.3', 'I', `${why}: action unknown`)),
      );
      return;
    }
    const reply =
      disp === 'ndr'
        ? `550 5.7.509 Access denied, sending domain ${domainOf(input.headerFrom) ?? ''} does not pass DMARC verification`
        : undefined;
    outcomes.push(post(disp, d('SPOOF-6.3', 'D', `${why} → ${action} (anti-phish policy '${name}')`), reply));
  };
  for (const b of branches) {
    if (explicit) {
      const p = input.auth.dmarcPolicy;
      if (b.honor)
        add(
          p === 'reject' ? policy.DmarcRejectAction : policy.DmarcQuarantineAction,
          `DMARC fails with p=${p} and HonorDmarcPolicy is on`,
        );
      else if (b.spoofIntel)
        add(
          policy.AuthenticationFailAction,
          `DMARC fails with p=${p}, HonorDmarcPolicy off: spoof intelligence acts`,
        );
      else
        outcomes.push(
          post(
            'quarantine',
            d(
              'SPOOF-6.3',
              'D',
              `DMARC fails with p=${p}; spoof intelligence and HonorDmarcPolicy off: quarantined`,
            ),
          ),
        );
    } else if (b.spoofIntel) {
      add(
        policy.AuthenticationFailAction,
        `implicit authentication failure (DMARC ${input.auth.dmarc}, policy ${input.auth.dmarcPolicy}); composite authentication is assumed to fail for an unauthorised IP [I]`,
      );
    } else {
      outcomes.push(
        post(
          'inbox',
          d('SPOOF-6.3', 'D', 'spoof intelligence off and no enforceable DMARC policy: no spoof action'),
        ),
      );
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
    outcomes: [post(disp, [...decisions, { rule: 'TR-SCL', evidence: 'D', text }])],
    uncertainties: [],
  };
}
