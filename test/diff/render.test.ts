/** `mxlock diff` renderers: tenant names escaped in the terminal list, 80 columns, DESIGN §3.4 keys in JSON. */
import { describe, expect, test } from 'vitest';
import { renderDiffJson, renderDiffTerminal } from '../../src/diff/render.js';
import type { DiffResult } from '../../src/diff/compare.js';

const hostile: DiffResult = {
  regressions: [
    {
      kind: 'object',
      id: 'object.rule-above-safety-net:x\u202e\n\u001b[31mevil',
      before: 'below the safety net (Priority 3; the net 0)',
      after: 'above the safety net (Priority 0; the net 1)',
      drift: 'regression',
    },
  ],
  improvements: [],
  changes: [],
};
const meta = { old: 'old', new: 'new', profile: undefined };

describe('diff renderers', () => {
  test('the terminal list escapes control and bidi characters and keeps to 80 columns', () => {
    const text = renderDiffTerminal(hostile, meta, { color: false });
    expect(text).not.toContain('\u202e');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('1 regression, 0 improvements, 0 other changes');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  test('JSON: schemaVersion 1, entries as {kind, id, before, after} without the internal drift', () => {
    const j = JSON.parse(renderDiffJson(hostile, meta));
    expect(j.schemaVersion).toBe(1);
    expect(Object.keys(j.regressions[0])).toEqual(['kind', 'id', 'before', 'after']);
    expect(j.regressions[0].id).toBe('object.rule-above-safety-net:x\u202e\n\u001b[31mevil');
    expect(j.improvements).toEqual([]);
  });
});
