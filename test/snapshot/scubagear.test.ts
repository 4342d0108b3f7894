/**
 * CISA ScubaGear's ProviderSettingsExport.json as an input (DESIGN §2, §3.1), and the refusal of a `snapshot.json`
 * that is not an mxlock bundle. Fixtures follow the shapes of cisagov/ScubaGear's providers (see src/snapshot/scubagear.ts).
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { absentProperty } from '../../src/snapshot/partial.js';
import { readExport } from '../../src/snapshot/read.js';
import { CMDLET_NAMES } from '../../src/snapshot/schema.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/snapshot/', import.meta.url));
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);
const SCUBA_18 = fixture('scubagear', 'ProviderSettingsExport.json');
const SCUBA_0X = fixture('scubagear-0.x', 'ProviderSettingsExport.json');

async function inputError(run: () => Promise<unknown> | unknown): Promise<InputError> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

/** One in-memory `snapshot.json` bundle, read as `readExport` reads a file given by path. */
function bundle(text: string, name = 'snapshot.json') {
  return () =>
    buildSnapshot({
      source: `mem/${name}`,
      bundle: { name, path: `mem/${name}`, bytes: new TextEncoder().encode(text) },
      files: [],
    });
}

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mxlock-scuba-'));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe('ScubaGear 1.8 ProviderSettingsExport.json given by path', async () => {
  const snapshot = await readExport(SCUBA_18);

  test('its keys map onto our cmdlets; what ScubaGear does not export is missing', () => {
    expect(Object.keys(snapshot.data).sort()).toEqual([
      'Get-AcceptedDomain',
      'Get-AdminAuditLogConfig',
      'Get-AntiPhishPolicy',
      'Get-AntiPhishRule',
      'Get-DkimSigningConfig',
      'Get-HostedConnectionFilterPolicy',
      'Get-HostedContentFilterPolicy',
      'Get-HostedContentFilterRule',
      'Get-InboundConnector',
      'Get-OrganizationConfig',
      'Get-OutboundConnector',
      'Get-TransportConfig',
      'Get-TransportRule',
    ]);
    expect(snapshot.missing).toEqual([
      'Get-TenantAllowBlockListSpoofItems',
      'Get-ArcConfig',
      'Get-TenantAllowBlockListItems',
      'Get-IPv6StatusForAcceptedDomain',
    ]);
    // transport_config is Get-TransportConfig whole (ExportEXOProvider.psm1, MS.EXO.5.1).
    expect(snapshot.data['Get-TransportConfig']?.[0]?.SmtpClientAuthenticationDisabled).toBe(true);
    expect(snapshot.origin).toEqual({ tool: 'ScubaGear', version: '1.8.0' });
  });

  test('values are read with the usual quirks: \\/Date()\\/, smtp:*;1, lists', () => {
    expect(snapshot.data['Get-AcceptedDomain']?.map((d) => d.DomainName)).toEqual([
      'contoso.com',
      'fabrikam.com',
      'contoso.onmicrosoft.com',
      'contoso.mail.onmicrosoft.com',
    ]);
    expect(snapshot.data['Get-InboundConnector']?.[0]).toMatchObject({
      SenderDomains: ['*'],
      SenderIPAddresses: ['192.0.2.0/24'],
      RestrictDomainsToIPAddresses: true,
      WhenChangedUTC: new Date(1716000000000).toISOString(),
    });
    expect(snapshot.data['Get-TransportRule']?.[0]?.ExceptIfSenderIpRanges).toEqual(['192.0.2.0/24']);
    expect(snapshot.data['Get-HostedConnectionFilterPolicy']?.[0]?.IPAllowList).toEqual(['198.51.100.7']);
  });

  test('org_config is a Select-Object of 14 properties: RejectDirectSend is undefined and recorded as not exported', () => {
    expect(snapshot.data['Get-OrganizationConfig']).toEqual([
      { Name: 'contoso.onmicrosoft.com', AuditDisabled: false },
    ]);
    expect(snapshot.partial?.['Get-OrganizationConfig']?.selected).toHaveLength(14);
    expect(snapshot.partial?.['Get-OrganizationConfig']?.selected).toContain('AuditDisabled');
    expect(snapshot.partial?.['Get-InboundConnector']).toBeUndefined();
  });

  test('the reason for a missing property says "not in the export" and names the tool, not an old module', () => {
    const why = absentProperty(snapshot, 'Get-OrganizationConfig', 'RejectDirectSend', 'module too old');
    expect(why).toMatch(
      /^RejectDirectSend is not in the export: ScubaGear 1\.8\.0 exports only 14 properties/,
    );
    expect(why).toContain('Get-OrganizationConfig | ConvertTo-Json -Depth 10');
    expect(why).not.toContain('too old');
    // A property ScubaGear did select but that is absent anyway is the ordinary case, with the caller's cause.
    expect(absentProperty(snapshot, 'Get-InboundConnector', 'EFUsers', 'module too old')).toBe(
      'EFUsers is absent from the export (module too old)',
    );
  });

  test('its DNS answers are not turned into a dns.json zone, and the warning says why', () => {
    expect(snapshot.dns).toBeUndefined();
    expect(snapshot.warnings).toContainEqual(
      expect.stringMatching(
        /spf_records, dkim_records, dmarc_records are not used: .*run assess without --offline/,
      ),
    );
  });

  test('cmdlets ScubaGear could not run (securitysuite_unsuccessful_commands) that we do not read are not warned about', () => {
    expect(snapshot.warnings.filter((w) => w.includes('could not run'))).toEqual([]);
  });
});

describe('ScubaGear 0.x export (baseline_version 0.1: backslashes stripped, UTF-8 BOM, CRLF)', async () => {
  const snapshot = await readExport(SCUBA_0X);

  test('all_domains (Defender) is Get-AcceptedDomain; DomainType 0 = Authoritative', () => {
    expect(snapshot.data['Get-AcceptedDomain']?.map((d) => [d.DomainName, d.DomainType])).toEqual([
      ['contoso.com', 'Authoritative'],
      ['contoso.onmicrosoft.com', 'Authoritative'],
    ]);
  });

  test('org_config keeps Name, DisplayName, AuditDisabled only', () => {
    expect(snapshot.partial?.['Get-OrganizationConfig']?.selected).toEqual([
      'Name',
      'DisplayName',
      'AuditDisabled',
    ]);
    expect(absentProperty(snapshot, 'Get-OrganizationConfig', 'RejectDirectSend')).toContain(
      'ScubaGear 0.3.0 exports only 3 properties of Get-OrganizationConfig (Name, DisplayName, AuditDisabled)',
    );
  });

  test('a command listed in exo_unsuccessful_commands is missing, not an empty result', () => {
    expect(snapshot.data['Get-HostedConnectionFilterPolicy']).toBeUndefined();
    expect(snapshot.missing).toContain('Get-HostedConnectionFilterPolicy');
    expect(snapshot.warnings).toContain(
      `${SCUBA_0X}: ScubaGear could not run Get-HostedConnectionFilterPolicy (exo_unsuccessful_commands): its "conn_filter" is not an empty result but missing data`,
    );
    expect(snapshot.missing).toContain('Get-InboundConnector');
  });

  test('regular expressions lost their backslashes: the patterns are discarded (unknown), with the reason', () => {
    const [rule] = snapshot.data['Get-TransportRule'] ?? [];
    expect(rule?.HeaderMatchesPatterns).toBeUndefined();
    expect(rule?.HeaderMatchesMessageHeader).toBe('X-Scanner-Host');
    expect(rule?.Conditions).toEqual([
      'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.HeaderMatchesPredicate',
    ]);
    expect(absentProperty(snapshot, 'Get-TransportRule', 'HeaderMatchesPatterns')).toMatch(
      /^HeaderMatchesPatterns is not usable in the ScubaGear 0\.3\.0 export: ScubaGear removed every backslash/,
    );
    // Dates written without their escapes still read.
    expect(snapshot.data['Get-AntiPhishPolicy']?.[0]?.Name).toBe('Office365 AntiPhish Default');
  });
});

describe('where a ScubaGear export is found', () => {
  test('a folder holding ProviderSettingsExport.json and no cmdlet files', async () => {
    const snapshot = await readExport(fixture('scubagear'));
    expect(snapshot.origin?.tool).toBe('ScubaGear');
    expect(snapshot.data['Get-TransportRule']).toHaveLength(1);
    expect(snapshot.source).toBe(fixture('scubagear'));
  });

  test('a cmdlet file beside it wins over the ScubaGear copy, so a full Get-OrganizationConfig.json completes it', async () => {
    const dir = await tempDir();
    await copyFile(SCUBA_18, join(dir, 'ProviderSettingsExport.json'));
    await writeFile(
      join(dir, 'Get-OrganizationConfig.json'),
      JSON.stringify([{ Name: 'contoso.onmicrosoft.com', RejectDirectSend: true, AuditDisabled: false }]),
    );
    const snapshot = await readExport(dir);
    expect(snapshot.data['Get-OrganizationConfig']?.[0]?.RejectDirectSend).toBe(true);
    expect(snapshot.partial?.['Get-OrganizationConfig']).toBeUndefined();
    expect(snapshot.data['Get-InboundConnector']).toHaveLength(1);
  });

  test("ScubaGear 1.x's ScubaResults_<uuid>.json: its Raw section is the provider export", async () => {
    const snapshot = await readExport(fixture('scubagear-results'));
    expect(snapshot.origin).toEqual({ tool: 'ScubaGear', version: '1.8.0' });
    expect(snapshot.data['Get-InboundConnector']).toHaveLength(1);
  });

  test('a ScubaGear export saved as snapshot.json is read as one', async () => {
    const dir = await tempDir();
    await copyFile(SCUBA_18, join(dir, 'snapshot.json'));
    const snapshot = await readExport(dir);
    expect(snapshot.origin?.tool).toBe('ScubaGear');
    expect(snapshot.missing).toEqual([
      'Get-TenantAllowBlockListSpoofItems',
      'Get-ArcConfig',
      'Get-TenantAllowBlockListItems',
      'Get-IPv6StatusForAcceptedDomain',
    ]);
  });

  test('two ScubaGear exports in one folder are refused, naming both', async () => {
    const dir = await tempDir();
    await copyFile(SCUBA_18, join(dir, 'ProviderSettingsExport.json'));
    await copyFile(SCUBA_18, join(dir, 'snapshot.json'));
    const err = await inputError(() => readExport(dir));
    expect(err.message).toBe(
      `${join(dir, 'ProviderSettingsExport.json')}: a second ScubaGear export (also ${join(dir, 'snapshot.json')}); keep one`,
    );
  });

  test('a ScubaGear export without Exchange Online or Defender products is refused with what to run', async () => {
    const err = await inputError(
      bundle(
        JSON.stringify({
          baseline_version: '1',
          module_version: '1.8.0',
          tenant_details: [{}],
          conditional_access_policies: [],
          aad_successful_commands: [],
          aad_unsuccessful_commands: [],
        }),
        'ProviderSettingsExport.json',
      ),
    );
    expect(err.message).toBe(
      'mem/ProviderSettingsExport.json: this ScubaGear export holds no Exchange Online or Defender settings: run Invoke-SCuBA with -ProductNames exo and defender (securitysuite in recent versions)',
    );
  });
});

describe('a snapshot.json that is not an mxlock bundle is refused, naming what it looks like', () => {
  test.each([
    [
      'a ScubaGear TestResults.json',
      JSON.stringify([
        { PolicyId: 'MS.EXO.1.1v1', RequirementMet: false, ReportDetails: 'x', Commandlet: [] },
      ]),
      /it looks like a ScubaGear TestResults\.json \(policy verdicts, not settings\); give mxlock the ProviderSettingsExport\.json/,
    ],
    [
      "a single cmdlet's array",
      JSON.stringify([
        { Name: 'From SEG', ConnectorType: 'Partner', SenderIPAddresses: ['192.0.2.1'], RequireTls: true },
      ]),
      /it looks like a list of 1 object \(Get-InboundConnector output\); save it as Get-InboundConnector\.json in an export folder and give mxlock the folder/,
    ],
    [
      'a Graph/REST response',
      JSON.stringify({
        '@odata.context': 'x',
        value: [{ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true }],
      }),
      /it looks like a REST\/Graph API response \(\{"value":\[…\]\}, Get-AcceptedDomain output\); save it as Get-AcceptedDomain\.json/,
    ],
    [
      'a single object',
      JSON.stringify({ RejectDirectSend: false, AuditDisabled: false, Name: 'x' }),
      /it looks like a single Get-OrganizationConfig object; save it as Get-OrganizationConfig\.json/,
    ],
    [
      'an object with unknown keys',
      JSON.stringify({ foo: 1, 'bar\u202e': 2 }),
      /it looks like a JSON object without any cmdlet key \(its keys: foo, bar\\u202e\); a bundle is \{"Get-OrganizationConfig": …, "Get-InboundConnector": …, "dns": …\}/,
    ],
    [
      'a ScubaGear per-product report',
      JSON.stringify({ ReportSummary: {}, Results: [], MetaData: {} }),
      /it looks like a ScubaGear report \(results, not settings\)/,
    ],
  ])('%s', async (_what, text, message) => {
    const err = await inputError(bundle(text));
    expect(err.message).toMatch(/^mem\/snapshot\.json: not an mxlock snapshot bundle: /);
    expect(err.message).toMatch(message);
    expect(err.file).toBe('mem/snapshot.json');
  });

  test('a real bundle still reads', async () => {
    const snap = bundle(JSON.stringify({ 'Get-OrganizationConfig': { RejectDirectSend: true } }))();
    expect(snap.data['Get-OrganizationConfig']).toEqual([{ RejectDirectSend: true }]);
    expect(snap.missing).toEqual(CMDLET_NAMES.filter((n) => n !== 'Get-OrganizationConfig'));
  });
});

describe('text where JSON is expected says what it looks like', () => {
  test.each([
    [
      'Format-List output',
      '\r\nName                 : From SEG\r\nEnabled              : True\r\nConnectorType        : Partner\r\n',
      /not JSON: it looks like PowerShell Format-List output; export with ConvertTo-Json -Depth 10/,
    ],
    [
      'Format-Table output',
      'Name     Enabled ConnectorType\r\n----     ------- -------------\r\nFrom SEG True    Partner\r\n',
      /not JSON: it looks like PowerShell Format-Table output/,
    ],
    [
      'Export-Csv output',
      '#TYPE Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.TenantInboundConnector\r\n"Name","Enabled"\r\n"From SEG","True"\r\n',
      /not JSON: it looks like CSV \(Export-Csv\)/,
    ],
    [
      'a CSV without #TYPE',
      '"Name","Enabled","ConnectorType"\n"From SEG","True","Partner"\n',
      /not JSON: it looks like CSV \(Export-Csv\)/,
    ],
    [
      'Export-Clixml output',
      '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0"/></Objs>',
      /not JSON: it looks like PowerShell CliXML \(Export-Clixml\)/,
    ],
  ])('%s', async (_what, text, message) => {
    const err = await inputError(() =>
      buildSnapshot({
        source: 'mem',
        files: [
          {
            name: 'Get-InboundConnector.json',
            path: 'mem/Get-InboundConnector.json',
            bytes: new TextEncoder().encode(text),
          },
        ],
      }),
    );
    expect(err.message).toMatch(/^mem\/Get-InboundConnector\.json: /);
    expect(err.message).toMatch(message);
  });
});
