/**
 * The status and severity vocabularies and the orders they are ranked in, side by side, with one way to rank a value
 * (`rank`) and one way to merge several into the worst (`worstBy`). Which order applies is the caller's choice:
 * a check merging partial verdicts, a DNS verdict and a report listing findings rank `info` differently, on purpose.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type FindingStatus = 'pass' | 'fail' | 'warn' | 'info' | 'unknown' | 'waived' | 'not-applicable';
/** A verdict before waivers apply: a check's outcome, a DNS verdict. */
export type VerdictStatus = Exclude<FindingStatus, 'waived'>;

/** Most severe first. */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Worst first, for listing findings: what a reader must act on comes before what merely passed. */
export const FINDING_STATUS_ORDER: readonly FindingStatus[] = [
  'fail',
  'warn',
  'unknown',
  'waived',
  'info',
  'not-applicable',
  'pass',
];

/**
 * Merging a check's partial verdicts: fail > warn > unknown > info > pass > not-applicable. A warn already says "act";
 * an unknown still blocks a pass (DESIGN §1.1); an info outranks a pass, so a check with something to tell is not
 * shown as a clean pass.
 */
export const CHECK_STATUS_ORDER: readonly VerdictStatus[] = [
  'fail',
  'warn',
  'unknown',
  'info',
  'pass',
  'not-applicable',
];

/**
 * Merging DNS verdicts: unlike CHECK_STATUS_ORDER, `info` ranks below `pass`. A DNS verdict uses `info` for context
 * that goes with a verdict rather than for a verdict (the SPF record itself, macros, the other authorised senders, an
 * MX host that is not a known gateway), so a passing verdict with such a note is still a pass. spfVerdict always adds
 * the record as `info`, so with the checks' order every clean SPF record would read `info`; the `mxlock dns` domain
 * summary (report/dns.ts) and the dns.* checks (checks/step4/dns-check.ts) merge per-domain verdicts the same way.
 */
export const DNS_STATUS_ORDER: readonly VerdictStatus[] = [
  'fail',
  'warn',
  'unknown',
  'pass',
  'info',
  'not-applicable',
];

/** A value's place in `order` (0 first); a value not in it sorts last. */
export function rank<T>(order: readonly T[], value: T): number {
  const i = order.indexOf(value);
  return i === -1 ? order.length : i;
}

/**
 * The merge for one order: the first of `values` in `order` (the worst, for a worst-first order), or `empty` when
 * there are none.
 */
export function worstBy<T>(order: readonly T[], empty: T): (values: readonly T[], whenNone?: T) => T {
  return (values, whenNone = empty) => {
    let best = order.length;
    for (const v of values) best = Math.min(best, order.indexOf(v));
    return order[best] ?? whenNone;
  };
}

/** Code-unit order, independent of the host locale (reports must be byte-identical on every machine). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `items` by id in compareIds order (a copy): how reports list findings and paths. */
export function sortById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareIds(a.id, b.id));
}
