/**
 * `mxlock diff` output: the DESIGN §3.4 JSON (`regressions`, `improvements`, and `changes` beside them) and the terminal
 * list at the report's width (80 columns off a TTY). Names come from the tenants' exports: escaped, never trusted. Pure.
 */
import pc from 'picocolors';
import { appendAll, inlineSafe } from '../common/text.js';
import { stringifyJson, wrapText } from '../report/text.js';
import type { DiffResult } from './compare.js';
import type { DiffEntry } from './drift.js';

export interface DiffMeta {
  /** The two exports as given on the command line. */
  old: string;
  new: string;
  /** The profile both were assessed with, or undefined: each export's own mxlock.yaml (or inferred). */
  profile: string | undefined;
}

function plain(e: DiffEntry): Omit<DiffEntry, 'drift'> {
  return {
    kind: e.kind,
    id: e.id,
    before: e.before,
    after: e.after,
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
  };
}

/** DESIGN §3.4: {"schemaVersion":1,"regressions":[{"kind","id","before","after"}],"improvements":[…]}; more keys added. */
export function renderDiffJson(result: DiffResult, meta: DiffMeta): string {
  return stringifyJson({
    schemaVersion: 1,
    old: meta.old,
    new: meta.new,
    profile: meta.profile ?? null,
    regressions: result.regressions.map(plain),
    improvements: result.improvements.map(plain),
    changes: result.changes.map(plain),
  });
}

/** One drift entry as a person reads it, escaped: `[kind] id: before -> after` (`diff`, `assess --fleet`). */
export function driftLine(e: Pick<DiffEntry, 'kind' | 'id' | 'before' | 'after'>): string {
  return `[${e.kind}] ${inlineSafe(e.id)}: ${inlineSafe(e.before)} -> ${inlineSafe(e.after)}`;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function renderDiffTerminal(
  result: DiffResult,
  meta: DiffMeta,
  options: { color: boolean; width?: number },
): string {
  const c = pc.createColors(options.color);
  const width = Math.max(60, options.width ?? 80);
  const out: string[] = [];
  appendAll(
    out,
    wrapText(`mxlock diff: ${inlineSafe(meta.old)} -> ${inlineSafe(meta.new)}`, width, '', '  '),
  );
  appendAll(
    out,
    wrapText(
      meta.profile
        ? `Both assessed with the profile ${inlineSafe(meta.profile)}.`
        : 'Each assessed with its own mxlock.yaml (or the gateway inferred); --profile to use one for both.',
      width,
      '',
      '',
    ),
  );
  out.push(
    [
      count(result.regressions.length, 'regression', 'regressions'),
      count(result.improvements.length, 'improvement', 'improvements'),
      count(result.changes.length, 'other change', 'other changes'),
    ].join(', '),
  );
  const section = (title: string, entries: readonly DiffEntry[], paint: (s: string) => string) => {
    if (entries.length === 0) return;
    out.push('', paint(title));
    for (const e of entries) {
      const line = driftLine(e);
      appendAll(out, wrapText(line, width, '  - ', '      '));
      if (e.detail !== undefined) appendAll(out, wrapText(inlineSafe(e.detail), width, '      ', '      '));
    }
  };
  section('Regressions', result.regressions, (s) => c.red(c.bold(s)));
  section('Improvements', result.improvements, (s) => c.green(c.bold(s)));
  section('Other changes', result.changes, (s) => c.bold(s));
  out.push('');
  appendAll(
    out,
    wrapText(
      'Paths are what the simulator says reaches the mailboxes; objects are what moved in the configuration, ' +
        'findings what the checks say. A value that became unknown is a regression when it was safe before. ' +
        'Exit 1 on any regression.',
      width,
      '',
      '',
    ),
  );
  return `${out.join('\n')}\n`;
}
