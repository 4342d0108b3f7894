import { describe, expect, test } from 'vitest';
import { renderJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/model.js';
import { RAW_CONTROL } from './helpers.js';
import {
  HOSTILE,
  HOSTILE_CONNECTOR,
  HOSTILE_SOURCE,
  sampleReport,
} from '../fixtures/report/sample-report.js';

type Json = Record<string, unknown>;
const parse = (r: Report) => JSON.parse(renderJson(r)) as Json;
const arr = (v: unknown) => v as Json[];

describe('renderJson: DESIGN §3.3 shape', () => {
  test('top-level keys in the documented order; generatedAt only when present, last', () => {
    const report = sampleReport();
    expect(Object.keys(parse(report))).toEqual([
      'schemaVersion',
      'tool',
      'tenant',
      'gateway',
      'verdict',
      'paths',
      'findings',
      'checklist',
    ]);
    report.generatedAt = '2026-01-02T03:04:05.000Z';
    const withTime = parse(report);
    expect(Object.keys(withTime).at(-1)).toBe('generatedAt');
    expect(withTime['generatedAt']).toBe('2026-01-02T03:04:05.000Z');
  });

  test('nested keys in the documented order; reply omitted when absent', () => {
    const json = parse(sampleReport());
    expect(Object.keys(json['tool'] as Json)).toEqual(['name', 'version']);
    expect(Object.keys(json['tenant'] as Json)).toEqual(['initialDomain', 'acceptedDomains']);
    expect(Object.keys(json['gateway'] as Json)).toEqual(['source', 'name', 'ips', 'certificate']);
    expect(Object.keys(json['verdict'] as Json)).toEqual(['bypass', 'legitimateFlows', 'summary']);
    const paths = arr(json['paths']);
    for (const p of paths) expect(Object.keys(p)).toEqual(['id', 'kind', 'status', 'outcome', 'evidence']);
    const direct = paths.find((p) => p['id'] === 'path.direct-send-own-domain');
    expect(Object.keys(direct?.['outcome'] as Json)).toEqual(['stage', 'reply', 'disposition']);
    const spoof = paths.find((p) => p['id'] === 'path.spoof-header-own-domain');
    expect(Object.keys(spoof?.['outcome'] as Json)).toEqual(['stage', 'disposition']);
    for (const f of arr(json['findings'])) {
      expect(Object.keys(f)).toEqual([
        'id',
        'status',
        'severity',
        'step',
        'title',
        'evidence',
        'remediation',
        'references',
        'benchmarks',
      ]);
      expect(Object.keys(f['remediation'] as Json)).toEqual(['powershell', 'portal']);
    }
    for (const c of arr(json['checklist'])) expect(Object.keys(c)).toEqual(['id', 'title', 'status']);
  });

  test('paths and findings sorted by id; the checklist keeps the guide order', () => {
    const report = sampleReport();
    const json = parse(report);
    const ids = (v: unknown) => arr(v).map((x) => String(x['id']));
    const sorted = (xs: string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(ids(json['paths'])).toEqual(sorted(report.paths.map((p) => p.id)));
    expect(ids(json['paths'])).not.toEqual(report.paths.map((p) => p.id)); // the fixture is unsorted
    expect(ids(json['findings'])).toEqual(sorted(report.findings.map((f) => f.id)));
    expect(ids(json['checklist'])).toEqual(report.checklist.map((c) => c.id));
  });

  test('2-space indentation, trailing newline, no extra properties', () => {
    const report = sampleReport() as Report & { extra?: string };
    report.extra = 'must not leak';
    const text = renderJson(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,');
    expect(text).not.toContain('must not leak');
  });

  test('deterministic: input order does not change the output', () => {
    const a = sampleReport();
    const b = sampleReport();
    b.paths.reverse();
    b.findings.reverse();
    expect(renderJson(b)).toBe(renderJson(a));
    expect(renderJson(a)).toBe(renderJson(sampleReport()));
  });
});

describe('renderJson: hostile tenant strings', () => {
  test('round-trip exactly through JSON.parse', () => {
    const report = sampleReport();
    const json = parse(report);
    const gateway = json['gateway'] as Json;
    expect(gateway['name']).toBe(report.gateway.name);
    expect((json['tenant'] as Json)['acceptedDomains']).toEqual(report.tenant.acceptedDomains);
    expect((json['verdict'] as Json)['summary']).toBe(report.verdict.summary);
    const byId = new Map(arr(json['findings']).map((f) => [f['id'], f]));
    for (const f of report.findings) {
      const out = byId.get(f.id);
      expect(out?.['evidence']).toEqual(f.evidence);
      expect(out?.['remediation']).toEqual(f.remediation);
    }
    const paths = arr(json['paths']);
    expect(paths.map((p) => p['id'])).toContain(`path.declared-source:${HOSTILE_SOURCE}`);
    const direct = paths.find((p) => p['id'] === 'path.direct-send-own-domain');
    expect(direct?.['evidence']).toEqual(
      report.paths.find((p) => p.id === 'path.direct-send-own-domain')?.evidence,
    );
    // Every hostile string survives somewhere, byte for byte.
    const text = JSON.stringify(json);
    for (const value of [...Object.values(HOSTILE), HOSTILE_CONNECTOR]) {
      expect(text).toContain(JSON.stringify(value).slice(1, -1));
    }
  });

  test('the file itself carries no raw ESC, CR, C1 or bidi control characters', () => {
    const text = renderJson(sampleReport());
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('\\u001b[31m');
    expect(text).toContain('\\u202e');
    expect(text).toContain('\\r\\n');
  });
});
