import { describe, expect, test } from 'vitest';
import {
  PS1_BOM,
  psNumber,
  psParameter,
  psScriptFile,
  psValue,
  type PsValue,
} from '../../src/powershell/script.js';
import { readArray, readValue, tokenize } from '../support/ps-tokenizer.js';

describe('psValue', () => {
  test.each<[string, PsValue, string]>([
    ['string', "it's", `'it''s'`],
    ['string with a line break', 'a\nb', `('a' + [char]0x000A + 'b')`],
    ['true', true, '$true'],
    ['false', false, '$false'],
    ['null', null, '$null'],
    ['integer', 9, '9'],
    ['negative (SCL -1)', -1, '-1'],
    ['decimal', 1.5, '1.5'],
    ['list', ['a', 'b'], `@('a','b')`],
    ['empty list', [], '@()'],
  ])('%s', (_name, value, expected) => {
    expect(psValue(value)).toBe(expected);
  });

  test('strings and lists read back through the tokeniser', () => {
    expect(readValue(tokenize(psValue("x'\r\ny")), 0).value).toBe("x'\r\ny");
    expect(readArray(tokenize(psValue(['a', '$(b)'])), 0).values).toEqual(['a', '$(b)']);
  });

  test.each([NaN, Infinity, -Infinity, 1e21, 1e-7])('psNumber refuses %s (no plain decimal literal)', (n) => {
    expect(() => psNumber(n)).toThrow(RangeError);
  });

  test('a negative number stays one number token after a parameter', () => {
    expect(tokenize(`-SetSCL ${psNumber(-1)}`)).toMatchObject([
      { kind: 'parameter', value: 'SetSCL' },
      { kind: 'number', value: '-1' },
    ]);
  });
});

describe('psParameter', () => {
  test.each<[string, string, [] | [PsValue], string]>([
    ['string value', 'Identity', ["O'Brien"], `-Identity 'O''Brien'`],
    ['boolean value', 'Enabled', [true], '-Enabled $true'],
    ['switch', 'WhatIf', [], '-WhatIf'],
  ])('%s', (_name, name, value, expected) => {
    expect(psParameter(name, ...value)).toBe(expected);
  });

  test.each(['', '-Name', 'Name; Remove-Item x', 'Na me', "Name'", '1Name', 'Näme'])(
    'refuses %j as a parameter name',
    (name) => {
      expect(() => psParameter(name, 'x')).toThrow(RangeError);
    },
  );
});

describe('psScriptFile', () => {
  test('BOM first, CRLF line ends, final newline', () => {
    const text = psScriptFile(['#Requires -Modules ExchangeOnlineManagement', 'Get-X\nGet-Y', 'Get-Z\r']);
    expect(text).toBe(
      `${PS1_BOM}#Requires -Modules ExchangeOnlineManagement\r\nGet-X\r\nGet-Y\r\nGet-Z\r\n\r\n`,
    );
    expect([...Buffer.from(text, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  test('every value psQuote emits survives the normalisation unchanged', () => {
    const value = 'a\r\nb\rc\nd\u2028e';
    const text = psScriptFile([`Set-X -Identity ${psValue(value)}`]);
    const tokens = tokenize(text.slice(PS1_BOM.length));
    expect(readValue(tokens, 2).value).toBe(value);
  });
});
