/**
 * Drafts to changes (DESIGN §6): what a stage asks for becomes a change holding only the properties that differ from
 * the object as the earlier stages leave it, with the export's prior values for rollback. Pure.
 */
import { groupBy } from '../common/collections.js';
import { buildTenant } from '../model/tenant.js';
import type { Snapshot } from '../snapshot/types.js';
import { ChangedSnapshot } from './model.js';
import type { Change, ObjectKind, PsValue, Stage, StageNo } from './types.js';

export type Obj = Record<string, unknown>;

/** A stage as the plan lists it, before its changes are resolved. */
export type StageHead = Pick<Stage, 'no' | 'title' | 'observe'>;

/**
 * One change a stage asks for, before it is compared with the object as the earlier stages leave it (resolveStages):
 * `set` holds every property the stage wants, whether or not it already has that value.
 */
export interface Draft {
  stage: StageNo;
  title: string;
  why: string[];
  kind: ObjectKind;
  identity: string;
  object: Obj | undefined;
  set: Record<string, PsValue>;
}

type LaterOwned = Record<string, { stage: StageNo; value: PsValue }>;

/**
 * Only the properties that differ become part of the change; a change that would set nothing is dropped. `later`: the
 * properties a later stage sets to another value on the same object. On an existing object such a property is left
 * alone when it already holds the later stage's value (setting it here would undo that stage for the time between
 * them); otherwise it is set and marked `ownedLater`, so a re-run after the later stage leaves it alone too. A created
 * object is still created with it: the later stage has not run while the object does not exist, and the cmdlet default
 * is not always the value wanted in between (New-TransportRule's Mode defaults to Enforce, stage 1 wants the audit).
 */
function toChange(d: Draft, later: LaterOwned = {}): Change | undefined {
  const creates = d.object === undefined && d.kind !== 'OrganizationConfig';
  const after: Record<string, PsValue> = {};
  const before: Record<string, PsValue | undefined> = {};
  const ownedLater: LaterOwned = {};
  for (const [k, v] of Object.entries(d.set)) {
    const prior = value(d.object, k);
    if (!creates && same(prior, v)) continue;
    const owner = later[k];
    if (!creates && owner && same(prior, owner.value)) continue;
    after[k] = v;
    before[k] = creates ? undefined : prior;
    if (owner) ownedLater[k] = owner;
  }
  if (Object.keys(after).length === 0) return undefined;
  const what = Object.keys(after).sort().join(',');
  const change: Change = {
    id: `${d.kind}:${d.identity}:${what}`,
    stage: d.stage,
    title: d.title,
    why: d.why,
    kind: d.kind,
    identity: d.identity,
    creates,
    before,
    after,
  };
  if (creates && d.kind === 'InboundConnector') change.defaults = CONNECTOR_DEFAULTS;
  if (Object.keys(ownedLater).length > 0) change.ownedLater = ownedLater;
  const toNull = creates ? [] : nullBefore(d, after, before);
  if (toNull.length > 0) change.rollbackToNull = toNull;
  return change;
}

/** Connector properties Get-InboundConnector writes as null when unset (eop-model §8.1 [C] S44: a string or null). */
const NULL_WHEN_UNSET = ['TlsSenderCertificateName'] as const;

/**
 * The properties `after` sets whose prior value can only have been null: the reader turns null into undefined, so
 * `before` alone cannot tell null from "not exported". Get-InboundConnector always writes TlsSenderCertificateName, as
 * a name or null (§8.1 [C] S44), so on a connector of the export that matches by IP (SenderIPAddresses listed) and does
 * not restrict by certificate, an absent name is null: a name there would be the mix of IPs and a certificate in one
 * connector that CON-3 [D] advises against, and any name the export held would have been read. Rolling such a property
 * back to $null keeps rollback from leaving the plan's certificate on an IP connector (mixed, CON-3). Elsewhere (a
 * connector with no IPs, an object of a hand-made export) the prior value stays unknown and rollback leaves it. [I]
 */
function nullBefore(
  d: Draft,
  after: Readonly<Record<string, PsValue>>,
  before: Readonly<Record<string, PsValue | undefined>>,
): string[] {
  if (d.kind !== 'InboundConnector' || d.object === undefined) return [];
  const ips = value(d.object, 'SenderIPAddresses');
  const matchesByIp = Array.isArray(ips) && ips.length > 0;
  if (!matchesByIp || d.object['RestrictDomainsToCertificate'] === true) return [];
  return NULL_WHEN_UNSET.filter((k) => k in after && before[k] === undefined);
}

/** New-InboundConnector's documented defaults for what the plan does not set (eop-model §2.2 [D] S8). */
const CONNECTOR_DEFAULTS: Record<string, PsValue> = {
  AssociatedAcceptedDomains: [],
  RestrictDomainsToCertificate: false,
  RestrictDomainsToIPAddresses: false,
  TreatMessagesAsInternal: false,
  CloudServicesMailEnabled: false,
  TrustedOrganizations: [],
  EFSkipIPs: [],
  EFSkipLastIP: false,
  EFUsers: [],
  EFTestMode: false,
};

function value(o: Obj | undefined, key: string): PsValue | undefined {
  const v = o?.[key];
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(String);
  return undefined;
}

function same(a: PsValue | undefined, b: PsValue): boolean {
  if (Array.isArray(b)) {
    if (!Array.isArray(a)) return false;
    const x = [...a].map((s) => s.toLowerCase()).sort();
    const y = [...b].map((s) => s.toLowerCase()).sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * The drafts turned into changes, in order, each against the snapshot model as the drafts before it leave it
 * (model.ts applyChange), so a stage never repeats what an earlier one set. `heads`: every stage, in stage order.
 */
export function resolveStages(
  heads: readonly StageHead[],
  drafts: readonly Draft[],
  snapshot: Snapshot,
  notes: Readonly<Record<StageNo, string[]>>,
): Stage[] {
  const stages: Stage[] = heads.map(({ no, title, observe }) => ({
    no,
    title,
    observe,
    changes: [],
    notes: notes[no],
  }));
  // One working copy and the drafts grouped by object: linear in the drafts and the objects (issue 10 item 6).
  const state = new ChangedSnapshot(snapshot);
  const byObject = groupBy(drafts, objectKey);
  /** Per object, how many of its drafts came before. */
  const seen = new Map<string, number>();
  for (const d of drafts) {
    const key = objectKey(d);
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    const object =
      d.kind === 'OrganizationConfig'
        ? (buildTenant(state.snapshot()).org as Obj | undefined)
        : (state.find(d.kind, d.identity) ?? d.object);
    const change = toChange(
      { ...d, object: object ?? state.find(d.kind, d.identity) },
      laterOwned(d, byObject.get(key)!.slice(k + 1)),
    );
    if (!change) continue;
    const stage = stages.find((s) => s.no === d.stage);
    if (!stage) throw new Error(`plan: a draft for stage ${d.stage}, which the stage list lacks`);
    stage.changes.push(change);
    state.apply(change);
  }
  return stages;
}

/** The object a draft is about: its kind and its identity, ignoring case. */
function objectKey(d: Draft): string {
  return `${d.kind}\n${d.identity.toLowerCase()}`;
}

/**
 * What the later stages set on `d`'s object to a value other than `d` sets (the last such stage wins, as it runs last).
 * Drafts come in stage order; one of the same stage is not "later" (stages run as a whole). `rest`: the drafts after
 * `d` on the same object.
 */
function laterOwned(d: Draft, rest: readonly Draft[]): LaterOwned {
  const out: LaterOwned = {};
  for (const l of rest) {
    if (l.stage <= d.stage) continue;
    for (const [k, v] of Object.entries(l.set)) {
      const mine = d.set[k];
      if (mine === undefined) continue;
      if (same(mine, v)) Reflect.deleteProperty(out, k);
      else out[k] = { stage: l.stage, value: v };
    }
  }
  return out;
}
