/**
 * The configuration objects `mxlock diff` compares between two exports (issue 12 item 6), beside the findings and paths:
 * the lock-down connector (THE gateway connector, model/gateway-connector.ts gatewayConnectorChoice), the transport
 * rules' places relative to the safety net (the net as rule.safety-net-order finds it), RejectDirectSend, and inbound
 * connectors and transport rules added or removed. Each side is read with its own gateway and profile. Pure.
 *
 * Object drift says what changed; whether mail now gets through is the paths' answer (the simulator reads the same
 * objects), so an object is a regression only where the change weakens the lock-down by itself: a flag turned off, a
 * weaker restriction, a narrower scope, an address outside the known sources let in, a rule placed above the net.
 */
import { decidingSafetyNet, knownSources, netsToJudge, ruleLabel } from '../checks/step3/safety-net.js';
import { ruleName } from '../checks/util.js';
import type { ResolvedGateway } from '../common/gateway.js';
import { connectorName, restrictsByCertificate, restrictsByIp } from '../model/connectors.js';
import { gatewayConnectorChoice } from '../model/gateway-connector.js';
import { isSafetyNet } from '../model/safety-net.js';
import { buildTenant } from '../model/tenant.js';
import type { Profile } from '../profile/schema.js';
import type { InboundConnector, TransportRule } from '../snapshot/schema.js';
import type { Snapshot } from '../snapshot/types.js';
import { driftOf, gradeFlag, type DiffEntry, type Drift, type Grade } from './drift.js';

/** One export as `diff` reads it: the snapshot, the gateway resolved for it and the profile it was assessed with. */
export interface DiffSide {
  snapshot: Snapshot;
  gateway: ResolvedGateway;
  profile: Profile;
}

const NOT_EXPORTED = 'unknown (not in the export)';
/** Two-point grades: a lock-down or net present, a rule below the net (good); none, above (not). */
const GOOD: Grade = { rank: 0, good: true };
const BAD: Grade = { rank: 1, good: false };
const LOCKDOWN = 'object.lockdown-connector';

function entry(id: string, before: string, after: string, drift: Drift, detail?: string): DiffEntry {
  return { kind: 'object', id, before, after, drift, ...(detail !== undefined ? { detail } : {}) };
}

/** `entry` when the value moved: `drift` from the grades, or `fallback` when they are equal but the text differs. */
function moved(
  id: string,
  before: { text: string; grade: Grade | undefined },
  after: { text: string; grade: Grade | undefined },
  fallback: Drift | undefined = 'change',
  detail?: string,
): DiffEntry[] {
  const drift = driftOf(before.grade, after.grade) ?? (before.text !== after.text ? fallback : undefined);
  return drift ? [entry(id, before.text, after.text, drift, detail)] : [];
}

// --- RejectDirectSend (eop-model DS-2 [D]; hardening-guide step 1) ---

function rejectDirectSend(side: DiffSide): { text: string; grade: Grade | undefined } {
  const value = side.snapshot.data['Get-OrganizationConfig']?.[0]?.RejectDirectSend;
  return { text: value === undefined ? NOT_EXPORTED : String(value), grade: gradeFlag(value) };
}

// --- The lock-down connector (hardening-guide step 2; CON-5 [D]) ---

/** The gateway's connector of a side: `null` when there is none, undefined when connectors were not exported. */
function lockdownOf(side: DiffSide): InboundConnector | null | undefined {
  const connectors = side.snapshot.data['Get-InboundConnector'];
  if (connectors === undefined) return undefined;
  return gatewayConnectorChoice(connectors, side.gateway).connector ?? null;
}

/**
 * What the connector restricts by, best first: a certificate (DESIGN §3.2 "preferred over IPs"), IPs (shared by the
 * SEG's customers: connector.ip-only) or both (connector.mixed-restrictions), nothing. Unknown when neither flag is
 * true and one is not exported.
 */
function restriction(c: InboundConnector): { text: string; grade: Grade | undefined } {
  const ip = restrictsByIp(c);
  const cert = restrictsByCertificate(c);
  if (ip && cert) return { text: 'IP addresses and certificate', grade: { rank: 1, good: true } };
  if (cert) return { text: 'certificate', grade: { rank: 0, good: true } };
  if (ip) return { text: 'IP addresses', grade: { rank: 1, good: true } };
  if (c.RestrictDomainsToIPAddresses === undefined || c.RestrictDomainsToCertificate === undefined)
    return { text: NOT_EXPORTED, grade: undefined };
  return { text: 'none', grade: { rank: 2, good: false } };
}

const normalEntry = (e: string) => e.trim().toLowerCase();

/**
 * SenderIPAddresses: with an IP lock-down after, an address added that neither the gateway nor a declared source or
 * hybrid server covers can now deliver as any domain (CON-5 [D]): a regression. Anything else that moved is a change
 * (an address removed that the gateway needs shows as path.gateway-delivery broken).
 */
function senderIps(b: InboundConnector, after: DiffSide, a: InboundConnector): DiffEntry[] {
  const was = b.SenderIPAddresses ?? [];
  const now = a.SenderIPAddresses ?? [];
  const wasSet = new Set(was.map(normalEntry));
  const nowSet = new Set(now.map(normalEntry));
  const added = now.filter((e) => !wasSet.has(normalEntry(e)));
  const removed = was.filter((e) => !nowSet.has(normalEntry(e)));
  if (added.length === 0 && removed.length === 0) return [];
  const text = (list: readonly string[]) => (list.length ? list.join(', ') : 'none');
  const known = knownSources(after);
  const unknown = restrictsByIp(a) ? added.filter((e) => !known.covers(e)) : [];
  const detail = [
    ...(added.length ? [`added ${added.join(', ')}`] : []),
    ...(removed.length ? [`removed ${removed.join(', ')}`] : []),
    ...(unknown.length
      ? [
          `not the gateway's, a declared Direct Send source's or a hybrid server's: ${unknown.join(', ')} (the lock-down lets them deliver as any domain, CON-5 [D])`,
        ]
      : []),
  ].join('; ');
  return [
    entry(
      `${LOCKDOWN}.sender-ip-addresses`,
      text(was),
      text(now),
      unknown.length ? 'regression' : 'change',
      detail,
    ),
  ];
}

/** AssociatedAcceptedDomains: empty is every accepted domain (connector.lockdown-recipient-scope). */
function recipientScope(b: InboundConnector, a: InboundConnector): DiffEntry[] {
  const was = b.AssociatedAcceptedDomains;
  const now = a.AssociatedAcceptedDomains;
  const text = (v: readonly string[] | undefined) =>
    v === undefined ? NOT_EXPORTED : v.length === 0 ? 'every accepted domain' : v.join(', ');
  if (text(was) === text(now)) return [];
  const id = `${LOCKDOWN}.recipient-scope`;
  const all = (v: readonly string[]) => v.length === 0;
  if (was === undefined || now === undefined) {
    const grade = (v: readonly string[] | undefined) =>
      v === undefined ? undefined : { rank: all(v) ? 0 : 1, good: all(v) };
    return moved(id, { text: text(was), grade: grade(was) }, { text: text(now), grade: grade(now) });
  }
  // Narrower when some domain covered before is not after; wider when it only gained.
  const lost = all(now) ? false : all(was) || was.some((d) => !now.includes(d));
  return [entry(id, text(was), text(now), lost ? 'regression' : 'improvement')];
}

function lockdownConnector(before: DiffSide, after: DiffSide): DiffEntry[] {
  const b = lockdownOf(before);
  const a = lockdownOf(after);
  const describe = (c: InboundConnector | null | undefined) =>
    c === undefined ? NOT_EXPORTED : c === null ? 'none' : `'${connectorName(c)}'`;
  const grade = (c: InboundConnector | null | undefined): Grade | undefined =>
    c === undefined ? undefined : c !== null && restriction(c).grade?.good === true ? GOOD : BAD;
  const out: DiffEntry[] = [];
  if (describe(b) !== describe(a))
    out.push(
      ...moved(LOCKDOWN, { text: describe(b), grade: grade(b) }, { text: describe(a), grade: grade(a) }),
    );
  if (!b || !a) return out;
  out.push(
    ...moved(
      `${LOCKDOWN}.enabled`,
      { text: String(b.Enabled ?? NOT_EXPORTED), grade: gradeFlag(b.Enabled) },
      { text: String(a.Enabled ?? NOT_EXPORTED), grade: gradeFlag(a.Enabled) },
    ),
    ...moved(`${LOCKDOWN}.restriction`, restriction(b), restriction(a)),
    ...senderIps(b, after, a),
  );
  const certB = b.TlsSenderCertificateName ?? 'none';
  const certA = a.TlsSenderCertificateName ?? 'none';
  if (certB.toLowerCase() !== certA.toLowerCase()) {
    // Another name on a certificate lock-down admits whoever presents it (CON-5 [D]); elsewhere it restricts nothing.
    const both = restrictsByCertificate(b) && restrictsByCertificate(a);
    out.push(entry(`${LOCKDOWN}.certificate`, certB, certA, both ? 'regression' : 'change'));
  }
  out.push(...recipientScope(b, a));
  return out;
}

// --- The safety net and the rules above it (eop-model TR-2 [D], §4.6; hardening-guide step 3) ---

interface RuleOrder {
  /** The net that decides; null when there is none, undefined when rules were not exported. */
  net: TransportRule | null | undefined;
  rules: TransportRule[];
}

function ruleOrder(side: DiffSide): RuleOrder {
  const rules = buildTenant(side.snapshot).transportRules;
  if (rules === undefined) return { net: undefined, rules: [] };
  return { net: decidingSafetyNet(netsToJudge(rules)) ?? null, rules };
}

/** Where a rule runs relative to the net: above it runs first and may stop or bypass it (TR-2 [D]). */
function position(
  r: TransportRule | undefined,
  net: TransportRule,
): { text: string; grade: Grade | undefined } {
  if (r === undefined) return { text: 'absent', grade: GOOD };
  const where = `Priority ${r.Priority ?? 'not exported'}; the net ${net.Priority ?? 'not exported'}`;
  if (r.Priority === undefined || net.Priority === undefined)
    return { text: `position unknown (${where})`, grade: undefined };
  return r.Priority < net.Priority
    ? { text: `above the safety net (${where})`, grade: BAD }
    : { text: `below the safety net (${where})`, grade: GOOD };
}

function byName<T>(list: readonly T[], name: (x: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const x of list) if (!out.has(name(x))) out.set(name(x), x);
  return out;
}

function safetyNet(before: DiffSide, after: DiffSide): DiffEntry[] {
  const b = ruleOrder(before);
  const a = ruleOrder(after);
  const describe = (net: TransportRule | null | undefined) =>
    net === undefined ? NOT_EXPORTED : net === null ? 'none' : ruleLabel(net);
  const grade = (net: TransportRule | null | undefined) =>
    net === undefined ? undefined : net === null ? BAD : GOOD;
  const out = moved(
    'object.safety-net',
    { text: describe(b.net), grade: grade(b.net) },
    { text: describe(a.net), grade: grade(a.net) },
  );
  if (!b.net || !a.net) return out;
  const { net: netB } = b;
  const { net: netA } = a;
  const others = (o: RuleOrder) =>
    byName(
      o.rules.filter((r) => !isSafetyNet(r)),
      ruleName,
    );
  const was = others(b);
  for (const [name, r] of others(a)) {
    const from = position(was.get(name), netB);
    const to = position(r, netA);
    // Only the move matters here; the rule itself appearing is reported as added.
    const drift = driftOf(from.grade, to.grade);
    if (drift) out.push(entry(`object.rule-above-safety-net:${name}`, from.text, to.text, drift));
  }
  return out;
}

// --- Connectors and rules added or removed ---

function describeConnector(c: InboundConnector): string {
  const state = c.Enabled === true ? 'enabled' : c.Enabled === false ? 'disabled' : 'Enabled not exported';
  return `present (${c.ConnectorType ?? 'type not exported'}, ${state})`;
}

function describeRule(r: TransportRule): string {
  return `present (Priority ${r.Priority ?? 'not exported'}, ${r.State ?? 'State not exported'}, ${r.Mode ?? 'Mode not exported'})`;
}

/** Objects present on one side only, by name; nothing when either side did not export the cmdlet. */
function addedOrRemoved<T>(
  prefix: string,
  before: readonly T[] | undefined,
  after: readonly T[] | undefined,
  name: (x: T) => string,
  describe: (x: T) => string,
): DiffEntry[] {
  if (before === undefined || after === undefined) return [];
  const b = byName(before, name);
  const a = byName(after, name);
  const out: DiffEntry[] = [];
  for (const [n, x] of b) if (!a.has(n)) out.push(entry(`${prefix}:${n}`, describe(x), 'absent', 'change'));
  for (const [n, x] of a) if (!b.has(n)) out.push(entry(`${prefix}:${n}`, 'absent', describe(x), 'change'));
  return out;
}

/** Every object drift from `before` to `after` (unsorted; the report sorts). */
export function compareObjects(before: DiffSide, after: DiffSide): DiffEntry[] {
  return [
    ...moved('object.reject-direct-send', rejectDirectSend(before), rejectDirectSend(after)),
    ...lockdownConnector(before, after),
    ...safetyNet(before, after),
    ...addedOrRemoved(
      'object.inbound-connector',
      before.snapshot.data['Get-InboundConnector'],
      after.snapshot.data['Get-InboundConnector'],
      connectorName,
      describeConnector,
    ),
    ...addedOrRemoved(
      'object.transport-rule',
      before.snapshot.data['Get-TransportRule'],
      after.snapshot.data['Get-TransportRule'],
      ruleName,
      describeRule,
    ),
  ];
}
