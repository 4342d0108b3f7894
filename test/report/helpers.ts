/** Shared assertions for the reporter tests. */

/* eslint-disable no-control-regex -- the tests look for raw control characters on purpose */
/** Raw characters no report may carry: C0 controls except LF, DEL, C1 controls, bidi embeddings/overrides/isolates. */
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** SGR colour sequences (what picocolors writes). */
export const ANSI = /\u001b\[[0-9;]*m/g;
/* eslint-enable no-control-regex */

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
