/** AuthOracle over recorded DNS: SPF of the P1 domain, DMARC alignment and policy of the P2 domain. Pure. */
import type { AuthOracle } from '../model/config.js';
import type { AuthVerdict } from '../model/types.js';
import { domainOf } from '../model/domains.js';
import { sameOrganisation } from './dmarc.js';
import { dmarcPolicyFor, evaluateSpf, parseDmarcTags } from './recorded-auth.js';
import type { DnsZone } from './zone.js';

export function recordedAuthOracle(zone: DnsZone | undefined): AuthOracle {
  return {
    verdict({ ip, mailFrom, headerFrom, dkimDomains }): AuthVerdict {
      const notes: string[] = [];
      const p1 = domainOf(mailFrom);
      const p2 = domainOf(headerFrom);
      let spf: AuthVerdict['spf'] = 'none';
      if (p1) {
        const r = evaluateSpf(zone, ip, p1);
        spf = r.result;
        notes.push(
          `SPF ${p1} for ${ip}: ${r.result}${r.reason.length ? ` (${r.reason[r.reason.length - 1]})` : ''}`,
        );
      } else {
        notes.push('null sender <>: SPF checks the HELO name, not modelled (none)');
      }
      if (!p2)
        return {
          spf,
          dkim: 'none',
          dmarc: 'unknown',
          dmarcPolicy: 'unknown',
          notes: [...notes, 'no From: domain'],
        };
      const dm = dmarcPolicyFor(zone, p2);
      // aspf=s / adkim=s ask for strict (exact) alignment (RFC 7489 §3.1); relaxed is the default.
      const tags = dm.record ? parseDmarcTags(dm.record) : new Map<string, string>();
      const alignedFor = (mode: string | undefined, d: string) =>
        mode === 's' ? d === p2 : sameOrganisation(d, p2);
      const dkim: AuthVerdict['dkim'] = dkimDomains.some((d) => alignedFor(tags.get('adkim'), d))
        ? 'pass'
        : 'none';
      // An SPF result only matters for DMARC when the P1 domain can align with the From: domain.
      const spfCanAlign = p1 !== undefined && alignedFor(tags.get('aspf'), p1);
      let dmarc: AuthVerdict['dmarc'];
      if ((spfCanAlign && spf === 'pass') || dkim === 'pass') dmarc = 'pass';
      else if ((spfCanAlign && (spf === 'unknown' || spf === 'temperror')) || dm.policy === 'unknown')
        dmarc = 'unknown';
      else dmarc = dm.policy === 'absent' ? 'none' : 'fail';
      notes.push(...(dm.notes ?? []));
      notes.push(
        dm.record
          ? `DMARC ${dm.at}: "${dm.record}"`
          : `DMARC for ${p2}: ${dm.policy === 'unknown' ? 'unknown' : 'no record'}`,
      );
      return { spf, dkim, dmarc, dmarcPolicy: dm.policy, notes };
    },
  };
}
