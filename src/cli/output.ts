import { linesSafe } from '../common/text.js';

/** How a report is styled for where it goes: colour only on a TTY without NO_COLOR, the terminal's width (40–120). */
export function outputStyle(flags: { out?: string | undefined; color?: boolean | undefined }): {
  color: boolean;
  width: number;
} {
  const toTty = !flags.out && process.stdout.isTTY === true;
  return {
    color: toTty && flags.color !== false && !process.env['NO_COLOR'],
    width: toTty ? Math.min(process.stdout.columns || 80, 120) : 80,
  };
}

/** Writes a diagnostic to stderr as `mxlock: <text>`, control and bidi characters of its input shown escaped. */
export function diag(text: string): void {
  process.stderr.write(`mxlock: ${linesSafe(text)}\n`);
}
