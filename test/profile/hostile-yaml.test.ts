/**
 * Issue 10 item 10: hostile YAML in a profile or a scenario file is a clear ConfigError naming the file, never a stack
 * overflow, a Node warning on stderr or thousands of lines: nesting too deep, complex keys, tags (`!!binary`, custom),
 * alias bombs, and a bounded list of problems ("and N more").
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { parseProfile } from '../../src/profile/parse.js';
import { parseScenario } from '../../src/simulate/scenario.js';
import { configError } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** `depth` block mappings, each one key deeper than the last. */
function nestedMaps(depth: number): string {
  return (
    Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join('') +
    `${'  '.repeat(depth)}x: 1\n`
  );
}

describe('nesting too deep is one clear error naming the file (issue 10 item 10)', () => {
  test.each([
    ['10,000 "[" in a field', `gateway:\n  ips: ${'['.repeat(10_000)}\n`],
    ['10,000 balanced flow lists', `gateway:\n  ips: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`],
    ['3,000 nested block mappings', nestedMaps(3000)],
    ['10,000 nested flow mappings', `gateway: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`],
    [
      '100 nested lists, which the YAML parser itself still reads',
      `gateway:\n  ips: ${'['.repeat(100)}${']'.repeat(100)}\n`,
    ],
    ['100 nested block mappings', nestedMaps(100)],
  ])('%s', (_what, text) => {
    const err = configError(() => parseProfile(text, 'deep.yaml'));
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).toMatch(/^deep\.yaml(:\d+:\d+)?: nested more than 32 levels deep/);
    expect(err.message).not.toMatch(/call stack/i);
  });

  test('a scenario file nested too deep names the scenario file', () => {
    const text = `attempts:\n  - name: x\n    headers: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`;
    const err = configError(() => parseScenario(text, 'attempts.yaml'));
    expect(err.message).toMatch(/^attempts\.yaml(:\d+:\d+)?: nested more than 32 levels deep/);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  test('the nesting of a real profile is far below the bound', () => {
    const text =
      'directSendSources:\n  - name: printers\n    ips: [192.0.2.10]\n    senders: [scan@contoso.com]\n';
    expect(parseProfile(text, 'mxlock.yaml').directSendSources[0]?.ips).toEqual(['192.0.2.10']);
  });
});

describe('complex keys: an error at the key, and no Node warning (issue 10 item 10)', () => {
  test.each([
    ['a flow list as a key', 'gateway:\n  ? [a, b]\n  : 1\n', 'deep.yaml:2:5', 'a list or a mapping'],
    ['a mapping as a key', 'gateway: {name: gw, {x: 1}: 2}\n', 'deep.yaml:1:21', 'a list or a mapping'],
    ['a block list as a key', '? - a\n  - b\n: 1\n', 'deep.yaml:1:3', 'a list or a mapping'],
    ['an alias of a list as a key', 'x: &l [a, b]\n*l : 1\n', 'deep.yaml:2:1', 'an alias (*l)'],
  ])('%s', (_what, text, where, not) => {
    const warn = vi.spyOn(process, 'emitWarning');
    const err = configError(() => parseProfile(text, 'deep.yaml'));
    expect(err.message).toBe(`${where}: a key must be a plain name, not ${not}`);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('tags: only plain YAML values (issue 10 item 10)', () => {
  test.each([
    ['!!binary', 'gateway:\n  name: !!binary aGVsbG8=\n', '!!binary', 'deep.yaml:2:18'],
    ['a custom tag', 'gateway:\n  name: !custom x\n', '!custom', 'deep.yaml:2:17'],
    ['a local tag on a list', 'gateway:\n  ips: !ips [192.0.2.1]\n', '!ips', 'deep.yaml:2:13'],
    ['!!set', 'protectedUsers: !!set\n  ? a@contoso.com\n', '!!set', 'deep.yaml:2:3'],
    ['!!timestamp', 'gateway:\n  name: !!timestamp 2001-12-14\n', '!!timestamp', 'deep.yaml:2:21'],
  ])('%s is refused, naming the tag, at the tagged value', (_what, text, tag, where) => {
    const warn = vi.spyOn(process, 'emitWarning');
    const err = configError(() => parseProfile(text, 'deep.yaml'));
    expect(err.message).toBe(
      `${where}: the tag ${tag} is not allowed: a profile or scenario holds plain strings, numbers, true/false, lists and mappings`,
    );
    expect(warn).not.toHaveBeenCalled();
  });

  test('the core tags that only restate a plain value are accepted', () => {
    const p = parseProfile('gateway:\n  name: !!str gw\n  certificateUnique: !!bool true\n', 'mxlock.yaml');
    expect(p.gateway).toMatchObject({ name: 'gw', certificateUnique: true });
  });
});

describe('a bounded number of error lines (issue 10 item 10)', () => {
  test('3,000 invalid IPs: the first 20 problems, then "and 2980 more"', () => {
    const text = `gateway:\n  name: gw\n  ips:\n${Array.from({ length: 3000 }, (_, i) => `    - bad${i}\n`).join('')}`;
    const lines = configError(() => parseProfile(text, 'many.yaml')).message.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('many.yaml:4:7: gateway.ips[0]: expected an IPv4/IPv6 address or CIDR range');
    expect(lines[19]).toBe('many.yaml:23:7: gateway.ips[19]: expected an IPv4/IPv6 address or CIDR range');
    expect(lines[20]).toBe('many.yaml: and 2980 more problems (fix these and run again to see them)');
  });

  test('20 problems or fewer are all listed, with no "more" line', () => {
    const text = `gateway:\n  ips:\n${Array.from({ length: 20 }, (_, i) => `    - bad${i}\n`).join('')}`;
    const lines = configError(() => parseProfile(text, 'few.yaml')).message.split('\n');
    expect(lines).toHaveLength(20);
    expect(lines.some((l) => l.includes('more problems'))).toBe(false);
  });

  test('thousands of YAML syntax errors are bounded too', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `k${i}: [\n`).join('');
    const lines = configError(() => parseProfile(text, 'syntax.yaml')).message.split('\n');
    expect(lines.length).toBeLessThanOrEqual(21);
  });
});

describe('alias bombs ("billion laughs") are refused clearly (issue 10 item 10)', () => {
  test('nine levels of nine aliases each', () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    let prev = 'a';
    for (let i = 0; i < 9; i++) {
      text += `b${i}: &b${i} [${Array.from({ length: 9 }, () => `*${prev}`).join(', ')}]\n`;
      prev = `b${i}`;
    }
    const err = configError(() => parseProfile(text, 'bomb.yaml'));
    expect(err.message).toBe(
      'bomb.yaml: more than 100 alias expansions (*name): refused, as a "billion laughs" document would exhaust memory; write the values out',
    );
  });
});
