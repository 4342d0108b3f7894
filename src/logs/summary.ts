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

export function top(tally: Tally, limit: number, sortByKey = false): CountRow[] {
  const rows: CountRow[] = tally.keys.map((key, i) => {
    const counts = tally.countsOf(i);
    let total = 0;
    for (const v of Object.values(counts)) total += v;
    return { key, total, counts };
  });
  rows.sort(
    sortByKey ? (a, b) => (a.key < b.key ? -1 : 1) : (a, b) => b.total - a.total || (a.key < b.key ? -1 : 1),
  );
  return rows.slice(0, limit);
}
