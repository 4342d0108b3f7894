import { describe, expect, test } from 'vitest';
import { countsAsLookup, parseSpf } from '../../src/dns/spf/parse.js';

describe('parseSpf: precise syntax errors', () => {
  test.each([
    ['v=spf1 ip4:192.0.2.1 foo -all', 22, /unknown mechanism "foo"/, '§5'],
    ['v=spf1 ip4:300.0.0.1', 8, /not a valid IPv4 address/, '§5.6'],
    ['v=spf1 ip6:2001:db8::/129', 8, /larger than 128/, '§5.6'],
    ['v=spf1 include:spf.example redirect=a.example redirect=b.example', 47, /appears more than once/, '§6'],
    ['v=spf1 exists:%{z}.example', 8, /unknown macro letter "z"/, '§7.1'],
    ['v=spf1 a:mail.example/24//129', 8, /larger than 128/, '§5.6'],
    ['v=spf1 -all:foo', 8, /takes no argument/, '§5.1'],
    ['v=spf1 include:example', 8, /not a fully qualified domain/, '§7.1'],
    ['spf1 -all', 1, /starts with "v=spf1"/, '§4.5'],
  ])('%s', (text, column, message, section) => {
    const r = parseSpf(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.column).toBe(column);
    expect(r.error.message).toMatch(message);
    expect(r.error.section).toBe(section);
  });

  test('a valid record: qualifiers, CIDRs, modifiers and lookup-counting terms', () => {
    const r = parseSpf(
      'v=spf1 -ip4:192.0.2.0/24 ~a:mail.example/28//64 mx ?include:_spf.example exists:%{i}.x.example redirect=r.example unknown=x -all',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record.mechanisms.map((m) => `${m.qualifier}${m.name}`)).toEqual([
      '-ip4',
      '~a',
      '+mx',
      '?include',
      '+exists',
      '-all',
    ]);
    expect(r.record.mechanisms[1]).toMatchObject({ value: 'mail.example', cidr4: 28, cidr6: 64 });
    expect(r.record.redirect?.value).toBe('r.example');
    expect(r.record.terms.filter(countsAsLookup).map((t) => t.text)).toEqual([
      '~a:mail.example/28//64',
      'mx',
      '?include:_spf.example',
      'exists:%{i}.x.example',
      'redirect=r.example',
    ]);
  });
});
