/**
 * What EOP saw of a logged message's authentication (EmailEvents `AuthenticationDetails`: SPF, DKIM, DMARC, CompAuth,
 * formats.md §3), as the simulator's authentication verdict for the impact replay (`Attempt.auth`, model/types.ts):
 * the replay of a spoof that failed DMARC and of a legitimate flow that passed DKIM then differ as EOP decides them
 * (eop-model §6.2 composite authentication, §6.3 the DMARC × spoof-intelligence matrix, rules SPOOF-6.2/6.3).
 *
 * An observed result is used only where it still holds after the plan's stages. DKIM travels with the message, so a
 * DKIM pass holds on any route. SPF is of the address EOP checks, and Enhanced Filtering on the gateway's connector
 * (plan stage 5) moves that from the gateway to the original sender (eop-model EF-1): for mail relayed by the gateway, a
 * result that rests on SPF is not carried over, and the simulator computes it from the recorded DNS as it does for
 * every other log. So is a DMARC failure that composite authentication passed (ARC), and a result that is no verdict
 * (temperror, permerror). Pure.
 */
import { domainOf } from '../common/domains.js';
import { recordedDmarc } from '../dns/oracle.js';
import type { DnsZone } from '../common/zone.js';
import type { AuthVerdict } from '../model/types.js';
import { parseAuthenticationDetails, type Flow } from './classify.js';

/** The verdict a flow's attempt carries, or why the simulator computes its own. */
export type ObservedAuth =
  { use: AuthVerdict; why?: undefined } | { use: undefined; why: string | undefined };

const SPF_RESULTS = new Set<AuthVerdict['spf']>([
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'permerror',
  'temperror',
]);

function spfOf(v: string | undefined): AuthVerdict['spf'] {
  return v !== undefined && SPF_RESULTS.has(v as AuthVerdict['spf']) ? (v as AuthVerdict['spf']) : 'unknown';
}

/** DKIM as DMARC reads it: only a pass authenticates (RFC 7489 §4.2); none is no signature. */
function dkimOf(v: string | undefined): AuthVerdict['dkim'] {
  return v === 'pass' ? 'pass' : v === 'none' || v === undefined ? 'none' : 'fail';
}

/**
 * DMARC as EmailEvents writes it: `bestguesspass` is "no DMARC record, but it would pass" (eop-model §6.3
 * Authentication-Results syntax), so no policy applies; temperror, permerror and words not documented are unknown.
 */
function dmarcOf(v: string | undefined): AuthVerdict['dmarc'] {
  if (v === 'pass' || v === 'fail') return v;
  if (v === 'none' || v === 'bestguesspass') return 'none';
  return 'unknown';
}

/**
 * The verdict of each flow for the replay; `zone` (the export's dns.json) gives the published DMARC policy of the
 * header From domain, which EmailEvents does not record (without it the policy is unknown, never `none`).
 */
export function authObserver(zone: DnsZone | undefined): (flow: Flow) => ObservedAuth {
  // The policy depends on the domain alone: discovered once per domain of the replay (at most MAX_FLOWS).
  const policies = new Map<string, ReturnType<typeof recordedDmarc>>();
  const policyOf = (domain: string) => {
    let p = policies.get(domain);
    if (p === undefined) policies.set(domain, (p = recordedDmarc(zone, domain)));
    return p;
  };
  return (flow) => observedAuth(flow, policyOf);
}

function observedAuth(
  flow: Flow,
  policyOf: (domain: string) => ReturnType<typeof recordedDmarc>,
): ObservedAuth {
  if (flow.auth === undefined || flow.auth.trim() === '') return { use: undefined, why: undefined };
  const seen = parseAuthenticationDetails(flow.auth);
  if (seen.dmarc === undefined)
    return {
      use: undefined,
      why: 'EmailEvents gives no DMARC result for it: computed from the recorded DNS',
    };
  const spf = spfOf(seen.spf);
  const dkim = dkimOf(seen.dkim);
  const dmarc = dmarcOf(seen.dmarc);
  const written = `SPF ${seen.spf ?? '-'}, DKIM ${seen.dkim ?? '-'}, DMARC ${seen.dmarc}, CompAuth ${seen.compauth ?? '-'}`;
  if (dmarc === 'unknown')
    return { use: undefined, why: `observed: ${written}, no DMARC verdict: computed from the recorded DNS` };
  if (flow.source === 'gateway' && !(dmarc === 'pass' && dkim === 'pass'))
    return {
      use: undefined,
      why: `observed through the gateway (${written}): without a DKIM pass the result rests on SPF of the address EOP checked, which Enhanced Filtering changes (EF-1): computed from the recorded DNS`,
    };
  // A DMARC failure that composite authentication still passed (ARC, reason 130; implicit signals, 2xx: eop-model
  // §6.2) was not treated as a spoof; the model does not compute composite authentication, so it cannot carry that on.
  if (dmarc === 'fail' && (seen.compauth === 'pass' || seen.compauth === 'softpass'))
    return {
      use: undefined,
      why: `observed: ${written}; composite authentication passed a DMARC failure (ARC or implicit signals, eop-model §6.2), which the model does not compute: computed from the recorded DNS`,
    };
  const notes = [`observed by EOP (EmailEvents AuthenticationDetails: ${written})`];
  const p2 = domainOf(flow.headerFrom || flow.sender);
  let dmarcPolicy: AuthVerdict['dmarcPolicy'] = 'unknown';
  if (dmarc === 'none') dmarcPolicy = 'absent';
  else if (p2 !== undefined) {
    const found = policyOf(p2);
    dmarcPolicy = found.policy;
    notes.push(...found.notes);
  }
  return { use: { spf, dkim, dmarc, dmarcPolicy, notes } };
}
