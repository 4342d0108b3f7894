/**
 * Issue 10 item 8 for the YAML inputs: a key given twice is an error naming the line, never decided by the order. The
 * yaml parser refuses exact duplicates (`uniqueKeys`); a case-differing profile key is an unknown key (the schema is
 * strict); scenario header names, which ignore case, are compared ignoring it.
 */
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseProfile } from '../../src/profile/parse.js';
import { parseScenario } from '../../src/simulate/scenario.js';

const attempt = (headers: string) =>
  `attempts:\n  - name: scanner\n    ip: 192.0.2.60\n    mailFrom: scanner@contoso.com\n    to: [user@contoso.com]\n    headers:\n${headers}`;

describe('keys given twice in YAML inputs', () => {
  test('scenario headers differing only in case: an error naming both, on the second one’s line', () => {
    const run = () => parseScenario(attempt('      X-Scanner: floor2\n      x-scanner: floor3\n'), 's.yaml');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      /^s\.yaml:8:18: attempts\[0\]\.headers\.x-scanner: header "X-Scanner" is given twice \("x-scanner"\): header names ignore case, keep one$/,
    );
  });

  test('distinct scenario headers are accepted', () => {
    const [a] = parseScenario(attempt('      X-Scanner: floor2\n      X-Other: b\n'), 's.yaml');
    expect(a?.attempt.headers).toEqual({ 'X-Scanner': 'floor2', 'X-Other': 'b' });
  });

  test.each([
    ['an exact duplicate', 'gateway:\n  name: a\n  name: b\n', /Map keys must be unique/],
    ['a key differing in case', 'gateway:\n  name: a\n  Name: b\n', /unknown key "Name"/],
  ])('profile: %s is an error', (_, text, message) => {
    const run = () => parseProfile(text, 'mxlock.yaml');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });
});
