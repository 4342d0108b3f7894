/**
 * Helpers shared by the step-4 and step-5 checks: reviewing the default policy and every custom policy of one type,
 * ranking per-object notes into one outcome, and telling own domains from foreign ones.
 */
import type {
  AntiPhishPolicy,
  CmdletName,
  ConnectionFilterPolicy,
  ContentFilterPolicy,
} from '../../snapshot/schema.js';
import { absentProperty } from '../../snapshot/partial.js';
import { domainOf, domainOrSubdomain } from '../../common/domains.js';
import type { CheckContext, CheckOutcome, Reads, Remediation } from '../types.js';
import { commentSafe, ownDomains, psQuote, worst } from '../util.js';

/** How one property of one object measured up; `ok` notes are the evidence of a pass. */
export type NoteLevel = 'ok' | 'info' | 'unknown' | 'warn' | 'fail';
export interface Note {
  level: NoteLevel;
  text: string;
  /** Stays `fail` on a custom policy (e.g. an own domain on an allow list is as dangerous there as in the default). */
  sticky?: boolean;
  /**
   * The setting is one an administrator sets in a preset security policy's own configuration (e.g. the users to
   * protect from impersonation): where to do it. Without it, a preset's note is information only.
   */
  presetRoute?: string;
}

/** A note level is the status it stands for; util.worst ranks them (fail > warn > unknown > info > pass). */
const STATUS: Record<NoteLevel, CheckOutcome['status']> = {
  ok: 'pass',
  info: 'info',
  warn: 'warn',
  unknown: 'unknown',
  fail: 'fail',
};

/** Notes → outcome. No notes at all is `unknown`: a check that looked at nothing has proved nothing. */
export function outcomeOf(notes: readonly Note[], remediation?: Remediation): CheckOutcome {
  if (notes.length === 0) return { status: 'unknown', evidence: ['nothing to evaluate'] };
  const out: CheckOutcome = {
    status: worst(notes.map((n) => STATUS[n.level])),
    evidence: notes.map((n) => n.text),
  };
  if (remediation) out.remediation = remediation;
  return out;
}

export const note = (level: NoteLevel, text: string, sticky = false): Note =>
  sticky ? { level, text, sticky } : { level, text };

/**
 * `<label>: <Property> is absent from the export` — a missing property is unknown, never false (formats.md §6.2).
 * Worded by `absentProperty`; with `from`, a property a partial export (ScubaGear) did not select says so.
 */
export function absent(
  label: string,
  property: string,
  hint = '',
  from?: { snapshot: CheckContext['snapshot']; cmdlet: CmdletName },
): Note {
  return note('unknown', `${label}: ${absentProperty(from?.snapshot ?? {}, from?.cmdlet, property, hint)}`);
}

/** Re-exported for the step-4 checks, which import it from here. */
export { commentSafe };

// ---------------------------------------------------------------------------------------------------------------
// Policies: the default one and every custom one.

interface NamedPolicy {
  Name?: string | undefined;
  Identity?: string | undefined;
  IsDefault?: boolean | undefined;
  RecommendedPolicyType?: string | undefined;
}

/**
 * The preset security policies' own copies (Standard, Strict): Microsoft manages their settings, which no Set-*
 * cmdlet changes, and they take precedence over custom and default policies (eop-model §6.3 [D] S24). Told apart by
 * RecommendedPolicyType, or by the names the service gives them when the property is not exported.
 */
export function isPresetPolicy(p: NamedPolicy, namedByPolicyRule = false): boolean {
  const type = p.RecommendedPolicyType?.toLowerCase();
  if (type !== undefined) return type === 'standard' || type === 'strict';
  // Presets are bound to recipients by their own protection-policy rules, never by a Get-AntiPhishRule /
  // Get-HostedContentFilterRule: a policy such a rule names is a custom one, whatever its name.
  if (namedByPolicyRule) return false;
  return /^(standard|strict) preset security policy/i.test(p.Name ?? p.Identity ?? '');
}

/** A policy rule (Get-AntiPhishRule, Get-HostedContentFilterRule): which recipients a custom policy applies to. */
export interface PolicyRule {
  name: string;
  /** The policy it applies (lower-case name). */
  policy: string | undefined;
  state: string | undefined;
  priority: number | undefined;
  recipientDomains: readonly string[];
  /** SentTo / SentToMemberOf: further conditions, AND-ed with the domains. */
  narrowed: boolean;
}

export interface PolicyKind<T extends NamedPolicy> {
  /** `anti-phish policy`, as it appears in evidence. */
  noun: string;
  /** The export file, without `.json`. */
  file: string;
  list(ctx: CheckContext): T[] | undefined;
  pickDefault(ctx: CheckContext, list: T[]): T | undefined;
  /** The policy rules, or undefined when they were not exported (or the policy type has none). */
  rules?(ctx: CheckContext): PolicyRule[] | undefined;
  /** What `reviewPolicies` reads for this kind, merged into the declaration of each check that calls it. */
  reads: Reads;
}

interface RawPolicyRule {
  Name?: string | undefined;
  Identity?: string | undefined;
  State?: string | undefined;
  Priority?: number | undefined;
  RecipientDomainIs?: string[] | undefined;
  SentTo?: string[] | undefined;
  SentToMemberOf?: string[] | undefined;
}

/** What `toPolicyRule` and `reach` read of a policy rule, besides the name of the policy it applies. */
const POLICY_RULE_READS = ['State', 'Priority', 'RecipientDomainIs', 'SentTo', 'SentToMemberOf'] as const;

function toPolicyRule(r: RawPolicyRule, policy: string | undefined): PolicyRule {
  return {
    name: r.Name ?? r.Identity ?? '(unnamed rule)',
    policy: policy?.trim().toLowerCase(),
    state: r.State,
    priority: r.Priority,
    recipientDomains: r.RecipientDomainIs ?? [],
    narrowed: (r.SentTo?.length ?? 0) > 0 || (r.SentToMemberOf?.length ?? 0) > 0,
  };
}

export interface PolicyScope<T> {
  policy: T;
  isDefault: boolean;
  /** Name to pass to `-Identity`. */
  name: string;
  /** `anti-phish policy 'X'`, `custom anti-phish policy 'X'` or `preset anti-phish policy 'X'`. */
  label: string;
  /** A preset security policy's copy: its settings cannot be changed, so it gets no remediation. */
  isPreset: boolean;
}

export function policyName(p: NamedPolicy): string {
  return p.Name ?? p.Identity ?? '(unnamed policy)';
}

export const ANTI_PHISH: PolicyKind<AntiPhishPolicy> = {
  noun: 'anti-phish policy',
  file: 'Get-AntiPhishPolicy',
  list: (ctx) => ctx.tenant.antiPhishPolicies,
  pickDefault: (ctx) => ctx.tenant.antiPhish,
  rules: (ctx) => ctx.snapshot.data['Get-AntiPhishRule']?.map((r) => toPolicyRule(r, r.AntiPhishPolicy)),
  reads: {
    'Get-AntiPhishPolicy': ['IsDefault', 'RecommendedPolicyType'],
    'Get-AntiPhishRule': ['AntiPhishPolicy', ...POLICY_RULE_READS],
    'Get-AcceptedDomain': ['DomainName'],
  },
};

export const CONTENT_FILTER: PolicyKind<ContentFilterPolicy> = {
  noun: 'anti-spam policy',
  file: 'Get-HostedContentFilterPolicy',
  list: (ctx) => ctx.tenant.contentFilter,
  pickDefault: (ctx) => ctx.tenant.contentFilterDefault,
  rules: (ctx) =>
    ctx.snapshot.data['Get-HostedContentFilterRule']?.map((r) =>
      toPolicyRule(r, r.HostedContentFilterPolicy),
    ),
  reads: {
    'Get-HostedContentFilterPolicy': ['IsDefault', 'RecommendedPolicyType'],
    'Get-HostedContentFilterRule': ['HostedContentFilterPolicy', ...POLICY_RULE_READS],
    'Get-AcceptedDomain': ['DomainName'],
  },
};

export const CONNECTION_FILTER: PolicyKind<ConnectionFilterPolicy> = {
  noun: 'connection filter policy',
  file: 'Get-HostedConnectionFilterPolicy',
  list: (ctx) => ctx.snapshot.data['Get-HostedConnectionFilterPolicy'],
  pickDefault: (ctx) => ctx.tenant.connectionFilter,
  // No policy rules: the default connection filter policy is the only one that applies (eop-model §6.5).
  reads: { 'Get-HostedConnectionFilterPolicy': ['IsDefault'] },
};

export interface PolicyReview<T> {
  notes: Note[];
  /** Policies with a fail or warn note, for tenant-specific remediation. */
  flagged: PolicyScope<T>[];
}

/** How the policy rules place a custom policy (eop-model §6.3 [D] S24: custom policies by priority, then the default). */
type Reach = { kind: 'everyone' | 'nobody'; rule: string } | { kind: 'some' };

/**
 * `everyone`: the highest-priority enabled rule that covers every own (non-onmicrosoft) domain with no further
 * condition names this policy, so the default applies to nobody. `nobody`: every rule of the policy is disabled.
 * Anything undecidable (rules not exported, a State that cannot be read) is `some`, the conservative middle.
 */
function reach(ctx: CheckContext, rules: PolicyRule[] | undefined, policy: NamedPolicy): Reach {
  if (rules === undefined) return { kind: 'some' };
  const names = [policy.Name, policy.Identity].filter((n): n is string => !!n).map((n) => n.toLowerCase());
  const mine = rules.filter((r) => r.policy !== undefined && names.includes(r.policy));
  if (mine.length > 0 && mine.every((r) => r.state === 'Disabled'))
    return { kind: 'nobody', rule: mine[0]?.name ?? '' };
  const domains = ownDomains(ctx).filter((d) => !d.endsWith('.onmicrosoft.com'));
  if (domains.length === 0) return { kind: 'some' };
  const first = rules
    .filter(
      (r) =>
        r.state === 'Enabled' &&
        !r.narrowed &&
        domains.every((d) => r.recipientDomains.some((x) => x.toLowerCase() === d)),
    )
    .sort((a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER))[0];
  if (first && first.policy !== undefined && names.includes(first.policy))
    return { kind: 'everyone', rule: first.name };
  return { kind: 'some' };
}

/**
 * Assess the default policy and every custom policy. A custom policy weaker than the guide is a `warn` naming it
 * (it applies only to its rule's recipients); the default policy's failures stay `fail`. The policy rules refine it:
 * a custom policy applied to every own domain keeps its `fail`, one whose rules are all disabled drops to `info`.
 */
export function reviewPolicies<T extends NamedPolicy>(
  ctx: CheckContext,
  kind: PolicyKind<T>,
  assess: (scope: PolicyScope<T>) => Note[],
): PolicyReview<T> {
  const list = kind.list(ctx);
  if (list === undefined)
    return { notes: [note('unknown', `${kind.file}.json was not exported`)], flagged: [] };
  if (list.length === 0) {
    return {
      notes: [
        note(
          'unknown',
          `${kind.file}.json holds no policy, but the default ${kind.noun} always exists: the export is incomplete`,
        ),
      ],
      flagged: [],
    };
  }
  const def = kind.pickDefault(ctx, list);
  const notes: Note[] = [];
  const flagged: PolicyScope<T>[] = [];
  if (!def)
    notes.push(
      note(
        'unknown',
        `${kind.file}.json: no ${kind.noun} is marked IsDefault = true, so the default policy cannot be told apart`,
      ),
    );
  const ordered = def ? [def, ...list.filter((p) => p !== def)] : list;
  for (const policy of ordered) {
    const isDefault = policy === def;
    const name = policyName(policy);
    const names = [policy.Name, policy.Identity].filter((n): n is string => !!n).map((n) => n.toLowerCase());
    const namedByRule = (kind.rules?.(ctx) ?? []).some(
      (r) => r.policy !== undefined && names.includes(r.policy),
    );
    const isPreset = !isDefault && isPresetPolicy(policy, namedByRule);
    const scope: PolicyScope<T> = {
      policy,
      isDefault,
      name,
      label: `${isDefault ? '' : isPreset ? 'preset ' : 'custom '}${kind.noun} '${name}'`,
      isPreset,
    };
    if (isPreset) {
      // What a preset does is Microsoft's choice, not a configuration to fix: reported for the picture, never failed.
      // The few settings an administrator does set in a preset (its users to protect) stay a warning, with the way.
      const precedence =
        'it applies, before custom and default policies, to the recipients the preset is assigned to, eop-model §6.3 [D] S24';
      for (const n of assess(scope)) {
        if (n.level !== 'fail' && n.level !== 'warn') notes.push(n);
        else if (n.presetRoute !== undefined)
          notes.push({
            level: 'warn',
            text: `${n.text} (a preset security policy: set this in the preset's configuration, ${n.presetRoute}, not with Set-* cmdlets; ${precedence})`,
          });
        else
          notes.push({
            level: 'info',
            text: `${n.text} (a preset security policy: Microsoft manages this setting, which cannot be changed; ${precedence})`,
          });
      }
      continue;
    }
    const where = isDefault ? ({ kind: 'some' } as const) : reach(ctx, kind.rules?.(ctx), policy);
    const own = assess(scope).map((n): Note => {
      if (isDefault || (n.level !== 'fail' && n.level !== 'warn')) return n;
      if (where.kind === 'everyone')
        return {
          ...n,
          text: `${n.text} (its rule '${where.rule}' applies it to every own domain, so it replaces the default policy)`,
        };
      if (where.kind === 'nobody')
        return {
          ...n,
          level: n.sticky ? 'warn' : 'info',
          text: `${n.text} (its rule is disabled, so the policy applies to nobody now)`,
        };
      return n.level === 'fail' && !n.sticky ? { ...n, level: 'warn' } : n;
    });
    if (own.some((n) => n.level === 'fail' || n.level === 'warn')) flagged.push(scope);
    notes.push(...own);
  }
  return { notes, flagged };
}

/** Remediation whose PowerShell is one line per flagged policy (tenant-specific), or undefined when nothing is flagged. */
export function perPolicyRemediation<T>(
  flagged: readonly PolicyScope<T>[],
  portal: string,
  line: (scope: PolicyScope<T>) => string | undefined,
): Remediation | undefined {
  const lines = flagged.map(line).filter((l): l is string => l !== undefined && l !== '');
  return lines.length > 0 ? { powershell: lines.join('\n'), portal } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Own domains and addresses.

/** Whether `domain` is an accepted domain or inside one (a subdomain of an own domain is still our namespace to spoof). */
export function isOwnDomain(ctx: CheckContext, domain: string): boolean {
  const d = domain.trim().toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  if (d === '') return false;
  return ctx.tenant.isAccepted(d) || ownDomains(ctx).some((own) => domainOrSubdomain(own, d));
}

/** Own address (`user@contoso.com`) or own domain (`contoso.com`, `*.contoso.com`). */
export function isOwnSender(ctx: CheckContext, value: string): boolean {
  const d = value.includes('@') ? domainOf(value) : value;
  return d !== undefined && isOwnDomain(ctx, d);
}

/** A list's entries split into own addresses and domains (`isOwnSender`) and the rest. */
function splitOwn(ctx: CheckContext, entries: readonly string[]): { own: string[]; other: string[] } {
  const own = entries.filter((e) => isOwnSender(ctx, e));
  return { own, other: entries.filter((e) => !own.includes(e)) };
}

/** `-Prop @{Remove='a','b'}` for each non-empty list of a policy: the Set-* parameters that empty those lists. */
function removeListParams<P extends string>(
  policy: Partial<Record<P, readonly string[] | undefined>>,
  props: readonly P[],
): string[] {
  return props.flatMap((prop) => {
    const entries = policy[prop] ?? [];
    return entries.length > 0 ? [`-${prop} @{Remove=${entries.map(psQuote).join(',')}}`] : [];
  });
}

/** One `<cmdlet> -Identity <policy> -Prop @{Remove=…}` line per flagged policy, emptying its allow or trust lists. */
export function emptyListsRemediation<
  P extends string,
  T extends Partial<Record<P, readonly string[] | undefined>>,
>(
  flagged: readonly PolicyScope<T>[],
  portal: string,
  cmdlet: string,
  props: readonly P[],
): Remediation | undefined {
  return perPolicyRemediation(flagged, portal, ({ policy, name }) => {
    const parts = removeListParams(policy, props);
    return parts.length > 0 ? `${cmdlet} -Identity ${psQuote(name)} ${parts.join(' ')}` : undefined;
  });
}

/** Without the accepted domains, a list's entries cannot be told apart from own domains. */
function ownUnknownNote(label: string, prop: string): Note {
  return note(
    'unknown',
    `${label}: Get-AcceptedDomain.json was not exported, so ${prop} entries cannot be checked for own domains`,
  );
}

/** How a check words the findings of one sender list (the text after `<policy label>: `). */
export interface SenderListWording {
  /** Why the property may be absent (e.g. a Defender for Office 365 setting). */
  absentHint?: string;
  own: (prop: string, own: readonly string[]) => string;
  other: (prop: string, other: readonly string[]) => string;
  /** Added to the own and other notes (a preset policy's route). */
  extra?: Pick<Note, 'presetRoute'>;
}

/**
 * One sender list of a policy (anti-spam allowed senders, anti-phish trusted senders): unknown when absent, ok when
 * empty, a sticky fail for own addresses or domains (as exploitable in a custom policy as in the default one), a warning
 * for the others, and unknown whether they are own ones when the accepted domains were not exported.
 */
export function reviewSenderList(
  ctx: CheckContext,
  label: string,
  prop: string,
  entries: readonly string[] | undefined,
  wording: SenderListWording,
): Note[] {
  if (entries === undefined) return [absent(label, prop, wording.absentHint)];
  if (entries.length === 0) return [note('ok', `${label}: ${prop} is empty`)];
  const out: Note[] = [];
  const { own, other } = splitOwn(ctx, entries);
  if (own.length > 0)
    out.push({ ...note('fail', `${label}: ${wording.own(prop, own)}`, true), ...wording.extra });
  if (other.length > 0) {
    out.push({ ...note('warn', `${label}: ${wording.other(prop, other)}`), ...wording.extra });
    if (ctx.tenant.acceptedDomains === undefined) out.push(ownUnknownNote(label, prop));
  }
  return out;
}

/**
 * A Tenant Allow/Block List entry's Action, or the note saying why it cannot be told: absent, or an unmapped integer
 * (`#n`) or undocumented string, which may be an Allow (unknown, never skipped).
 */
export function tablAction(label: string, action: string | undefined): 'Allow' | 'Block' | Note {
  if (action === undefined) return absent(label, 'Action');
  if (action === 'Allow' || action === 'Block') return action;
  return note(
    'unknown',
    `${label}: Action = ${action} is not a value the Tenant Allow/Block List documents (Allow, Block)`,
  );
}
