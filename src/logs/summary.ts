/** The model `trace` and `events` build and their reporters render (DESIGN §3.4 plus the summaries). Pure. */
import type { DirectSource, InboundClass, InventoryEntry, Tally } from './classify.js';
import type { ImpactEntry, UncertainImpact } from './impact.js';
import type { ReadLogResult } from './layouts.js';

export type LogCommand = 'trace' | 'events';

/** How many entries each "top" list keeps (the JSON's; the terminal shows fewer). */
export const TOP_ENTRIES = 100;

export interface CountRow {
  key: string;
  total: number;
  counts: Record<InboundClass, number>;
}

export interface TraceReport {
  command: LogCommand;
  files: (ReadLogResult & { path: string })[];
  rows: number;
  outbound: number;
  inbound: Record<InboundClass, number>;
  rejections: { code: string; count: number }[];
  byDay: CountRow[];
  topSourceIps: CountRow[];
  topSenderDomains: CountRow[];
  topRecipients: CountRow[];
  directSources: DirectSource[];
  directSendInventory: InventoryEntry[];
  impact: ImpactEntry[];
  /** Delivered flows the simulator cannot settle after a stage, grouped by reason: unknown, not safe. */
  impactUncertain: UncertainImpact[];
  /** Distinct flows replayed and the plan stages they were replayed after. */
  replay: { flows: number; stages: number[] } | null;
  caveats: string[];
  notes: string[];
}

/**
 * The `limit` keys of `tally` with the most rows (ties by key), or all of them by key with `sortByKey`. Only the keys
 * kept become rows: the totals are read from the tally's counts, and the largest are kept in a small sorted list as
 * they come (a summary has up to MAX_TALLY_KEYS keys, a top list 100).
 */
export function top(tally: Tally, limit: number, sortByKey = false): CountRow[] {
  const keys = tally.keys;
  const row = (i: number): CountRow => ({
    key: keys[i]!,
    total: tally.totalOf(i),
    counts: tally.countsOf(i),
  });
  if (sortByKey) return keys.map((_, i) => row(i)).sort((a, b) => (a.key < b.key ? -1 : 1));
  // Before: more rows, then the smaller key.
  const before = (i: number, ti: number, j: number, tj: number) =>
    ti > tj || (ti === tj && keys[i]! < keys[j]!);
  const kept: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const t = tally.totalOf(i);
    if (kept.length === limit && !before(i, t, kept[limit - 1]!, totals[limit - 1]!)) continue;
    let at = kept.length === limit ? limit - 1 : kept.length;
    while (at > 0 && before(i, t, kept[at - 1]!, totals[at - 1]!)) {
      kept[at] = kept[at - 1]!;
      totals[at] = totals[at - 1]!;
      at--;
    }
    kept[at] = i;
    totals[at] = t;
  }
  return kept.map(row);
}
