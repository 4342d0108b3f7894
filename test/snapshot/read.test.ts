/** readExport on export folders written by each serialiser (DESIGN §3.1, formats.md §6, eop-model §8). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readExport } from '../../src/snapshot/read.js';
import { CMDLET_NAMES } from '../../src/snapshot/schema.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/snapshot/', import.meta.url));
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

async function inputError(path: string): Promise<InputError> {
  try {
    await readExport(path);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`expected an InputError reading ${path}`);
}

describe('Windows PowerShell 5.1 export (UTF-16LE + BOM, /Date(ms)/, enum ints, two spaces after colons, CRLF)', async () => {
  const snapshot = await readExport(fixture('ps51'));

  test('every file is read; only the optional cmdlets it lacks are missing', () => {
    expect(snapshot.missing).toEqual([
      'Get-HostedContentFilterRule',
      'Get-AntiPhishRule',
      'Get-TenantAllowBlockListSpoofItems',
      'Get-AdminAuditLogConfig',
      'Get-ArcConfig',
      'Get-TransportConfig',
      'Get-TenantAllowBlockListItems',
      'Get-IPv6StatusForAcceptedDomain',
    ]);
    expect(snapshot.warnings).toEqual([]);
    expect(snapshot.dns).toBeUndefined();
  });

  test('a single object where an array is expected becomes a one-element list', () => {
    expect(snapshot.data['Get-OrganizationConfig']).toEqual([
      {
        Name: 'contoso.onmicrosoft.com',
        Identity: 'contoso.onmicrosoft.com',
        RejectDirectSend: false,
        AuditDisabled: false,
      },
    ]);
    expect(snapshot.data['Get-TransportRule']).toHaveLength(1);
  });

  test('the {"value":[…],"Count":n} wrapper is unwrapped and DomainType ints map to names', () => {
    expect(snapshot.data['Get-AcceptedDomain']?.map((d) => [d.DomainName, d.DomainType, d.Default])).toEqual([
      ['contoso.com', 'Authoritative', true],
      ['contoso.onmicrosoft.com', 'Authoritative', false],
      ['contoso.mail.onmicrosoft.com', 'InternalRelay', false],
    ]);
  });

  test('connectors: ConnectorType 2 = Partner, 1 = OnPremises; smtp:*;1 → *; \\/Date(ms)\\/ → ISO; null lists → []', () => {
    const [seg, onPrem] = snapshot.data['Get-InboundConnector'] ?? [];
    expect(seg).toMatchObject({
      Name: 'From SEG',
      Enabled: true,
      ConnectorType: 'Partner',
      ConnectorSource: '0',
      SenderDomains: ['*'],
      SenderIPAddresses: ['203.0.113.10', '198.51.100.0/28'],
      RequireTls: true,
      RestrictDomainsToIPAddresses: true,
      RestrictDomainsToCertificate: false,
      TlsSenderCertificateName: undefined,
      WhenChangedUTC: '2024-08-16T12:09:31.000Z',
    });
    expect(onPrem).toMatchObject({
      Enabled: false,
      ConnectorType: 'OnPremises',
      TrustedOrganizations: [],
      AssociatedAcceptedDomains: [],
      EFSkipIPs: [],
      TlsSenderCertificateName: 'mail.contoso.com',
      // /Date(ms+hhmm)/: the milliseconds are UTC already; the offset is display-only
      WhenChangedUTC: '2023-11-14T22:13:20.000Z',
    });
  });

  test('transport rule: .NET predicate names in Conditions are data, not truncation; FromScope int 1 = NotInOrganization', () => {
    expect(snapshot.data['Get-TransportRule']?.[0]).toMatchObject({
      Priority: 0,
      State: 'Enabled',
      Mode: 'Enforce',
      Conditions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.FromScopePredicate'],
      Actions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.RejectMessageAction'],
      FromScope: 'NotInOrganization',
      ExceptIfSenderIpRanges: ['203.0.113.10', '198.51.100.0/28'],
      SenderIpRanges: [],
      SetSCL: undefined,
      ActivationDate: undefined,
    });
  });

  test('DKIM key dates with and without an offset', () => {
    expect(snapshot.data['Get-DkimSigningConfig']?.map((d) => d.KeyCreationTime)).toEqual([
      '2023-01-01T00:00:00.000Z',
      '2023-01-01T00:00:00.000Z',
    ]);
  });

  test('[null] (ConvertTo-Json @($null)) is an empty result, not a missing file', () => {
    expect(snapshot.data['Get-OutboundConnector']).toEqual([]);
    expect(snapshot.missing).not.toContain('Get-OutboundConnector');
  });
});

describe('PowerShell 7 export (UTF-8 without BOM, ISO dates, enums as strings)', async () => {
  const snapshot = await readExport(fixture('ps7'));

  test('ISO dates with 7 fractional digits and an offset normalise to UTC', () => {
    expect(snapshot.data['Get-InboundConnector']?.map((c) => c.WhenChangedUTC)).toEqual([
      '2021-08-05T23:13:05.639Z',
      '2026-07-23T22:55:49.000Z',
    ]);
  });

  test('certificate names and domains are lower-cased; AddressSpace forms are stripped', () => {
    const [cert, scanners] = snapshot.data['Get-InboundConnector'] ?? [];
    expect(cert?.TlsSenderCertificateName).toBe('*.mail-gateway.example.com');
    expect(scanners?.SenderDomains).toEqual(['contoso.com', '*.contoso.com']);
    expect(snapshot.data['Get-AcceptedDomain']?.[0]?.DomainName).toBe('contoso.com');
  });

  test('[] is an empty result', () => {
    expect(snapshot.data['Get-TransportRule']).toEqual([]);
  });

  test('dns.json: names normalised, split TXT strings joined, a name without types is NODATA', () => {
    expect(snapshot.dns?.get('contoso.com')).toEqual({
      MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }],
      TXT: ['v=spf1 include:spf.protection.outlook.com include:eu._netblocks.mimecast.com -all'],
    });
    expect(snapshot.dns?.get('selector1._domainkey.contoso.com')).toEqual({});
  });

  test('properties absent from the export stay undefined (unknown), never false', () => {
    const org = snapshot.data['Get-OrganizationConfig']?.[0];
    expect(org?.RejectDirectSend).toBe(true);
    expect(org?.AuditDisabled).toBeUndefined();
    expect(snapshot.data['Get-InboundConnector']?.[0]?.EFTestMode).toBeUndefined();
  });
});

describe('REST (adminapi InvokeCommand pages, UTF-8 with BOM)', async () => {
  const snapshot = await readExport(fixture('rest'));

  test('the page wrapper and every @odata/@data/@adminapi annotation are dropped', () => {
    expect(snapshot.data['Get-InboundConnector']).toEqual([
      {
        Name: 'From gateway',
        Enabled: true,
        ConnectorType: 'Partner',
        SenderDomains: ['*'],
        SenderIPAddresses: ['198.51.100.0/24'],
        RequireTls: true,
        RestrictDomainsToIPAddresses: true,
        WhenChangedUTC: '2025-03-01T10:11:12.000Z',
      },
    ]);
  });

  test('property names in any case: SenderIPRanges / SenderIpAddresses / requiretls', () => {
    expect(snapshot.data['Get-TransportRule']).toEqual([
      {
        Name: 'Safety net',
        Priority: 0,
        State: 'Enabled',
        Mode: 'AuditAndNotify',
        ExceptIfSenderIpRanges: ['198.51.100.0/24'],
        SetSCL: -1,
      },
    ]);
  });

  test('an empty result with `value` omitted or [] is an empty list, not a phantom object', () => {
    expect(snapshot.data['Get-AntiPhishRule']).toEqual([]);
    expect(snapshot.data['Get-HostedContentFilterRule']).toEqual([]);
  });
});

describe('encodings', () => {
  test.each(['utf-8', 'utf-8-bom', 'utf-16le-bom', 'utf-16be-bom', 'utf-16le', 'windows-1252'])(
    '%s: the umlaut survives',
    async (encoding) => {
      const snapshot = await readExport(fixture('encodings', encoding));
      expect(snapshot.data['Get-AcceptedDomain']).toEqual([
        { Name: 'Zürich', DomainName: 'zürich.example', DomainType: 'Authoritative', Default: true },
      ]);
      const file = fixture('encodings', encoding, 'Get-AcceptedDomain.json');
      expect(snapshot.warnings).toEqual(
        encoding === 'windows-1252'
          ? [
              `${file}: not UTF-8; read as Windows-1252 (re-export with -Encoding utf8 to be sure of non-ASCII names)`,
            ]
          : [],
      );
    },
  );
});

describe('containers', () => {
  test('*.json.gz is gunzipped', async () => {
    const snapshot = await readExport(fixture('gzip'));
    expect(snapshot.data['Get-TransportRule']).toEqual([
      { Name: 'Safety net', Priority: 0, State: 'Enabled', Mode: 'Enforce' },
    ]);
  });

  test('a .gz that is not gzip is an InputError naming the file', async () => {
    const err = await inputError(fixture('bad-gzip'));
    const file = fixture('bad-gzip', 'Get-TransportRule.json.gz');
    expect(err.file).toBe(file);
    expect(err.message).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a readable gzip file`),
    );
  });

  test('snapshot.json bundle: keys in any case, with or without Get-, null = empty, unknown keys warned about', async () => {
    const path = fixture('bundle', 'snapshot.json');
    const snapshot = await readExport(path);
    expect(snapshot.data).toEqual({
      'Get-OrganizationConfig': [{ RejectDirectSend: true }],
      'Get-AcceptedDomain': [{ DomainName: 'contoso.com', Default: true }],
      'Get-InboundConnector': [
        { Name: 'From SEG', ConnectorType: 'Partner', SenderDomains: ['*'], Enabled: true },
      ],
      'Get-TransportRule': [],
    });
    expect(snapshot.dns?.get('contoso.com')?.MX).toEqual([
      { exchange: 'mx1.hc1-2.eu.iphmx.com', priority: 10 },
    ]);
    expect(snapshot.warnings).toEqual([`${path}: ignored unknown key "notes"`]);
    expect(snapshot.source).toBe(path);
  });

  test('a snapshot.json inside a folder is merged with the separate files', async () => {
    const snapshot = await readExport(fixture('bundle-in-folder'));
    expect(Object.keys(snapshot.data).sort()).toEqual([
      'Get-AcceptedDomain',
      'Get-InboundConnector',
      'Get-OrganizationConfig',
    ]);
    expect(snapshot.dns?.get('contoso.com')).toEqual({});
  });

  test('the same cmdlet in the bundle and as a file is an InputError naming both', async () => {
    const err = await inputError(fixture('bundle-duplicate'));
    expect(err.message).toBe(
      `${fixture('bundle-duplicate', 'Get-InboundConnector.json')}: Get-InboundConnector is given twice (also in ${fixture('bundle-duplicate', 'snapshot.json')}#Get-InboundConnector); keep one`,
    );
  });
});

describe('missing data', () => {
  test('a missing Get-InboundConnector.json is listed in snapshot.missing, with every other absent cmdlet', async () => {
    const snapshot = await readExport(fixture('missing-inbound'));
    expect(snapshot.missing).toContain('Get-InboundConnector');
    expect(snapshot.data['Get-InboundConnector']).toBeUndefined();
    expect(snapshot.missing).toEqual(
      CMDLET_NAMES.filter((n) => n !== 'Get-OrganizationConfig' && n !== 'Get-AcceptedDomain'),
    );
  });

  test('a folder with no export files is an InputError', async () => {
    const err = await inputError(fixture('no-export-files'));
    expect(err.message).toBe(
      `${fixture('no-export-files')}: no export files found (expected Get-OrganizationConfig.json, Get-InboundConnector.json, … or a snapshot.json)`,
    );
  });

  test('a path that does not exist is an InputError', async () => {
    const path = fixture('does-not-exist');
    expect((await inputError(path)).message).toBe(
      `${path}: cannot read the export folder or snapshot.json: no such file or folder; check the path`,
    );
  });
});

describe('bad input names the file, the place and the property', () => {
  test('not JSON (PowerShell True) → line and column', async () => {
    const file = fixture('not-json', 'Get-InboundConnector.json');
    const err = await inputError(fixture('not-json'));
    expect(err.message).toBe(`${file}: not valid JSON at line 4, column 21: unexpected character "T"`);
    expect(err.file).toBe(file);
  });

  test('a property of the wrong type → file and [index].Property', async () => {
    const file = fixture('wrong-type', 'Get-InboundConnector.json');
    const err = await inputError(fixture('wrong-type'));
    expect(err.message).toBe(
      `${file}: [1].RequireTls: Invalid input: expected boolean, received string (found "maybe")`,
    );
    expect([err.file, err.property]).toEqual([file, '[1].RequireTls']);
  });

  test('a list cut off by ConvertTo-Json -Depth (its .NET type name) → InputError telling to re-export', async () => {
    const file = fixture('truncated', 'Get-InboundConnector.json');
    const err = await inputError(fixture('truncated'));
    expect(err.property).toBe('[0].SenderIPAddresses[0]');
    expect(err.message).toMatch(
      /: \[0\]\.SenderIPAddresses\[0\]: holds a \.NET type name instead of data: the export was truncated by ConvertTo-Json -Depth \(re-export with -Depth 10\) \(found "Microsoft\.Exchange\.Data\.MultiValuedProperty`1\[/,
    );
    expect(err.message.startsWith(`${file}: `)).toBe(true);
  });

  test('a type name inside a list → the element path', async () => {
    const err = await inputError(fixture('truncated-in-list'));
    expect(err.property).toBe('[0].ExceptIfSenderIpRanges[1]');
    expect(err.message).toContain('(found "System.Collections.Hashtable")');
  });
});

describe('an empty file (ConvertTo-Json of an empty pipeline writes nothing)', () => {
  test('reads as no objects and says so', async () => {
    const { buildSnapshot } = await import('../../src/snapshot/build.js');
    const snap = buildSnapshot({
      source: 'mem',
      files: [
        {
          name: 'Get-TransportRule.json',
          path: 'mem/Get-TransportRule.json',
          bytes: new Uint8Array([0xef, 0xbb, 0xbf, 0x0d, 0x0a]),
        },
        {
          name: 'Get-OrganizationConfig.json',
          path: 'mem/Get-OrganizationConfig.json',
          bytes: new TextEncoder().encode('{"RejectDirectSend": true}'),
        },
      ],
    });
    expect(snap.data['Get-TransportRule']).toEqual([]);
    expect(snap.missing).not.toContain('Get-TransportRule');
    expect(snap.warnings).toEqual([expect.stringContaining('mem/Get-TransportRule.json: empty file')]);
  });
});
