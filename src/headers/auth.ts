/**
 * Authentication results: EOP's `Authentication-Results`, the upstream results EOP renamed, other systems' results, and
 * ARC sets. Pure.
 *
 * Which `Authentication-Results` is EOP's verdict (the trust boundary, RFC 8601 §5 and §7.1): a receiver only trusts
 * results stamped by its own boundary, identified by the authserv-id. EOP writes its results without an authserv-id
 * (the documented syntax starts with `spf=`, "Anti-spam message headers", Microsoft Learn, eop-model §7.2 [D] S26;
 * field-notes 8), and renames a results header it finds on arrival to `Authentication-Results-Original` (older) or
 * `Original-Authentication-Results` (2024+) (eop-model EF-4 [C] S46). So EOP's verdict is the topmost
 * `Authentication-Results` whose authserv-id is absent or a Microsoft 365 host (`*.protection.outlook.com`); one with
 * another authserv-id was written by another system (a gateway, an on-premises server after EOP, a list server) and is
 * shown as such, never read as EOP's. Without such a header, the topmost `X-MS-Exchange-Authentication-Results`
 * (the copy EOP stamps beside its entry hop [C]) stands in, and the report says so.
 */
import { isMicrosoftHost } from './received.js';
import type { HeaderField, ParsedMessage } from './parse.js';
import { fieldsNamed } from './parse.js';

/** RFC 8617 §4.2.1: an ARC instance number is at most 50. */
export const MAX_ARC_INSTANCE = 50;

export interface MethodResult {
  method: string;
  result: string;
  /** The comment after the result, e.g. `sender IP is 192.0.2.1`. */
  comment: string | undefined;
  /** `smtp.mailfrom`, `header.from`, `header.d`, `action`, `reason`… */
  props: Record<string, string>;
}

export interface AuthResults {
  header: string;
  /** Undefined: none written (EOP's form). */
  authservId: string | undefined;
  results: MethodResult[];
  index: number;
}

/** Removes `(…)` comments, nested ones included, keeping the first comment after each result. */
function splitOutsideParens(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function parseResinfo(text: string): MethodResult | undefined {
  const m = /^\s*([A-Za-z][\w.-]{0,40})\s*=\s*([A-Za-z][\w.-]{0,40})/.exec(text);
  if (!m) return undefined;
  let rest = text.slice(m[0].length);
  let comment: string | undefined;
  const c = /^\s*\(([^()]{0,500})\)/.exec(rest);
  if (c) {
    comment = c[1]!.trim();
    rest = rest.slice(c[0].length);
  }
  const props: Record<string, string> = {};
  const plain = rest.replace(/\([^()]{0,500}\)/g, ' ');
  for (const p of plain.matchAll(/([A-Za-z][\w.-]{0,40})\s*=\s*("[^"]{0,500}"|[^\s;]{0,500})/g)) {
    props[p[1]!.toLowerCase()] = p[2]!.replace(/^"|"$/g, '');
  }
  return { method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), comment, props };
}

/** One results header: an optional authserv-id (and version), then `;`-separated method results (RFC 8601 §2.2). */
export function parseAuthResults(field: HeaderField): AuthResults {
  const parts = splitOutsideParens(field.value, ';');
  let authservId: string | undefined;
  const head = parts[0]!.replace(/\([^()]*\)/g, ' ').trim();
  // EOP's form has no authserv-id: its first part is already `spf=…`.
  if (!/^[A-Za-z][\w.-]*\s*=/.test(head)) {
    authservId = head.split(/\s+/)[0] || undefined;
    parts.shift();
  }
  const results = parts.map(parseResinfo).filter((r): r is MethodResult => r !== undefined);
  return { header: field.name, authservId, results, index: field.index };
}

/** An ARC-Authentication-Results value starts with `i=N;` before the authserv-id (RFC 8617 §4.1.1). */
function parseArcResults(field: HeaderField): { instance: number | undefined; results: AuthResults } {
  const m = /^\s*i\s*=\s*(\d{1,3})\s*;/.exec(field.value);
  const rest = m ? field.value.slice(m[0].length) : field.value;
  return {
    instance: m ? Number(m[1]) : undefined,
    results: parseAuthResults({ ...field, value: rest }),
  };
}

/** Whether an authserv-id names EOP: none written (EOP's own form) or a Microsoft 365 host. */
function isEopAuthserv(id: string | undefined): boolean {
  return id === undefined || isMicrosoftHost(id) || /(?:^|\.)microsoft\.com$/i.test(id);
}

export interface AuthenticationView {
  /** EOP's results at the trust boundary, when found. */
  eop: AuthResults | undefined;
  /** `Authentication-Results-Original` / `Original-Authentication-Results`: results from before EOP, renamed by it. */
  upstream: AuthResults[];
  /** `Authentication-Results` with another authserv-id: another system's, never EOP's verdict. */
  others: AuthResults[];
}

const UPSTREAM_NAMES = ['Authentication-Results-Original', 'Original-Authentication-Results'];

export function authenticationView(message: ParsedMessage): AuthenticationView {
  const all = fieldsNamed(message, 'Authentication-Results').map(parseAuthResults);
  const eopIndex = all.findIndex((a) => isEopAuthserv(a.authservId));
  let eop = eopIndex >= 0 ? all[eopIndex] : undefined;
  const others = all.filter((_, i) => i !== eopIndex);
  if (!eop) {
    const copy = fieldsNamed(message, 'X-MS-Exchange-Authentication-Results')[0];
    if (copy) eop = parseAuthResults(copy);
  }
  const upstream = UPSTREAM_NAMES.flatMap((n) => fieldsNamed(message, n).map(parseAuthResults)).sort(
    (a, b) => a.index - b.index,
  );
  return { eop, upstream, others };
}

/** The first result of a method (`spf`, `dmarc`, `compauth`…). */
export function resultOf(results: AuthResults | undefined, method: string): MethodResult | undefined {
  return results?.results.find((r) => r.method === method);
}

export interface ArcSet {
  instance: number;
  /** The sealer's domain (`d=` of ARC-Seal). */
  sealer: string | undefined;
  /** Chain validation the sealer recorded (`cv=` of ARC-Seal): none, pass or fail. */
  cv: string | undefined;
  authservId: string | undefined;
  results: MethodResult[];
}

function tag(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;\\s]{1,255})`, 'i').exec(value);
  return m?.[1];
}

/** ARC sets by instance, lowest first; instances outside 1–50 are ignored (RFC 8617 §4.2.1). */
export function arcSets(message: ParsedMessage): ArcSet[] {
  const sets = new Map<number, ArcSet>();
  const at = (i: number) => {
    let s = sets.get(i);
    if (!s) {
      s = { instance: i, sealer: undefined, cv: undefined, authservId: undefined, results: [] };
      sets.set(i, s);
    }
    return s;
  };
  for (const f of fieldsNamed(message, 'ARC-Seal')) {
    const i = Number(tag(f.value, 'i'));
    if (!Number.isInteger(i) || i < 1 || i > MAX_ARC_INSTANCE) continue;
    const s = at(i);
    s.sealer ??= tag(f.value, 'd')?.toLowerCase();
    s.cv ??= tag(f.value, 'cv')?.toLowerCase();
  }
  for (const f of fieldsNamed(message, 'ARC-Authentication-Results')) {
    const { instance, results } = parseArcResults(f);
    if (instance === undefined || instance < 1 || instance > MAX_ARC_INSTANCE) continue;
    const s = at(instance);
    if (s.results.length === 0) {
      s.authservId = results.authservId;
      s.results = results.results;
    }
  }
  return [...sets.values()].sort((a, b) => a.instance - b.instance);
}
