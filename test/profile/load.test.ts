import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadProfile } from '../../src/profile/load.js';
import { closest, formatPath, parseProfile } from '../../src/profile/parse.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import { configError } from './helpers.js';

const FIXTURES = new URL('../fixtures/profile/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

describe('sender ranges that cover too much of the internet are profile errors (issue 10 item 4)', () => {
  test.each([
    ['gateway "any"', 'gateway:\n  ips: [0.0.0.0/0]\n', 'gateway.ips[0]'],
    ['the two halves', 'gateway:\n  ips: [203.0.113.10, 0.0.0.0/1, 128.0.0.0/1]\n', 'gateway.ips[1]'],
    ['IPv6 "any"', 'hybrid:\n  ips: ["::/0"]\n', 'hybrid.ips[0]'],
    [
      'a declared source as a /8',
      'directSendSources:\n  - name: printers\n    ips: [10.0.0.0/8]\n    senders: [scan@contoso.com]\n',
      'directSendSources[0].ips[0]',
    ],
  ])('%s', (_what, text, path) => {
    const err = configError(() => parseProfile(text, 'mxlock.yaml'));
    expect(err.message).toContain(
      `${path}: covers too much of the internet for one sender: at most an IPv4 /16 or an IPv6 /32`,
    );
  });

  test('the widest published gateway egress ranges still load (IPv4 /19, IPv6 /48) and /16 is the bound', () => {
    const p = parseProfile(
      'gateway:\n  ips: [148.163.128.0/19, 198.18.0.0/16, "2a01:111:f400::/48"]\n',
      'mxlock.yaml',
    );
    expect(p.gateway?.ips).toHaveLength(3);
    expect(() => parseProfile('gateway:\n  ips: [198.18.0.0/15]\n', 'mxlock.yaml')).toThrow(/too much/);
  });
});

describe('parseProfile', () => {
  test('reads the DESIGN §3.2 example with every section', () => {
    expect(parseProfile(fixture('full.yaml'), 'mxlock.yaml')).toEqual({
      gateway: {
        name: 'Example SEG',
        ips: ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'],
        certificate: '*.mail-gateway.example.com',
        certificateUnique: false,
        dkimSelectors: [],
      },
      hybrid: { ips: ['192.0.2.10'] },
      directSendSources: [{ name: 'HQ scanners', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
      protectedUsers: ['ceo@contoso.com'],
      waivers: [{ id: 'antispam.thresholds', reason: 'BCL 7 agreed with the security team' }],
    });
  });

  test.each(['empty.yaml', 'comments-only.yaml'])('%s is the empty profile', (name) => {
    expect(parseProfile(fixture(name), name)).toEqual(EMPTY_PROFILE);
  });

  test('defaults fill a gateway that only has a name', () => {
    expect(parseProfile('gateway:\n  name: SEG\n', 'p.yaml').gateway).toEqual({
      name: 'SEG',
      ips: [],
      certificateUnique: false,
      dkimSelectors: [],
    });
  });

  test('a UTF-8 BOM (Notepad) is accepted', () => {
    expect(parseProfile('\uFEFFprotectedUsers: [ceo@contoso.com]\n', 'p.yaml').protectedUsers).toEqual([
      'ceo@contoso.com',
    ]);
  });

  test.each([
    // file, first line, first column, full message (one line per problem)
    ['bad-ip.yaml', 6, 7, 'mxlock.yaml:6:7: gateway.ips[1]: expected an IPv4/IPv6 address or CIDR range'],
    ['typo-top.yaml', 1, 1, 'mxlock.yaml:1:1: unknown key "gatway" (did you mean "gateway"?)'],
    ['typo-nested.yaml', 3, 3, 'mxlock.yaml:3:3: gateway: unknown key "ipz" (did you mean "ips"?)'],
    [
      'unknown-nested.yaml',
      3,
      3,
      'mxlock.yaml:3:3: gateway: unknown key "colour" (known keys: name, ips, certificate, certificateUnique, dkimSelectors)',
    ],
    [
      'null-section.yaml',
      1,
      1,
      'mxlock.yaml:1:1: hybrid: expected a mapping (key: value lines), got null (an empty value)',
    ],
    ['root-list.yaml', 1, 1, 'mxlock.yaml:1:1: (root): expected a mapping (key: value lines), got a list'],
    [
      'source-errors.yaml',
      3,
      10,
      [
        'mxlock.yaml:3:10: directSendSources[0].ips: needs at least 1 entry',
        'mxlock.yaml:4:15: directSendSources[0].senders[0]: expected an email address',
        'mxlock.yaml:5:17: protectedUsers: expected a list, got the string "ceo@contoso.com"',
      ].join('\n'),
    ],
  ])('%s → ConfigError at %i:%i', (name, line, column, message) => {
    const err = configError(() => parseProfile(fixture(name), 'mxlock.yaml'));
    expect(err.message).toBe(message);
    expect([err.file, err.line, err.column]).toEqual(['mxlock.yaml', line, column]);
  });

  test.each([
    [
      'syntax.yaml',
      3,
      1,
      /^mxlock\.yaml:3:1: Flow sequence in block collection must be sufficiently indented/,
    ],
    ['duplicate.yaml', 3, 1, /^mxlock\.yaml:3:1: Map keys must be unique/],
  ])('YAML syntax error in %s → ConfigError at %i:%i', (name, line, column, message) => {
    const err = configError(() => parseProfile(fixture(name), 'mxlock.yaml'));
    expect(err.message).toMatch(message);
    expect([err.line, err.column]).toEqual([line, column]);
  });

  test('a required key that is missing points at its parent entry', () => {
    const err = configError(() =>
      parseProfile('directSendSources:\n  - ips: [192.0.2.1]\n    senders: [a@b.co]\n', 'p.yaml'),
    );
    expect(err.message).toBe('p.yaml:2:5: directSendSources[0].name: required: expected a string');
  });

  test('an empty value points at its key', () => {
    const err = configError(() => parseProfile('gateway:\n  name:\n', 'p.yaml'));
    expect(err.message).toBe('p.yaml:2:3: gateway.name: expected a string, got null (an empty value)');
  });

  test('alias expansion is bounded (billion laughs)', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    expect(() => parseProfile(`${levels.join('\n')}\n`, 'bomb.yaml')).toThrow(ConfigError);
  });
});

describe('closest', () => {
  test.each([
    ['gatway', 'gateway'],
    ['Gateway', 'gateway'],
    ['dkimSelector', 'dkimSelectors'],
    ['certifcate', 'certificate'],
    ['ipz', 'ips'],
    ['colour', undefined],
    ['x', undefined],
  ])('%s → %s', (key, expected) => {
    expect(closest(key, ['gateway', 'ips', 'certificate', 'dkimSelectors', 'name'])).toBe(expected);
  });
});

test.each([
  [[], '(root)'],
  [['gateway', 'ips', 1], 'gateway.ips[1]'],
  [['directSendSources', 0, 'senders', 2], 'directSendSources[0].senders[2]'],
] as const)('formatPath(%j) = %s', (path, text) => {
  expect(formatPath(path)).toBe(text);
});

describe('loadProfile', () => {
  test('reads a file from disk and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mxlock-profile-'));
    try {
      const good = join(dir, 'mxlock.yaml');
      await writeFile(good, 'protectedUsers: [ceo@contoso.com]\n');
      expect((await loadProfile(good)).protectedUsers).toEqual(['ceo@contoso.com']);
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'gateway:\n  ips: [nope]\n');
      await expect(loadProfile(bad)).rejects.toThrow(
        `${bad}:2:9: gateway.ips[0]: expected an IPv4/IPv6 address or CIDR range`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing file is a ConfigError', async () => {
    const missing = join(tmpdir(), 'mxlock-does-not-exist', 'mxlock.yaml');
    await expect(loadProfile(missing)).rejects.toMatchObject({
      name: 'ConfigError',
      file: missing,
      message: `${missing}: cannot read the profile: no such file or folder; check the path`,
    });
  });
});
