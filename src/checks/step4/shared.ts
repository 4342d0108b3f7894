/**
 * Helpers shared by the step-4 and step-5 checks: reviewing the default policy and every custom policy of one type,
 * ranking per-object notes into one outcome, and telling own domains from foreign ones.
 */
import type { AntiPhishPolicy, ConnectionFilterPolicy, ContentFilterPolicy } from '../../snapshot/schema.js';
import { domainOf, domainOrSubdomain } from '../../model/domains.js';
import type { CheckContext, CheckOutcome, Remediation } from '../types.js';
import { ownDomains } from '../util.js';

/** How one property of one object measured up; `ok` notes are the evidence of a pass. */
export type NoteLevel = 'ok' | 'info' | 'unknown' | 'warn' | 'fail';
export interface Note {
  level: NoteLevel;
  text: string;
  /** Stays `fail` on a custom policy (e.g. an own domain on an allow list is as dangerous there as in the default). */
  sticky?: boolean;
}

/** Same order as the step-2 checks: a warn already says "act"; an unknown still blocks a pass (DESIGN §1.1). */
const RANK: Record<NoteLevel, number> = { ok: 0, info: 1, unknown: 2, warn: 3, fail: 4 };
const STATUS: Record<NoteLevel, CheckOutcome['status']> = {
  ok: 'pass',
  info: 'info',
  warn: 'warn',
  unknown: 'unknown',
  fail: 'fail',
};

export function worst(notes: readonly Note[]): NoteLevel {
  return notes.reduce<NoteLevel>((w, n) => (RANK[n.level] > RANK[w] ? n.level : w), 'ok');
}

/** Notes → outcome. No notes at all is `unknown`: a check that looked at nothing has proved nothing. */
export function outcomeOf(notes: readonly Note[], remediation?: Remediation): CheckOutcome {
  if (notes.length === 0) return { status: 'unknown', evidence: ['nothing to evaluate'] };
  const out: CheckOutcome = { status: STATUS[worst(notes)], evidence: notes.map((n) => n.text) };
  if (remediation) out.remediation = remediation;
  return out;
}

export const note = (level: NoteLevel, text: string, sticky = false): Note =>
  sticky ? { level, text, sticky } : { level, text };

/** `<label>: <Property> is absent from the export` — a missing property is unknown, never false (formats.md §6.2). */
export function absent(label: string, property: string, hint = ''): Note {
  return note('unknown', `${label}: ${property} is absent from the export${hint ? ` (${hint})` : ''}`);
}

/** Strip what would end a PowerShell comment line, for tenant-derived text placed after `#`. */
export function commentSafe(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    // C0/C1 controls (CR, LF among them) and the Unicode line/paragraph separators.
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 ? ' ' : ch;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Policies: the default one and every custom one.

interface NamedPolicy {
  Name?: string | undefined;
  Identity?: string | undefined;
  IsDefault?: boolean | undefined;
}

export interface PolicyKind<T extends NamedPolicy> {
  /** `anti-phish policy`, as it appears in evidence. */
  noun: string;
  /** The export file, without `.json`. */
  file: string;
  list(ctx: CheckContext): T[] | undefined;
  pickDefault(ctx: CheckContext, list: T[]): T | undefined;
}

export interface PolicyScope<T> {
  policy: T;
  isDefault: boolean;
  /** Name to pass to `-Identity`. */
  name: string;
  /** `anti-phish policy 'X'` or `custom anti-phish policy 'X'`. */
  label: string;
}

export function policyName(p: NamedPolicy): string {
  return p.Name ?? p.Identity ?? '(unnamed policy)';
}

export const ANTI_PHISH: PolicyKind<AntiPhishPolicy> = {
  noun: 'anti-phish policy',
  file: 'Get-AntiPhishPolicy',
  list: (ctx) => ctx.tenant.antiPhishPolicies,
  pickDefault: (ctx) => ctx.tenant.antiPhish,
};

export const CONTENT_FILTER: PolicyKind<ContentFilterPolicy> = {
  noun: 'anti-spam policy',
  file: 'Get-HostedContentFilterPolicy',
  list: (ctx) => ctx.tenant.contentFilter,
  pickDefault: (ctx) => ctx.tenant.contentFilterDefault,
};

export const CONNECTION_FILTER: PolicyKind<ConnectionFilterPolicy> = {
  noun: 'connection filter policy',
  file: 'Get-HostedConnectionFilterPolicy',
  list: (ctx) => ctx.snapshot.data['Get-HostedConnectionFilterPolicy'],
  pickDefault: (ctx) => ctx.tenant.connectionFilter,
};

export interface PolicyReview<T> {
  notes: Note[];
  /** Policies with a fail or warn note, for tenant-specific remediation. */
  flagged: PolicyScope<T>[];
}

/**
 * Assess the default policy and every custom policy. A custom policy weaker than the guide is a `warn` naming it
 * (it applies only to its rule's recipients); the default policy's failures stay `fail`.
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
    const scope: PolicyScope<T> = {
      policy,
      isDefault,
      name,
      label: `${isDefault ? '' : 'custom '}${kind.noun} '${name}'`,
    };
    const own = assess(scope).map((n) =>
      !isDefault && n.level === 'fail' && !n.sticky ? { ...n, level: 'warn' as const } : n,
    );
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
