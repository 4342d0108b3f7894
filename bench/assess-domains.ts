/**
 * `assess` of a tenant with many accepted domains (DESIGN §8: 1,000 accepted domains "well under 2 s"). Every attack
 * path is tried for every accepted domain (DESIGN §5), so this is the figure that grows with the domain count.
 *
 * The tenant: a `*.onmicrosoft.com` default, N custom domains whose MX points at the gateway, each with its own SPF
 * and DMARC (a mix of p=reject, quarantine, none and no record), a certificate lock-down scoped to all but the newest
 * 50 domains (as after an acquisition), a safety net, RejectDirectSend on. Recorded DNS, as `assess --offline`.
 *
 * Environment: DOMAINS (default 1000), RUNS (timed runs, default 5).
 */
import { assessSnapshot } from '../src/assess.js';
import { zoneFromJson } from '../src/common/zone.js';
import { parseProfile } from '../src/profile/parse.js';
import { CMDLET_NAMES } from '../src/snapshot/schema.js';
import type { Snapshot } from '../src/snapshot/types.js';

const DOMAINS = Number(process.env['DOMAINS'] ?? 1000);
const RUNS = Number(process.env['RUNS'] ?? 5);

function tenant(n: number): Snapshot {
  const names = Array.from({ length: n }, (_, i) => `brand${i}.example`);
  const dns: Record<string, object> = {};
  names.forEach((d, i) => {
    dns[d] = {
      MX: [{ exchange: `${d.replace(/\./g, '-')}.mail.gw.example`, priority: 10 }],
      TXT: [`v=spf1 ip4:203.0.113.0/28${i % 3 === 0 ? ' include:spf.protection.outlook.com' : ''} -all`],
    };
    const policy = ['reject', 'quarantine', 'none', ''][i % 4];
    if (policy) dns[`_dmarc.${d}`] = { TXT: [`v=DMARC1; p=${policy}; rua=mailto:dmarc@${d}`] };
  });
  // Partial objects, as exports often are: the reader's types list every property, the checks cope with absent ones.
  const data = {
    'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: true }],
    'Get-AcceptedDomain': [
      {
        DomainName: 'contoso.onmicrosoft.com',
        DomainType: 'Authoritative',
        Default: true,
        InitialDomain: true,
      },
      ...names.map((d) => ({ DomainName: d, DomainType: 'Authoritative' as const, Default: false })),
    ],
    'Get-InboundConnector': [
      {
        Name: 'From SEG',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: ['*'],
        SenderIPAddresses: [],
        TlsSenderCertificateName: '*.gw.example',
        RestrictDomainsToIPAddresses: false,
        RestrictDomainsToCertificate: true,
        RequireTls: true,
        AssociatedAcceptedDomains: ['contoso.onmicrosoft.com', ...names.slice(0, Math.max(0, n - 50))],
        EFSkipIPs: ['203.0.113.0/28'],
        EFSkipLastIP: false,
        EFUsers: [],
        EFTestMode: false,
        TreatMessagesAsInternal: false,
        CloudServicesMailEnabled: false,
      },
    ],
    'Get-TransportRule': [
      {
        Name: 'BLOCK - Direct EOP Ingress',
        Priority: 0,
        State: 'Enabled',
        Mode: 'Enforce',
        FromScope: 'NotInOrganization',
        ExceptIfSenderIpRanges: ['203.0.113.0/28'],
        RejectMessageEnhancedStatusCode: '5.7.1',
        RejectMessageReasonText: 'Mail not delivered via SEG.',
      },
    ],
    'Get-HostedConnectionFilterPolicy': [
      { Name: 'Default', IsDefault: true, IPAllowList: [], IPBlockList: [] },
    ],
    'Get-HostedContentFilterPolicy': [
      {
        Name: 'Default',
        IsDefault: true,
        SpamAction: 'MoveToJmf',
        AllowedSenderDomains: [],
        AllowedSenders: [],
      },
    ],
    'Get-AntiPhishPolicy': [
      {
        Name: 'Office365 AntiPhish Default',
        IsDefault: true,
        EnableSpoofIntelligence: true,
        HonorDmarcPolicy: true,
        AuthenticationFailAction: 'Quarantine',
      },
    ],
    'Get-DkimSigningConfig': names.map((d) => ({ Domain: d, Enabled: true })),
  } as unknown as Snapshot['data'];
  return {
    source: 'bench',
    data,
    dns: zoneFromJson(dns as Parameters<typeof zoneFromJson>[0]),
    missing: CMDLET_NAMES.filter((c) => data[c] === undefined),
    warnings: [],
  };
}

const profile = parseProfile(
  'gateway:\n  name: Example SEG\n  ips: [203.0.113.0/28]\n  certificate: "*.gw.example"\n',
  'bench.yaml',
);
const snapshot = tenant(DOMAINS);
assessSnapshot(snapshot, { profile }); // warm-up
const times: number[] = [];
let paths = 0;
let bypass = '';
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const { report } = assessSnapshot(snapshot, { profile });
  times.push(performance.now() - t0);
  paths = report.paths.reduce((n, p) => n + (p.domains?.length ?? 1), 0);
  bypass = report.verdict.bypass;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(`assess, ${DOMAINS + 1} accepted domains (DESIGN §8: well under 2 s)`);
console.log(
  `  ${median.toFixed(0)} ms median of ${RUNS} runs (min ${times[0]!.toFixed(0)}, max ${times[times.length - 1]!.toFixed(0)}); ${paths} path×domain results; verdict ${bypass}`,
);
