/**
 * Seeded generators of configurations and attempts for the differential tests of the simulator: small tenants that
 * exercise every branch the model has (settings missing from the export, undecidable rules, header conditions an
 * attacker writes, Enhanced Filtering, block lists, several recipients) and attempts aimed at them.
 */
import { compileConfig, type SimConfig } from '../../src/model/config.js';
import { buildTenant } from '../../src/model/tenant.js';
import { recordedAuthOracle } from '../../src/dns/oracle.js';
import type { Attempt, AuthVerdict } from '../../src/model/types.js';
import type { Snapshot, SnapshotObjects } from '../../src/snapshot/types.js';
import { rng } from '../support/generated-zones.js';
import { snapshotOf, type Data } from './helpers.js';

export class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  some<T>(xs: readonly T[], n: number): T[] {
    const out: T[] = [];
    for (let i = 0; i < n; i++) {
      const x = this.pick(xs);
      if (!out.includes(x)) out.push(x);
    }
    return out;
  }
  /** The value, or undefined (not exported) with probability `p`. */
  maybe<T>(value: T, p: number): T | undefined {
    return this.chance(p) ? undefined : value;
  }
}

const TASKS = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.';
const OWN = ['contoso.com', 'fabrikam.net', 'relay.contoso.com', 'ext.contoso.com'];
const INITIAL = 'contoso.onmicrosoft.com';
const FOREIGN = [
  'sender.example',
  'partner.example',
  'sub.partner.example',
  'promo.example',
  'other.example',
];
const DOMAINS = [...OWN, INITIAL, ...FOREIGN, 'mail.contoso.com', 'Contoso.COM', 'deep.sub.fabrikam.net'];
/** Address pools: IPv4 in a few ranges, IPv4-mapped IPv6, IPv6, and text that is no address. */
const IPS = [
  '203.0.113.10',
  '203.0.113.77',
  '198.51.100.5',
  '198.51.100.200',
  '192.0.2.50',
  '192.0.2.51',
  '100.64.1.1',
  '198.18.7.7',
  '::ffff:203.0.113.10',
  '2001:db8::25',
  '2001:db8:1::1',
  'not-an-ip',
  '010.0.0.1',
];
const IP_ENTRIES = [
  '203.0.113.0/24',
  '203.0.113.10',
  '198.51.100.0/28',
  '198.51.100.200-198.51.100.210',
  '192.0.2.50',
  '100.64.0.0/16',
  '2001:db8::/32',
  '::ffff:192.0.2.0/120',
  'bogus',
];
const CERTS = [
  'mail.partner.example',
  '*.gw.example',
  'mx1.gw.example',
  'MAIL.CONTOSO.COM',
  'mail.contoso.com',
];
const HEADERS = [
  'X-Tag',
  'X-Gateway-Spam',
  'X-MS-Exchange-Organization-AuthAs',
  'X-MS-Exchange-CrossTenant-Id',
];

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
type Rule = Partial<SnapshotObjects['Get-TransportRule']>;

function connector(g: Gen, i: number): Connector {
  const u = 0.12; // chance that a setting is missing from the export
  const c: Connector = { Name: `c${i}` };
  const set = <K extends keyof Connector>(k: K, v: Connector[K]) => {
    if (v !== undefined) c[k] = v;
  };
  set('Enabled', g.maybe(g.chance(0.85), u));
  set('ConnectorType', g.maybe(g.pick(['Partner', 'Partner', 'OnPremises'] as const), u));
  set(
    'SenderDomains',
    g.maybe(g.some(['*', '*.partner.example', 'contoso.com', ' Sender.Example ', 'promo.example'], 2), u),
  );
  set('SenderIPAddresses', g.chance(0.8) ? g.some(IP_ENTRIES, 1 + g.int(2)) : []);
  set('TlsSenderCertificateName', g.chance(0.4) ? g.pick(CERTS) : undefined);
  set('RequireTls', g.maybe(g.chance(0.4), u));
  set('RestrictDomainsToIPAddresses', g.maybe(g.chance(0.4), u));
  set('RestrictDomainsToCertificate', g.maybe(g.chance(0.2), u));
  set('AssociatedAcceptedDomains', g.maybe(g.chance(0.6) ? [] : [g.pick(OWN)], u));
  set('CloudServicesMailEnabled', g.maybe(g.chance(0.3), u));
  set('TreatMessagesAsInternal', g.maybe(g.chance(0.2), u));
  set('EFSkipIPs', g.chance(0.3) ? g.some(IP_ENTRIES, 2) : []);
  set('EFSkipLastIP', g.maybe(g.chance(0.2), u));
  set('EFUsers', g.chance(0.2) ? ['user@contoso.com'] : []);
  set('EFTestMode', g.maybe(g.chance(0.1), u));
  return c;
}

/** Condition (or exception) properties the model evaluates, and one it does not. */
function addPredicate(g: Gen, r: Rule, except: boolean): void {
  const list = except ? (r.Exceptions ??= []) : (r.Conditions ??= []);
  const p = (k: string) => (except ? `ExceptIf${k}` : k) as keyof Rule;
  const put = (type: string, props: Record<string, unknown>) => {
    list.push(`${TASKS}${type}Predicate`);
    for (const [k, v] of Object.entries(props)) if (v !== undefined) (r as Record<string, unknown>)[p(k)] = v;
  };
  switch (g.int(12)) {
    case 0:
      put('FromScope', {
        FromScope: g.pick(['InOrganization', 'NotInOrganization', 'NotInOrganization', '#7']),
      });
      break;
    case 1:
      put('SenderIpRanges', { SenderIpRanges: g.some(IP_ENTRIES, 2) });
      break;
    case 2:
    case 3:
      put('SenderDomainIs', { SenderDomainIs: g.some([...DOMAINS, 'example', 'PARTNER.example'], 2) });
      break;
    case 4:
      put('RecipientDomainIs', { RecipientDomainIs: g.some(DOMAINS, 2) });
      break;
    case 5:
      put('SentToScope', {
        SentToScope: g.pick(['InOrganization', 'inorganization', 'NotInOrganization', 'x']),
      });
      break;
    case 6:
      put('HeaderMatches', {
        HeaderMatchesMessageHeader: g.pick(HEADERS),
        HeaderMatchesPatterns: g.maybe(g.some(['^yes$', 'internal', 'spam\\d+', '(', 'Anonymous'], 2), 0.15),
      });
      break;
    case 7:
      put('HeaderContains', {
        HeaderContainsMessageHeader: g.pick(HEADERS),
        HeaderContainsWords: g.maybe(['yes', 'bulk'], 0.15),
      });
      break;
    case 8:
      put('From', { From: g.some(['ceo@contoso.com', 'x@sender.example', 'news@promo.example'], 2) });
      break;
    case 9:
      put('FromAddressMatches', {
        FromAddressMatchesPatterns: g.some(['^ceo@', 'promo', '[', 'partner'], 2),
      });
      break;
    case 10:
      put(g.pick(['MessageTypeMatches', 'SubjectContainsWords']), {
        MessageTypeMatches: g.chance(0.5) ? 'OOF' : undefined,
      });
      break;
    default:
      // Listed but its property is not in the export: unknown, never dropped.
      list.push(`${TASKS}${g.pick(['SenderDomainIs', 'RecipientDomainIs', 'FromScope'])}Predicate`);
  }
}

function rule(g: Gen, i: number): Rule {
  const r: Rule = { Name: `r${i}`, Conditions: [], Exceptions: [], Actions: [] };
  if (g.chance(0.95)) r.Priority = i;
  r.State = g.pick(['Enabled', 'Enabled', 'Enabled', 'Enabled', 'Disabled', undefined]);
  r.Mode = g.pick(['Enforce', 'Enforce', 'Enforce', 'Enforce', 'Audit', 'AuditAndNotify', undefined]);
  if (g.chance(0.05)) r.ActivationDate = g.pick(['2020-01-01T00:00:00Z', '2099-01-01T00:00:00Z']);
  if (g.chance(0.05)) r.ExpiryDate = g.pick(['2020-01-01T00:00:00Z', '2099-01-01T00:00:00Z']);
  r.SenderAddressLocation = g.pick(['Header', 'Envelope', 'HeaderOrEnvelope', undefined]);
  const conds = 1 + g.int(2);
  for (let k = 0; k < conds; k++) addPredicate(g, r, false);
  if (g.chance(0.4)) addPredicate(g, r, true);
  const a = (name: string) => `${TASKS}${name}Action`;
  switch (g.int(10)) {
    case 0:
      r.Actions = [a('RejectMessage')];
      if (g.chance(0.5)) r.RejectMessageEnhancedStatusCode = '5.7.1';
      if (g.chance(0.5)) r.RejectMessageReasonText = 'go away';
      break;
    case 1:
      r.Actions = [a('DeleteMessage')];
      break;
    case 2:
      r.Actions = [a('Quarantine')];
      r.Quarantine = true;
      break;
    case 3:
      r.Actions = [a('RedirectMessage')];
      r.RedirectMessageTo = ['archive@contoso.com'];
      break;
    case 4:
    case 5:
      r.Actions = [a('SetScl')];
      r.SetSCL = g.pick([-1, 0, 5, 6, 9]);
      break;
    case 6:
      r.Actions = [a('ModerateMessageByUser'), a('PrependSubject')];
      break;
    default:
      r.Actions = [a(g.pick(['PrependSubject', 'SetHeader', 'ApplyHtmlDisclaimer']))];
  }
  if (g.chance(0.15)) {
    r.Actions = [...(r.Actions ?? []), a('StopRuleProcessing')];
    r.StopRuleProcessing = true;
  }
  return r;
}

export interface Generated {
  cfg: SimConfig;
  snapshot: Snapshot;
  /** The compileConfig input besides the tenant and the TABL entries. */
  options: { mxPointsToEop: boolean | undefined; now?: Date };
}

/** A tenant of up to `maxConnectors` connectors and `maxRules` rules; some exports may be missing. */
export function generateConfig(
  seed: number,
  opts: { maxConnectors?: number; maxRules?: number } = {},
): Generated {
  const g = new Gen(seed);
  const accepted: Partial<SnapshotObjects['Get-AcceptedDomain']>[] = [
    { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true, MatchSubDomains: g.chance(0.3) },
    { DomainName: INITIAL, DomainType: 'Authoritative', InitialDomain: true },
    { DomainName: 'fabrikam.net', DomainType: g.maybe('Authoritative', 0.2), MatchSubDomains: g.chance(0.5) },
    { DomainName: 'relay.contoso.com', DomainType: g.pick(['InternalRelay', 'ExternalRelay'] as const) },
  ];
  const data: Data = {
    'Get-OrganizationConfig': [
      { Name: 'contoso', ...(g.chance(0.85) ? { RejectDirectSend: g.chance(0.6) } : {}) },
    ],
    'Get-AcceptedDomain': accepted,
    'Get-InboundConnector': Array.from({ length: g.int((opts.maxConnectors ?? 8) + 1) }, (_, i) =>
      connector(g, i),
    ),
    'Get-TransportRule': Array.from({ length: g.int((opts.maxRules ?? 24) + 1) }, (_, i) => rule(g, i)),
    'Get-HostedConnectionFilterPolicy': [
      {
        Name: 'Default',
        IsDefault: true,
        IPAllowList: g.chance(0.3) ? g.some(IP_ENTRIES, 1) : [],
        IPBlockList: g.chance(0.3) ? g.some(IP_ENTRIES, 1) : [],
      },
    ],
    'Get-HostedContentFilterPolicy': [
      {
        Name: 'Default',
        IsDefault: true,
        SpamAction: g.maybe('MoveToJmf', 0.2),
        HighConfidenceSpamAction: g.maybe('Quarantine', 0.2),
        AllowedSenderDomains: g.chance(0.2) ? ['partner.example'] : [],
        AllowedSenders: [],
      },
      ...(g.chance(0.2) ? [{ Name: 'Other', AllowedSenderDomains: ['promo.example'] }] : []),
    ],
    'Get-AntiPhishPolicy': [
      {
        Name: 'Office365 AntiPhish Default',
        IsDefault: true,
        EnableSpoofIntelligence: g.maybe(true, 0.15),
        HonorDmarcPolicy: g.maybe(g.chance(0.7), 0.15),
        AuthenticationFailAction: g.maybe(g.pick(['Quarantine', 'MoveToJmf'] as const), 0.1),
        DmarcQuarantineAction: 'Quarantine',
        DmarcRejectAction: g.maybe('Reject', 0.1),
      },
      ...(g.chance(0.2) ? [{ Name: 'Strict', Enabled: true, HonorDmarcPolicy: false }] : []),
    ],
    'Get-TenantAllowBlockListSpoofItems': g.chance(0.3)
      ? [
          { SpoofedUser: 'contoso.com', SendingInfrastructure: '198.18.7.0/24', Action: 'Allow' },
          { SpoofedUser: 'partner.example', SendingInfrastructure: 'mail.partner.example', Action: 'Allow' },
          { SpoofedUser: 'x@sender.example', SendingInfrastructure: '198.18.7.0/24', Action: 'Block' },
        ]
      : [],
  };
  // Exports that are missing now and then: every decision must then stay open.
  const missing = new Set(
    [
      'Get-InboundConnector',
      'Get-TransportRule',
      'Get-OrganizationConfig',
      'Get-HostedContentFilterPolicy',
      'Get-AntiPhishPolicy',
      'Get-HostedConnectionFilterPolicy',
      'Get-AcceptedDomain',
    ].filter(() => g.chance(0.04)),
  );
  const exported = Object.fromEntries(Object.entries(data).filter(([k]) => !missing.has(k))) as Data;
  const dns = g.chance(0.8)
    ? {
        'contoso.com': {
          MX: [{ exchange: 'mx.gw.example', priority: 10 }],
          TXT: ['v=spf1 ip4:203.0.113.0/24 -all'],
        },
        '_dmarc.contoso.com': {
          TXT: [g.pick(['v=DMARC1; p=reject', 'v=DMARC1; p=none', 'v=DMARC1; p=quarantine; pct=50'])],
        },
        'fabrikam.net': { TXT: ['v=spf1 include:missing.example ~all'] },
        'sender.example': { TXT: ['v=spf1 ip4:198.18.0.0/15 -all'] },
        '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
        'partner.example': { TXT: ['v=spf1 ip4:198.51.100.0/24 ?all'] },
      }
    : undefined;
  const snapshot = snapshotOf(exported, dns);
  const options: Generated['options'] = { mxPointsToEop: g.pick([true, false, undefined]) };
  if (g.chance(0.5)) options.now = new Date('2026-01-01T00:00:00Z');
  const cfg = compileConfig({
    tenant: buildTenant(snapshot),
    tablSpoof: snapshot.data['Get-TenantAllowBlockListSpoofItems'],
    mxBasis: 'generated',
    auth: recordedAuthOracle(snapshot.dns),
    ...options,
  });
  return { cfg, snapshot, options };
}

const PASS: AuthVerdict = { spf: 'pass', dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'reject', notes: [] };

function address(g: Gen): string {
  if (g.chance(0.05)) return '';
  const local = g.pick(['ceo', 'x', 'news', 'Partner']);
  return `${local}@${g.pick(DOMAINS)}${g.chance(0.05) ? '.' : ''}`;
}

export function generateAttempt(g: Gen): Attempt {
  const mailFrom = address(g);
  const a: Attempt = {
    clientIp: g.pick(IPS),
    tls: g.chance(0.85),
    certNames: g.chance(0.35) ? g.some(CERTS, 1 + g.int(2)) : [],
    mailFrom,
    headerFrom: g.chance(0.5) ? mailFrom || `ceo@${g.pick(DOMAINS)}` : address(g) || 'ceo@contoso.com',
    rcpts: Array.from({ length: g.pick([1, 1, 1, 2, 3, 0]) }, () =>
      g.chance(0.1)
        ? `user@${g.pick(FOREIGN)}`
        : `${g.pick(['user', 'USER', 'cfo'])}@${g.pick([...OWN, INITIAL])}`,
    ),
    adversarial: g.chance(0.5),
  };
  if (g.chance(0.1)) a.authenticated = true;
  if (g.chance(0.3)) {
    a.headers = {};
    for (const h of g.some(HEADERS, 2))
      a.headers[g.chance(0.3) ? h.toLowerCase() : h] = g.pick(['yes', 'Internal', 'spam42', 'bulk']);
    if (g.chance(0.2)) a.headers['X-MS-Exchange-CrossPremises-AuthAs'] = ' internal ';
  }
  if (g.chance(0.4)) a.receivedIps = g.some(IPS, 1 + g.int(3));
  if (g.chance(0.15)) a.auth = PASS;
  return a;
}
