/**
 * What the seeded tests check of an `assess` result whatever the input: every reporter renders it, the text a person
 * reads (terminal, Markdown, plan.md) holds no raw control or bidi character (issue 10 item 7), and — when asked — the
 * plan is built and rendered as `mxlock plan` does (src/cli/commands/plan.ts).
 */
import { expect } from 'vitest';
import type { AssessExportResult } from '../../src/assess-export.js';
import { UNSAFE_CHARS } from '../../src/common/text.js';
import { buildPlan, renderPlanFiles } from '../../src/plan/index.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import { reporters } from '../../src/report/index.js';

/** Text a person reads holds no raw control or bidi character, line breaks aside. */
export function expectInert(text: string, what: string): void {
  const raw = [...text.matchAll(UNSAFE_CHARS)].map((m) => m[0]).filter((c) => c !== '\n');
  expect(raw, `${what} shows raw control or bidi characters`).toEqual([]);
}

/** Every reporter renders the report; the JSON ones parse; the terminal and Markdown ones are inert. */
export function expectReportsRender(result: AssessExportResult): void {
  const report = result.report;
  expect(['open', 'closed', 'uncertain', 'no-gateway']).toContain(report.verdict.bypass);
  expect(JSON.parse(reporters.json(report, {}))).toMatchObject({ schemaVersion: 1 });
  JSON.parse(reporters.sarif(report, {}));
  expectInert(reporters.terminal(report, { color: false, width: 80 }), 'the terminal report');
  expectInert(reporters.md(report, {}), 'the Markdown report');
}

/** The plan of the same run, rendered; its plan.md inert. A plan the planner declines is a result too. */
export function expectPlanRenders(result: AssessExportResult, now: Date): void {
  const profile = result.profile ?? EMPTY_PROFILE;
  const built = buildPlan({
    snapshot: result.snapshot,
    profile,
    gateway: resolveGateway(result.profile, result.snapshot),
    report: result.report,
    zone: result.zone,
    now,
  });
  if (built.ok) expectInert(renderPlanFiles(built.checked)['plan.md'] ?? '', 'plan.md');
  else expect(built.reason).not.toBe('');
}
