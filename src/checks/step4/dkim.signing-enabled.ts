/** Guide §4.1 / eop-model §10 A16: EOP signs outbound mail with DKIM for every own domain (unless the gateway signs). */
import type { DkimSigningConfig } from '../../snapshot/schema.js';
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { absent, note, outcomeOf, type Note } from './shared.js';

const PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Email authentication settings → DKIM (https://security.microsoft.com/authentication?viewid=DKIM) → select the domain → Sign messages for this domain with DKIM signatures: Enabled';

function configDomain(c: DkimSigningConfig): string | undefined {
  return (c.Domain ?? c.Name ?? c.Identity)?.trim().toLowerCase();
}

export const check: Check = {
  id: 'dkim.signing-enabled',
  step: 4,
  title: 'DKIM signing is enabled and valid for every own accepted domain',
  severity: 'low',
  references: [
    'eop-model §10 A16 [D] S33',
    'eop-model §6.7 DKIM signing (Enabled, Status; *.onmicrosoft.com signs by default) [D] S32, S33',
    'field-notes 11 (a gateway that signs outbound mail uses its own selectors)',
    'hardening-guide step 4.1 (DKIM: enable signing for every sending domain)',
    'https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/set-dkimsigningconfig',
  ],
  remediation: {
    powershell: [
      "New-DkimSigningConfig -DomainName 'yourcompany.com' -Enabled $false   # only when Get-DkimSigningConfig has no entry for the domain",
      "Get-DkimSigningConfig -Identity 'yourcompany.com' | Format-List Selector1CNAME, Selector2CNAME   # publish both CNAMEs",
      "Set-DkimSigningConfig -Identity 'yourcompany.com' -Enabled $true",
    ].join('\n'),
    portal: PORTAL,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName', 'DomainType', 'InitialDomain'],
    'Get-DkimSigningConfig': ['Domain', 'Enabled', 'Status'],
  },
  checklist: 'checklist.email-authentication',
  evaluate(ctx) {
    const accepted = ctx.tenant.acceptedDomains;
    if (!accepted) return { status: 'unknown', evidence: ['Get-AcceptedDomain.json was not exported'] };
    const configs = ctx.snapshot.data['Get-DkimSigningConfig'];
    if (!configs) return { status: 'unknown', evidence: ['Get-DkimSigningConfig.json was not exported'] };

    const gatewaySigns = ctx.gateway.dkimSelectors.length > 0;
    // field-notes 11: outbound mail through the gateway carries the gateway's signature, so EOP not signing is not a gap.
    const unsignedLevel = gatewaySigns ? 'info' : 'fail';
    const gatewayNote = gatewaySigns
      ? ` (the gateway signs outbound mail with selector(s) ${ctx.gateway.dkimSelectors.join(', ')}, field-notes 11)`
      : '';
    const notes: Note[] = [];
    const fixes: string[] = [];

    for (const a of accepted) {
      const domain = a.DomainName;
      // The coexistence domain never sends (eop-model §6.7); a nameless entry has nothing to check.
      if (!domain || domain.endsWith('.mail.onmicrosoft.com')) continue;
      if (a.DomainType === undefined) {
        notes.push(absent(`accepted domain '${domain}'`, 'DomainType'));
        continue;
      }
      if (!['Authoritative', 'InternalRelay', 'ExternalRelay'].includes(a.DomainType)) {
        // An unmapped integer (`#n`) may be Authoritative: unknown, never skipped.
        notes.push(
          note(
            'unknown',
            `accepted domain '${domain}': DomainType = ${a.DomainType} is not a value Get-AcceptedDomain documents (Authoritative, InternalRelay, ExternalRelay)`,
          ),
        );
        continue;
      }
      if (a.DomainType !== 'Authoritative') continue;
      const label = `DKIM signing config '${domain}'`;
      const initial = a.InitialDomain === true || domain.endsWith('.onmicrosoft.com');
      const cfg = configs.find((c) => configDomain(c) === domain);
      if (!cfg) {
        if (initial) {
          notes.push(
            note(
              'ok',
              `accepted domain '${domain}': no DKIM signing config, and the initial *.onmicrosoft.com domain signs by default (eop-model §6.7)`,
            ),
          );
        } else {
          notes.push(
            note(
              unsignedLevel,
              `accepted domain '${domain}': no DKIM signing config in Get-DkimSigningConfig${gatewayNote}`,
            ),
          );
          if (!gatewaySigns) {
            fixes.push(
              `New-DkimSigningConfig -DomainName ${psQuote(domain)} -Enabled $false`,
              `Get-DkimSigningConfig -Identity ${psQuote(domain)} | Format-List Selector1CNAME, Selector2CNAME   # publish both CNAMEs, then:`,
              `Set-DkimSigningConfig -Identity ${psQuote(domain)} -Enabled $true`,
            );
          }
        }
        continue;
      }
      if (cfg.Enabled === undefined) {
        notes.push(absent(label, 'Enabled'));
        continue;
      }
      if (!cfg.Enabled) {
        notes.push(note(unsignedLevel, `${label}: Enabled = false${gatewayNote}`));
        if (!gatewaySigns) {
          fixes.push(
            `Get-DkimSigningConfig -Identity ${psQuote(domain)} | Format-List Status, Selector1CNAME, Selector2CNAME   # check both CNAMEs are published, then:`,
            `Set-DkimSigningConfig -Identity ${psQuote(domain)} -Enabled $true`,
          );
        }
        continue;
      }
      if (cfg.Status === undefined) {
        notes.push(absent(label, 'Status'));
        continue;
      }
      if (cfg.Status.toLowerCase() !== 'valid') {
        notes.push(
          note(
            'warn',
            `${label}: Enabled = true but Status = ${cfg.Status} (expected Valid: the selector CNAMEs are missing or wrong)`,
          ),
        );
        fixes.push(
          `Get-DkimSigningConfig -Identity ${psQuote(domain)} | Format-List Status, Selector1CNAME, Selector2CNAME   # publish both CNAMEs as shown`,
        );
        continue;
      }
      notes.push(note('ok', `${label}: Enabled = true, Status = Valid`));
    }
    if (notes.length === 0)
      return { status: 'unknown', evidence: ['Get-AcceptedDomain.json lists no own domain to check'] };
    return outcomeOf(notes, fixes.length > 0 ? { powershell: fixes.join('\n'), portal: PORTAL } : undefined);
  },
};
