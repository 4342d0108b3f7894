/** Guide §4.1: the DKIM selector CNAMEs of every sending domain are published (or the gateway's selectors, field-notes 11). */
import { psQuote } from '../util.js';
import { commentSafe } from './shared.js';
import { dkimSelectorsVerdict } from '../../dns/findings.js';
import { DNS_PORTAL, dnsCheck, recordBlock } from './dns-check.js';

export const check = dnsCheck({
  id: 'dns.dkim-selectors',
  title: "DKIM selector records of every sending domain are published (Microsoft's or the gateway's)",
  severity: 'medium',
  references: [
    'hardening-guide step 4.1 (DKIM signing for every sending domain)',
    'eop-model §6.7 DKIM signing, selector CNAMEs [D] S32, S33',
    'formats.md §5.3 (read the CNAME targets from Get-DkimSigningConfig, do not synthesise them)',
    'field-notes 11 (a gateway that signs outbound mail uses its own selectors)',
    'https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure',
  ],
  remediation: {
    powershell: [
      "Get-DkimSigningConfig -Identity 'yourcompany.com' | Format-List Selector1CNAME, Selector2CNAME",
      '# yourcompany.com: publish at your DNS host',
      '#   selector1._domainkey.yourcompany.com. IN CNAME <Selector1CNAME>',
      '#   selector2._domainkey.yourcompany.com. IN CNAME <Selector2CNAME>',
      "Resolve-DnsName -Name 'selector1._domainkey.yourcompany.com' -Type CNAME",
    ].join('\n'),
    portal: DNS_PORTAL,
  },
  reads: { 'Get-DkimSigningConfig': ['Domain', 'Enabled', 'Selector1CNAME', 'Selector2CNAME'] },
  checklist: 'checklist.email-authentication',
  verdict: (d) => dkimSelectorsVerdict(d),
  propose(ctx, needing) {
    const domains = needing.map((d) => d.domain);
    const configs = ctx.snapshot.data['Get-DkimSigningConfig'] ?? [];
    const blocks = domains.map((d) => {
      const cfg = configs.find((c) => (c.Domain ?? c.Name ?? c.Identity)?.toLowerCase() === d);
      const records = [1, 2].flatMap((n) => {
        const target = n === 1 ? cfg?.Selector1CNAME : cfg?.Selector2CNAME;
        return target ? [`selector${n}._domainkey.${d}. IN CNAME ${target}.`] : [];
      });
      if (records.length === 0) {
        return [
          `# ${commentSafe(d)}: no selector CNAME targets in Get-DkimSigningConfig; create the signing config, then publish the CNAMEs it reports`,
          `New-DkimSigningConfig -DomainName ${psQuote(d)} -Enabled $false`,
          `Get-DkimSigningConfig -Identity ${psQuote(d)} | Format-List Selector1CNAME, Selector2CNAME`,
        ].join('\n');
      }
      return recordBlock(d, records, `selector1._domainkey.${d}`, 'CNAME');
    });
    const gateway =
      ctx.gateway.dkimSelectors.length > 0
        ? [
            `# The gateway signs outbound mail with selector(s) ${commentSafe(ctx.gateway.dkimSelectors.join(', '))}: publish the records its vendor gives you at <selector>._domainkey.<domain>.`,
          ]
        : [];
    return [...gateway, ...blocks].join('\n');
  },
});
