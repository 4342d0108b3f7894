/**
 * The bundled example tenants (examples/<name>/) are read the way `mxlock assess` reads them, and the normalised
 * values their stories depend on are pinned here, so that a broken or drifted example fails a test. The raw files
 * must keep mixing serialiser styles (Windows PowerShell 5.1 UTF-16, PowerShell 7 UTF-8, REST OData pages), since
 * that is half of what the examples are for (eop-model §8, formats.md §6).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildExamples, EXAMPLE_NAMES, GATEWAY_IPS, SCANNER_IP } from '../../scripts/make-examples.js';
import { lookup } from '../../src/common/zone.js';
import { buildTenant } from '../../src/model/tenant.js';
import { ProfileSchema, type Profile } from '../../src/profile/schema.js';
import { readExport } from '../../src/snapshot/read.js';
import { CMDLET_NAMES, CMDLETS, type CmdletName } from '../../src/snapshot/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
const REQUIRED = CMDLET_NAMES.filter((n) => CMDLETS[n].required);
const gatewayIps = [...GATEWAY_IPS];

interface Expected {
  name: (typeof EXAMPLE_NAMES)[number];
  defaultDomain: string;
  initialDomain: string;
  coexistenceDomain: string;
  rejectDirectSend: boolean;
  missing: CmdletName[];
  connectors: Record<string, unknown>[];
  rules: Record<string, unknown>[];
  mx: string[];
  spf: string;
  dmarc: string;
  antiPhish: Record<string, unknown>;
  contentFilter: Record<string, unknown>;
  connectionFilter: Record<string, unknown>;
  dkim: Record<string, unknown>[];
  tabl: Record<string, unknown>[];
  unifiedAuditLog: boolean;
  profile: { gateway: Record<string, unknown>; directSendSources: Profile['directSendSources']; protectedUsers: string[] };
}

const noEnhancedFiltering = { EFSkipIPs: [], EFSkipLastIP: false, EFUsers: [], EFTestMode: false };

const EXPECTED: Expected[] = [
  {
    name: 'wide-open',
    defaultDomain: 'contoso.com',
    initialDomain: 'contoso.onmicrosoft.com',
    coexistenceDomain: 'contoso.mail.onmicrosoft.com',
    rejectDirectSend: false,
    missing: [],
    connectors: [
      {
        Name: 'Mimecast Inbound',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: ['*'],
        SenderIPAddresses: gatewayIps,
        RestrictDomainsToIPAddresses: false,
        RestrictDomainsToCertificate: false,
        RequireTls: true,
        TlsSenderCertificateName: undefined,
        AssociatedAcceptedDomains: [],
        TreatMessagesAsInternal: false,
        ...noEnhancedFiltering,
      },
    ],
    rules: [
      {
        Name: 'Bypass spam filtering - internal senders',
        Priority: 0,
        State: 'Enabled',
        Mode: 'Enforce',
        SenderDomainIs: ['contoso.com'],
        SenderAddressLocation: 'Header',
        SetSCL: -1,
        // ORCA 118-4 anti-pattern: no IP or Authentication-Results guard (eop-model §4.5 [C]).
        SenderIpRanges: [],
        HeaderContainsMessageHeader: undefined,
        HeaderMatchesMessageHeader: undefined,
        ExceptIfHeaderContainsMessageHeader: undefined,
        ExceptIfHeaderMatchesMessageHeader: undefined,
        Conditions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SenderDomainIsPredicate'],
        Actions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SetSclAction'],
      },
      {
        Name: 'Mimecast - skip double filtering',
        Priority: 1,
        State: 'Enabled',
        Mode: 'Enforce',
        SenderIpRanges: gatewayIps,
        SetSCL: -1,
      },
      {
        Name: 'Mimecast - do not rewrite links twice',
        Priority: 2,
        State: 'Enabled',
        Mode: 'Enforce',
        SenderIpRanges: gatewayIps,
        SetHeaderName: 'X-MS-Exchange-Organization-SkipSafeLinksProcessing',
        Actions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SetHeaderAction'],
      },
    ],
    mx: ['eu-smtp-inbound-1.mimecast.com', 'eu-smtp-inbound-2.mimecast.com'],
    spf: 'v=spf1 include:_netblocks.mimecast.com include:spf.protection.outlook.com include:sendgrid.net ~all',
    dmarc: 'v=DMARC1; p=none; rua=mailto:dmarc@contoso.com',
    antiPhish: {
      IsDefault: true,
      EnableSpoofIntelligence: true,
      HonorDmarcPolicy: false,
      AuthenticationFailAction: 'MoveToJmf',
      EnableMailboxIntelligence: false,
      EnableTargetedUserProtection: false,
    },
    contentFilter: {
      IsDefault: true,
      BulkThreshold: 7,
      SpamAction: 'MoveToJmf',
      HighConfidenceSpamAction: 'MoveToJmf',
      HighConfidencePhishAction: 'Quarantine',
      AllowedSenderDomains: ['contoso.com'],
      AllowedSenders: [],
    },
    connectionFilter: { IsDefault: true, IPAllowList: gatewayIps, IPBlockList: [], EnableSafeList: true },
    dkim: [
      { Domain: 'contoso.com', Enabled: false, Status: 'CnameMissing' },
      { Domain: 'contoso.onmicrosoft.com', Enabled: true, Status: 'Valid' },
    ],
    tabl: [{ Action: 'Allow', SpoofedUser: 'contoso.com', SendingInfrastructure: '198.51.100.0/24', SpoofType: 'Internal' }],
    unifiedAuditLog: false,
    profile: { gateway: { name: 'Mimecast', ips: gatewayIps, certificateUnique: false }, directSendSources: [], protectedUsers: [] },
  },
  {
    name: 'half-done',
    defaultDomain: 'fabrikam.com',
    initialDomain: 'fabrikam.onmicrosoft.com',
    coexistenceDomain: 'fabrikam.mail.onmicrosoft.com',
    rejectDirectSend: true,
    missing: ['Get-OutboundConnector'],
    connectors: [
      {
        Name: 'Proofpoint inbound',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: ['*'],
        SenderIPAddresses: gatewayIps,
        RestrictDomainsToIPAddresses: false,
        RestrictDomainsToCertificate: false,
        RequireTls: true,
        ...noEnhancedFiltering,
      },
      {
        Name: 'Scanners - HQ',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: ['fabrikam.com'],
        SenderIPAddresses: [SCANNER_IP],
        RestrictDomainsToIPAddresses: true,
        RestrictDomainsToCertificate: false,
        RequireTls: false,
      },
    ],
    rules: [
      {
        Name: 'BLOCK - Direct EOP Ingress (Bypass SEG)',
        Priority: 0,
        State: 'Enabled',
        Mode: 'AuditAndNotify',
        FromScope: 'NotInOrganization',
        ExceptIfSenderIpRanges: [...gatewayIps, SCANNER_IP],
        ExceptIfHeaderMatchesMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
        ExceptIfHeaderMatchesPatterns: ['Internal'],
        ExceptIfMessageTypeMatches: undefined,
        RejectMessageEnhancedStatusCode: '5.7.1',
        RejectMessageReasonText: 'Mail not delivered via SEG.',
        SetSCL: undefined,
      },
    ],
    mx: ['mx0a-00123401.pphosted.com', 'mx0b-00123401.pphosted.com'],
    spf: `v=spf1 include:spf.protection.outlook.com ip4:${SCANNER_IP} -all`,
    dmarc: 'v=DMARC1; p=quarantine; rua=mailto:dmarc@fabrikam.com',
    antiPhish: {
      IsDefault: true,
      EnableSpoofIntelligence: true,
      HonorDmarcPolicy: true,
      DmarcQuarantineAction: 'Quarantine',
      DmarcRejectAction: 'Reject',
      AuthenticationFailAction: 'Quarantine',
      EnableMailboxIntelligence: true,
      EnableMailboxIntelligenceProtection: true,
      EnableTargetedUserProtection: false,
    },
    contentFilter: {
      BulkThreshold: 6,
      SpamAction: 'MoveToJmf',
      HighConfidenceSpamAction: 'Quarantine',
      HighConfidencePhishAction: 'Quarantine',
      AllowedSenderDomains: [],
      AllowedSenders: [],
    },
    connectionFilter: { IsDefault: true, IPAllowList: [], IPBlockList: [], EnableSafeList: false },
    dkim: [
      { Domain: 'fabrikam.com', Enabled: true, Status: 'Valid' },
      { Domain: 'fabrikam.onmicrosoft.com', Enabled: true, Status: 'Valid' },
    ],
    tabl: [],
    unifiedAuditLog: true,
    profile: {
      gateway: { name: 'Proofpoint', ips: gatewayIps, certificateUnique: false },
      directSendSources: [{ name: 'HQ scanners', ips: [SCANNER_IP], senders: ['scanner@fabrikam.com'] }],
      protectedUsers: ['ceo@fabrikam.com'],
    },
  },
  {
    name: 'hardened',
    defaultDomain: 'northwindtraders.com',
    initialDomain: 'northwind.onmicrosoft.com',
    coexistenceDomain: 'northwind.mail.onmicrosoft.com',
    rejectDirectSend: true,
    missing: [],
    connectors: [
      {
        Name: 'From SEG (certificate)',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: ['*'],
        // IPs and a certificate must not share a connector (eop-model CON-3 [D]).
        SenderIPAddresses: [],
        RestrictDomainsToIPAddresses: false,
        RestrictDomainsToCertificate: true,
        TlsSenderCertificateName: '*.mail-gateway.example.com',
        RequireTls: true,
        AssociatedAcceptedDomains: [],
        EFSkipIPs: gatewayIps,
        EFSkipLastIP: false,
        EFUsers: [],
        EFTestMode: false,
      },
      {
        Name: 'Scanners - HQ (IP)',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: ['northwindtraders.com'],
        SenderIPAddresses: [SCANNER_IP],
        RestrictDomainsToIPAddresses: true,
        RestrictDomainsToCertificate: false,
        RequireTls: false,
      },
    ],
    rules: [
      {
        Name: 'BLOCK - Direct EOP Ingress (Bypass SEG)',
        Priority: 0,
        State: 'Enabled',
        Mode: 'Enforce',
        FromScope: 'NotInOrganization',
        ExceptIfSenderIpRanges: [...gatewayIps, SCANNER_IP],
        ExceptIfHeaderMatchesMessageHeader: 'X-MS-Exchange-Organization-AuthAs',
        ExceptIfHeaderMatchesPatterns: ['Internal'],
        ExceptIfMessageTypeMatches: 'Calendaring',
        RejectMessageEnhancedStatusCode: '5.7.1',
        RejectMessageReasonText: 'Mail not delivered via SEG.',
        StopRuleProcessing: false,
      },
      {
        Name: 'External sender tag',
        Priority: 1,
        State: 'Enabled',
        Mode: 'Enforce',
        FromScope: 'NotInOrganization',
        SetSCL: undefined,
        Actions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.PrependSubjectAction'],
      },
    ],
    mx: ['mx1.hc1234-56.iphmx.com', 'mx2.hc1234-56.iphmx.com'],
    spf: `v=spf1 ip4:203.0.113.10 ip4:203.0.113.11 ip4:198.51.100.0/28 ip4:${SCANNER_IP} include:spf.protection.outlook.com -all`,
    dmarc: 'v=DMARC1; p=reject; rua=mailto:dmarc-reports@northwindtraders.com; adkim=s; aspf=s',
    antiPhish: {
      IsDefault: true,
      EnableSpoofIntelligence: true,
      HonorDmarcPolicy: true,
      AuthenticationFailAction: 'Quarantine',
      DmarcQuarantineAction: 'Quarantine',
      DmarcRejectAction: 'Reject',
      EnableMailboxIntelligence: true,
      EnableMailboxIntelligenceProtection: true,
      EnableTargetedUserProtection: true,
      TargetedUsersToProtect: ['Nancy Davolio;ceo@northwindtraders.com'],
      TargetedUserProtectionAction: 'Quarantine',
      PhishThresholdLevel: 2,
    },
    contentFilter: {
      BulkThreshold: 6,
      SpamAction: 'Quarantine',
      HighConfidenceSpamAction: 'Quarantine',
      HighConfidencePhishAction: 'Quarantine',
      AllowedSenderDomains: [],
      AllowedSenders: [],
    },
    connectionFilter: { IsDefault: true, IPAllowList: [], IPBlockList: [], EnableSafeList: false },
    dkim: [
      { Domain: 'northwindtraders.com', Enabled: true, Status: 'Valid' },
      { Domain: 'northwind.onmicrosoft.com', Enabled: true, Status: 'Valid' },
    ],
    tabl: [],
    unifiedAuditLog: true,
    profile: {
      gateway: { name: 'Cisco Secure Email', ips: gatewayIps, certificate: '*.mail-gateway.example.com', certificateUnique: true },
      directSendSources: [{ name: 'HQ scanners', ips: [SCANNER_IP], senders: ['scanner@northwindtraders.com'] }],
      protectedUsers: ['ceo@northwindtraders.com'],
    },
  },
];

const snapshots = new Map<string, Promise<Snapshot>>();
function snapshotOf(name: string): Promise<Snapshot> {
  let s = snapshots.get(name);
  if (!s) {
    s = readExport(join(EXAMPLES_DIR, name));
    snapshots.set(name, s);
  }
  return s;
}

async function profileOf(name: string): Promise<Profile> {
  return ProfileSchema.parse(parseYaml(await readFile(join(EXAMPLES_DIR, name, 'mxlock.yaml'), 'utf8')));
}

function byName<T extends { Name?: string | undefined }>(list: T[] | undefined, name: string): T {
  const found = (list ?? []).find((x) => x.Name === name);
  if (!found) throw new Error(`no object named ${name}`);
  return found;
}

test('the table covers every bundled example', () => {
  expect(EXPECTED.map((e) => e.name)).toEqual([...EXAMPLE_NAMES]);
});

describe.each(EXPECTED.map((e) => [e.name, e] as const))('examples/%s', (_name, e) => {
  test('reads without error, with every required export and no warning', async () => {
    const s = await snapshotOf(e.name);
    expect(s.missing.filter((m) => REQUIRED.includes(m))).toEqual([]);
    expect(s.missing).toEqual(e.missing);
    expect(s.warnings).toEqual([]);
  });

  test('accepted domains, RejectDirectSend and the audit log', async () => {
    const s = await snapshotOf(e.name);
    const tenant = buildTenant(s);
    expect(tenant.defaultDomain).toBe(e.defaultDomain);
    expect(tenant.initialDomain).toBe(e.initialDomain);
    expect(s.data['Get-AcceptedDomain']?.find((d) => d.IsCoexistenceDomain === true)?.DomainName).toBe(e.coexistenceDomain);
    expect(s.data['Get-AcceptedDomain']?.every((d) => d.DomainType === 'Authoritative')).toBe(true);
    expect(s.data['Get-OrganizationConfig']).toHaveLength(1);
    expect(tenant.org?.RejectDirectSend).toBe(e.rejectDirectSend);
    expect(s.data['Get-AdminAuditLogConfig']?.[0]?.UnifiedAuditLogIngestionEnabled).toBe(e.unifiedAuditLog);
  });

  test('inbound connectors after normalisation', async () => {
    const s = await snapshotOf(e.name);
    expect(s.data['Get-InboundConnector']).toHaveLength(e.connectors.length);
    for (const want of e.connectors) {
      expect(byName(s.data['Get-InboundConnector'], String(want['Name']))).toMatchObject(want);
    }
  });

  test('transport rules in priority order', async () => {
    const s = await snapshotOf(e.name);
    const rules = buildTenant(s).transportRules ?? [];
    expect(rules.map((r) => r.Name)).toEqual(e.rules.map((r) => r['Name']));
    rules.forEach((rule, i) => expect(rule).toMatchObject(e.rules[i] ?? {}));
  });

  test('anti-phish, anti-spam, connection filter, DKIM and TABL policies', async () => {
    const s = await snapshotOf(e.name);
    const tenant = buildTenant(s);
    expect(tenant.antiPhish).toMatchObject(e.antiPhish);
    expect(s.data['Get-HostedContentFilterPolicy']).toHaveLength(1);
    expect(s.data['Get-HostedContentFilterPolicy']?.[0]).toMatchObject(e.contentFilter);
    expect(tenant.connectionFilter).toMatchObject(e.connectionFilter);
    expect(s.data['Get-DkimSigningConfig']).toMatchObject(e.dkim);
    expect(s.data['Get-TenantAllowBlockListSpoofItems']).toEqual(e.tabl.map((t) => expect.objectContaining(t)));
    // Only default policies exist, so their scoping rules were exported empty rather than left out.
    expect(s.data['Get-HostedContentFilterRule']).toEqual([]);
    expect(s.data['Get-AntiPhishRule']).toEqual([]);
  });

  test('recorded DNS: MX, SPF, DMARC and DKIM selectors agree with the export', async () => {
    const s = await snapshotOf(e.name);
    const mx = lookup(s.dns, e.defaultDomain, 'MX');
    expect(mx.kind === 'answer' ? mx.records.map((r) => r.exchange).sort() : mx).toEqual(e.mx);
    const txt = lookup(s.dns, e.defaultDomain, 'TXT');
    expect(txt.kind === 'answer' ? txt.records.filter((r) => r.startsWith('v=spf1')) : txt).toEqual([e.spf]);
    expect(lookup(s.dns, `_dmarc.${e.defaultDomain}`, 'TXT')).toEqual({ kind: 'answer', records: [e.dmarc] });
    const dkim = byName(s.data['Get-DkimSigningConfig'], e.defaultDomain);
    for (const [selector, target] of [
      ['selector1', dkim.Selector1CNAME],
      ['selector2', dkim.Selector2CNAME],
    ] as const) {
      const cname = lookup(s.dns, `${selector}._domainkey.${e.defaultDomain}`, 'CNAME');
      if (dkim.Status === 'CnameMissing') {
        expect(cname.kind).toBe('nxdomain');
        continue;
      }
      expect(cname).toEqual({ kind: 'answer', records: [target?.toLowerCase()] });
      // The published key is the one Get-DkimSigningConfig holds (split into 255-octet strings in dns.json).
      const key = lookup(s.dns, target ?? '', 'TXT');
      expect(key.kind).toBe('answer');
      if (key.kind === 'answer') expect(key.records[0]).toMatch(/^v=DKIM1; k=rsa; p=MIIB[A-Za-z0-9+/=]{300,}$/);
    }
  });

  test('the profile is valid and agrees with the connectors and rules', async () => {
    const s = await snapshotOf(e.name);
    const profile = await profileOf(e.name);
    expect(profile.gateway).toMatchObject(e.profile.gateway);
    expect(profile.directSendSources).toEqual(e.profile.directSendSources);
    expect(profile.protectedUsers).toEqual(e.profile.protectedUsers);
    expect(profile.waivers).toEqual([]);
    const gatewayConnector = (s.data['Get-InboundConnector'] ?? []).find((c) => c.SenderDomains?.includes('*'));
    const ips = profile.gateway?.ips ?? [];
    if (profile.gateway?.certificate) {
      expect(gatewayConnector?.TlsSenderCertificateName).toBe(profile.gateway.certificate);
      expect(gatewayConnector?.EFSkipIPs).toEqual(ips);
    } else {
      expect(gatewayConnector?.SenderIPAddresses).toEqual(ips);
    }
    const safetyNet = s.data['Get-TransportRule']?.find((r) => r.RejectMessageEnhancedStatusCode !== undefined);
    if (safetyNet) {
      expect(safetyNet.ExceptIfSenderIpRanges).toEqual([...ips, ...profile.directSendSources.flatMap((d) => d.ips)]);
    }
    for (const source of profile.directSendSources) {
      const connector = (s.data['Get-InboundConnector'] ?? []).find((c) => c.SenderIPAddresses?.includes(source.ips[0] ?? ''));
      expect(connector?.RestrictDomainsToIPAddresses).toBe(true);
      expect(source.senders.every((a) => connector?.SenderDomains?.includes(a.split('@')[1] ?? ''))).toBe(true);
    }
  });
});

type StyleName = 'ps51-utf16' | 'ps51-utf8-bom' | 'ps7' | 'rest';

/** Which serialiser wrote a file, from its raw bytes. */
function styleOf(bytes: Uint8Array): StyleName {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'ps51-utf16';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'ps51-utf8-bom';
  const text = new TextDecoder().decode(bytes);
  return text.includes('"@odata.context"') ? 'rest' : 'ps7';
}

function decoded(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder().decode(bytes.subarray(3));
  return new TextDecoder().decode(bytes);
}

async function rawFile(example: string, file: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(EXAMPLES_DIR, example, file)));
}

describe('serialiser styles in the raw files', () => {
  test.each(EXAMPLE_NAMES)('%s mixes Windows PowerShell 5.1 UTF-16, PowerShell 7 and REST files', async (name) => {
    const files = (await readdir(join(EXAMPLES_DIR, name))).filter((f) => f.startsWith('Get-') && f.endsWith('.json'));
    const styles = new Set<StyleName>();
    for (const f of files) styles.add(styleOf(await rawFile(name, f)));
    expect(styles).toContain('ps51-utf16');
    expect(styles).toContain('ps7');
    expect(styles).toContain('rest');
  });

  // Quirks the reader must undo (formats.md §6.2): each row names a file and a fact about its raw text.
  test.each([
    ['wide-open', 'Get-InboundConnector.json', 'ps51-utf16', /^\{\r\n {4}"Enabled": {2}true,\r\n {4}"ConnectorType": {2}2,/],
    ['wide-open', 'Get-AcceptedDomain.json', 'ps51-utf16', /"DomainType": {2}0,/],
    ['wide-open', 'Get-DkimSigningConfig.json', 'ps51-utf16', /^\{\r\n {4}"value": {2}\[[\s\S]*\],\r\n {4}"Count": {2}2\r\n\}\r\n$/],
    ['wide-open', 'Get-TransportRule.json', 'rest', /"SenderIpRanges@odata\.type":"#Collection\(String\)"/],
    ['wide-open', 'Get-HostedContentFilterPolicy.json', 'ps7', /"WhenChanged": "2022-03-08T17:02:45\+01:00"/],
    ['half-done', 'Get-TransportRule.json', 'ps51-utf16', /"FromScope": {2}1,[\s\S]*"WhenChanged": {2}"\\\/Date\(\d+\)\\\/"/],
    ['half-done', 'Get-TransportRule.json', 'ps51-utf16', /"Mode": {2}"AuditAndNotify"/],
    ['half-done', 'Get-AntiPhishPolicy.json', 'ps51-utf8-bom', /"AuthenticationFailAction": {2}"Quarantine"/],
    ['half-done', 'Get-InboundConnector.json', 'rest', /"SenderDomains":\["smtp:fabrikam\.com;1"\]/],
    ['half-done', 'Get-OrganizationConfig.json', 'ps7', /^\{\n {2}"DisplayName": "Fabrikam, Inc\.",\n/],
    ['hardened', 'Get-AcceptedDomain.json', 'ps51-utf16', /"Count": {2}3\r\n\}/],
    ['hardened', 'Get-InboundConnector.json', 'ps7', /"ConnectorType": "Partner"[\s\S]*"WhenChangedUTC": "2026-02-24T10:02:57\.913Z"/],
    ['hardened', 'Get-OrganizationConfig.json', 'rest', /"WhenChanged":"2026-03-02T09:26:40\.0000000\+00:00"/],
    ['hardened', 'Get-TenantAllowBlockListSpoofItems.json', 'ps7', /^\[\]\r\n$/],
  ] as const)('%s/%s is %s and matches %s', async (example, file, style, pattern) => {
    const bytes = await rawFile(example, file);
    expect(styleOf(bytes)).toBe(style);
    expect(decoded(bytes)).toMatch(pattern);
  });
});

describe('scripts/make-examples.ts', () => {
  const generated = buildExamples();

  test.each(EXAMPLE_NAMES)('%s on disk is exactly what the generator writes (re-run it after editing)', async (name) => {
    const expectedFiles = [...generated.keys()].filter((k) => k.startsWith(`${name}/`)).map((k) => k.slice(name.length + 1));
    expect((await readdir(join(EXAMPLES_DIR, name))).sort()).toEqual(expectedFiles.sort());
    for (const f of expectedFiles) {
      const onDisk = await rawFile(name, f);
      expect(Buffer.compare(Buffer.from(onDisk), Buffer.from(generated.get(`${name}/${f}`) ?? new Uint8Array())), f).toBe(0);
    }
  });
});
