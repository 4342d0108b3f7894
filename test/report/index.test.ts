import { expect, test } from 'vitest';
import { isReportFormat, reporters } from '../../src/report/index.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { sampleReport } from '../fixtures/report/sample-report.js';

test('one reporter per --format name', () => {
  expect(Object.keys(reporters).sort()).toEqual(['json', 'md', 'sarif', 'terminal']);
  expect(['json', 'terminal', 'md', 'sarif'].every(isReportFormat)).toBe(true);
  expect(isReportFormat('html')).toBe(false);
  expect(isReportFormat('toString')).toBe(false);
});

test('the map dispatches to the renderers and passes the terminal options through', () => {
  const report = sampleReport();
  expect(reporters.json(report, {})).toBe(renderJson(report));
  expect(reporters.md(report, {})).toBe(renderMarkdown(report));
  expect(reporters.sarif(report, {})).toBe(renderSarif(report));
  expect(reporters.terminal(report, {})).toBe(renderTerminal(report, { color: false, width: 80 }));
  expect(reporters.terminal(report, { color: true, width: 100 })).toBe(
    renderTerminal(report, { color: true, width: 100 }),
  );
  // Only the terminal reporter colours.
  for (const format of ['json', 'md', 'sarif'] as const) {
    expect(reporters[format](report, { color: true })).not.toContain('\u001b[');
  }
});
