/**
 * Parses `mxlock.yaml` text (DESIGN §3.2) and scenario files: YAML syntax and schema errors become a ConfigError that
 * names the file, line and column of the offending node, e.g.
 * `mxlock.yaml:7:9: gateway.ips[1]: expected an IPv4/IPv6 address or CIDR range`. Pure; profile/load.ts reads the file.
 */
import {
  LineCounter,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { EMPTY_PROFILE, ProfileSchema, type Profile } from './schema.js';

/** Alias expansions allowed while converting to JS: far above any real profile, stops "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;

/**
 * Collections nested in one another: a profile needs 4 (directSendSources[0].ips[0]), a scenario 4 (attempts[0].auth);
 * a bound far above both, so a hostile file is refused with its place instead of exhausting the stack later.
 */
const MAX_DEPTH = 32;

/** Problems listed in one error; the rest are counted ("and N more"): thousands of bad lines stay readable. */
export const MAX_PROBLEM_LINES = 20;

const TOO_DEEP = `nested more than ${MAX_DEPTH} levels deep: a profile or scenario needs at most 4; refused before it exhausts the stack`;

/** The explicit tags that only restate what the plain value already is (YAML 1.2 core schema, §10.3). */
const PLAIN_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'seq', 'map'].map((t) => `tag:yaml.org,2002:${t}`),
);

interface Diagnostic {
  offset: number;
  line: number;
  column: number;
  text: string;
}

/** Parse and validate profile text. An empty file (or one holding only comments) is the empty profile. */
export function parseProfile(text: string, file: string): Profile {
  return parseYamlWith(text, file, ProfileSchema, () => structuredClone(EMPTY_PROFILE));
}

/**
 * Parse YAML and validate it with a zod schema; every syntax or schema problem becomes one line
 * `file:line:column: path: message` of a ConfigError (shared by the profile and scenario files).
 */
export function parseYamlWith<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  empty: () => z.output<S>,
): z.output<S> {
  const lineCounter = new LineCounter();
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { offset, line, column: col };
  };
  const tooDeep = (cause: unknown, offset?: number) =>
    offset === undefined
      ? new ConfigError(`${file}: ${TOO_DEEP}`, file, undefined, undefined, { cause })
      : toError(file, [{ ...at(offset), text: TOO_DEEP }]);

  const doc = withinStack(tooDeep, () =>
    parseDocument(text.replace(/^\uFEFF/, ''), {
      lineCounter,
      keepSourceTokens: true,
      prettyErrors: false,
      uniqueKeys: true,
      // Nothing of yaml's goes to stderr as a process warning: every problem is an error below, with its place.
      logLevel: 'error',
    }),
  );

  if (doc.errors.length > 0) {
    // yaml reports a stack overflow while composing as RESOURCE_EXHAUSTION, followed by its consequences: one line.
    const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
    if (exhausted) throw tooDeep(exhausted, exhausted.pos[0]);
    const diags = doc.errors.map((e) => ({ ...at(e.pos[0]), text: e.message.replace(/\s+/g, ' ').trim() }));
    throw toError(file, diags);
  }

  const shape = shapeProblems(doc);
  if (shape.length > 0)
    throw toError(
      file,
      shape.map((p) => ({ ...at(p.offset), text: p.text })),
    );

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    // Aliases can nest what the shape check saw as shallow; yaml's alias bound says "resource exhaustion attack".
    if (cause instanceof RangeError) throw tooDeep(cause);
    const message = /alias count/i.test((cause as Error).message)
      ? `more than ${MAX_ALIAS_COUNT} alias expansions (*name): refused, as a "billion laughs" document would exhaust memory; write the values out`
      : (cause as Error).message;
    throw new ConfigError(`${file}: ${message}`, file, undefined, undefined, { cause });
  }
  if (data === null || data === undefined) return empty();

  const parsed = withinStack(tooDeep, () => schema.safeParse(data));
  if (parsed.success) return parsed.data;

  const diags: Diagnostic[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const suggestion = closest(key, known);
        const hint = suggestion
          ? ` (did you mean "${suggestion}"?)`
          : known.length > 0
            ? ` (known keys: ${known.join(', ')})`
            : '';
        const offset = keyOffset(doc, issue.path, key);
        const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
        diags.push({ ...at(offset), text: `${where}unknown key "${key}"${hint}` });
      }
      continue;
    }
    diags.push({
      ...at(valueOffset(doc, issue.path)),
      text: `${formatPath(issue.path)}: ${describeIssue(issue, data)}`,
    });
  }
  throw toError(file, diags);
}

/**
 * What the YAML holds that no profile or scenario may: collections nested deeper than MAX_DEPTH, a key that is a list
 * or mapping (yaml would turn it into a string and print a Node warning), a tag other than a plain one (`!!binary`,
 * `!!set`, `!custom`: yaml would build a byte array or a Set, or keep an unknown tag with a warning). Iterative: the
 * nesting it measures must not overflow the stack it protects.
 */
function shapeProblems(doc: Document): { offset: number; text: string }[] {
  const problems: { offset: number; text: string }[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isScalar(node) && !isCollection(node)) continue; // null (empty value) or an alias: its anchor is walked
    if (node.tag !== undefined && !PLAIN_TAGS.has(node.tag)) {
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
      problems.push({
        offset: startOf(node),
        text: `the tag ${tag} is not allowed: a profile or scenario holds plain strings, numbers, true/false, lists and mappings`,
      });
    }
    if (!isCollection(node)) continue;
    if (depth + 1 > MAX_DEPTH) {
      problems.push({ offset: startOf(node), text: TOO_DEEP });
      continue;
    }
    for (const item of node.items) {
      if (isPair(item)) {
        if (isCollection(item.key) || isAlias(item.key))
          problems.push({
            offset: startOf(item.key),
            text: `a key must be a plain name, not ${isAlias(item.key) ? `an alias (*${item.key.source})` : 'a list or a mapping'}`,
          });
        else stack.push({ node: item.key, depth: depth + 1 });
        stack.push({ node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return problems;
}

/** Runs `fn`; a stack overflow in it (RangeError) becomes the "nested too deep" error. */
function withinStack<T>(tooDeep: (cause: unknown) => Error, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof RangeError) throw tooDeep(cause);
    throw cause;
  }
}

function toError(file: string, diags: Diagnostic[]): ConfigError {
  const sorted = [...diags].sort((a, b) => a.offset - b.offset);
  const first = sorted[0];
  const shown = sorted.slice(0, MAX_PROBLEM_LINES).map((d) => `${file}:${d.line}:${d.column}: ${d.text}`);
  if (sorted.length > MAX_PROBLEM_LINES)
    shown.push(
      `${file}: and ${sorted.length - MAX_PROBLEM_LINES} more problems (fix these and run again to see them)`,
    );
  return new ConfigError(shown.join('\n'), file, first?.line, first?.column);
}

/** `gateway.ips[1]`, `directSendSources[0].senders[2]`; `(root)` for the document itself. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function typeName(v: unknown): string {
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const EXPECTED_NAMES: Readonly<Record<string, string>> = {
  object: 'a mapping (key: value lines)',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
};

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(data, issue.path);
      const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
      return value === undefined
        ? `required: expected ${expected}`
        : `expected ${expected}, got ${typeName(value)}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array')
        return `needs at least ${String(issue.minimum)} ${issue.minimum === 1 ? 'entry' : 'entries'}`;
      return issue.message;
    default:
      return issue.message;
  }
}

/** The object schema found at a data path, for "did you mean" suggestions. */
function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = root;
  const unwrap = (s: z.ZodType): z.ZodType => {
    let cur = s;
    for (;;) {
      if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable || cur instanceof z.ZodDefault) {
        cur = cur.unwrap() as z.ZodType;
      } else return cur;
    }
  };
  for (const p of path) {
    if (!schema) return [];
    const s = unwrap(schema);
    if (typeof p === 'number' && s instanceof z.ZodArray) schema = s.element as z.ZodType;
    else if (typeof p === 'string' && s instanceof z.ZodObject)
      schema = (s.shape as Record<string, z.ZodType>)[p];
    else return [];
  }
  const target = schema ? unwrap(schema) : undefined;
  return target instanceof z.ZodObject ? Object.keys(target.shape) : [];
}

function levenshtein(a: string, b: string): number {
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The known key a typo most likely meant: case-insensitive edit distance ≤ 2 and at most a third of the key. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = levenshtein(key.toLowerCase(), k.toLowerCase());
    const limit = Math.min(2, Math.max(1, Math.floor(k.length / 3)));
    if (d <= limit && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

/** Walk the YAML tree along a data path; stops at the deepest node that exists. */
function walk(
  doc: Document,
  path: readonly PropertyKey[],
): { node: Node | null; keyNode?: Node; complete: boolean } {
  let node: Node | null = doc.contents;
  let keyNode: Node | undefined;
  for (const p of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(p),
      );
      if (!pair) return { node, complete: false };
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? null;
      if (node === null) return { node: keyNode, complete: true };
    } else if (isSeq(node) && typeof p === 'number' && node.items[p]) {
      keyNode = undefined;
      node = node.items[p] as Node;
    } else {
      return { node, complete: false };
    }
  }
  return { node, ...(keyNode ? { keyNode } : {}), complete: true };
}

function startOf(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}

function valueOffset(doc: Document, path: readonly PropertyKey[]): number {
  const { node, keyNode } = walk(doc, path);
  // `name:` with nothing after it: the empty value sits at the end of the line; point at the key instead.
  if (keyNode && isScalar(node) && node.range && node.range[0] === node.range[1]) return startOf(keyNode);
  return startOf(node);
}

function keyOffset(doc: Document, path: readonly PropertyKey[], key: string): number {
  const { node } = walk(doc, path);
  if (isMap(node)) {
    const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
    if (pair) return startOf(pair.key as Node);
  }
  return startOf(node);
}
