/**
 * Outcome sets: how harmful an outcome is for the defender, and de-duplication (the same stage, disposition, reply,
 * rules and texts once).
 */
import type { Disposition, Outcome } from './types.js';

const HARM: Record<Disposition, number> = {
  rejected: 0,
  ndr: 1,
  dropped: 2,
  quarantine: 3,
  junk: 4,
  inbox: 5,
};

export function harm(outcomes: readonly Outcome[]): number {
  let h = -1;
  for (const o of outcomes) if (HARM[o.disposition] > h) h = HARM[o.disposition];
  return h;
}

/** An outcome's identity for de-duplication: stage, disposition, reply and the rules and texts that decided it. */
function outcomeKey(o: Outcome): string {
  return `${o.stage}|${o.disposition}|${o.reply ?? ''}|${o.decisions.map((d) => d.rule + d.text).join('|')}`;
}

export function dedupeByKey(outcomes: Outcome[]): Outcome[] {
  const seen = new Set<string>();
  return outcomes.filter((o) => {
    const k = outcomeKey(o);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The length of `outcomeKey(o)`, without building it. */
function outcomeKeyLength(o: Outcome): number {
  let n =
    o.stage.length + o.disposition.length + (o.reply?.length ?? 0) + 3 + Math.max(0, o.decisions.length - 1);
  for (const d of o.decisions) n += d.rule.length + d.text.length;
  return n;
}

/** Same stage, disposition, reply and decisions (rule and text): then certainly the same `outcomeKey`. */
function sameOutcome(p: Outcome, o: Outcome): boolean {
  if ((p.reply ?? '') !== (o.reply ?? '') || p.decisions.length !== o.decisions.length) return false;
  for (let i = 0; i < p.decisions.length; i++) {
    const x = p.decisions[i]!;
    const y = o.decisions[i]!;
    if (x.rule !== y.rule || x.text !== y.text) return false;
  }
  return true;
}

/**
 * The outcomes with each repeated one (same stage, disposition, reply, rules and texts) left out, the first kept:
 * `dedupeByKey` without building keys where the answer is certain: a key starts with the stage and the
 * disposition, neither of which contains `|`, so two outcomes can only share a key when they share both; keys of
 * different lengths differ; identical outcomes have identical keys. Only what is left is compared by key.
 */
export function dedupeOutcomes(outcomes: Outcome[]): Outcome[] {
  const n = outcomes.length;
  if (n < 2) return outcomes;
  if (n > 8) return dedupeByKey(outcomes);
  const kept: Outcome[] = [];
  next: for (const o of outcomes) {
    for (const p of kept) {
      if (p.stage !== o.stage || p.disposition !== o.disposition) continue;
      if (outcomeKeyLength(p) !== outcomeKeyLength(o)) continue;
      if (sameOutcome(p, o) || outcomeKey(p) === outcomeKey(o)) continue next;
    }
    kept.push(o);
  }
  return kept.length === n ? outcomes : kept;
}
