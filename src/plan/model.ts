/**
 * A change applied to, and reverted from, the snapshot model. Pure: returns new snapshots. Reverting restores the
 * exact prior values of the export (a property absent before is absent again; a created object disappears).
 */
import type { CmdletName } from '../snapshot/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import type { Change, ObjectKind, PsValue } from './types.js';

export const CMDLET_OF: Record<ObjectKind, CmdletName> = {
  OrganizationConfig: 'Get-OrganizationConfig',
  InboundConnector: 'Get-InboundConnector',
  TransportRule: 'Get-TransportRule',
  AntiPhishPolicy: 'Get-AntiPhishPolicy',
  HostedContentFilterPolicy: 'Get-HostedContentFilterPolicy',
  HostedConnectionFilterPolicy: 'Get-HostedConnectionFilterPolicy',
};

type Obj = Record<string, unknown>;

function sameName(o: Obj, identity: string): boolean {
  const id = identity.toLowerCase();
  return [o['Name'], o['Identity']].some((v) => typeof v === 'string' && v.toLowerCase() === id);
}

/**
 * `(identity) => list.find((o) => sameName(o, identity))` answered from one index of the list, so that restoring
 * every rule's priority is linear in the number of rules (issue 10 item 6: tens of thousands of rules).
 */
function finderByName(list: readonly Obj[]): (identity: string) => Obj | undefined {
  const index = new Map<string, Obj>();
  for (const o of list) indexByName(index, o);
  return (identity) => index.get(identity.toLowerCase());
}

function withList(s: Snapshot, cmdlet: CmdletName, f: (list: Obj[]) => Obj[]): Snapshot {
  const data = { ...s.data } as Record<string, unknown>;
  data[cmdlet] = f(((s.data as Record<string, Obj[] | undefined>)[cmdlet] ?? []).map((o) => ({ ...o })));
  return { ...s, data: data as Snapshot['data'], missing: s.missing.filter((m) => m !== cmdlet) };
}

/** Transport-rule priorities are unique and contiguous; setting one shifts the others (TR-2 [D]). */
function renumber(rules: Obj[], moved: Obj, priority: number): Obj[] {
  const others = rules
    .filter((r) => r !== moved)
    .sort((a, b) => Number(a['Priority'] ?? 1e9) - Number(b['Priority'] ?? 1e9));
  others.splice(Math.min(priority, others.length), 0, moved);
  others.forEach((r, i) => (r['Priority'] = i));
  return others;
}

/** The scripts' comparison (render.ts Test-MxlockSame and -ne): lists as sets, strings ignoring case. */
function sameValue(current: unknown, wanted: PsValue): boolean {
  if (Array.isArray(wanted)) {
    if (!Array.isArray(current)) return false;
    const norm = (a: readonly unknown[]) =>
      [...new Set(a.map((x) => String(x).toLowerCase()))].sort().join('\n');
    return norm(current) === norm(wanted);
  }
  if (typeof wanted === 'string')
    return typeof current === 'string' && current.toLowerCase() === wanted.toLowerCase();
  return current === wanted;
}

/**
 * The snapshot model as a sequence of changes leaves it, the changes applied in place on one copy of each list they
 * touch, with the objects found by name through an index: applying n changes to a list of m objects costs O(n + m),
 * not O(n·m) (issue 10 item 6: a plan for a tenant with thousands of rules changes many of them). `snapshot()` hands
 * the state out as a Snapshot; the next change copies the lists again (copy on write), so a Snapshot handed out never
 * changes. `applyChange` and `applyAll` are this class's answers: one place for what a change does.
 */
export class ChangedSnapshot {
  private state: Snapshot;
  /** Lists this object copied since the last `snapshot()`: changed in place. */
  private readonly owned = new Set<CmdletName>();
  /** Per list: lower-cased Name and Identity to the first object (in list order) that has it. */
  private readonly index = new Map<CmdletName, Map<string, Obj>>();

  constructor(base: Snapshot) {
    this.state = base;
  }

  private list(cmdlet: CmdletName): Obj[] | undefined {
    return (this.state.data as Record<string, Obj[] | undefined>)[cmdlet];
  }

  /** The list of `cmdlet`, this object's own copy (created, and taken off `missing`, when the export lacks it). */
  private ownList(cmdlet: CmdletName): Obj[] {
    if (this.owned.has(cmdlet)) return this.list(cmdlet)!;
    const data = { ...this.state.data } as Record<string, unknown>;
    const copy = (this.list(cmdlet) ?? []).map((o) => ({ ...o }));
    data[cmdlet] = copy;
    const s = this.state;
    this.state = { ...s, data: data as Snapshot['data'], missing: s.missing.filter((m) => m !== cmdlet) };
    this.owned.add(cmdlet);
    this.index.delete(cmdlet);
    return copy;
  }

  private setList(cmdlet: CmdletName, list: Obj[]): void {
    (this.state.data as Record<string, unknown>)[cmdlet] = list;
    this.index.delete(cmdlet);
  }

  /** The object of `kind` called `identity` (Name or Identity, ignoring case), as `sameName` finds the first. */
  find(kind: ObjectKind, identity: string): Obj | undefined {
    const cmdlet = CMDLET_OF[kind];
    let byName = this.index.get(cmdlet);
    if (!byName) {
      byName = new Map();
      for (const o of this.list(cmdlet) ?? []) indexByName(byName, o);
      this.index.set(cmdlet, byName);
    }
    return byName.get(identity.toLowerCase());
  }

  apply(c: Change): this {
    const cmdlet = CMDLET_OF[c.kind];
    const list = this.ownList(cmdlet);
    if (c.kind === 'OrganizationConfig') {
      const org = list[0] ?? {};
      this.setList(cmdlet, [{ ...org, ...c.after }, ...list.slice(1)]);
      return this;
    }
    let target = this.find(c.kind, c.identity);
    const existed = target !== undefined;
    if (!target) {
      if (!c.creates) throw new Error(`plan: ${c.kind} '${c.identity}' is not in the export`);
      target = { Name: c.identity, Identity: c.identity, ...c.defaults };
      list.push(target);
      const byName = this.index.get(cmdlet);
      if (byName) indexByName(byName, target);
    }
    const { Priority, ...rest } = c.after as Record<string, unknown>;
    // As the script does: a property a later stage owns is left alone once it holds that stage's value (types.ts).
    for (const [k, owner] of Object.entries(c.ownedLater ?? {}))
      if (existed && sameValue(target[k], owner.value)) Reflect.deleteProperty(rest, k);
    Object.assign(target, rest);
    // A renamed object or a new order changes what the index says.
    if ('Name' in rest || 'Identity' in rest) this.index.delete(cmdlet);
    if (c.kind === 'TransportRule' && typeof Priority === 'number')
      this.setList(cmdlet, renumber(list, target, Priority));
    return this;
  }

  snapshot(): Snapshot {
    this.owned.clear();
    return this.state;
  }
}

function indexByName(byName: Map<string, Obj>, o: Obj): void {
  for (const v of [o['Name'], o['Identity']])
    if (typeof v === 'string' && !byName.has(v.toLowerCase())) byName.set(v.toLowerCase(), o);
}

export function applyChange(s: Snapshot, c: Change): Snapshot {
  return new ChangedSnapshot(s).apply(c).snapshot();
}

export function revertChange(s: Snapshot, c: Change, original: Snapshot): Snapshot {
  const cmdlet = CMDLET_OF[c.kind];
  const originalList = (original.data as Record<string, Obj[] | undefined>)[cmdlet];
  // A file the export lacked and the plan created comes back as "not exported".
  if (originalList === undefined) {
    const data = { ...s.data } as Record<string, unknown>;
    Reflect.deleteProperty(data, cmdlet);
    return { ...s, data: data as Snapshot['data'], missing: [...new Set([...s.missing, cmdlet])] };
  }
  return withList(s, cmdlet, (list) => {
    if (c.kind === 'OrganizationConfig') {
      const org = { ...(list[0] ?? {}) };
      for (const [k, v] of Object.entries(c.before)) {
        if (v === undefined) Reflect.deleteProperty(org, k);
        else org[k] = v;
      }
      return [org, ...list.slice(1)];
    }
    const target = list.find((o) => sameName(o, c.identity));
    if (!target) return list;
    if (c.creates) {
      const rest = list.filter((o) => o !== target);
      if (c.kind === 'TransportRule') {
        const originalOf = finderByName(originalList);
        for (const r of rest) {
          const o = originalOf(String(r['Name'] ?? r['Identity'] ?? ''));
          if (o && o['Priority'] !== undefined) r['Priority'] = o['Priority'];
        }
      }
      return rest;
    }
    for (const [k, v] of Object.entries(c.before)) {
      if (v === undefined) Reflect.deleteProperty(target, k);
      else target[k] = v;
    }
    if (c.kind === 'TransportRule' && 'Priority' in c.after) {
      // Setting a priority renumbered the other rules: give every rule the export's priority back.
      const originalOf = finderByName(originalList);
      for (const r of list) {
        const o = originalOf(String(r['Name'] ?? r['Identity'] ?? ''));
        if (o && o['Priority'] !== undefined) r['Priority'] = o['Priority'];
      }
    }
    return list;
  });
}

export function applyAll(s: Snapshot, changes: readonly Change[]): Snapshot {
  const work = new ChangedSnapshot(s);
  for (const c of changes) work.apply(c);
  return work.snapshot();
}

/** Reverse order, as the guide's rollback plan prescribes. */
export function revertAll(s: Snapshot, changes: readonly Change[], original: Snapshot): Snapshot {
  return [...changes].reverse().reduce((acc, c) => revertChange(acc, c, original), s);
}
