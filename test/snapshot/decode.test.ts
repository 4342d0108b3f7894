import { expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { decodeText, locateJsonError, parseJson } from '../../src/snapshot/decode.js';

const TEXT = '[{"Name":"Zürich"}]';
const utf16le = (s: string) => new Uint8Array(Buffer.from(s, 'utf16le'));
const utf16be = (s: string) => {
  const le = utf16le(s);
  const be = new Uint8Array(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1] ?? 0;
    be[i + 1] = le[i] ?? 0;
  }
  return be;
};
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

test.each([
  ['UTF-8 without BOM (PowerShell 7, REST)', new Uint8Array(Buffer.from(TEXT, 'utf8')), 'utf-8'],
  [
    'UTF-8 with BOM (Out-File -Encoding utf8 in 5.1)',
    concat(new Uint8Array([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')),
    'utf-8-bom',
  ],
  [
    'UTF-16LE with BOM (Out-File default in 5.1)',
    concat(new Uint8Array([0xff, 0xfe]), utf16le(TEXT)),
    'utf-16le',
  ],
  [
    'UTF-16BE with BOM (-Encoding BigEndianUnicode)',
    concat(new Uint8Array([0xfe, 0xff]), utf16be(TEXT)),
    'utf-16be',
  ],
  ['UTF-16LE without BOM', utf16le(TEXT), 'utf-16le'],
  ['UTF-16BE without BOM', utf16be(TEXT), 'utf-16be'],
  ['Windows-1252 (Set-Content in 5.1)', new Uint8Array(Buffer.from(TEXT, 'latin1')), 'windows-1252'],
] as const)('%s', (_label, bytes, encoding) => {
  expect(decodeText(bytes, 'f.json')).toEqual({ text: TEXT, encoding });
});

// Names in other scripts give non-NUL high bytes at the start of the file: still UTF-16 (found by the seeded tests).
const FAR_EAST = '[{"Name":"東京本社 受信コネクタ","Comment":"Отдел связи"}]';
test.each([
  ['UTF-16LE without BOM, CJK and Cyrillic names first', utf16le(FAR_EAST), 'utf-16le'],
  ['UTF-16BE without BOM, CJK and Cyrillic names first', utf16be(FAR_EAST), 'utf-16be'],
  ['UTF-8 of the same text', new Uint8Array(Buffer.from(FAR_EAST, 'utf8')), 'utf-8'],
] as const)('%s', (_label, bytes, encoding) => {
  expect(decodeText(bytes, 'f.json')).toEqual({ text: FAR_EAST, encoding });
});

test.each([
  [[0x80], '€'],
  [[0x93, 0x94], '“”'],
  [[0x8a, 0x9e, 0x9f], 'ŠžŸ'],
  [[0x85, 0x96, 0x97], '…–—'],
  [[0x81, 0x8d], '\u0081\u008d'],
  [[0xe4, 0xf6, 0xfc, 0xdf], 'äöüß'],
])('Windows-1252 bytes %j decode as 1252, not ISO-8859-1', (bytes, text) => {
  expect(decodeText(new Uint8Array([0x22, ...bytes, 0x22]), 'f.json')).toEqual({
    text: `"${text}"`,
    encoding: 'windows-1252',
  });
});

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

test('binary data that is not UTF-16 is an InputError naming the file', () => {
  const err = inputError(() =>
    decodeText(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x80, 0x81]), 'x.json'),
  );
  expect([err.message, err.file]).toEqual([
    'x.json: not text (binary data); expected JSON in UTF-8 or UTF-16',
    'x.json',
  ]);
});

test.each([
  ['{"a": }', 1, 7, 'unexpected character "}"'],
  ['[1,2,]', 1, 6, 'unexpected character "]"'],
  ['{"a":1', 1, 7, "expected ',' or '}', found end of file"],
  ['', 1, 1, 'the file is empty'],
  ['\r\n', 2, 1, 'the file is empty'],
  ['{"a":1}\n}', 2, 1, 'unexpected character "}" after the end of the JSON value'],
  ['{\r\n    "Enabled":  True\r\n}', 2, 17, 'unexpected character "T"'],
  ['{"a":"x\ny"}', 1, 8, 'control character (a raw line break or tab) inside a string'],
  ["{'a':1}", 1, 2, 'expected a property name in double quotes, found character "\'"'],
  ['{"a" 1}', 1, 6, 'expected \':\' after a property name, found character "1"'],
  ['["\\x"]', 1, 4, 'bad escape in a string'],
  ['["\\u12"]', 1, 4, 'bad \\u escape in a string'],
  ['["abc', 1, 6, 'unterminated string'],
  ['NaN', 1, 1, 'unexpected character "N"'],
  ['[-]', 1, 2, 'unexpected character "-"'],
])('parseJson(%j) → line %i, column %i: %s', (text, line, column, reason) => {
  const err = inputError(() => parseJson(text, 'Get-InboundConnector.json'));
  expect(err.message).toBe(
    `Get-InboundConnector.json: not valid JSON at line ${line}, column ${column}: ${reason}`,
  );
  expect(err.file).toBe('Get-InboundConnector.json');
});

test('the scanner accepts what JSON.parse accepts', () => {
  for (const text of [
    '{}',
    '[]',
    ' 1 ',
    '-0.5e+3',
    '"\\u00fc\\n"',
    '{"a":[true,false,null,{"b":"c"}]}',
    '[\r\n    null\r\n]',
  ]) {
    expect(JSON.parse(text)).toBeDefined();
    expect(locateJsonError(text)).toEqual({ offset: text.length, reason: 'invalid JSON' });
  }
});

test('deep nesting does not overflow the stack', () => {
  expect(() => parseJson('['.repeat(100_000), 'deep.json')).toThrow(
    /^deep\.json: not valid JSON at line 1, column \d+: /,
  );
});

test('valid JSON parses', () => {
  expect(parseJson('[{"a":  1}]', 'f.json')).toEqual([{ a: 1 }]);
});
