import { describe, expect, test } from 'vitest';
import { domainOf, domainPatternMatches } from '../../src/common/domains.js';
import { normalisedPatternMatches } from '../../src/model/precompiled.js';

describe('domainOf: lower-case domain after the last @, one trailing dot and then one > dropped', () => {
  test.each<[string, string | undefined]>([
    ['a@example.com', 'example.com'], // already plain: taken as it is
    ['a@Example.COM', 'example.com'],
    ['a@example.com.', 'example.com'],
    ['a@example.com>', 'example.com'],
    ['<a@example.com.>', 'example.com.'], // `>` is dropped after the dot: the dot stays
    ['a@example.com.>', 'example.com.'],
    ['a@ example.com ', 'example.com'],
    ['a@b@c.d', 'c.d'],
    ['@x', 'x'],
    ['a@exa_mple.com', 'exa_mple.com'],
    ['a@xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['a@-x-.y', '-x-.y'],
    ['a@[1.2.3.4]', '[1.2.3.4]'],
    ['a@exämple.com', 'exämple.com'],
    ['a@..', '.'],
    ['a@.', undefined],
    ['a@', undefined],
    ['a', undefined],
    ['', undefined],
  ])('%j → %j', (address, expected) => {
    expect(domainOf(address)).toBe(expected);
    expect(domainOf(address)).toBe(expected); // the second answer comes from the cache
  });
});

describe('normalisedPatternMatches is domainPatternMatches for trimmed lower-case patterns and domains', () => {
  const PATTERNS = ['*', '*.contoso.com', 'contoso.com', ' Contoso.COM ', '*.', '*.com', 'x'];
  const DOMAINS = ['contoso.com', 'mail.contoso.com', 'notcontoso.com', 'com', 'x', 'contoso.com.', ''];
  test.each(PATTERNS.flatMap((p) => DOMAINS.map((d) => [p, d] as const)))('%j vs %j', (p, d) => {
    expect(normalisedPatternMatches(p.trim().toLowerCase(), d)).toBe(domainPatternMatches(p, d));
  });
});
