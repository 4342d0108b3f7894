/** Issue 13 item 6: the README's Coverage table is the one rendered from src/checks/benchmarks.ts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BENCHMARK_CONTROLS, FRAMEWORK_INFO } from '../../src/checks/benchmarks.js';
import {
  COVERAGE_END,
  COVERAGE_START,
  renderCoverageTable,
  withCoverageTable,
} from '../../src/report/coverage.js';
import { mdText } from '../../src/report/markdown.js';
import { REPO } from '../support/cli.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('README Coverage table', () => {
  test('README.md holds the generated table (run `npm run readme:coverage` when this fails)', () => {
    expect(withCoverageTable(README)).toBe(README);
  });

  test('a row per control, linking to its source, with every check it maps to', () => {
    const rows = renderCoverageTable().split('\n').slice(2);
    expect(rows).toHaveLength(BENCHMARK_CONTROLS.length);
    for (const c of BENCHMARK_CONTROLS) {
      const row = rows.find((r) => r.includes(`[${mdText(c.id)}](${c.cite})`));
      expect(row, c.id).toBeDefined();
      expect(row).toContain(`| ${FRAMEWORK_INFO[c.source].short} |`);
      for (const check of c.checks) expect(row).toContain(`\`${check}\``);
    }
  });

  test('sources in a fixed order, ids numeric within each', () => {
    const ids = renderCoverageTable()
      .split('\n')
      .slice(2)
      .map((r) => /\[([^\]]+)\]/.exec(r)?.[1]?.replace(/\\/g, ''));
    expect(ids.indexOf('2.1.9')).toBeLessThan(ids.indexOf('2.1.10'));
    expect(ids.indexOf('6.5.5')).toBeLessThan(ids.indexOf('MS.EXO.2.2v3'));
    expect(ids.indexOf('MS.SECURITYSUITE.8.2v1')).toBeLessThan(ids.indexOf('ORCA100'));
    expect(ids.indexOf('ORCA249')).toBeLessThan(ids.indexOf('MT.1043'));
  });

  test('a changed table is written between the markers, and missing markers are an error', () => {
    const readme = `intro\n${COVERAGE_START}\nold table\n${COVERAGE_END}\nafter\n`;
    expect(withCoverageTable(readme, '| t |')).toBe(
      `intro\n${COVERAGE_START}\n| t |\n${COVERAGE_END}\nafter\n`,
    );
    expect(() => withCoverageTable('no markers here')).toThrow(/coverage markers/);
    expect(() => withCoverageTable(`${COVERAGE_END}\n${COVERAGE_START}`)).toThrow(/coverage markers/);
  });
});
