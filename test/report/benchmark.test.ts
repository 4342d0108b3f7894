/**
 * Issue 13 item 5: the benchmark ids a finding carries reach every format (JSON, Markdown, SARIF, terminal), and the
 * `--benchmark` view lists only the findings mapped to one framework, with only its ids.
 */
import { describe, expect, test } from 'vitest';
import { benchmarksOf } from '../../src/checks/benchmarks.js';
import { benchmarkView } from '../../src/report/benchmark.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { sampleReport } from '../fixtures/report/sample-report.js';

type Json = Record<string, unknown>;
const findingsOf = (text: string) => (JSON.parse(text) as Json)['findings'] as Json[];

describe('benchmark ids in every format', () => {
  const report = sampleReport();

  test('JSON: findings[].benchmarks as {framework, id, version}, [] when none is mapped', () => {
    const findings = findingsOf(renderJson(report));
    const direct = findings.find((f) => f['id'] === 'direct-send.reject-flag');
    expect(direct?.['benchmarks']).toEqual([
      { framework: 'cis-m365', id: '6.5.5', version: '6.0.0' },
      { framework: 'orca', id: 'ORCA249', version: '629efa3' },
    ]);
    expect(findings.find((f) => f['id'] === 'inventory.snapshot-complete')?.['benchmarks']).toEqual([]);
    expect((JSON.parse(renderJson(report)) as Json)['benchmark']).toBeUndefined();
  });

  test('Markdown: a Benchmarks column, and the ids with their edition under a detailed finding', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('| Status | Severity | Check | Title | Benchmarks |');
    const row = md.split('\n').find((l) => l.includes('`dns.spf`') && l.startsWith('|'));
    expect(row).toContain('CIS 2.1.8<br>SCuBA MS.EXO.2.2v3<br>ORCA235');
    expect(md).toContain('Benchmarks: CIS 6.5.5 (6.0.0) · ORCA249 (629efa3)');
  });

  test('SARIF: rule tags framework:id and properties.benchmarks', () => {
    const sarif = JSON.parse(renderSarif(report)) as {
      runs: { tool: { driver: { rules: { id: string; properties: Json }[] } } }[];
    };
    const rule = sarif.runs[0]!.tool.driver.rules.find((r) => r.id === 'direct-send.reject-flag');
    expect(rule?.properties['tags']).toEqual(
      expect.arrayContaining(['security', 'cis-m365:6.5.5', 'orca:ORCA249']),
    );
    expect(rule?.properties['benchmarks']).toEqual(benchmarksOf('direct-send.reject-flag'));
    const unmapped = sarif.runs[0]!.tool.driver.rules.find((r) => r.id === 'connector.lockdown-disabled');
    expect(unmapped?.properties['benchmarks']).toBeUndefined();
  });

  test('terminal: the ids under a detailed finding', () => {
    const text = renderTerminal(report, { color: false, width: 120 });
    expect(text).toContain('Benchmarks: CIS 6.5.5 (6.0.0), ORCA249 (629efa3)');
  });
});

describe('benchmarkView (assess --benchmark)', () => {
  const report = sampleReport();

  test.each(['cis-m365', 'scuba', 'orca'] as const)('%s: only mapped findings, only its ids', (framework) => {
    const view = benchmarkView(report, framework);
    const expected = report.findings.filter((f) => benchmarksOf(f.id, framework).length > 0).map((f) => f.id);
    expect(view.findings.map((f) => f.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    for (const f of view.findings) {
      expect(f.benchmarks.length).toBeGreaterThan(0);
      for (const b of f.benchmarks) expect(b.framework).toBe(framework);
    }
    // The verdict, the paths and the checklist are not findings: they stay whole.
    expect(view.paths).toEqual(report.paths);
    expect(view.verdict).toEqual(report.verdict);
    expect(view.checklist).toEqual(report.checklist);
    expect(view.benchmark).toBe(framework);
    // The input report is untouched.
    expect(report.findings.find((f) => f.id === 'dns.spf')?.benchmarks.length).toBe(3);
  });

  test('the view says so in every format', () => {
    const view = benchmarkView(report, 'scuba');
    expect((JSON.parse(renderJson(view)) as Json)['benchmark']).toBe('scuba');
    expect(renderMarkdown(view)).toContain(
      'Only the findings mapped to the CISA SCuBA M365 baselines (ScubaGear)',
    );
    const sarif = JSON.parse(renderSarif(view)) as { runs: { properties: Json }[] };
    expect(sarif.runs[0]!.properties['benchmark']).toBe('scuba');
    const text = renderTerminal(view, { color: false, width: 120 });
    expect(text).toContain('Only the findings mapped to the CISA SCuBA M365 baselines');
    // A passing finding's ids lead its one-line entry.
    expect(text).toMatch(/pass\s+\[SCuBA MS\.EXO\.2\.2v3\] dns\.spf/);
  });

  test('a framework no finding maps to gives an empty list that says why', () => {
    const bare = { ...report, findings: report.findings.map((f) => ({ ...f, benchmarks: [] })) };
    const view = benchmarkView(bare, 'orca');
    expect(view.findings).toEqual([]);
    expect(renderMarkdown(view)).toContain('No finding is mapped to the ORCA');
    expect(renderTerminal(view, { color: false })).toContain('No finding is mapped to it.');
  });
});
