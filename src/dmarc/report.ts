/**
 * One DMARC aggregate report (RFC 7489 Appendix C; RFC 9990) from its parsed XML, tolerant of the deviations
 * parsedmarc meets in the wild (formats.md §4.3): no namespace or a prefixed one, missing `version`, a single record or
 * a list, `identities` for `identifiers`, ISO dates or `1700000000.0` instead of epoch seconds, upper-case results,
 * `policy_published` as a list, missing `header_from` fallbacks. What a report cannot do without (a record's source
 * IP, its count) is a `ReportError` naming the record and the field. Pure.
 */
import { canonicalIp } from '../common/ip.js';
import { decodeEntities, parseXml, type XmlObject, type XmlValue } from './xml.js';

export class ReportError extends Error {
  override readonly name = 'ReportError';
  /**
   * `not-a-report`: well-formed XML of another kind (an HTML part, another XML file) or a gzip that holds no XML (a
   * TLS-RPT report), not a broken report.
   */
  constructor(
    message: string,
    readonly code: 'invalid' | 'not-a-report' = 'invalid',
  ) {
    super(message);
  }
}

export type AlignedResult = 'pass' | 'fail';

export interface ReportRecord {
  /** Canonical (common/ip.ts canonicalIp): RFC 5952 IPv6, IPv4-mapped IPv6 as its IPv4 address. */
  sourceIp: string;
  count: number;
  /** Lower-cased (formats.md §4.3); `envelope_from`, then the last SPF domain, when the reporter left it out. */
  headerFrom: string;
  /** none | quarantine | reject (and what reporters write besides, lower-cased). */
  disposition: string;
  /** policy_evaluated: DMARC's aligned results (RFC 7489 §6.6.2: DMARC passes when either passes aligned). */
  dkim: AlignedResult;
  spf: AlignedResult;
  dmarc: AlignedResult;
}

export interface AggregateReport {
  orgName: string;
  reportId: string;
  /** policy_published/domain, lower-cased. */
  domain: string;
  /** p= of the published policy (none when absent). */
  policy: string;
  /** ISO 8601 UTC, or undefined when the report gave no readable date. */
  begin: string | undefined;
  end: string | undefined;
  records: ReportRecord[];
  /** What was tolerated, for the report ("version missing", "dates in ISO form"). */
  notes: string[];
}

const asList = (v: XmlValue | undefined): XmlValue[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function isObject(v: XmlValue | undefined): v is XmlObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text of an element: a string, the first of a list, or `#text` of an element that also has children. */
function text(v: XmlValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return text(v[0]);
  if (isObject(v)) return text(v['#text']);
  const s = decodeEntities(String(v)).trim();
  return s === '' ? undefined : s;
}

function child(v: XmlValue | undefined, ...names: string[]): XmlValue | undefined {
  const first = asList(v)[0];
  if (!isObject(first)) return undefined;
  for (const n of names) if (first[n] !== undefined) return first[n];
  return undefined;
}

/** `1711756800`, `1711756800.0` (split on the dot, formats.md §4.3) or an ISO 8601 date. */
function dateOf(v: string | undefined, notes: Set<string>): string | undefined {
  if (v === undefined) return undefined;
  const epoch = /^(\d{1,12})(?:\.\d*)?$/.exec(v);
  if (epoch) {
    if (v.includes('.')) notes.add('dates with a fraction (1700000000.0) were read as whole seconds');
    return new Date(Number(epoch[1]) * 1000).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) {
      notes.add('dates in ISO 8601 form instead of epoch seconds were accepted');
      return new Date(t).toISOString();
    }
  }
  notes.add(`a date "${v}" could not be read`);
  return undefined;
}

function aligned(v: string | undefined): AlignedResult {
  // Alignment from policy_evaluated (formats.md §4.3), case-insensitive ("Pass"); anything but pass is no pass.
  return v?.toLowerCase() === 'pass' ? 'pass' : 'fail';
}

const MAX_COUNT = 2 ** 40;

function readRecord(rec: XmlValue, n: number, notes: Set<string>): ReportRecord {
  const where = `record ${n}`;
  const row = child(rec, 'row');
  if (!isObject(asList(row)[0])) throw new ReportError(`${where}: no <row>`);
  const written = text(child(row, 'source_ip'));
  if (written === undefined) throw new ReportError(`${where}: row/source_ip is missing`);
  // Canonical, so that `2001:DB8::1` and `2001:db8:0:0::1`, `::ffff:192.0.2.1` and `192.0.2.1` are one source.
  const ip = canonicalIp(written);
  if (ip === undefined)
    throw new ReportError(`${where}: row/source_ip ${JSON.stringify(written)} is not an IP address`);
  const countText = text(child(row, 'count'));
  if (countText === undefined || !/^\d{1,15}$/.test(countText) || Number(countText) > MAX_COUNT)
    throw new ReportError(
      `${where}: row/count ${countText === undefined ? 'is missing' : `${JSON.stringify(countText)} is not a whole number`}`,
    );
  const evaluated = child(row, 'policy_evaluated');
  const dkim = aligned(text(child(evaluated, 'dkim')));
  const spf = aligned(text(child(evaluated, 'spf')));
  const ids = child(rec, 'identifiers', 'identities');
  if (child(rec, 'identifiers') === undefined && ids !== undefined)
    notes.add('<identities> was read as <identifiers>');
  let headerFrom = text(child(ids, 'header_from'));
  if (headerFrom === undefined) {
    const spfDomains = asList(child(child(rec, 'auth_results'), 'spf'))
      .map((s) => text(child(s, 'domain')))
      .filter((d): d is string => d !== undefined);
    headerFrom = text(child(ids, 'envelope_from')) ?? spfDomains[spfDomains.length - 1];
    if (headerFrom === undefined) throw new ReportError(`${where}: identifiers/header_from is missing`);
    notes.add('a record without header_from was attributed to its envelope_from or SPF domain');
  }
  return {
    sourceIp: ip,
    count: Number(countText),
    headerFrom: headerFrom.toLowerCase(),
    disposition: text(child(evaluated, 'disposition'))?.toLowerCase() ?? 'none',
    dkim,
    spf,
    dmarc: dkim === 'pass' || spf === 'pass' ? 'pass' : 'fail',
  };
}

/** The report in `doc` (a parsed document whose root is `feedback`). */
export function readReport(doc: XmlObject): AggregateReport {
  const feedback = doc['feedback'];
  if (!isObject(feedback)) {
    const roots = Object.keys(doc).filter((k) => k !== '#text');
    throw new ReportError(
      `not a DMARC aggregate report: the root element is ${roots.length ? `<${roots.join('>, <')}>` : 'missing'}, not <feedback>`,
      'not-a-report',
    );
  }
  const notes = new Set<string>();
  const meta = child(feedback, 'report_metadata');
  const email = text(child(meta, 'email'));
  let orgName = text(child(meta, 'org_name'));
  if (orgName === undefined) {
    // formats.md §4.3: derive it from the email's domain.
    orgName = email?.split('@')[1] ?? 'unknown reporter';
    notes.add('no org_name: the reporter is named after its email domain');
  }
  const reportId = (text(child(meta, 'report_id')) ?? '').replace(/^<(.*)>$/, '$1');
  const range = child(meta, 'date_range');
  const published = asList(feedback['policy_published']);
  if (published.length > 1) notes.add('several <policy_published>: the first was read');
  const policy = published[0];
  const domain = text(child(policy, 'domain'))?.toLowerCase();
  if (domain === undefined) throw new ReportError('policy_published/domain is missing');
  const records = asList(feedback['record']).map((r, i) => readRecord(r, i + 1, notes));
  return {
    orgName,
    reportId,
    domain,
    policy: text(child(policy, 'p'))?.toLowerCase() ?? 'none',
    begin: dateOf(text(child(range, 'begin')), notes),
    end: dateOf(text(child(range, 'end')), notes),
    records,
    notes: [...notes],
  };
}

/** XML text to a report: the safe parse (xml.ts), then the tolerant reading above. */
export function parseReport(xml: string): AggregateReport {
  return readReport(parseXml(xml));
}
