/**
 * How one value moving between two exports is judged (`mxlock diff`, issue 12 item 6): every compared value (a finding's
 * status, a path's status, a connector flag) is placed on a scale of its own, worse last, each point marked good or not,
 * or it is unknown. One rule for all of them, so "unknown is never safe" (DESIGN §1.1) is applied once:
 *
 * - known → known: worse is a regression, better an improvement;
 * - good → unknown: a regression (what was shown safe no longer is); not good → unknown: a change (nothing was safe);
 * - unknown → good: an improvement; unknown → not good: a regression (a known problem appeared).
 */

export type Drift = 'regression' | 'improvement' | 'change';

/** A value's place: `rank` 0 best; `good` when it is a safe state. `undefined` is unknown. */
export interface Grade {
  rank: number;
  good: boolean;
}

/** The drift from `before` to `after`, undefined when nothing moved. */
export function driftOf(before: Grade | undefined, after: Grade | undefined): Drift | undefined {
  if (before === undefined && after === undefined) return undefined;
  if (before === undefined) return after!.good ? 'improvement' : 'regression';
  if (after === undefined) return before.good ? 'regression' : 'change';
  if (after.rank > before.rank) return 'regression';
  if (after.rank < before.rank) return 'improvement';
  return undefined;
}

/** A three-valued property whose `true` is the safe state (RejectDirectSend, Enabled): absent is unknown. */
export function gradeFlag(value: boolean | undefined): Grade | undefined {
  return value === undefined ? undefined : { rank: value ? 0 : 1, good: value };
}

/** One compared value that moved, as `diff` reports it (DESIGN §3.4), with how it moved. */
export interface DiffEntry {
  kind: 'finding' | 'path' | 'object';
  id: string;
  before: string;
  after: string;
  drift: Drift;
  /** Why, when `before`/`after` alone do not say (the address added, the severity). */
  detail?: string;
}
