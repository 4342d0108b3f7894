/**
 * Issue 10 item 6: a value nested 100,000 deep or a 200 MB name in an export gives a clear input error naming the
 * file and the property, never "Maximum call stack size exceeded" or "Invalid string length"; the "(found …)" of an
 * error shows the start of any value without serialising all of it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { jsonStart, MAX_VALUE_DEPTH, parseCmdlet } from '../../src/snapshot/normalize.js';
import { mxlock } from '../support/cli.js';

const FILE = 'export/Get-InboundConnector.json';

/** An array nested `depth` deep around `inner`, built without recursion. */
function nested(depth: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('no InputError');
}

describe('values within bounds', () => {
  test('a string longer than the bound names the file and the property', () => {
    const limits = { maxStringChars: 10, maxDepth: 4 };
    expect(parseCmdlet('Get-InboundConnector', [{ Name: 'x'.repeat(10) }], FILE, { limits })[0]?.Name).toBe(
      'x'.repeat(10),
    );
    const e = inputError(() =>
      parseCmdlet('Get-InboundConnector', [{ Name: 'c' }, { Name: 'x'.repeat(11) }], FILE, { limits }),
    );
    expect(e.message).toBe(
      `${FILE}: [1].Name: a string of 11 characters; no Exchange setting is longer than 10 (names: 64), so this is not an export`,
    );
    expect(e.file).toBe(FILE);
    expect(e.property).toBe('[1].Name');
  });

  test('a list entry deeper in a property is bounded as well, with its place', () => {
    const limits = { maxStringChars: 10, maxDepth: 4 };
    const e = inputError(() =>
      parseCmdlet(
        'Get-InboundConnector',
        [{ Name: 'c', SenderDomains: ['a.example', 'y'.repeat(11)] }],
        FILE,
        { limits },
      ),
    );
    expect(e.property).toBe('[0].SenderDomains[1]');
  });

  test('a 200 MB name (real size) is refused as not an export', () => {
    const e = inputError(() =>
      parseCmdlet('Get-InboundConnector', [{ Name: 'N'.repeat(200_000_000) }], FILE),
    );
    expect(e.message).toContain(`${FILE}: [0].Name: a string of 200,000,000 characters`);
  });

  test('nesting deeper than the bound names the property; at the bound it is an ordinary type error', () => {
    const limits = { maxStringChars: 100, maxDepth: 3 };
    const deep = inputError(() =>
      parseCmdlet('Get-InboundConnector', [{ Name: 'c', SenderDomains: nested(4, 'x') }], FILE, { limits }),
    );
    expect(deep.message).toBe(
      `${FILE}: [0].SenderDomains[0][0][0]: nested deeper than 3 levels (the export recipe writes ConvertTo-Json -Depth 10)`,
    );
    const typed = inputError(() =>
      parseCmdlet('Get-InboundConnector', [{ Name: 'c', SenderDomains: nested(3, 'x') }], FILE, { limits }),
    );
    expect(typed.message).toContain('[0].SenderDomains[0]: Invalid input: expected string, received array');
  });

  test('a 100,000-deep array in a property (real size) is refused with the property, not a stack overflow', () => {
    const e = inputError(() =>
      parseCmdlet('Get-InboundConnector', [{ Name: 'c', SenderIPAddresses: nested(100_000, 'x') }], FILE),
    );
    expect(e.message).toMatch(
      new RegExp(
        `^${FILE}: \\[0\\]\\.SenderIPAddresses\\[0\\]\\[0\\]\\[0\\]…: nested deeper than ${MAX_VALUE_DEPTH} levels`,
      ),
    );
  });

  test('a property mxlock does not read is dropped unread, however deep or long', () => {
    const [c] = parseCmdlet(
      'Get-InboundConnector',
      [{ Name: 'c', Comment2: nested(100_000, 'x'), Notes: 'n'.repeat(1_000_000) }],
      FILE,
    );
    expect(c?.Name).toBe('c');
  });

  test('a wrong type shows the start of the value found, even of a deep one', () => {
    const e = inputError(() =>
      parseCmdlet('Get-InboundConnector', [{ Name: 'c', RequireTls: nested(20, { a: 'b' }) }], FILE),
    );
    expect(e.message).toContain(`(found ${'['.repeat(20)}{"a":"b"}${']'.repeat(20)})`);
  });
});

describe('jsonStart', () => {
  const values: unknown[] = [
    null,
    true,
    -1.5,
    'plain',
    'quote " backslash \\ \u0001 \u2028 😀',
    [],
    {},
    [1, 'two', null, [3, [4]], { five: 5 }],
    { a: [1, 2, { b: 'c' }], 'd"e': null, f: undefined, g: {} },
    Array.from({ length: 100 }, (_, i) => ({ i, s: 'x'.repeat(i) })),
  ];
  test.each(values.flatMap((v) => [1, 7, 61, 10_000].map((max) => [v, max] as const)))(
    'is JSON.stringify or a start of it at least max long: %j (max %i)',
    (v, max) => {
      const full = JSON.stringify(v);
      const start = jsonStart(v, max);
      expect(full.startsWith(start)).toBe(true);
      expect(start.length).toBeGreaterThanOrEqual(Math.min(max, full.length));
    },
  );

  test('reads only the start of a 100,000-deep array and of a 10-million-entry list', () => {
    expect(jsonStart(nested(100_000, 'x'), 61)).toBe('['.repeat(61));
    const long = jsonStart(
      Array.from({ length: 10_000_000 }, () => 1),
      61,
    );
    expect(long.startsWith('[1,1,1')).toBe(true);
    expect(long.length).toBeLessThan(70);
  });
});

describe('the command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mxlock-limits-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const deepList = `${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`;
  test.each([
    [
      'a 100,000-character rule name',
      'Get-TransportRule',
      `[{"Name":"${'N'.repeat(100_000)}","Priority":0}]`,
      '[0].Name: a string of 100,000 characters',
    ],
    [
      'a connector list nested 100,000 deep',
      'Get-InboundConnector',
      `[{"Name":"c","SenderDomains":${deepList}}]`,
      '[0].SenderDomains[0][0][0]…: nested deeper than 32 levels',
    ],
  ])('%s: exit 2 with the file and the property', async (_, cmdlet, json, message) => {
    const sub = await mkdtemp(join(dir, 'export-'));
    await writeFile(join(sub, `${cmdlet}.json`), json);
    const r = await mxlock('assess', sub, '--offline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(sub, `${cmdlet}.json`)}: ${message}`);
    expect(r.stderr).not.toContain('unexpected error');
  });
});
