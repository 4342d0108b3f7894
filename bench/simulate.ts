/**
 * Simulator benchmark (DESIGN §8: `simulate` ≥ 1,000,000 path evaluations per second on one core for a tenant with
 * 50 connectors and 300 rules). A seeded generator builds a realistic tenant as Snapshot data, compiled exactly as
 * `assess` does, then the standard path attempts and a set of varied attempts. One `simulate(cfg, attempt)` call is
 * one evaluation.
 *
 * The figure held against the target is that of a replay workload (a scenario file, a day of logs): the same senders
 * and flows over and over, from addresses drawn afresh for every evaluation from the source each came from (a
 * gateway pool, the connection-filter allow list, a partner's or a botnet's /24). Attempts from a device or an
 * on-premises server keep their one address (the count is printed). Nothing keyed by an attempt's exact text can
 * answer the others; the replay cache answers them by address class. The attempts are made outside the timed
 * sections. It is the median of half-second slices after a second of warm-up; the first fresh attempts are checked
 * against `simulateReference` (which uses no cache), and the share answered from the cache is printed.
 *
 * Two more figures: the same attempts repeated as they are, and one-off attempts (new senders as well as addresses,
 * each evaluated once) on a configuration compiled afresh, as `assess` and `plan` make them: the cache never answers
 * those, and the full model with the SPF/DMARC oracle bounds them.
 * The checksum covers every field of every result of the fixed attempts (outcomes, decisions, replies,
 * uncertainties), so an optimisation that changes a result changes it.
 *
 * Environment: DURATION_S (timed length of each figure, default 3), SEED (generator seed, default 1), VARIED
 * (number of varied attempts, default 512), DISTINCT (one-off attempts, default 20000),
 * VERIFY (fresh attempts compared with simulateReference, default 2000).
 */
import { recordedAuthOracle } from '../src/dns/oracle.js';
import { zoneFromJson } from '../src/common/zone.js';
import { compileConfig, type SimConfig } from '../src/model/config.js';
import { standardPaths } from '../src/model/paths.js';
import { parseAddress } from '../src/common/ip.js';
import { planOf } from '../src/model/precompiled.js';
import { simulate, simulateReference } from '../src/model/simulate.js';
import { buildTenant } from '../src/model/tenant.js';
import type { Attempt, SimResult } from '../src/model/types.js';
import { mxPointsToEop, resolveGateway } from '../src/profile/infer.js';
import type { Profile } from '../src/profile/schema.js';
import { CMDLET_NAMES } from '../src/snapshot/schema.js';
import type { Snapshot, SnapshotObjects } from '../src/snapshot/types.js';

const DURATION_S = Number(process.env['DURATION_S'] ?? 3);
const SEED = Number(process.env['SEED'] ?? 1);
const VARIED = Number(process.env['VARIED'] ?? 512);
const DISTINCT = Number(process.env['DISTINCT'] ?? 20_000);
const VERIFY = Number(process.env['VERIFY'] ?? 2_000);
const TARGET = 1_000_000;
const CONNECTORS = 50;
const RULES = 300;

/** mulberry32: a small seeded PRNG, so that every run builds the same tenant and attempts. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const chance = (p: number) => rand() < p;
const some = <T>(xs: readonly T[], n: number): T[] => {
  const out: T[] = [];
  while (out.length < Math.min(n, xs.length)) {
    const x = pick(xs);
    if (!out.includes(x)) out.push(x);
  }
  return out;
};

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
const TASKS = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.';
const pred = (name: string) => `${TASKS}${name}Predicate`;
const action = (name: string) => `${TASKS}${name}Action`;

// --- the tenant ---------------------------------------------------------------------------------------------
const OWN = 'contoso.com';
const SECOND = 'fabrikam.net';
const RELAY = 'relay.contoso.com';
const INITIAL = 'contoso.onmicrosoft.com';
const GATEWAY_IPS = ['203.0.113.0/26', '198.51.100.16/28'];
const GATEWAY_CERT = '*.gw-vendor.example';
const PARTNERS = Array.from({ length: 12 }, (_, i) => `partner${i}.example`);
const SPAMMY = Array.from({ length: 40 }, (_, i) => `promo${i}.example`);
const EXTERNAL = Array.from({ length: 60 }, (_, i) => `ext${i}.example`);
const DEVICE_IPS = Array.from({ length: 20 }, (_, i) => `192.0.2.${10 + i}`);
const ONPREM_IPS = Array.from({ length: 10 }, (_, i) => `198.51.100.${100 + i}`);
const ALLOW_IPS = ['198.51.100.200/29'];
const BLOCK_IPS = ['100.64.10.0/24', '100.64.11.7'];
const HEADERS = ['X-Vendor-Verdict', 'X-Newsletter-Id', 'X-Scan-Result', 'X-Campaign'];
const GATEWAY_HEADERS = ['X-Gateway-Spam', 'X-Gateway-Bulk'];

const accepted: Partial<SnapshotObjects['Get-AcceptedDomain']>[] = [
  { DomainName: OWN, DomainType: 'Authoritative', Default: true, MatchSubDomains: false },
  { DomainName: SECOND, DomainType: 'Authoritative', MatchSubDomains: true },
  { DomainName: RELAY, DomainType: 'InternalRelay', MatchSubDomains: false },
  { DomainName: INITIAL, DomainType: 'Authoritative', InitialDomain: true, MatchSubDomains: false },
];

const baseConnector = (name: string, over: Connector): Connector => ({
  Name: name,
  Enabled: true,
  ConnectorType: 'Partner',
  SenderDomains: ['*'],
  SenderIPAddresses: [],
  RequireTls: false,
  RestrictDomainsToIPAddresses: false,
  RestrictDomainsToCertificate: false,
  AssociatedAcceptedDomains: [],
  CloudServicesMailEnabled: false,
  TreatMessagesAsInternal: false,
  EFSkipIPs: [],
  EFSkipLastIP: false,
  EFUsers: [],
  EFTestMode: false,
  ...over,
});

const connectors: Connector[] = [
  // The gateway lock-down: IP restriction, gateway certificate, Enhanced Filtering skipping the gateway hops.
  baseConnector('SEG inbound', {
    SenderIPAddresses: GATEWAY_IPS,
    TlsSenderCertificateName: GATEWAY_CERT,
    RequireTls: true,
    RestrictDomainsToIPAddresses: true,
    EFSkipIPs: GATEWAY_IPS,
  }),
];
for (let i = 0; i < 3; i++)
  // Partner lock-downs by certificate.
  connectors.push(
    baseConnector(`Partner TLS ${PARTNERS[i]}`, {
      SenderDomains: [PARTNERS[i]!],
      TlsSenderCertificateName: `mail.${PARTNERS[i]}`,
      RequireTls: true,
      RestrictDomainsToCertificate: true,
    }),
  );
for (let i = 3; i < 5; i++)
  // Partner lock-downs by IP, covering the partner's subdomains.
  connectors.push(
    baseConnector(`Partner IP ${PARTNERS[i]}`, {
      SenderDomains: [`*.${PARTNERS[i]}`, PARTNERS[i]!],
      SenderIPAddresses: [`100.70.${i}.0/24`],
      RestrictDomainsToIPAddresses: true,
      AssociatedAcceptedDomains: chance(0.5) ? [OWN] : [],
    }),
  );
for (let i = 0; i < 20; i++)
  // Scan-to-mail devices and line-of-business apps: one address, scoped to an own domain.
  connectors.push(
    baseConnector(`Device ${i}`, {
      SenderDomains: [i % 4 === 0 ? SECOND : OWN],
      SenderIPAddresses: [DEVICE_IPS[i]!],
      AssociatedAcceptedDomains: i % 3 === 0 ? [OWN] : [],
    }),
  );
for (let i = 0; i < 10; i++)
  // Hybrid / on-premises servers.
  connectors.push(
    baseConnector(`OnPrem ${i}`, {
      ConnectorType: 'OnPremises',
      SenderDomains: i % 2 === 0 ? ['*'] : [OWN],
      SenderIPAddresses: [ONPREM_IPS[i]!],
      TlsSenderCertificateName: i < 3 ? `mail${i}.${OWN}` : undefined,
      CloudServicesMailEnabled: i < 5,
      TreatMessagesAsInternal: i === 7,
    }),
  );
for (let i = 0; i < 8; i++)
  // Disabled leftovers, some of which would restrict if they were on.
  connectors.push(
    baseConnector(`Old ${i}`, {
      Enabled: false,
      ConnectorType: i % 3 === 0 ? 'OnPremises' : 'Partner',
      SenderIPAddresses: [`100.80.${i}.0/24`],
      RestrictDomainsToIPAddresses: i % 2 === 0,
      SenderDomains: i % 2 === 0 ? ['*'] : [pick(PARTNERS)],
    }),
  );
while (connectors.length < CONNECTORS) {
  // Archiving / encryption services re-injecting mail, with Enhanced Filtering settings.
  const i = connectors.length;
  connectors.push(
    baseConnector(`Service ${i}`, {
      SenderIPAddresses: [`100.90.${i}.0/25`],
      RequireTls: chance(0.5),
      EFSkipLastIP: i % 3 === 0,
      EFSkipIPs: i % 3 === 1 ? [`100.90.${i}.0/25`] : [],
      EFUsers: i % 4 === 0 ? [`user@${OWN}`, `cfo@${OWN}`] : [],
      EFTestMode: i % 5 === 0,
    }),
  );
}

const rules: Rule[] = [];
const rule = (over: Rule): Rule => ({
  Name: `Rule ${rules.length}`,
  Priority: rules.length,
  State: 'Enabled',
  Mode: 'Enforce',
  Conditions: [],
  Exceptions: [],
  Actions: [],
  SenderAddressLocation: 'Header',
  ...over,
});
const cond = (r: Rule, name: string, over: Rule) => {
  r.Conditions = [...(r.Conditions ?? []), pred(name)];
  Object.assign(r, over);
};
const exc = (r: Rule, name: string, over: Rule) => {
  r.Exceptions = [...(r.Exceptions ?? []), pred(name)];
  Object.assign(r, over);
};
// A bypass for one partner's relay range first, then the safety net near the top (hardening guide step 3).
rules.push(
  rule({
    Name: 'Bypass filtering for partner relay',
    Conditions: [pred('SenderIpRanges'), pred('SenderDomainIs')],
    SenderIpRanges: ['100.70.3.0/24'],
    SenderDomainIs: [PARTNERS[3]!],
    Actions: [action('SetScl')],
    SetSCL: -1,
  }),
);
rules.push(
  rule({
    Name: 'BLOCK - Direct EOP Ingress',
    Conditions: [pred('FromScope')],
    Exceptions: [pred('SenderIpRanges'), pred('HeaderMatches')],
    FromScope: 'NotInOrganization',
    ExceptIfSenderIpRanges: [...GATEWAY_IPS, ...DEVICE_IPS, ...ONPREM_IPS, '100.70.3.0/24', '100.70.4.0/24'],
    ExceptIfHeaderMatchesMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
    ExceptIfHeaderMatchesPatterns: ['Internal'],
    Actions: [action('RejectMessage')],
    RejectMessageEnhancedStatusCode: '5.7.1',
    RejectMessageReasonText: 'Mail not delivered via SEG.',
  }),
);
// Broad rules as tenants have them: external tagging, a disclaimer for outbound mail, a gateway SCL bypass, and
// two rules keyed on the gateway's verdict headers (which an attacker writes when going around the gateway, TR-4).
rules.push(
  rule({
    Name: 'Tag external mail',
    Conditions: [pred('FromScope')],
    FromScope: 'NotInOrganization',
    Actions: [action('PrependSubject')],
  }),
  rule({
    Name: 'Outbound disclaimer',
    Conditions: [pred('FromScope'), pred('SentToScope')],
    FromScope: 'InOrganization',
    SentToScope: 'NotInOrganization',
    Actions: [action('ApplyHtmlDisclaimer')],
  }),
  rule({
    Name: 'Gateway: skip spam filtering',
    Conditions: [pred('SenderIpRanges')],
    SenderIpRanges: GATEWAY_IPS,
    Actions: [action('SetScl')],
    SetSCL: -1,
  }),
  rule({
    Name: 'Gateway spam verdict',
    Conditions: [pred('HeaderMatches')],
    HeaderMatchesMessageHeader: 'X-Gateway-Spam',
    HeaderMatchesPatterns: ['^yes$', 'score=\\d{2}'],
    Actions: [action('SetScl')],
    SetSCL: 9,
  }),
  rule({
    Name: 'Gateway bulk verdict',
    Conditions: [pred('HeaderContains')],
    HeaderContainsMessageHeader: 'X-Gateway-Bulk',
    HeaderContainsWords: ['bulk'],
    Actions: [action('SetScl')],
    SetSCL: 6,
    Mode: 'Audit',
  }),
);
let headerRules = 0;
while (rules.length < RULES) {
  // The rest are scoped, as most rules of a large tenant are: named senders, partners, ranges, recipients.
  const r = rule({});
  const kind = rand();
  if (kind < 0.35) {
    cond(r, 'SenderDomainIs', { SenderDomainIs: some(EXTERNAL, 1 + int(4)) });
    r.SenderAddressLocation = pick(['Header', 'Envelope', 'HeaderOrEnvelope'] as const);
  } else if (kind < 0.5) {
    cond(r, 'SenderDomainIs', { SenderDomainIs: some(SPAMMY, 1 + int(3)) });
  } else if (kind < 0.65) {
    cond(r, 'RecipientDomainIs', { RecipientDomainIs: [pick([OWN, SECOND, RELAY])] });
    cond(r, 'SenderDomainIs', { SenderDomainIs: some([...EXTERNAL, ...PARTNERS], 2) });
  } else if (kind < 0.75) {
    cond(r, 'SenderIpRanges', { SenderIpRanges: [`100.${pick([70, 72, 73, 100, 110])}.${int(256)}.0/24`] });
  } else if (kind < 0.83) {
    cond(r, 'FromScope', { FromScope: 'NotInOrganization' });
    cond(r, 'SenderDomainIs', { SenderDomainIs: some([...PARTNERS, ...EXTERNAL], 2) });
  } else if (kind < 0.9) {
    cond(r, 'SentToScope', { SentToScope: 'InOrganization' });
    cond(r, 'SenderDomainIs', { SenderDomainIs: some(PARTNERS, 2) });
  } else if (kind < 0.95 && headerRules < 4) {
    // Header conditions: on an attack path the sender writes these headers (TR-4).
    headerRules++;
    cond(r, 'HeaderMatches', {
      HeaderMatchesMessageHeader: pick(HEADERS),
      HeaderMatchesPatterns: ['^bulk', 'newsletter\\d+'],
    });
    cond(r, 'SenderDomainIs', { SenderDomainIs: some([...SPAMMY, ...EXTERNAL], 3) });
  } else {
    cond(r, 'FromScope', { FromScope: chance(0.5) ? 'InOrganization' : 'NotInOrganization' });
    cond(r, 'RecipientDomainIs', { RecipientDomainIs: [pick([OWN, SECOND])] });
    cond(r, 'SenderDomainIs', { SenderDomainIs: some(EXTERNAL, 3) });
  }
  if (chance(0.3)) exc(r, 'SenderIpRanges', { ExceptIfSenderIpRanges: some(DEVICE_IPS, 2) });
  if (chance(0.15)) exc(r, 'SenderDomainIs', { ExceptIfSenderDomainIs: some(PARTNERS, 2) });
  const act = rand();
  if (act < 0.45) {
    r.Actions = [action('PrependSubject')];
  } else if (act < 0.75) {
    r.Actions = [action('SetHeader')];
  } else if (act < 0.88) {
    r.Actions = [action('SetScl')];
    r.SetSCL = pick([-1, 5, 6, 9]);
  } else if (act < 0.94 && r.SenderDomainIs?.some((d) => SPAMMY.includes(d))) {
    r.Actions = [action('Quarantine')];
    r.Quarantine = true;
  } else if (act < 0.97 && r.SenderDomainIs?.some((d) => SPAMMY.includes(d))) {
    r.Actions = [action('RejectMessage')];
    r.RejectMessageEnhancedStatusCode = '5.7.1';
  } else {
    r.Actions = [action('ApplyHtmlDisclaimer'), action('StopRuleProcessing')];
    r.StopRuleProcessing = true;
  }
  const state = rand();
  if (state < 0.05) r.State = 'Disabled';
  else if (state < 0.1) r.Mode = 'Audit';
  rules.push(r);
}

const data: { [K in keyof SnapshotObjects]?: Partial<SnapshotObjects[K]>[] } = {
  'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: true }],
  'Get-AcceptedDomain': accepted,
  'Get-InboundConnector': connectors,
  'Get-TransportRule': rules,
  'Get-HostedConnectionFilterPolicy': [
    {
      Name: 'Default',
      IsDefault: true,
      IPAllowList: ALLOW_IPS,
      IPBlockList: BLOCK_IPS,
      EnableSafeList: false,
    },
  ],
  'Get-HostedContentFilterPolicy': [
    {
      Name: 'Default',
      IsDefault: true,
      SpamAction: 'MoveToJmf',
      HighConfidenceSpamAction: 'Quarantine',
      AllowedSenderDomains: [PARTNERS[5]!],
      AllowedSenders: [],
    },
  ],
  'Get-AntiPhishPolicy': [
    {
      Name: 'Office365 AntiPhish Default',
      IsDefault: true,
      Enabled: true,
      EnableSpoofIntelligence: true,
      HonorDmarcPolicy: true,
      AuthenticationFailAction: 'MoveToJmf',
      DmarcQuarantineAction: 'Quarantine',
      DmarcRejectAction: 'Reject',
    },
  ],
  'Get-DkimSigningConfig': [],
  'Get-TenantAllowBlockListSpoofItems': [
    {
      SpoofedUser: PARTNERS[6]!,
      SendingInfrastructure: '100.71.6.0/24',
      Action: 'Allow',
      SpoofType: 'External',
    },
    {
      SpoofedUser: SPAMMY[0]!,
      SendingInfrastructure: '100.72.0.0/24',
      Action: 'Block',
      SpoofType: 'External',
    },
  ],
};

// Recorded DNS: SPF and DMARC decidable for every domain the attempts use; the MX points at the gateway.
const dns: Record<string, object> = {
  [OWN]: {
    MX: [{ exchange: 'mx1.gw-vendor.example', priority: 10 }],
    TXT: [`v=spf1 ip4:203.0.113.0/26 ip4:198.51.100.16/28 include:spf.protection.outlook.com -all`],
  },
  [`_dmarc.${OWN}`]: { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@contoso.com'] },
  [SECOND]: { MX: [{ exchange: 'mx1.gw-vendor.example', priority: 10 }], TXT: ['v=spf1 -all'] },
  [`_dmarc.${SECOND}`]: { TXT: ['v=DMARC1; p=quarantine; sp=reject'] },
  'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 -all'] },
  'sender.example': { TXT: ['v=spf1 ip4:198.18.0.0/15 -all'] },
  '_dmarc.sender.example': { TXT: ['v=DMARC1; p=reject'] },
};
PARTNERS.forEach((d, i) => {
  dns[d] = { TXT: [`v=spf1 ip4:100.70.${i}.0/24 ip4:100.71.${i}.0/24 ~all`] };
  dns[`_dmarc.${d}`] = { TXT: [i % 3 === 0 ? 'v=DMARC1; p=none' : 'v=DMARC1; p=reject; pct=100'] };
});
SPAMMY.forEach((d, i) => {
  dns[d] = { TXT: [`v=spf1 ip4:100.72.${i % 256}.0/24 ?all`] };
  if (i % 2 === 0) dns[`_dmarc.${d}`] = { TXT: ['v=DMARC1; p=quarantine'] };
});
EXTERNAL.forEach((d, i) => {
  dns[d] = { TXT: [`v=spf1 ip4:100.73.${i % 256}.0/24 -all`] };
  dns[`_dmarc.${d}`] = { TXT: [i % 4 === 0 ? 'v=DMARC1; p=none' : 'v=DMARC1; p=reject'] };
});

const snapshotData = data as Snapshot['data'];
const snapshot: Snapshot = {
  source: 'bench',
  data: snapshotData,
  dns: zoneFromJson(dns as Parameters<typeof zoneFromJson>[0]),
  missing: CMDLET_NAMES.filter((n) => snapshotData[n] === undefined),
  warnings: [],
};
const profile: Profile = {
  gateway: {
    name: 'Gateway vendor',
    ips: GATEWAY_IPS,
    certificate: GATEWAY_CERT,
    certificateUnique: false,
    dkimSelectors: [],
  },
  hybrid: { ips: ONPREM_IPS.slice(0, 2), certificate: `mail0.${OWN}` },
  directSendSources: [
    { name: 'copier', ips: [DEVICE_IPS[1]!], senders: [`scanner@${OWN}`] },
    { name: 'erp', ips: [DEVICE_IPS[4]!], senders: [`erp@${SECOND}`] },
  ],
  protectedUsers: [],
  waivers: [],
};

/** The configuration exactly as `assess` compiles it (src/assess.ts). */
function compile(): SimConfig {
  const tenant = buildTenant(snapshot);
  const gateway = resolveGateway(profile, snapshot);
  const mx = mxPointsToEop(snapshot);
  const mxEop = mx ?? (gateway.source !== 'none' ? false : undefined);
  return compileConfig({
    tenant,
    tablSpoof: snapshot.data['Get-TenantAllowBlockListSpoofItems'],
    mxPointsToEop: mxEop,
    mxBasis: mx !== undefined ? 'MX records' : 'a gateway is declared or inferred [I]',
    auth: recordedAuthOracle(snapshot.dns),
  });
}

// --- the attempts -----------------------------------------------------------------------------------------------
const cfg = compile();
const gateway = resolveGateway(profile, snapshot);
const standard: Attempt[] = standardPaths(cfg, profile, gateway).flatMap((p) => [
  p.attempt,
  ...(p.variants ?? []),
]);

const gatewayHosts = ['203.0.113.5', '203.0.113.40', '198.51.100.20'];
function internetIp(): string {
  return `${pick([198, 100, 192])}.${pick([18, 19, 64, 70, 72, 73])}.${int(256)}.${1 + int(254)}`;
}
function variedAttempt(): Attempt {
  const source = rand();
  const clientIp =
    source < 0.25
      ? pick(gatewayHosts)
      : source < 0.35
        ? pick(DEVICE_IPS)
        : source < 0.42
          ? pick(ONPREM_IPS)
          : source < 0.5
            ? `100.70.${int(12)}.${1 + int(254)}`
            : source < 0.55
              ? `100.64.10.${1 + int(254)}`
              : source < 0.58
                ? `198.51.100.${201 + int(6)}`
                : internetIp();
  const senderDomain = pick([OWN, OWN, SECOND, RELAY, 'sender.example', ...PARTNERS, ...SPAMMY, ...EXTERNAL]);
  const mailFrom = chance(0.05) ? '' : `${pick(['ceo', 'news', 'billing', 'ops'])}@${senderDomain}`;
  const headerFrom = chance(0.3) ? `ceo@${pick([OWN, SECOND])}` : mailFrom || `postmaster@${senderDomain}`;
  const rcptDomain = chance(0.05) ? pick(EXTERNAL) : pick([OWN, OWN, OWN, SECOND, RELAY, INITIAL]);
  const rcpts = [`${pick(['user', 'cfo', 'hr'])}@${rcptDomain}`];
  if (chance(0.1)) rcpts.push(`cfo@${OWN}`);
  const tls = chance(0.9);
  const certNames = !tls
    ? []
    : chance(0.3)
      ? [
          pick([
            'mx7.gw-vendor.example',
            `mail.${PARTNERS[int(4)]}`,
            `mail0.${OWN}`,
            'mail.unrelated.example',
          ]),
        ]
      : [];
  const a: Attempt = { clientIp, tls, certNames, mailFrom, headerFrom, rcpts, adversarial: chance(0.6) };
  if (chance(0.2))
    a.headers = {
      [pick([...HEADERS, ...GATEWAY_HEADERS])]: pick(['bulk mail', 'newsletter42', 'yes', 'clean']),
    };
  if (chance(0.05)) a.headers = { ...a.headers, 'X-MS-Exchange-CrossPremises-AuthAs': 'Internal' };
  if (chance(0.5)) a.receivedIps = [internetIp(), ...(chance(0.3) ? [pick(gatewayHosts)] : [])];
  if (chance(0.05)) a.authenticated = true;
  return a;
}
const varied = Array.from({ length: VARIED }, variedAttempt);
const attempts = [...standard, ...varied];

// --- fresh addresses ------------------------------------------------------------------------------------------------
const v4 = (ip: string) => {
  const n = parseAddress(ip);
  return typeof n === 'number' ? n : undefined;
};
const v4Text = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
/** The gateway's pools and the allow list: an address drawn from one stays in it. */
const POOLS = [...GATEWAY_IPS, ...ALLOW_IPS].map((cidr) => {
  const [base, bits] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  return { lo: v4(base)!, size };
});
/** The tenant's single-address sources: devices and on-premises servers keep their address. */
const FIXED = new Set([...DEVICE_IPS, ...ONPREM_IPS]);
/** Another address from the source of `ip`: its gateway pool, else its /24; fixed sources and non-IPv4 text as they are. */
function redrawn(ip: string): string {
  const n = v4(ip);
  if (n === undefined || FIXED.has(ip)) return ip;
  const pool = POOLS.find((p) => n >= p.lo && n < p.lo + p.size);
  if (pool) return v4Text(pool.lo + int(pool.size));
  return v4Text((n - (n % 256) + 1 + int(254)) >>> 0);
}
/** The attempt with its client and Received hops drawn afresh. */
function withFreshAddresses(a: Attempt): Attempt {
  const b: Attempt = { ...a, clientIp: redrawn(a.clientIp) };
  if (a.receivedIps) b.receivedIps = a.receivedIps.map(redrawn);
  return b;
}
/** Every attempt once, in order, with fresh addresses: one round of the timed loop. */
const freshRound = () => attempts.map(withFreshAddresses);

// --- checksums --------------------------------------------------------------------------------------------------
/** FNV-1a over a string, folded into an accumulator. */
function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
/** Every field of a result, in order. */
function resultChecksum(h: number, r: SimResult): number {
  for (const o of r.outcomes) {
    h = fnv(h, `${o.stage}|${o.disposition}|${o.reply ?? ''}`);
    for (const d of o.decisions) h = fnv(h, `${d.rule}|${d.evidence}|${d.text}`);
  }
  for (const u of r.uncertainties) h = fnv(h, u);
  return h;
}

// --- the run ----------------------------------------------------------------------------------------------------
const compileRuns = 20;
const t0 = performance.now();
for (let i = 0; i < compileRuns; i++) compile();
const compileMs = (performance.now() - t0) / compileRuns;

let full = 0x811c9dc5;
const classes = new Map<string, number>();
let outcomeCount = 0;
let decisionCount = 0;
for (const a of attempts) {
  const r = simulate(cfg, a);
  full = resultChecksum(full, r);
  for (const o of r.outcomes) {
    const k = `${o.stage} ${o.disposition}`;
    classes.set(k, (classes.get(k) ?? 0) + 1);
    outcomeCount++;
    decisionCount += o.decisions.length;
  }
}

/**
 * Half-second slices of evaluations over `round()`'s attempts, after a second of warm-up; only `simulate` is timed
 * (rounds are made between the timed sections). The cheap outcome checksum keeps every result alive.
 */
function timed(round: () => readonly Attempt[]): {
  perSecond: number;
  slices: number[];
  evaluations: number;
} {
  let batch = round();
  for (const w0 = performance.now(); performance.now() - w0 < 1000; batch = round())
    for (const a of batch) simulate(cfg, a);
  let evaluations = 0;
  const slices: number[] = [];
  while (slices.length < Math.max(3, Math.round((DURATION_S * 1000) / 500))) {
    let n = 0;
    let ms = 0;
    while (ms < 500) {
      batch = round();
      const s0 = performance.now();
      for (const a of batch) {
        const r = simulate(cfg, a);
        for (const o of r.outcomes)
          light = (light * 31 + o.disposition.charCodeAt(0) + o.decisions.length) >>> 0;
      }
      ms += performance.now() - s0;
      n += batch.length;
    }
    slices.push(n / (ms / 1000));
    evaluations += n;
  }
  const sorted = [...slices].sort((x, y) => x - y);
  return { perSecond: sorted[sorted.length >> 1]!, slices: sorted, evaluations };
}
let light = 0;

// The cache must not change an answer: fresh attempts against the model without it.
let verified = 0;
while (verified < VERIFY)
  for (const a of freshRound()) {
    if (verified >= VERIFY) break;
    verified++;
    const got = JSON.stringify(simulate(cfg, a));
    if (got !== JSON.stringify(simulateReference(cfg, a)))
      throw new Error(`simulate differs from simulateReference for ${JSON.stringify(a)}`);
  }

const cache = planOf(cfg).replay;
const [hits0, misses0, plain0] = [cache.hits, cache.misses, cache.plain];
/** Attempts whose every address is a fixed source's: the same text in every round. */
const fixedSources = attempts.filter((a) => {
  const b = withFreshAddresses(a);
  return b.clientIp === a.clientIp && (a.receivedIps ?? []).every((h, i) => b.receivedIps![i] === h);
}).length;
const fresh = timed(freshRound);
const hitShare = (cache.hits - hits0) / (cache.hits - hits0 + cache.misses - misses0 + cache.plain - plain0);
const repeated = timed(() => attempts);
const perSecond = fresh.perSecond;

// Every attempt new: nothing the simulator may remember between calls about an attempt can help.
// One-off attempts (each MAIL FROM new, the null sender's aside: no two share a class) on a configuration compiled
// afresh.
const oneOff = Array.from({ length: DISTINCT }, (_, i): Attempt => {
  const a = variedAttempt();
  const at = a.mailFrom.indexOf('@');
  const mailFrom = at > 0 ? `${a.mailFrom.slice(0, at)}.${i}${a.mailFrom.slice(at)}` : a.mailFrom;
  return { ...a, mailFrom, headerFrom: a.headerFrom === a.mailFrom ? mailFrom : a.headerFrom };
});
const coldCfg = compile();
const t1 = performance.now();
for (const a of oneOff) {
  const r = simulate(coldCfg, a);
  for (const o of r.outcomes) light = (light * 31 + o.disposition.charCodeAt(0)) >>> 0;
}
const distinctPerSecond = DISTINCT / ((performance.now() - t1) / 1000);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `simulate: ${CONNECTORS} connectors, ${RULES} rules, ${standard.length} standard-path attempts + ${varied.length} varied (seed ${SEED})`,
);
console.log(`  compile (buildTenant + compileConfig) ${compileMs.toFixed(2)} ms per configuration`);
const range = (t: ReturnType<typeof timed>) =>
  `median of ${t.slices.length} slices, ${fmt(t.slices[0]!)}–${fmt(t.slices[t.slices.length - 1]!)}; ${fmt(t.evaluations)} evaluations`;
console.log(
  `  ${fmt(perSecond)} path evaluations/s replaying the attempts with fresh addresses (${range(fresh)}; ${(hitShare * 100).toFixed(1)}% answered from the replay cache; ${fixedSources} of ${attempts.length} attempts from fixed sources) — target ≥ ${fmt(TARGET)}/s: ${perSecond >= TARGET ? 'met' : 'NOT met'}`,
);
console.log(`  ${fmt(repeated.perSecond)} evaluations/s repeating the same attempts (${range(repeated)})`);
console.log(
  `  ${fmt(distinctPerSecond)} evaluations/s over ${fmt(DISTINCT)} one-off attempts on a configuration compiled afresh (${(1e6 / distinctPerSecond).toFixed(1)} µs each)`,
);
console.log(`  ${fmt(verified)} fresh attempts checked against simulateReference: identical`);
console.log(
  `  outcomes: ${[...classes]
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}`,
);
console.log(
  `  ${(outcomeCount / attempts.length).toFixed(2)} outcomes per evaluation, ${(decisionCount / outcomeCount).toFixed(1)} decisions per outcome`,
);
console.log(
  `  checksum ${full.toString(16).padStart(8, '0')} (every field of every result; loop ${light.toString(16)} varies with the run length)`,
);
