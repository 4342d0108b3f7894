/**
 * Issue 10 item 3: a cmdlet file whose objects have none of that cmdlet's properties (an mxlock report saved as
 * Get-TransportRule.json, another cmdlet's export under the wrong name) is reported and treated as not exported, so
 * the checks that read it are unknown, never a pass on "no rules".
 */
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { buildSnapshot } from '../../src/snapshot/build.js';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const file = (name: string, value: unknown) => ({ name, path: `x/${name}`, bytes: enc(value) });

function snapshotWith(rules: unknown) {
  return buildSnapshot({
    source: 'x',
    files: [
      file('Get-AcceptedDomain.json', [{ DomainName: 'contoso.com', Default: true }]),
      file('Get-TransportRule.json', rules),
    ],
  });
}

describe('a file that is not its cmdlet’s export', () => {
  test('an mxlock JSON report saved over Get-TransportRule.json: warned, treated as missing, checks unknown', () => {
    const report = { schemaVersion: 1, tool: { name: 'mxlock' }, verdict: { bypass: 'open' }, findings: [] };
    const s = snapshotWith(report);
    expect(s.data['Get-TransportRule']).toBeUndefined();
    expect(s.missing).toContain('Get-TransportRule');
    expect(s.warnings.join('\n')).toContain(
      'x/Get-TransportRule.json: none of its 1 object(s) has a property of Get-TransportRule (found schemaVersion, tool, verdict, findings)',
    );
    const byId = new Map(assessSnapshot(s).report.findings.map((f) => [f.id, f.status]));
    expect(byId.get('rule.safety-net-missing')).toBe('unknown');
    expect(byId.get('rule.scl-bypass')).toBe('unknown');
  });

  test('objects with only Name and Identity are not enough to be a transport rule', () => {
    expect(snapshotWith([{ Name: 'x', Identity: 'x' }]).data['Get-TransportRule']).toBeUndefined();
  });

  test('a real export with one known property, and an empty list, are read as they are', () => {
    expect(snapshotWith([{ Name: 'r', Priority: 0 }]).data['Get-TransportRule']).toHaveLength(1);
    expect(snapshotWith([]).data['Get-TransportRule']).toEqual([]);
  });

  test('property names from the file are shown escaped', () => {
    const s = snapshotWith([{ 'evil\u001b[31m': 1 }]);
    expect(s.warnings.join('\n')).toContain('evil\\x1b[31m');
    expect(s.warnings.join('\n').includes('\u001b')).toBe(false);
  });
});
