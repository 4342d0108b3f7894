/** Reporters by `--format` name (STYLE.md habit 6): pure `(report, options) => string`, deterministic and sorted. */
import type { Report } from './model.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTerminal } from './terminal.js';

export type ReportFormat = 'json' | 'terminal' | 'md' | 'sarif';

export interface RenderOptions {
  /** Terminal only: colour when stdout is a TTY and NO_COLOR is unset (the CLI decides). */
  color?: boolean;
  /** Terminal only: columns to wrap at (80 when absent). */
  width?: number;
}

export type Reporter = (report: Report, options: RenderOptions) => string;

export const reporters: Readonly<Record<ReportFormat, Reporter>> = {
  json: (report) => renderJson(report),
  terminal: (report, options) =>
    renderTerminal(
      report,
      options.width === undefined
        ? { color: options.color ?? false }
        : { color: options.color ?? false, width: options.width },
    ),
  md: (report) => renderMarkdown(report),
  sarif: (report) => renderSarif(report),
};

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(reporters, name);
}

export { renderJson, toJsonModel } from './json.js';
export { renderMarkdown } from './markdown.js';
export { renderSarif } from './sarif.js';
export { renderTerminal, type TerminalOptions } from './terminal.js';
export { buildChecklist, CHECKLIST_ROWS } from './checklist.js';
