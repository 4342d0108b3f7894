/**
 * Issue 13 item 5: every benchmark mapping is cited and well formed, and a finding carries exactly the ids its check is
 * mapped to. Generated from the table, so an entry added later is tested too.
 */
import { describe, expect, test } from 'vitest';
import {
  BENCHMARK_CONTROLS,
  BENCHMARK_FRAMEWORKS,
  FRAMEWORK_INFO,
  benchmarkLabel,
  benchmarksOf,
  compareBenchmarkIds,
  isBenchmarkFramework,
} from '../../src/checks/benchmarks.js';
import { CHECKS } from '../../src/checks/registry.js';

const CHECK_IDS = new Set(CHECKS.map((c) => c.id));

describe('each mapping in src/checks/benchmarks.ts', () => {
  test.each(BENCHMARK_CONTROLS.map((c) => [`${c.source} ${c.id}`, c] as const))('%s', (_name, c) => {
    expect(Object.keys(FRAMEWORK_INFO)).toContain(c.source);
    expect(c.id).toMatch(FRAMEWORK_INFO[c.source].idFormat);
    // The source is kept beside the mapping: a URL of the benchmark's text or of the peer tool's file.
    expect(c.cite).toMatch(/^https:\/\/\S+$/);
    expect(c.title.trim()).not.toBe('');
    expect(c.version.trim()).not.toBe('');
    expect(c.checks.length).toBeGreaterThan(0);
    for (const id of c.checks) expect(CHECK_IDS, `${c.id} maps to unknown check ${id}`).toContain(id);
    expect(new Set(c.checks).size).toBe(c.checks.length);
  });

  test('no control is listed twice', () => {
    const keys = BENCHMARK_CONTROLS.map((c) => `${c.source}|${c.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('the id formats refuse what the frameworks do not write', () => {
    expect('6.5.5').toMatch(FRAMEWORK_INFO['cis-m365'].idFormat);
    expect('CIS 6.5.5').not.toMatch(FRAMEWORK_INFO['cis-m365'].idFormat);
    expect('MS.EXO.2.2v3').toMatch(FRAMEWORK_INFO.scuba.idFormat);
    expect('MS.EXO.2.2').not.toMatch(FRAMEWORK_INFO.scuba.idFormat);
    expect('ORCA118_3').toMatch(FRAMEWORK_INFO.orca.idFormat);
    expect('ORCA-118-3').not.toMatch(FRAMEWORK_INFO.orca.idFormat);
    expect('MT.1062').toMatch(FRAMEWORK_INFO.maester.idFormat);
  });
});

describe('benchmarksOf', () => {
  test('a check carries every JSON-framework control that names it, and nothing else', () => {
    for (const check of CHECK_IDS) {
      const expected = BENCHMARK_CONTROLS.filter(
        (c) => isBenchmarkFramework(c.source) && c.checks.includes(check),
      ).map((c) => `${c.source}|${c.id}|${c.version}`);
      const got = benchmarksOf(check).map((b) => `${b.framework}|${b.id}|${b.version}`);
      expect(got.sort()).toEqual(expected.sort());
    }
  });

  test('direct-send.reject-flag carries CIS 6.5.5 (v6.0.0) and ORCA249, in framework order; Maester stays out', () => {
    expect(benchmarksOf('direct-send.reject-flag')).toEqual([
      { framework: 'cis-m365', id: '6.5.5', version: '6.0.0' },
      { framework: 'orca', id: 'ORCA249', version: '629efa3' },
    ]);
    expect(benchmarksOf('direct-send.reject-flag', 'scuba')).toEqual([]);
  });

  test('ids are in numeric order within a framework', () => {
    const ids = benchmarksOf('antispam.allowed-senders', 'orca').map((b) => b.id);
    expect(ids).toEqual(['ORCA109', 'ORCA118_1', 'ORCA118_3']);
    expect(compareBenchmarkIds('2.1.9', '2.1.10')).toBeLessThan(0);
    expect(compareBenchmarkIds('MS.EXO.13.1v1', 'MS.EXO.4.1v1')).toBeGreaterThan(0);
  });

  test('a check without a cited mapping carries none', () => {
    expect(benchmarksOf('inventory.snapshot-complete')).toEqual([]);
    expect(benchmarksOf('no.such-check')).toEqual([]);
  });

  test('the result is a copy: editing it does not change the table', () => {
    const first = benchmarksOf('dns.spf');
    first[0]!.id = 'changed';
    expect(benchmarksOf('dns.spf')[0]!.id).not.toBe('changed');
  });

  test('labels and framework names', () => {
    expect(BENCHMARK_FRAMEWORKS).toEqual(['cis-m365', 'scuba', 'orca']);
    expect(benchmarkLabel({ framework: 'cis-m365', id: '6.5.5' })).toBe('CIS 6.5.5');
    expect(benchmarkLabel({ framework: 'scuba', id: 'MS.EXO.3.1v1' })).toBe('SCuBA MS.EXO.3.1v1');
    expect(benchmarkLabel({ framework: 'orca', id: 'ORCA108' })).toBe('ORCA108');
    expect(isBenchmarkFramework('maester')).toBe(false);
    expect(isBenchmarkFramework('orca')).toBe(true);
  });
});
