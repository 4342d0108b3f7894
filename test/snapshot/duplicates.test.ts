/**
 * Issue 10 item 8: a key given twice in a JSON input (exactly, or differing only in case) is reported naming both, and
 * the decision never depends on their order: the same value is read once, different values are read as unknown.
 */
import { describe, expect, test } from 'vitest';
import {
  AmbiguousValue,
  findDuplicateKeys,
  formatJsonPath,
  MAX_DUPLICATE_WARNINGS,
  settleDuplicateKeys,
} from '../../src/snapshot/duplicates.js';

const paths = (text: string) =>
  findDuplicateKeys(text).map((d) => ({ at: d.at, keys: d.occurrences.map((o) => o.key) }));

describe('findDuplicateKeys', () => {
  test.each([
    ['no duplicate', '[{"a":1,"b":{"a":2}},{"a":3}]', []],
    ['exact, at the root', '{"a":1,"b":2,"a":3}', [{ at: [], keys: ['a', 'a'] }]],
    [
      'case only',
      '[{"Enabled":true},{"Enabled":true,"enabled":false}]',
      [{ at: [1], keys: ['Enabled', 'enabled'] }],
    ],
    ['three times', '{"a":1,"A":1,"a":1}', [{ at: [], keys: ['a', 'A', 'a'] }]],
    [
      'nested in arrays and objects',
      '[0,{"x":[{"k":1}, {"k":1,"K":2}]}]',
      [{ at: [1, 'x', 1], keys: ['k', 'K'] }],
    ],
    ['an escaped key is the key it spells', '{"a\\u0062":1,"ab":2}', [{ at: [], keys: ['ab', 'ab'] }]],
    ['quotes, braces and colons inside strings are text', '{"s":"\\"s\\":{[,","t":"\\\\","s2":1}', []],
    ['keys of sibling objects are not compared', '[{"a":1},{"a":2}]', []],
    ['a key of a child is not the parent’s', '{"a":{"a":1},"b":{"a":2}}', []],
  ])('%s', (_, text, expected) => {
    expect(paths(text)).toEqual(expected);
  });

  test('100,000 levels deep: no stack overflow, the path found', () => {
    const depth = 100_000;
    const text = `${'{"n":'.repeat(depth)}{"x":1,"X":2}${'}'.repeat(depth)}`;
    const found = findDuplicateKeys(text);
    expect(found).toHaveLength(1);
    expect(found[0]!.at).toHaveLength(depth);
    expect(found[0]!.at.every((p) => p === 'n')).toBe(true);
  });
});

describe('settleDuplicateKeys', () => {
  const settle = (text: string) => settleDuplicateKeys(JSON.parse(text), text, 'Get-InboundConnector.json');

  test('the same value given twice (white space aside) is read once, with one warning naming both', () => {
    const r = settle(
      '[{"Name":"a"},{"Name":"b"},{"Name":"c"},{"SenderIPAddresses":["192.0.2.1"],"senderIPAddresses":[ "192.0.2.1" ]}]',
    );
    expect(r.warnings()).toEqual([
      'Get-InboundConnector.json: [3].SenderIPAddresses and [3].senderIPAddresses are one property (names ignore case) with the same value: read once',
    ]);
    expect((r.value as object[])[3]).toEqual({ SenderIPAddresses: ['192.0.2.1'] });
    expect(r.ambiguous(r.value)).toBe(false);
  });

  test.each([
    ['first true', '{"Enabled":true,"enabled":false}'],
    ['first false', '{"enabled":false,"Enabled":true}'],
  ])('different values (%s): neither is used, whatever the order', (_, text) => {
    const r = settle(text);
    const value = r.value as Record<string, unknown>;
    expect(Object.keys(value)).toHaveLength(1);
    const held = Object.values(value)[0];
    expect(held).toBeInstanceOf(AmbiguousValue);
    expect(new Set((held as AmbiguousValue).candidates)).toEqual(new Set([true, false]));
    expect(r.ambiguous(value)).toBe(true);
    expect(r.warnings()).toHaveLength(1);
    expect(r.warnings()[0]).toMatch(
      /^Get-InboundConnector\.json: (Enabled and enabled|enabled and Enabled) are one property \(names ignore case\) with different values: neither is used, it is read as unknown$/,
    );
  });

  test('an exact duplicate keeps each candidate, though JSON.parse keeps only the last', () => {
    const r = settle('{"RequireTls":true,"RequireTls":false}');
    const held = (r.value as Record<string, unknown>)['RequireTls'] as AmbiguousValue;
    expect(held.candidates).toEqual([true, false]);
    expect(r.warnings()).toEqual([
      'Get-InboundConnector.json: RequireTls is given twice with different values: neither is used, it is read as unknown',
    ]);
  });

  test('a nested duplicate marks every container above it, and nothing beside it', () => {
    const r = settle(
      '[{"Name":"a","Ips":{"value":["1"],"Count":1,"count":2}},{"Name":"b","Ips":{"value":["1"],"Count":1}}]',
    );
    const [a, b] = r.value as Record<string, unknown>[];
    expect(r.ambiguous(r.value)).toBe(true);
    expect(r.ambiguous(a)).toBe(true);
    expect(r.ambiguous(a!['Ips'])).toBe(true);
    expect(r.ambiguous(a!['Name'])).toBe(false);
    expect(r.ambiguous(b)).toBe(false);
    expect(r.warnings()[0]).toContain('[0].Ips.Count and [0].Ips.count are one property');
  });

  test('a key named __proto__ given twice never reaches a prototype', () => {
    const r = settle('{"__proto__":{"polluted":1},"__proto__":{"polluted":2}}');
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(r.value, '__proto__')?.value).toBeInstanceOf(AmbiguousValue);
  });

  test('names with control characters are shown escaped; many duplicates are counted, not listed', () => {
    expect(formatJsonPath([0, 'a\u202eb', 'Name'])).toBe('[0]["a\\u202eb"].Name');
    const text = `[${Array.from({ length: 30 }, (_, i) => `{"N":${i},"n":${i}}`).join(',')}]`;
    const r = settle(text);
    expect(r.warnings()).toHaveLength(MAX_DUPLICATE_WARNINGS + 1);
    expect(r.warnings().at(-1)).toBe('Get-InboundConnector.json: and 10 more keys given twice');
  });
});
