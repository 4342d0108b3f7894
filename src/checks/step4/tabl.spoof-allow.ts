/** eop-model §6.6, §10 A14: no Tenant Allow/Block List spoof Allow entry for own domains or intra-org spoofing. */
import type { TablSpoofItem } from '../../snapshot/schema.js';
import type { Check } from '../types.js';
import { psQuote } from '../util.js';
import { absent, isOwnSender, note, outcomeOf, tablAction, type Note } from './shared.js';

const PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Tenant Allow/Block Lists (https://security.microsoft.com/tenantAllowBlockList?viewid=SpoofItem) → Spoofed senders → select the entry → Delete';

function entryLabel(e: TablSpoofItem): string {
  return `spoofed-sender entry '${e.SpoofedUser ?? '?'}' via '${e.SendingInfrastructure ?? '?'}'${e.Identity ? ` (Identity ${e.Identity})` : ''}`;
}

export const check: Check = {
  id: 'tabl.spoof-allow',
  step: 4,
  title: 'No Tenant Allow/Block List entry allows spoofing of own domains or intra-org senders',
  severity: 'high',
  references: [
    'eop-model §10 A14 [D] S32',
    'eop-model §6.6 spoofed-sender entries (SpoofedUser, SendingInfrastructure, SpoofType, Action; Allow entries never expire) [D] S25, S27, S32',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/new-tenantallowblocklistspoofitems',
    'https://learn.microsoft.com/powershell/module/exchangepowershell/remove-tenantallowblocklistspoofitems',
  ],
  remediation: {
    powershell:
      "Get-TenantAllowBlockListSpoofItems -Action Allow | Format-Table Identity, SpoofedUser, SendingInfrastructure, SpoofType\nRemove-TenantAllowBlockListSpoofItems -Identity Default -Ids '<Identity>'",
    portal: PORTAL,
  },
  reads: {
    'Get-AcceptedDomain': ['DomainName'],
    'Get-TenantAllowBlockListSpoofItems': ['SpoofedUser', 'SendingInfrastructure', 'SpoofType', 'Action'],
  },
  evaluate(ctx) {
    const items = ctx.snapshot.data['Get-TenantAllowBlockListSpoofItems'];
    if (!items)
      return {
        status: 'unknown',
        evidence: [
          'Get-TenantAllowBlockListSpoofItems.json was not exported (optional export; collect it to check spoof allow entries)',
        ],
      };
    const acceptedKnown = ctx.tenant.acceptedDomains !== undefined;
    const notes: Note[] = [];
    const remove: string[] = [];
    for (const e of items) {
      const label = entryLabel(e);
      const action = tablAction(label, e.Action);
      if (typeof action !== 'string') {
        notes.push(action);
        continue;
      }
      if (action !== 'Allow') continue;
      if (e.SpoofType === 'Internal') {
        notes.push(
          note(
            'fail',
            `${label}: Action = Allow, SpoofType = Internal (intra-org spoofing of this sender is allowed)`,
          ),
        );
        if (e.Identity) remove.push(e.Identity);
      } else if (e.SpoofedUser !== undefined && isOwnSender(ctx, e.SpoofedUser)) {
        notes.push(
          note(
            'fail',
            `${label}: Action = Allow for own ${e.SpoofedUser.includes('@') ? 'address' : 'domain'} ${e.SpoofedUser}`,
          ),
        );
        if (e.Identity) remove.push(e.Identity);
      } else if (e.SpoofedUser === undefined) {
        notes.push(absent(label, 'SpoofedUser'));
      } else if (e.SpoofType === undefined) {
        notes.push(absent(label, 'SpoofType'));
      } else {
        notes.push(
          note(
            'warn',
            `${label}: Action = Allow (messages spoofing ${e.SpoofedUser} from this infrastructure get no spoof verdict; Allow entries never expire)`,
          ),
        );
        if (!acceptedKnown)
          notes.push(
            note(
              'unknown',
              `${label}: Get-AcceptedDomain.json was not exported, so it cannot be told whether ${e.SpoofedUser} is an own domain`,
            ),
          );
      }
    }
    if (notes.length === 0) {
      return {
        status: 'pass',
        evidence: [
          `Get-TenantAllowBlockListSpoofItems: ${items.length} entr${items.length === 1 ? 'y' : 'ies'}, none with Action = Allow`,
        ],
      };
    }
    // Only the own-domain / intra-org entries are removed outright; other Allow entries need a review, not a script.
    const fix =
      remove.length > 0
        ? `Remove-TenantAllowBlockListSpoofItems -Identity Default -Ids ${remove.map(psQuote).join(',')}`
        : undefined;
    return outcomeOf(notes, fix ? { powershell: fix, portal: PORTAL } : undefined);
  },
};
