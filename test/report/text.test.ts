import { describe, expect, test } from 'vitest';
import { inlineSafe } from '../../src/common/text.js';
import { sortById } from '../../src/common/order.js';
import {
  displayWidth,
  longestRun,
  stringifyJsonLine,
  wrapPowerShell,
  wrapText,
} from '../../src/report/text.js';

describe('displayWidth', () => {
  test.each([
    ['ascii', 'abc', 3],
    ['CJK is two columns', '日本', 4],
    ['combining mark is zero', 'e\u0301', 1],
    ['astral emoji is two', '\u{1F600}', 2],
  ])('%s', (_name, text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('wrapText', () => {
  test('wraps at word boundaries with a hanging indent', () => {
    const lines = wrapText('alpha beta gamma delta epsilon', 16, '- ', '  ');
    expect(lines).toEqual(['- alpha beta', '  gamma delta', '  epsilon']);
  });

  test('splits an over-long word but leaves URLs whole', () => {
    expect(wrapText('x'.repeat(25), 12, '', '')).toEqual(['x'.repeat(12), 'x'.repeat(12), 'x']);
    const url = `https://example.com/${'p'.repeat(40)}`;
    expect(wrapText(`see ${url}`, 20, '', '  ')).toEqual(['see', `  ${url}`]);
  });

  test('never exceeds the width for breakable text', () => {
    const text = 'The quick brown fox jumps over the lazy dog '.repeat(10);
    for (const w of [20, 33, 80]) {
      for (const line of wrapText(text, w, '    ', '      '))
        expect(displayWidth(line)).toBeLessThanOrEqual(w);
    }
  });
});

describe('wrapPowerShell', () => {
  const clean = (s: string) => s;

  test('short lines pass through unchanged', () => {
    expect(wrapPowerShell('Set-OrganizationConfig -RejectDirectSend $true', 80, '  ', clean)).toEqual([
      '  Set-OrganizationConfig -RejectDirectSend $true',
    ]);
  });

  test('breaks long commands between tokens with backtick continuations, keeping -Param value pairs', () => {
    const script =
      "Set-InboundConnector -Identity 'From SEG' -Enabled $true -RestrictDomainsToIPAddresses $true -RequireTls $true";
    const lines = wrapPowerShell(script, 50, '', clean);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(0, -1)) expect(line.endsWith(' `')).toBe(true);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(50);
    // Joining the continuations gives back the original command.
    expect(lines.map((l) => l.replace(/ `$/, '').trim()).join(' ')).toBe(script);
    expect(lines.some((l) => l.includes("-Identity 'From SEG'"))).toBe(true);
    expect(lines.some((l) => l.includes('-Enabled $true'))).toBe(true);
  });

  test.each([
    ['single-quoted with doubled quotes', "'it''s a very long connector name with spaces in it'"],
    ['double-quoted with backtick escape', '"a very long `" quoted value with spaces inside it"'],
    ['typographic quotes', '\u2018typographic quoted value with many spaces inside\u2019'],
  ])('never splits a %s string', (_name, literal) => {
    const lines = wrapPowerShell(`Set-Thing -Identity ${literal} -Other $true -More $false`, 40, '', clean);
    expect(lines.some((l) => l.includes(literal))).toBe(true);
  });

  test('whole-line comments wrap as comments, here-strings and multi-line strings are left alone', () => {
    const comment = `# ${'word '.repeat(20).trim()}`;
    const commentLines = wrapPowerShell(comment, 30, '', clean);
    expect(commentLines.length).toBeGreaterThan(1);
    for (const l of commentLines) expect(l.startsWith('# ')).toBe(true);

    const long = 'x '.repeat(30).trim();
    const here = `$t = @'\n${long}\n'@\nWrite-Output $t`;
    expect(wrapPowerShell(here, 30, '', clean)).toEqual(["$t = @'", long, "'@", 'Write-Output $t']);

    const multi = `Set-Thing -Identity 'first line\n${long}' -Flag $true`;
    // The first line may break before -Identity; the line inside the open string is left exactly as it is.
    expect(wrapPowerShell(multi, 30, '', clean)).toContain(`${long}' -Flag $true`);
  });

  test('a trailing comment moves above the wrapped command instead of following a continuation', () => {
    const script =
      "Set-InboundConnector -Identity 'Proofpoint inbound' -Enabled $false  # admit its senders by IP instead";
    expect(wrapPowerShell(script, 60, '  ', clean)).toEqual([
      '  # admit its senders by IP instead',
      "  Set-InboundConnector -Identity 'Proofpoint inbound' `",
      '      -Enabled $false',
    ]);
  });

  test('a # inside a bare word is not a comment', () => {
    const lines = wrapPowerShell('Set-Thing -Identity a#b -Other $true -More $false -Last 1', 30, '', clean);
    expect(lines.some((l) => l.startsWith('#'))).toBe(false);
    expect(lines.join(' ')).toContain('-Identity a#b');
  });

  test('renders chunks with the clean function after deciding the breaks', () => {
    const lines = wrapPowerShell("Set-Thing -Identity 'a\u001bb'", 80, '', inlineSafe);
    expect(lines).toEqual(["Set-Thing -Identity 'a\\x1bb'"]);
  });
});

test('longestRun and sortById', () => {
  expect(longestRun('a ``` b `````` c', '`')).toBe(6);
  expect(longestRun('none', '`')).toBe(0);
  // Code-unit order, not locale order: uppercase before lowercase, '-' before '.'.
  expect(sortById([{ id: 'b' }, { id: 'B' }, { id: 'a.b' }, { id: 'a-b' }]).map((x) => x.id)).toEqual([
    'B',
    'a-b',
    'a.b',
    'b',
  ]);
});

describe('stringifyJsonLine', () => {
  test('one line; control and bidi characters escaped, the value unchanged when parsed back', () => {
    const value = { cert: 'mx\u202egnp.exe\u2066', ehlo: 'a\r\nb\u0085', n: 1 };
    const line = stringifyJsonLine(value);
    expect(line).toBe('{"cert":"mx\\u202egnp.exe\\u2066","ehlo":"a\\r\\nb\\u0085","n":1}\n');
    expect(JSON.parse(line)).toEqual(value);
  });
});
