/**
 * Random `mxlock.yaml` documents for the seeded profile test: built from the schema's keys (DESIGN §3.2) with values
 * of the right and the wrong types, odd and invalid IPs and CIDRs, hostile text, unicode, anchors and aliases (merge
 * keys included), tags, complex keys, several documents, comments, and every YAML scalar style. Written by a small
 * emitter of our own, so that the text can be wrong in the ways a hand-edited file is.
 *
 * Left out on purpose (another lane of issue 10): nesting deeper than a few levels beyond the schema's, and lists in
 * the tens of thousands (lists stay under MAX_LIST entries).
 */
import type { Gen } from '../support/fuzz.js';

/**
 * "Huge lists" within this helper's lane: one list of up to MAX_LIST addresses or names per document (1,869 addresses took a finding to 48 MB before the fix it found), not item 6's
 * 50,000 objects. Lists of objects (sources, waivers) stay under MAX_OBJECTS: each source is one more path to
 * simulate, and a profile of hundreds of sources with hundreds of ranges each is the size lane's.
 */
const MAX_LIST = 500;
const MAX_OBJECTS = 40;
/** Whether this document's one huge list was used. */
let hugeUsed = false;

/**
 * Half of the documents are "wild" (wrong types, odd values, typos, tabs, several documents…) and mostly refused; the
 * others are "tame" (hostile names, aliases, big lists, but the schema's types), so that valid profiles reach the
 * rest of the pipeline too. Set per document by profileYaml; the tests run one case at a time.
 */
let wild = true;

type Node =
  | { kind: 'scalar'; value: string; style?: 'plain' | 'single' | 'double' | 'literal' | 'folded' }
  | { kind: 'seq'; items: Node[]; flow?: boolean }
  | { kind: 'map'; entries: [Node | string, Node][]; flow?: boolean }
  | { kind: 'alias'; name: string };
type Decorated = Node & { anchor?: string; tag?: string };

const IPS = [
  '203.0.113.10',
  '198.51.100.0/28',
  '192.0.2.50',
  '2001:db8::1',
  '2001:db8::/48',
  '10.0.0.0/16',
  '0.0.0.0/0',
  '::/0',
  '0.0.0.0/1',
  '10.0.0.0/15',
  '2001:db8::/31',
  '300.1.1.1',
  '1.2.3',
  '1.2.3.4/33',
  '1.2.3.4/-1',
  '1.2.3.4/',
  '1.2.3.04',
  '01.2.3.4',
  ' 203.0.113.10',
  '203.0.113.10 ',
  '203.0.113.10-203.0.113.20',
  '203.0.113.20-203.0.113.10',
  '::ffff:203.0.113.10',
  '::ffff:0.0.0.0/96',
  'fe80::1%eth0',
  '2001:db8::/129',
  '2001:db8:::1',
  'localhost',
  '*',
  '',
  '0x7f.1',
  '127.1',
  '4294967295',
  '203.0.113.10\u202e',
  '２０３.0.113.10',
];
const EMAILS = [
  'scanner@fabrikam.com',
  'CEO@Contoso.com',
  'a@b.c',
  '@fabrikam.com',
  'no-at-sign',
  'two@@x.com',
  'space in@x.com',
  'user@localhost',
  'ünï@müller.de',
  'x@y.z\u2028',
  '*@contoso.com',
  '',
];
const TEXT = [
  'Proofpoint',
  'Mimecast',
  '',
  ' ',
  '~',
  'null',
  'yes',
  'no',
  'on',
  'off',
  'True',
  '0',
  '0x10',
  '1e3',
  '.inf',
  '.nan',
  '2001-12-14t21:59:43.10-05:00',
  '*.mail-gateway.example.com',
  "Evil'; Remove-Item C:\\ -Recurse; '",
  '$(Invoke-Expression calc)',
  '`whoami`',
  'two\r\nlines',
  'esc\u001b[31mred',
  'rtl\u202eexe.txt',
  'nul\u0000byte',
  'sep\u2028line',
  'bell\u0007',
  'c1\u009bx',
  '😀 unicode ünïcödé 中文',
  'a: b',
  '- item',
  '# not a comment',
  '{flow}',
  '[seq]',
  '&anchor',
  '*alias',
  '!tag',
  '%directive',
  '@reserved',
  '"quoted"',
  "'single'",
  'x'.repeat(5_000),
];
const CHECK_IDS = [
  'antispam.thresholds',
  'direct-send.reject-flag',
  'connector.lockdown-missing',
  'dns.spf',
  'no.such.check',
  '',
];
const TOP_KEYS = ['gateway', 'hybrid', 'directSendSources', 'protectedUsers', 'waivers'];
const TYPOS = ['gatway', 'Gateway', 'ip', 'IPs', 'directsendsources', 'waiver', 'extra', '<<'];

const scalar = (value: string, style?: 'plain' | 'single' | 'double' | 'literal' | 'folded'): Node =>
  style ? { kind: 'scalar', value, style } : { kind: 'scalar', value };

/** A value of any type, to put where the schema expects another. */
function anyValue(g: Gen, depth: number): Node {
  switch (depth <= 0 ? g.int(0, 3) : g.int(0, 5)) {
    case 0:
      return scalar(g.pick(TEXT));
    case 1:
      return scalar(
        g.pick(['~', 'null', '', 'true', 'false', '42', '-1', '3.5', '1e400', '.inf', '0o17']),
        'plain',
      );
    case 2:
      return scalar(g.pick(IPS));
    case 3:
      return scalar(g.pick(EMAILS));
    case 4:
      return { kind: 'seq', items: g.times(g.int(0, 3), () => anyValue(g, depth - 1)) };
    default:
      // Keys unique: a repeated key is refused before anything else looks at the document.
      return {
        kind: 'map',
        entries: [...new Set(g.times(g.int(0, 3), () => g.pick(TYPOS)))].map(
          (k) => [k, anyValue(g, depth - 1)] as [string, Node],
        ),
      };
  }
}

/** Usually the type the schema wants, sometimes another. */
function sometimesWrong(g: Gen, right: () => Node): Node {
  return !wild || g.chance(0.9) ? right() : anyValue(g, 2);
}

function list(g: Gen, item: () => Node, min = 0, leaf = true): Node {
  const low = wild ? 0 : min;
  let n = g.weighted([
    [20, g.int(low, 4)],
    [2, g.int(5, leaf ? 60 : MAX_OBJECTS)],
    [1, leaf ? g.int(100, MAX_LIST) : g.int(low, 4)],
  ]);
  if (n >= 100) {
    if (hugeUsed) n = g.int(low, 4);
    hugeUsed = true;
  }
  return { kind: 'seq', items: g.times(n, item), flow: g.chance(0.4) };
}

/** Most lists hold only good values (so that valid profiles reach the pipeline); the others mix in odd ones. */
function values(g: Gen, good: readonly string[], all: readonly string[], min = 0): Node {
  const odd = wild && g.chance(0.5) ? 0.2 : 0;
  return list(g, () => scalar(g.chance(odd) ? g.pick(all) : g.pick(good)), min);
}
/** The well-formed, narrow enough addresses at the head of IPS. */
const GOOD_IPS = IPS.slice(0, 6);
const ips = (g: Gen, min = 0) => values(g, GOOD_IPS, IPS, min);
const emails = (g: Gen, min = 0) => values(g, EMAILS.slice(0, 3), EMAILS, min);
/** Names: hostile text is welcome here (it must come out escaped), values YAML cannot hold as plain are quoted. */
const text = (g: Gen) =>
  scalar(
    g.chance(0.5) ? g.pick(TEXT.slice(0, 2)) : g.pick(wild ? TEXT : TEXT.filter((t) => t.trim() !== '')),
  );

function mapOf(g: Gen, fields: readonly (readonly [string, () => Node])[]): Node {
  const entries: [Node | string, Node][] = [];
  for (const [key, value] of fields)
    if (!wild || g.chance(0.9)) entries.push([key, sometimesWrong(g, value)]);
  if (wild && g.chance(0.1)) entries.push([g.pick(TYPOS), anyValue(g, 1)]);
  return { kind: 'map', entries, flow: g.chance(0.15) };
}

/** A profile document as a tree: the schema's keys, mostly well typed. */
export function profileTree(g: Gen): Node {
  const gateway = () =>
    mapOf(g, [
      ['name', () => text(g)],
      ['ips', () => ips(g)],
      ['certificate', () => (g.chance(0.2) ? scalar('null', 'plain') : text(g))],
      [
        'certificateUnique',
        () =>
          scalar(!wild || g.chance(0.8) ? g.pick(['true', 'false']) : g.pick(['yes', 'on', '1']), 'plain'),
      ],
      ['dkimSelectors', () => list(g, () => text(g))],
    ]);
  const hybrid = () =>
    mapOf(g, [
      ['ips', () => ips(g)],
      ['certificate', () => text(g)],
    ]);
  const source = () =>
    mapOf(g, [
      ['name', () => text(g)],
      ['ips', () => ips(g, 1)],
      ['senders', () => emails(g, 1)],
    ]);
  const waiver = () =>
    mapOf(g, [
      ['id', () => scalar(g.pick(wild ? CHECK_IDS : CHECK_IDS.slice(0, -1)))],
      ['reason', () => text(g)],
    ]);
  const sections: Record<string, () => Node> = {
    gateway,
    hybrid,
    directSendSources: () => list(g, source, 0, false),
    protectedUsers: () => emails(g),
    waivers: () => list(g, waiver, 0, false),
  };
  const entries: [Node | string, Node][] = [];
  for (const key of TOP_KEYS) if (g.chance(0.7)) entries.push([key, sometimesWrong(g, sections[key]!)]);
  if (wild && g.chance(0.15)) entries.push([g.pick(TYPOS), anyValue(g, 2)]);
  if (wild && g.chance(0.05))
    entries.push([{ kind: 'seq', items: [scalar('complex')], flow: true }, scalar('key')]);
  return { kind: 'map', entries };
}

/** The value a node stands for, its style aside: a tame alias only replaces a node equal to its anchor's. */
function content(node: Node): string {
  if (node.kind === 'scalar') return `s:${node.value}`;
  if (node.kind === 'alias') return `*${node.name}`;
  if (node.kind === 'seq') return `[${node.items.map(content).join(',')}]`;
  return `{${node.entries.map(([k, v]) => `${typeof k === 'string' ? k : content(k)}:${content(v)}`).join(',')}}`;
}

/**
 * Adds anchors to some nodes and replaces later ones with aliases to them (and sometimes a merge key). Tame documents
 * only alias a node equal to the anchored one, so the profile means the same; wild ones alias anything.
 */
function aliasSome(g: Gen, root: Node): void {
  const anchored: { name: string; node: Node; content: string }[] = [];
  let n = 0;
  const visit = (node: Decorated): Node => {
    const same = wild ? anchored : anchored.filter((a) => a.content === content(node));
    if (same.length > 0 && g.chance(wild ? 0.05 : 0.5)) return { kind: 'alias', name: g.pick(same).name };
    if (node.kind === 'seq') node.items = node.items.map(visit);
    if (node.kind === 'map')
      node.entries = node.entries.map(([k, v]) => [k, visit(v)] as [Node | string, Node]);
    if (node.kind !== 'alias' && g.chance(0.08)) {
      node.anchor = `a${n++}`;
      anchored.push({ name: node.anchor, node, content: content(node) });
    }
    const maps = anchored.filter((a) => a.node.kind === 'map' && a.node !== node);
    if (wild && node.kind === 'map' && maps.length > 0 && g.chance(0.05))
      node.entries.push(['<<', { kind: 'alias', name: g.pick(maps).name }]);
    return node;
  };
  visit(root);
}

function quoteDouble(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029 || cp === 0x202e)
      out += cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A plain scalar that YAML reads back as a string or the scalar meant (no indicator, no ": ", no " #"). */
const PLAIN_SAFE =
  // eslint-disable-next-line no-control-regex -- control characters are what a plain scalar cannot hold
  /^(?![-?:,[\]{}#&*!|>'"%@`\s])(?!.*(: |\s#|\s$))[^\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]+$/u;

/** Plain scalars YAML reads as something else than a string (YAML 1.2 core schema, and what looks close to it). */
const YAML_TYPED = /^(~|null|true|false|yes|no|on|off|[-+.]?\d.*|\.inf|\.nan)$/i;

function emitScalar(g: Gen, value: string, style: string | undefined, indent: string): string {
  const chosen =
    style ??
    g.weighted([
      [6, 'plain'],
      [2, 'single'],
      [3, 'double'],
      [1, 'literal'],
      [1, 'folded'],
    ] as const);
  switch (chosen) {
    case 'plain':
      // Written as is when YAML reads it back as the same string (or when the node is meant as a number, boolean or
      // null); otherwise mostly quoted, sometimes left for YAML to misread or refuse (a hand-written file does that).
      return style === 'plain' ||
        (PLAIN_SAFE.test(value) && !YAML_TYPED.test(value)) ||
        (wild && g.chance(0.2))
        ? value
        : quoteDouble(value);
    case 'single':
      if (!wild && /[\r\n\u0085\u2028\u2029]/.test(value)) return quoteDouble(value);
      return `'${value.replace(/'/g, "''")}'`;
    case 'literal':
    case 'folded':
      // Clip and keep chomping add a line break to the value: tame documents strip it, so the value stays the same.
      return `${chosen === 'literal' ? '|' : '>'}${wild ? g.pick(['', '-', '+']) : '-'}\n${value
        .split('\n')
        .map((l) => `${indent}  ${l}`)
        .join('\n')}`;
    default:
      return quoteDouble(value);
  }
}

function prefix(node: Decorated): string {
  return [node.tag, node.anchor ? `&${node.anchor}` : undefined].filter(Boolean).join(' ');
}

/** The tree as YAML text, block or flow style node by node. */
function emit(g: Gen, node: Decorated, indent: string, inFlow = false): string {
  const pre = prefix(node);
  const lead = pre ? `${pre} ` : '';
  if (node.kind === 'alias') return `*${node.name}`;
  if (node.kind === 'scalar') {
    const style =
      inFlow && (node.style === 'literal' || node.style === 'folded' || !node.style) ? 'double' : node.style;
    return lead + emitScalar(g, node.value, style, indent);
  }
  const inner = `${indent}  `;
  const key = (k: Node | string) =>
    typeof k === 'string'
      ? k
      : k.kind === 'scalar'
        ? emitScalar(g, k.value, 'double', indent)
        : `? ${emit(g, k, indent, true)}\n${inner}`;
  if (inFlow || node.flow) {
    if (node.kind === 'seq') return `${lead}[${node.items.map((i) => emit(g, i, indent, true)).join(', ')}]`;
    return `${lead}{${node.entries.map(([k, v]) => `${key(k)}: ${emit(g, v, indent, true)}`).join(', ')}}`;
  }
  if (node.kind === 'seq') {
    if (node.items.length === 0) return `${lead}[]`;
    return `${pre ? `${pre}` : ''}\n${node.items.map((i) => `${inner}- ${emit(g, i, inner).replace(/^\n\s*/, '')}`).join('\n')}`;
  }
  if (node.entries.length === 0) return `${lead}{}`;
  return `${pre ? `${pre}` : ''}\n${node.entries
    .map(([k, v]) => {
      const value = emit(g, v, inner);
      return `${inner}${key(k)}:${value.startsWith('\n') ? '' : ' '}${value}`;
    })
    .join('\n')}`;
}

/** A random profile as YAML text, with the odd comment, tag, directive or second document. */
export function isWild(): boolean {
  return wild;
}

export function profileYaml(g: Gen): string {
  wild = g.chance(0.5);
  hugeUsed = false;
  const root = profileTree(g);
  if (g.chance(0.3)) aliasSome(g, root);
  if (wild && g.chance(0.1) && root.kind === 'map' && root.entries[0]) {
    const [k, v] = root.entries[0];
    root.entries[0] = [
      k,
      {
        ...v,
        tag: g.pick(['!!binary', '!!str', '!!int', '!!map', '!!set', '!custom', '!!timestamp']),
      } as Decorated,
    ];
  }
  // The root's own lines start at column 0: emit at indent "" and drop the leading line break.
  let text = emit(g, root, '').replace(/^\n/, '').replace(/^ {2}/gm, '');
  if (g.chance(0.2)) text = `# mxlock profile\n${text}\n# end`;
  if (g.chance(0.05)) text = `%YAML 1.2\n---\n${text}`;
  if (wild && g.chance(0.08)) text = `${text}\n---\n${g.pick(['gateway: {}', 'x', ''])}`;
  if (wild && g.chance(0.1)) text = text.replace(/ {2}/g, '\t');
  if (g.chance(0.05)) text = text.replace(/\n/g, wild ? g.pick(['\r\n', '\r', '\u2028', '\u0085']) : '\r\n');
  return text;
}
