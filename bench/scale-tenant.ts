/**
 * The tenants of bench/plan-scale.ts (and of the tests that check such tenants, test/plan/connectors-scale.test.ts):
 * examples/half-done with its one rule and one connector replaced by N of them, written as an export folder.
 *
 * The rules differ as a large tenant's do: the example's safety net, rules scoped to a sender domain, a sender range
 * or a recipient domain, rules on the external scope, header rules an attacker can satisfy (TR-4), rules with a
 * condition the model does not decide (uncertain), audit-mode and disabled rules. The connectors: Partner connectors
 * for partners' domains and ranges, some restricting by IP, some by certificate, OnPremises relays, disabled ones.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'half-done');
const TASKS = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.';

/** An export file of the example as JSON values (UTF-16 with a BOM, as PowerShell 5.1 writes them, or UTF-8). */
function exampleObjects(cmdlet: string): Record<string, unknown>[] {
  const bytes = readFileSync(join(EXAMPLE, `${cmdlet}.json`));
  const text =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? bytes.subarray(2).toString('utf16le')
      : bytes.toString('utf8').replace(/^\uFEFF/, '');
  const v = JSON.parse(text) as unknown;
  const list = Array.isArray(v) ? v : ((v as { value?: unknown }).value ?? [v]);
  return list as Record<string, unknown>[];
}

const SAFETY_NET = exampleObjects('Get-TransportRule')[0]!;
const OWN = exampleObjects('Get-AcceptedDomain').map((d) => String(d['DomainName']));
const LOCKDOWN = exampleObjects('Get-InboundConnector')[0]!;

/** The i-th rule: one of eight kinds, in turn. */
function rule(i: number): Record<string, unknown> {
  const base = { Name: `rule ${i}`, Priority: i, State: 'Enabled', Mode: 'Enforce', Exceptions: [] };
  const pred = (n: string) => `${TASKS}${n}Predicate`;
  const act = (n: string) => `${TASKS}${n}Action`;
  const ip = `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
  switch (i % 8) {
    case 0:
      return { ...SAFETY_NET, Name: `${String(SAFETY_NET['Name'])} ${i}`, Priority: i };
    case 1:
      return {
        ...base,
        Conditions: [pred('SenderDomainIs')],
        SenderDomainIs: [`sender${i}.example`],
        Actions: [act('PrependSubject')],
      };
    case 2:
      return {
        ...base,
        Conditions: [pred('FromScope')],
        FromScope: 'NotInOrganization',
        Actions: [act('SetHeader')],
      };
    case 3:
      return {
        ...base,
        Conditions: [pred('SenderIpRanges')],
        SenderIpRanges: [ip],
        Actions: [act('SetScl')],
        SetSCL: -1,
      };
    case 4:
      return {
        ...base,
        Conditions: [pred('HeaderMatches')],
        HeaderMatchesMessageHeader: `X-Tag-${i % 50}`,
        HeaderMatchesPatterns: ['^yes$'],
        Actions: [act('SetScl')],
        SetSCL: 9,
      };
    case 5:
      // A condition the model does not evaluate: the rule's match is undecided.
      return {
        ...base,
        Conditions: [pred('SubjectContainsWords')],
        Actions: [act('Quarantine')],
        Quarantine: true,
      };
    case 6:
      return {
        ...base,
        Mode: 'Audit',
        Conditions: [pred('RecipientDomainIs')],
        RecipientDomainIs: [OWN[i % OWN.length]],
        Actions: [act('ApplyHtmlDisclaimer')],
      };
    default:
      return {
        ...base,
        State: 'Disabled',
        Conditions: [pred('FromScope')],
        FromScope: 'NotInOrganization',
        Actions: [act('RejectMessage')],
      };
  }
}

/** The i-th connector: a partner's, one of five kinds in turn. */
export function connector(i: number): Record<string, unknown> {
  const ip = `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
  const base = {
    Name: `partner ${i}`,
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: [`smtp:partner${i}.example;1`],
    SenderIPAddresses: [ip],
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    RequireTls: false,
    AssociatedAcceptedDomains: [],
    EFSkipIPs: [],
    EFSkipLastIP: false,
    EFUsers: [],
    EFTestMode: false,
  };
  switch (i % 5) {
    case 0:
      return { ...base, RestrictDomainsToIPAddresses: true };
    case 1:
      return {
        ...base,
        SenderIPAddresses: [],
        TlsSenderCertificateName: `mail.partner${i}.example`,
        RequireTls: true,
        RestrictDomainsToCertificate: true,
      };
    case 2:
      return {
        ...base,
        ConnectorType: 'OnPremises',
        SenderDomains: ['smtp:*;1'],
        CloudServicesMailEnabled: false,
      };
    case 3:
      return { ...base, Enabled: false, RestrictDomainsToIPAddresses: true };
    default:
      return base;
  }
}

/** The example with `rules` rules and, besides its gateway connector, `connectors` partner connectors. */
export function writeExport(rules: number, connectors: number, into?: string): string {
  const dir = into ?? mkdtempSync(join(tmpdir(), 'mxlock-bench-scale-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  const ruleList = rules > 0 ? Array.from({ length: rules }, (_, i) => rule(i)) : [SAFETY_NET];
  writeFileSync(join(dir, 'Get-TransportRule.json'), JSON.stringify(ruleList));
  const connectorList = [LOCKDOWN, ...Array.from({ length: connectors }, (_, i) => connector(i))];
  writeFileSync(join(dir, 'Get-InboundConnector.json'), JSON.stringify(connectorList));
  return dir;
}
