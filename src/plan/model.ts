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

export function applyChange(s: Snapshot, c: Change): Snapshot {
  const cmdlet = CMDLET_OF[c.kind];
  return withList(s, cmdlet, (list) => {
    if (c.kind === 'OrganizationConfig') {
      const org = list[0] ?? {};
      return [{ ...org, ...c.after }, ...list.slice(1)];
    }
    let target = list.find((o) => sameName(o, c.identity));
    const existed = target !== undefined;
    if (!target) {
      if (!c.creates) throw new Error(`plan: ${c.kind} '${c.identity}' is not in the export`);
      target = { Name: c.identity, Identity: c.identity, ...c.defaults };
      list.push(target);
    }
    const { Priority, ...rest } = c.after as Record<string, unknown>;
    // As the script does: a property a later stage owns is left alone once it holds that stage's value (types.ts).
    for (const [k, owner] of Object.entries(c.ownedLater ?? {}))
      if (existed && sameValue(target[k], owner.value)) Reflect.deleteProperty(rest, k);
    Object.assign(target, rest);
    if (c.kind === 'TransportRule' && typeof Priority === 'number') return renumber(list, target, Priority);
    return list;
  });
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
        for (const r of rest) {
          const o = originalList.find((x) => sameName(x, String(r['Name'] ?? r['Identity'] ?? '')));
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
      for (const r of list) {
        const o = originalList.find((x) => sameName(x, String(r['Name'] ?? r['Identity'] ?? '')));
        if (o && o['Priority'] !== undefined) r['Priority'] = o['Priority'];
      }
    }
    return list;
  });
}

export function applyAll(s: Snapshot, changes: readonly Change[]): Snapshot {
  return changes.reduce(applyChange, s);
}

/** Reverse order, as the guide's rollback plan prescribes. */
export function revertAll(s: Snapshot, changes: readonly Change[], original: Snapshot): Snapshot {
  return [...changes].reverse().reduce((acc, c) => revertChange(acc, c, original), s);
}
