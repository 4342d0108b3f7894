/**
 * One case per serialisation quirk of a single property (formats.md §6.2, eop-model §8), through parseCmdlet so the
 * case-insensitive keys, annotations and error paths are exercised too.
 *
 * What is a type error and what is tolerated (src/snapshot/fields.ts): a number where a string is expected is a
 * tolerated scalar (enum ints, IDs); a single scalar where a list is expected is PowerShell unrolling a one-element
 * array and becomes [scalar]; "True"/"False" strings are CSV habits and become booleans. Anything else — a boolean or
 * object where a string or list element is expected, a word where a boolean is expected, a fraction where an integer
 * is expected, a string that is not a date — is an InputError naming the file and the property path.
 */
import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { looksTruncated, looksTruncatedCollection, stripAddressSpace } from '../../src/snapshot/fields.js';
import { parseCmdlet } from '../../src/snapshot/normalize.js';
import type { CmdletName } from '../../src/snapshot/schema.js';

function one<K extends CmdletName>(cmdlet: K, obj: Record<string, unknown>) {
  const [parsed] = parseCmdlet(cmdlet, [obj], `${cmdlet}.json`);
  if (!parsed) throw new Error('expected one object');
  return parsed;
}

/** For table rows that name the property: the parsed object indexed by a key. */
function prop(cmdlet: CmdletName, obj: Record<string, unknown>, key: string): unknown {
  return (one(cmdlet, obj) as Record<string, unknown>)[key];
}

function failure(cmdlet: CmdletName, raw: unknown): InputError {
  try {
    parseCmdlet(cmdlet, raw, `${cmdlet}.json`);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('booleans', () => {
  test.each([
    [true, true],
    [false, false],
    ['True', true],
    [' FALSE ', false],
    [null, undefined],
  ])('RequireTls %j → %j', (value, expected) => {
    expect(one('Get-InboundConnector', { RequireTls: value }).RequireTls).toBe(expected);
  });

  test('an absent boolean is undefined (unknown), not false (formats.md §6.2 item 9)', () => {
    expect(one('Get-OrganizationConfig', { Name: 'x' })).not.toHaveProperty('RejectDirectSend');
    expect(one('Get-OrganizationConfig', { Name: 'x' }).RejectDirectSend).toBeUndefined();
  });

  test.each([['maybe'], [1], [{}]])('RequireTls %j is a type error', (value) => {
    const err = failure('Get-InboundConnector', [{ Name: 'a' }, { Name: 'b', RequireTls: value }]);
    expect(err.property).toBe('[1].RequireTls');
    expect(err.message).toMatch(
      /^Get-InboundConnector\.json: \[1\]\.RequireTls: Invalid input: expected boolean/,
    );
  });
});

describe('strings and integers', () => {
  test.each([
    ['Name', 'From SEG', 'From SEG'],
    ['Name', 42, '42'],
    ['Name', null, undefined],
    ['ConnectorSource', 3, '3'],
  ])('%s %j → %j', (key, value, expected) => {
    expect(prop('Get-InboundConnector', { [key]: value }, key)).toBe(expected);
  });

  test('a string property holding an object is a type error', () => {
    expect(failure('Get-InboundConnector', [{ Name: { First: 'x' } }]).property).toBe('[0].Name');
  });

  test.each([
    [5, 5],
    ['5', 5],
    [' -1 ', -1],
    [null, undefined],
  ])('SetSCL %j → %j', (value, expected) => {
    expect(one('Get-TransportRule', { SetSCL: value }).SetSCL).toBe(expected);
  });

  test.each([[1.5], ['high'], [true]])('Priority %j is a type error', (value) => {
    expect(failure('Get-TransportRule', [{ Priority: value }]).property).toBe('[0].Priority');
  });
});

describe('lists (multi-valued properties)', () => {
  test.each([
    ['array', ['203.0.113.10', '198.51.100.0/28'], ['203.0.113.10', '198.51.100.0/28']],
    ['null (unset property)', null, []],
    ['[] ', [], []],
    ['[null]', [null], []],
    ['a single scalar (one-element array unrolled)', '203.0.113.10', ['203.0.113.10']],
    ['{"value":[…],"Count":n} (PowerShell 5.1 ETS)', { value: ['203.0.113.10'], Count: 1 }, ['203.0.113.10']],
    ['padded and empty entries', [' 203.0.113.10 ', '', null], ['203.0.113.10']],
  ])('SenderIPAddresses as %s', (_label, value, expected) => {
    expect(one('Get-InboundConnector', { SenderIPAddresses: value }).SenderIPAddresses).toEqual(expected);
  });

  test('a number where a list of strings is expected is a tolerated scalar', () => {
    expect(one('Get-InboundConnector', { SenderIPAddresses: 5 }).SenderIPAddresses).toEqual(['5']);
  });

  test('an absent list is undefined (not collected), not []', () => {
    expect(one('Get-InboundConnector', { Name: 'x' }).SenderIPAddresses).toBeUndefined();
  });

  test.each([
    ['a boolean entry', [true], '[0].SenderIPAddresses[0]'],
    ['an object entry', ['203.0.113.10', { Start: '1', End: '2' }], '[0].SenderIPAddresses[1]'],
    ['a boolean scalar', false, '[0].SenderIPAddresses[0]'],
  ])('%s is a type error with the element path', (_label, value, path) => {
    expect(failure('Get-InboundConnector', [{ SenderIPAddresses: value }]).property).toBe(path);
  });

  test.each([
    ['smtp:*;1', '*'],
    ['SMTP:Contoso.COM;5', 'contoso.com'],
    ['smtp:*.contoso.com;1', '*.contoso.com'],
    ['contoso.com', 'contoso.com'],
    ['smtp:fabrikam.com', 'fabrikam.com'],
  ])('SenderDomains %s → %s (AddressSpace form, eop-model §2.2)', (value, expected) => {
    expect(one('Get-InboundConnector', { SenderDomains: [value] }).SenderDomains).toEqual([expected]);
    expect(stripAddressSpace(value)).toBe(expected);
  });
});

describe('truncated exports (ConvertTo-Json -Depth)', () => {
  test.each([
    'Microsoft.Exchange.Data.MultiValuedProperty`1[Microsoft.Exchange.Data.IPRange]',
    'System.Collections.Hashtable',
    'System.Object[]',
    'System.Collections.Generic.List`1[System.String]',
    'System.Management.Automation.PSCustomObject',
  ])('%s is a cut-off value', (value) => {
    expect(looksTruncated(value)).toBe(true);
    const err = failure('Get-HostedConnectionFilterPolicy', [{ IPAllowList: value }]);
    expect(err.property).toBe('[0].IPAllowList[0]');
    expect(err.message).toContain('holds a .NET type name instead of data');
  });

  test.each(['Microsoft.com', 'System.example', 'microsoft.exchange.data', 'Microsoft.Exchange'])(
    '%s in an allow list is data, not a type name',
    (value) => {
      expect(looksTruncated(value)).toBe(false);
      expect(
        one('Get-HostedContentFilterPolicy', { AllowedSenderDomains: [value] }).AllowedSenderDomains,
      ).toEqual([value.toLowerCase()]);
    },
  );

  test('transport rule Conditions/Exceptions/Actions are predicate type names by design', () => {
    const rule = one('Get-TransportRule', {
      Conditions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.FromScopePredicate'],
      Exceptions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SenderIpRangesPredicate'],
      Actions: ['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SetSclAction'],
    });
    expect(rule.Conditions).toEqual(['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.FromScopePredicate']);
    expect(rule.Actions).toEqual(['Microsoft.Exchange.MessagingPolicies.Rules.Tasks.SetSclAction']);
  });

  test('but a cut-off Conditions list is still caught', () => {
    expect(looksTruncatedCollection('System.Object[]')).toBe(true);
    expect(
      looksTruncatedCollection('Microsoft.Exchange.MessagingPolicies.Rules.Tasks.FromScopePredicate'),
    ).toBe(false);
    expect(failure('Get-TransportRule', [{ Conditions: 'System.Object[]' }]).property).toBe(
      '[0].Conditions[0]',
    );
  });
});

describe('enums as strings or integers', () => {
  test.each([
    ['Partner', 'Partner'],
    ['partner', 'Partner'],
    [' ONPREMISES ', 'OnPremises'],
    [2, 'Partner'],
    [1, 'OnPremises'],
    ['2', 'Partner'],
    [7, '#7'],
    ['SomethingNew', 'SomethingNew'],
    [null, undefined],
  ])('ConnectorType %j → %j', (value, expected) => {
    expect(one('Get-InboundConnector', { ConnectorType: value }).ConnectorType).toBe(expected);
  });

  test('an enum whose integer values are not confirmed keeps the integer as #n (checks treat it as unknown)', () => {
    expect(one('Get-TransportRule', { Mode: 0, State: 1 })).toMatchObject({ Mode: '#0', State: '#1' });
  });
});

describe('dates', () => {
  test.each([
    ['/Date(1723810171000)/', '2024-08-16T12:09:31.000Z'],
    ['/Date(1723810171000+0200)/', '2024-08-16T12:09:31.000Z'],
    ['/Date(1723810171000-0500)/', '2024-08-16T12:09:31.000Z'],
    ['/Date(-62135596800000)/', '0001-01-01T00:00:00.000Z'],
    ['2021-08-05T16:13:05.6394416-07:00', '2021-08-05T23:13:05.639Z'],
    ['2026-07-23T22:55:49.0000000Z', '2026-07-23T22:55:49.000Z'],
    ['2025-03-01T10:11:12.0000000+00:00', '2025-03-01T10:11:12.000Z'],
    [null, undefined],
  ])('WhenChangedUTC %j → %j', (value, expected) => {
    expect(one('Get-InboundConnector', { WhenChangedUTC: value }).WhenChangedUTC).toBe(expected);
  });

  test('the JSON text form \\/Date(ms)\\/ of Windows PowerShell 5.1 is the same value', () => {
    const raw = JSON.parse('[{"WhenChangedUTC":  "\\/Date(1723810171000)\\/"}]') as unknown;
    expect(parseCmdlet('Get-InboundConnector', raw, 'f.json')[0]?.WhenChangedUTC).toBe(
      '2024-08-16T12:09:31.000Z',
    );
  });

  test.each([['yesterday'], ['/Date(99999999999999999)/'], [true]])(
    'WhenChangedUTC %j is an InputError, not a crash',
    (value) => {
      expect(failure('Get-InboundConnector', [{ WhenChangedUTC: value }]).property).toBe(
        '[0].WhenChangedUTC',
      );
    },
  );
});

describe('keys and annotations', () => {
  test.each([
    ['SenderIPAddresses', 'SenderIPAddresses'],
    ['SenderIpAddresses', 'SenderIPAddresses'],
    ['senderipaddresses', 'SenderIPAddresses'],
  ])('%s is read as %s', (key, canonical) => {
    expect(prop('Get-InboundConnector', { [key]: ['192.0.2.1'] }, canonical)).toEqual(['192.0.2.1']);
  });

  test('SenderIPRanges (parameter spelling) is read as the property SenderIpRanges', () => {
    expect(one('Get-TransportRule', { SenderIPRanges: ['192.0.2.1'] }).SenderIpRanges).toEqual(['192.0.2.1']);
  });

  test('@odata / @data annotations and unknown properties are dropped', () => {
    expect(
      one('Get-InboundConnector', {
        '@odata.type': '#Exchange.GenericHashTable',
        'SenderIPAddresses@odata.type': '#Collection(String)',
        SenderIPAddresses: ['192.0.2.1'],
        'Guid@data.type': 'System.Guid',
        Guid: '6f0b',
        ScanAndDropRecipients: [],
      }),
    ).toEqual({ SenderIPAddresses: ['192.0.2.1'] });
  });
});
