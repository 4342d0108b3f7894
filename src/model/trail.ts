/**
 * The evidence of one branch of an evaluation, as a persistent list: a transport-rule chain extends it once per rule
 * and branches share their common prefix, so extending is O(1) and an outcome's array is built once, when the
 * outcome is made (DESIGN §8). Decisions themselves are never modified once made, so they may be shared.
 */
import type { Decision } from './types.js';

export interface Trail {
  /** The decisions before the first link (the RCPT stage's, usually). */
  readonly base: readonly Decision[];
  /** The last decision added; undefined for a trail that is only its base. */
  readonly last: Decision | undefined;
  readonly prev: Trail | undefined;
  /** How many decisions the trail holds, base included. */
  readonly length: number;
}

export function trailOf(base: readonly Decision[]): Trail {
  return { base, last: undefined, prev: undefined, length: base.length };
}

export function extend(t: Trail, d: Decision): Trail {
  return { base: t.base, last: d, prev: t, length: t.length + 1 };
}

/** The trail as a new array, with `more` appended when given. */
export function decisionsOf(t: Trail, more?: Decision): Decision[] {
  const n = t.length + (more === undefined ? 0 : 1);
  const out = new Array<Decision>(n);
  let i = t.length;
  if (more !== undefined) out[i] = more;
  for (let x: Trail | undefined = t; x !== undefined && x.last !== undefined; x = x.prev) out[--i] = x.last;
  const base = t.base;
  for (let j = 0; j < base.length; j++) out[j] = base[j]!;
  return out;
}
