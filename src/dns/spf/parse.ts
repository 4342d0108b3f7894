/**
 * SPF record syntax (RFC 7208 §4.6.1, §5, §6, §7.1), with errors that say where and why. Pure.
 * A record that fails to parse is a permerror at evaluation (§4.6); the analysis reports the message.
 */
import { MAX_LABEL_OCTETS, octets } from '../name.js';

export type Qualifier = '+' | '-' | '~' | '?';
export type MechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export interface Mechanism {
  kind: 'mechanism';
  qualifier: Qualifier;
  name: MechanismName;
  /** domain-spec (include, a, mx, ptr, exists) or network (ip4, ip6). */
  value?: string;
  cidr4?: number;
  cidr6?: number;
  /** The term as written. */
  text: string;
  /** 1-based column of the term in the record. */
  column: number;
}

export interface Modifier {
  kind: 'modifier';
  name: string;
  value: string;
  text: string;
  column: number;
}

export type Term = Mechanism | Modifier;

export interface SpfRecord {
  terms: Term[];
  mechanisms: Mechanism[];
  redirect?: Modifier;
  exp?: Modifier;
}

export interface SpfSyntaxError {
  message: string;
  column: number;
  /** RFC 7208 section the rule comes from. */
  section: string;
}

export type ParseResult = { ok: true; record: SpfRecord } | { ok: false; error: SpfSyntaxError };

const MECHANISMS = new Set<MechanismName>(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
const MACRO_LETTERS = 'slodiphcrtv';
const EXP_ONLY_LETTERS = 'crt';

/** A character for a message: printable ASCII quoted, anything else (CR, LF, U+2028, a bidi control) as U+XXXX. */
function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return cp >= 0x21 && cp <= 0x7e ? `"${ch}"` : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Is `s` a syntactically valid macro-string (§7.1)? Returns an error message or undefined. */
export function checkMacroString(s: string, inExp: boolean): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = ch.charCodeAt(0);
    if (ch === '%') {
      const next = s[i + 1];
      if (next === '%' || next === '_' || next === '-') {
        i++;
        continue;
      }
      if (next !== '{') return `"%" must be followed by "{", "%", "_" or "-" (§7.1)`;
      const close = s.indexOf('}', i + 2);
      if (close < 0) return 'unterminated macro "%{" (§7.1)';
      const body = s.slice(i + 2, close);
      const m = /^([a-zA-Z])(\d*)(r?)([.\-+,/_=]*)$/i.exec(body);
      if (!m) return `malformed macro "%{${body}}" (§7.1)`;
      const letter = m[1]!.toLowerCase();
      if (!MACRO_LETTERS.includes(letter)) return `unknown macro letter "${m[1]}" (§7.2)`;
      if (!inExp && EXP_ONLY_LETTERS.includes(letter))
        return `macro "%{${m[1]}}" is only allowed in exp= (§7.2)`;
      if (m[2] && Number(m[2]) === 0) return 'a macro transformer of 0 digits is not allowed (§7.3)';
      i = close;
      continue;
    }
    if (code < 0x21 || code > 0x7e)
      return `character ${describeChar(ch)} is not allowed in a macro-string (§7.1)`;
  }
  return undefined;
}

/** toplabel (§7.1): letters, digits and inner hyphens, not all digits; what a domain literal or an address lacks. */
export function isTopLabel(label: string): boolean {
  return /^[a-z0-9]+$|^[a-z0-9][a-z0-9-]*[a-z0-9]$/i.test(label) && !/^\d+$/.test(label);
}

/** domain-spec = macro-string domain-end (§7.1): the last label is a valid top label or a macro. */
function checkDomainSpec(spec: string): string | undefined {
  if (spec === '') return 'empty domain-spec';
  const macro = checkMacroString(spec, false);
  if (macro) return macro;
  if (/%\{[^}]*\}$/.test(spec)) return undefined; // domain-end = macro-expand
  const trimmed = spec.replace(/\.$/, '');
  const labels = trimmed.split('.');
  const top = labels[labels.length - 1] ?? '';
  if (labels.length < 2)
    return `"${spec}" is not a fully qualified domain (domain-end needs a top label, §7.1)`;
  if (!isTopLabel(top)) return `"${top}" is not a valid top-level label (§7.1)`;
  if (labels.some((l) => l === '' && spec !== '.')) return `"${spec}" has an empty label`;
  if (labels.some((l) => octets(l) > MAX_LABEL_OCTETS))
    return `"${spec}" has a label longer than ${MAX_LABEL_OCTETS} octets (§4.3)`;
  return undefined;
}

function parseCidr(raw: string, max: number, column: number): number | SpfSyntaxError {
  if (!/^(0|[1-9]\d{0,2})$/.test(raw))
    return { message: `invalid CIDR length "/${raw}"`, column, section: '§5.6' };
  const n = Number(raw);
  if (n > max) return { message: `CIDR length /${n} is larger than ${max}`, column, section: '§5.6' };
  return n;
}

/** The optional dual-cidr-length that ends an a or mx term (§5.3, §5.4), matched at the end only. */
const DUAL_CIDR_SUFFIX = /(?:\/\d+)?(?:\/\/\d+)?$/;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(s: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(s) || !s.includes(':')) return false;
  const parts = s.split('::');
  if (parts.length > 2) return false;
  const groups = (p: string) => (p === '' ? [] : p.split(':'));
  const all = parts.flatMap(groups);
  let count = 0;
  for (const [i, g] of all.entries()) {
    if (g.includes('.')) {
      if (i !== all.length - 1 || !IPV4.test(g)) return false;
      count += 2;
    } else if (/^[0-9a-f]{1,4}$/i.test(g)) count += 1;
    else return false;
  }
  return parts.length === 2 ? count < 8 : count === 8;
}

/**
 * RFC 7208 §4.5: a TXT record is an SPF record when it begins with "v=spf1" (case-insensitive) followed by a space or
 * its end ("v=spf10", "v=spf1\t…" and " v=spf1" are not). The one recogniser: every caller selects records with it.
 */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1( |$)/i.test(txt);
}

/** RFC 7208 §4.5: the SPF records among a name's TXT records; exactly one is usable, more is a permerror. */
export function spfRecordsOf(txts: readonly string[]): string[] {
  return txts.filter(isSpfRecord);
}

/** Parses the text of one TXT record that starts with `v=spf1`. */
export function parseSpf(text: string): ParseResult {
  const err = (message: string, column: number, section = '§4.6.1'): ParseResult => ({
    ok: false,
    error: { message, column, section },
  });
  if (!isSpfRecord(text))
    return err('an SPF record starts with "v=spf1" followed by a space or the end', 1, '§4.5');
  const record: SpfRecord = { terms: [], mechanisms: [] };
  let pos = 6;
  while (pos < text.length) {
    if (text[pos] !== ' ') {
      // Only SP separates terms (§4.6.1); a tab or other whitespace is a syntax error.
      return err(
        `unexpected character ${describeChar(text[pos]!)} between terms (terms are separated by spaces)`,
        pos + 1,
      );
    }
    while (text[pos] === ' ') pos++;
    if (pos >= text.length) break;
    let end = text.indexOf(' ', pos);
    if (end < 0) end = text.length;
    const termText = text.slice(pos, end);
    const column = pos + 1;
    pos = end;

    // `[^]*`, not `.*`: a value holding CR, LF, U+2028 or U+2029 is still this term, for checkMacroString to refuse.
    const mod = /^([a-zA-Z][a-zA-Z0-9\-_.]*)=([^]*)$/.exec(termText);
    if (mod) {
      const name = mod[1]!.toLowerCase();
      const value = mod[2]!;
      const modifier: Modifier = { kind: 'modifier', name, value, text: termText, column };
      if (name === 'redirect' || name === 'exp') {
        if (record[name]) return err(`"${name}=" appears more than once`, column, '§6');
        const bad = checkDomainSpec(value);
        if (bad) return err(`${name}=: ${bad}`, column, '§6');
        record[name] = modifier;
      } else {
        const bad = checkMacroString(value, false);
        if (bad) return err(`modifier ${name}=: ${bad}`, column, '§6');
      }
      record.terms.push(modifier);
      continue;
    }

    let body = termText;
    let qualifier: Qualifier = '+';
    if ('+-~?'.includes(body[0]!)) {
      qualifier = body[0] as Qualifier;
      body = body.slice(1);
    }
    const nm = /^([a-zA-Z0-9]+)/.exec(body);
    const name = (nm?.[1] ?? '').toLowerCase() as MechanismName;
    if (!MECHANISMS.has(name)) return err(`unknown mechanism "${termText}"`, column, '§5');
    let rest = body.slice(nm![1]!.length);
    const mech: Mechanism = { kind: 'mechanism', qualifier, name, text: termText, column };

    if (name === 'all') {
      if (rest !== '') return err(`"all" takes no argument: "${termText}"`, column, '§5.1');
    } else if (name === 'ip4' || name === 'ip6') {
      if (!rest.startsWith(':'))
        return err(`"${name}" needs ":<address>"`, column, name === 'ip4' ? '§5.6' : '§5.6');
      rest = rest.slice(1);
      const slash = rest.indexOf('/');
      const addr = slash < 0 ? rest : rest.slice(0, slash);
      if (name === 'ip4' ? !IPV4.test(addr) : !isIpv6(addr))
        return err(`"${addr}" is not a valid ${name === 'ip4' ? 'IPv4' : 'IPv6'} address`, column, '§5.6');
      mech.value = addr;
      if (slash >= 0) {
        const c = parseCidr(rest.slice(slash + 1), name === 'ip4' ? 32 : 128, column);
        if (typeof c !== 'number') return { ok: false, error: c };
        if (name === 'ip4') mech.cidr4 = c;
        else mech.cidr6 = c;
      }
    } else {
      // include, exists: ":" domain-spec required; a, mx, ptr: optional; a and mx take a dual CIDR length.
      const needsDomain = name === 'include' || name === 'exists';
      let spec: string | undefined;
      let cidrPart = '';
      if (rest.startsWith(':')) {
        const afterColon = rest.slice(1);
        if (name === 'a' || name === 'mx') {
          // Always matches (the domain part may be any characters, line terminators included: §4.6.1 makes those a
          // syntax error, found by checkDomainSpec below).
          const cut = DUAL_CIDR_SUFFIX.exec(afterColon)?.[0] ?? '';
          spec = afterColon.slice(0, afterColon.length - cut.length);
          cidrPart = cut;
        } else spec = afterColon;
      } else if (rest.startsWith('/') && (name === 'a' || name === 'mx')) {
        cidrPart = rest;
      } else if (rest !== '') {
        return err(`unexpected "${rest}" after "${name}"`, column, '§5');
      }
      if (needsDomain && spec === undefined)
        return err(`"${name}" needs ":<domain>"`, column, name === 'include' ? '§5.2' : '§5.7');
      if (spec !== undefined) {
        const bad = checkDomainSpec(spec);
        if (bad) return err(`${name}: ${bad}`, column, '§7.1');
        mech.value = spec;
      }
      if (cidrPart) {
        const m = /^(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(cidrPart);
        if (!m || (!m[1] && !m[2])) return err(`invalid CIDR length "${cidrPart}"`, column, '§5.6');
        if (m[1]) {
          const c = parseCidr(m[1], 32, column);
          if (typeof c !== 'number') return { ok: false, error: c };
          mech.cidr4 = c;
        }
        if (m[2]) {
          const c = parseCidr(m[2], 128, column);
          if (typeof c !== 'number') return { ok: false, error: c };
          mech.cidr6 = c;
        }
      }
    }
    record.terms.push(mech);
    record.mechanisms.push(mech);
  }
  return { ok: true, record };
}

/** Terms that cost a DNS lookup against the limit of 10 (§4.6.4). */
export function countsAsLookup(t: Term): boolean {
  if (t.kind === 'modifier') return t.name === 'redirect';
  return t.name === 'include' || t.name === 'a' || t.name === 'mx' || t.name === 'ptr' || t.name === 'exists';
}
