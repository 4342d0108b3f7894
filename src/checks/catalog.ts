/**
 * Lists that follow from the checks' own declarations (DESIGN §4), never kept by hand: which checks read an export,
 * which checks a final-checklist row rests on. Pure functions of a catalogue, so inventory.snapshot-complete (handed
 * the catalogue in its context) and the reporters (through src/checks/registry.ts) derive the same lists.
 */
import { appendTo } from '../common/collections.js';
import type { CmdletName } from '../snapshot/schema.js';
import type { CheckDeclaration, ChecklistRowId, Reads } from './types.js';

/** Where a check's data comes from: an export file, or the DNS of the tenant's domains. */
export type Source = CmdletName | 'dns';

export function readsSource(reads: Reads, source: Source): boolean {
  return source === 'dns' ? reads.dns === true : reads[source] !== undefined;
}

/** The ids of the checks that read `source`, in catalogue order. */
export function readersOf(catalog: readonly CheckDeclaration[], source: Source): string[] {
  return catalog.filter((c) => readsSource(c.reads, source)).map((c) => c.id);
}

/** Row → the ids of the checks that rest on it, in catalogue order; a row no check names is absent. */
export function checklistMapping(
  catalog: readonly CheckDeclaration[],
): ReadonlyMap<ChecklistRowId, readonly string[]> {
  const out = new Map<ChecklistRowId, string[]>();
  for (const c of catalog) {
    if (c.checklist === undefined) continue;
    appendTo(out, c.checklist, c.id);
  }
  return out;
}

/**
 * The union of several declarations: a shared helper declares what it reads once, and each check built on it adds its
 * own properties. `'all'` absorbs any list.
 */
export function mergeReads(...parts: readonly Reads[]): Reads {
  const out: Record<string, readonly string[] | 'all' | true> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part) as [
      string,
      readonly string[] | 'all' | true | undefined,
    ][]) {
      if (value === undefined) continue;
      const prior = out[key];
      if (value === true || value === 'all' || prior === 'all') out[key] = value === true ? true : 'all';
      else out[key] = [...new Set([...(Array.isArray(prior) ? (prior as readonly string[]) : []), ...value])];
    }
  }
  // Every key and value came from a Reads, so the union is one too.
  return out as Reads;
}
