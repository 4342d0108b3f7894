/**
 * Timestamps of log exports as milliseconds since the epoch (UTC: Get-MessageTraceV2 outputs UTC, formats.md §2.1).
 * The shapes met (formats.md §2.4, §6.2): ISO-8601 from REST, Graph and PowerShell 7; `/Date(ms)/` from Windows
 * PowerShell 5.1 ConvertTo-Json; and the exporting machine's culture in Export-Csv: `7/17/2025 9:29:08 PM` (en-US),
 * `17/07/2025 21:29:08` (en-GB, fr-FR…), `17.07.2025 21:29:08` (de-DE…), `2025/07/17 21:29:08` (ja-JP, zh-CN),
 * `17/07/2025 9:29:08 pm` (en-AU, en-NZ `p.m.`, es-MX `p. m.`), `17-07-2025 09:29:08 PM` (en-IN).
 * A date with dashes or dots is day-first. A slash date is in the order the file's own dates show (DateOrderWatch: a
 * first number above 12 is a day, a second one above 12 a day); until a file shows one, and in a file that never
 * does, it is month-first with an AM/PM marker (en-US, the usual export) and day-first without one. A value that
 * contradicts the order in force (a 13th month) is not a date.
 */

/** The order of a slash date's day and month. */
export type DateOrder = 'month-first' | 'day-first';

/** Date parts already read: a trace holds a few dozen distinct days in a million rows. */
const DAY_CACHE = new Map<string, number>();
const MAX_CACHED_DAYS = 4096;

function dayNumber(y: number, m: number, d: number): number {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1970 || y > 9999) return NaN;
  const ms = Date.UTC(y, m - 1, d);
  // 31 February rolls over into March: not a date.
  return new Date(ms).getUTCDate() === d ? ms : NaN;
}

/**
 * The midnight (UTC ms) of a date part, NaN when it is not one. A slash date is read in `order`, or without one
 * month-first when the time has an AM/PM marker (`twelveHour`).
 */
function dateOf(part: string, twelveHour: boolean, order?: DateOrder): number {
  const monthFirst = order === undefined ? twelveHour : order === 'month-first';
  const key = monthFirst ? `${part}|m` : part;
  const hit = DAY_CACHE.get(key);
  if (hit !== undefined) return hit;
  let ms = NaN;
  const n = dateNumbers(part);
  if (n) {
    const { a, b, c } = n;
    if (n.firstDigits === 4) ms = dayNumber(a, b, c);
    else if (n.lastDigits === 4) ms = n.sep === '/' && monthFirst ? dayNumber(c, a, b) : dayNumber(c, b, a);
  }
  if (DAY_CACHE.size >= MAX_CACHED_DAYS) DAY_CACHE.clear();
  DAY_CACHE.set(key, ms);
  return ms;
}

/**
 * The three numbers of a date part (`17/07/2025`, `2025-07-17`, `17.07.2025.`), with their separator, how many digits
 * the first and last have, and whether a dot ends it; undefined when it is no date part.
 */
function dateNumbers(
  part: string,
):
  | { a: number; b: number; c: number; sep: string; firstDigits: number; lastDigits: number; dotEnd: boolean }
  | undefined {
  const m = /^(\d{1,4})([-./])(\d{1,2})\2(\d{1,4})(\.?)$/.exec(part);
  if (!m) return undefined;
  return {
    a: Number(m[1]),
    b: Number(m[3]),
    c: Number(m[4]),
    sep: m[2]!,
    firstDigits: m[1]!.length,
    lastDigits: m[4]!.length,
    dotEnd: m[5] === '.',
  };
}

/** `h:mm[:ss[.fff…]]` with an optional AM/PM, and a zone (`Z`, `+hh:mm`), as ms after midnight UTC; NaN if not. */
function timeOf(rest: string): { ms: number; twelveHour: boolean } {
  const t =
    /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(AM|PM|a\.\s?m\.|p\.\s?m\.)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      rest.trim(),
    );
  if (!t) return { ms: NaN, twelveHour: false };
  let h = Number(t[1]);
  const marker = t[5]?.toLowerCase();
  if (marker !== undefined) {
    if (h < 1 || h > 12) return { ms: NaN, twelveHour: true };
    if (marker.startsWith('p') && h < 12) h += 12;
    if (marker.startsWith('a') && h === 12) h = 0;
  }
  const min = Number(t[2]);
  const sec = Number(t[3] ?? 0);
  if (h > 23 || min > 59 || sec > 60) return { ms: NaN, twelveHour: marker !== undefined };
  const frac = t[4] ? Number(`0.${t[4]}`) * 1000 : 0;
  let zone = 0;
  const z = t[6];
  if (z && z.toUpperCase() !== 'Z') {
    const digits = z.replace(':', '');
    zone = (digits.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return {
    ms: ((h * 60 + min - zone) * 60 + sec) * 1000 + Math.floor(frac),
    twelveHour: marker !== undefined,
  };
}

const DIGIT_0 = 0x30;
const COLON = 0x3a;

/** The value of the two ASCII digits at `b[i]`, `b[i + 1]`, or -1. */
function twoDigits(b: Uint8Array, i: number): number {
  const x = b[i]! - DIGIT_0;
  const y = b[i + 1]! - DIGIT_0;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/**
 * The time of day of `b[s..e)` (the text after a timestamp's date part) as timeOf reads it, for the shapes Export-Csv
 * and ISO-8601 write and nothing else: `h:mm[:ss]`, then the end, ` AM`/` PM` (either case) or `Z`. -1 for any other
 * text (fractions, zone offsets, `a.m.`, extra spaces): the caller then parses the string (parseLogTime). Read from the
 * bytes because a direct row's first and last seen need its time, and the string and regular expressions cost more
 * than the rest of the row (DESIGN §8).
 */
export function timeOfDayBytes(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const h1 = i < e ? b[i]! - DIGIT_0 : -1;
  if (h1 < 0 || h1 > 9) return -1;
  i++;
  let h = h1;
  if (i < e && b[i] !== COLON) {
    const h2 = b[i]! - DIGIT_0;
    if (h2 < 0 || h2 > 9) return -1;
    h = h1 * 10 + h2;
    i++;
  }
  if (i + 3 > e || b[i] !== COLON) return -1;
  const min = twoDigits(b, i + 1);
  if (min < 0) return -1;
  i += 3;
  let sec = 0;
  if (i < e && b[i] === COLON) {
    if (i + 3 > e) return -1;
    sec = twoDigits(b, i + 1);
    if (sec < 0) return -1;
    i += 3;
  }
  if (i + 3 === e && b[i] === 0x20 && (b[i + 2] === 0x4d || b[i + 2] === 0x6d)) {
    // AM/PM, as timeOf's marker (case-insensitive).
    const m = b[i + 1]! | 0x20;
    if (m !== 0x61 && m !== 0x70) return -1;
    if (h < 1 || h > 12) return NaN;
    if (m === 0x70 && h < 12) h += 12;
    if (m === 0x61 && h === 12) h = 0;
  } else if (!(i === e || (i + 1 === e && (b[i] === 0x5a || b[i] === 0x7a)))) return -1;
  if (h > 23 || min > 59 || sec > 60) return NaN;
  return ((h * 60 + min) * 60 + sec) * 1000;
}

/** A log timestamp as UTC milliseconds, NaN when it is none of the known shapes (`order`: see dateOf). */
export function parseLogTime(text: string, order?: DateOrder): number {
  const s = text.trim();
  if (s === '') return NaN;
  const wcf = /^\\?\/Date\((-?\d+)([+-]\d{4})?\)\\?\/$/.exec(s);
  if (wcf) return Number(wcf[1]);
  const cut = s.search(/[T ]/);
  if (cut < 0) return dateOf(s, false, order);
  const time = timeOf(s.slice(cut + 1));
  return dateOf(s.slice(0, cut), time.twelveHour, order) + time.ms;
}

/**
 * The day (UTC midnight, ms) of a log timestamp, from its date part alone (cached): what the per-day summary needs
 * for every row, without reading the time of day. Near midnight a zone offset can move a row to the next day; the
 * full parse (parseLogTime) is kept for first/last seen.
 */
export function parseLogDay(text: string, order?: DateOrder): number {
  text = unpadded(text);
  const cut = datePartEnd(text);
  if (cut === text.length) return parseLogTime(text, order);
  const twelveHour = hasDayHalfMarker(text);
  // Rows come in time order: most share the previous row's date part, which is then not cut out and looked up again.
  if (
    twelveHour === lastDay.twelveHour &&
    order === lastDay.order &&
    cut === lastDay.part.length &&
    text.startsWith(lastDay.part)
  )
    return lastDay.ms;
  const part = text.slice(0, cut);
  const ms = dateOf(part, twelveHour, order);
  lastDay.part = part;
  lastDay.twelveHour = twelveHour;
  lastDay.order = order;
  lastDay.ms = ms;
  return ms;
}

/** The text without leading blanks: a padded time (` 2025-07-17T…`) is the same time, as parseLogTime (which trims) reads it. */
function unpadded(text: string): string {
  const c0 = text.charCodeAt(0);
  return c0 === 32 || c0 === 9 ? text.trimStart() : text;
}

/** Where a timestamp's date part ends: at its first space or `T`; the text's length when it has none. */
function datePartEnd(text: string): number {
  let cut = 0;
  while (cut < text.length && text.charCodeAt(cut) !== 32 && text.charCodeAt(cut) !== 84) cut++;
  return cut;
}

const lastDay: { part: string; twelveHour: boolean; order: DateOrder | undefined; ms: number } = {
  part: '',
  twelveHour: false,
  order: undefined,
  ms: NaN,
};

/**
 * Whether a timestamp's text ends in an AM/PM marker (`PM`, `pm`, `p.m.`, `p. m.`), as parseLogDay tells it without
 * reading the time: the last character is `M`, `m` or `.`.
 */
function hasDayHalfMarker(text: string): boolean {
  // The last character that is not a blank: parseLogTime trims the text before it reads the marker.
  let i = text.length - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  const last = text.charCodeAt(i);
  return last === 77 || last === 109 || last === 46;
}

/**
 * What a timestamp's slash date (`d/m/yyyy` or `m/d/yyyy`) tells of its order: `day-first` when its first number is
 * above 12, `month-first` when its second is, `either` when both are 12 or below; undefined for any other text.
 */
export function slashDateOrder(text: string): DateOrder | 'either' | undefined {
  const t = unpadded(text);
  // The date part as parseLogDay reads it: `d/m/yyyy` or `m/d/yyyy`, one or two digits first.
  const n = dateNumbers(t.slice(0, datePartEnd(t)));
  if (!n || n.sep !== '/' || n.firstDigits > 2 || n.lastDigits !== 4 || n.dotEnd) return undefined;
  const { a, b } = n;
  if (a > 12 && b <= 12) return 'day-first';
  if (b > 12 && a <= 12) return 'month-first';
  return a <= 12 && b <= 12 ? 'either' : undefined;
}

/** Thrown while a file is read when its own dates show that dates read before were read in the other order. */
export class DateOrderRestart extends Error {
  constructor(
    readonly file: string,
    readonly order: DateOrder,
  ) {
    super(`${file}: its dates are ${order}: read it again in that order`);
  }
}

/**
 * The order of one file's slash dates, learnt from the file (see the top of this file). `order` is what parsing uses
 * (undefined: AM/PM decides). The first date that tells settles it; if ambiguous dates were already read the other
 * way, DateOrderRestart is thrown (the caller reads the file again, the order given). Once settled, a date that
 * contradicts it is remembered for notes (and is not a date).
 */
export class DateOrderWatch {
  /** The first ambiguous date: the order it was read in, and the one AM/PM alone gives it. */
  private ambiguous: { text: string; read: DateOrder; byClock: DateOrder } | undefined;
  /** The first date that tells the order. */
  private shown: string | undefined;
  private contradiction: string | undefined;
  private lastPart: string | undefined;
  readonly given: boolean;

  constructor(
    readonly file: string,
    public order: DateOrder | undefined,
  ) {
    this.given = order !== undefined;
  }

  /** Learns from a row's timestamp text (cheap when its date part is the previous row's). */
  note(text: string): void {
    text = unpadded(text);
    const cut = datePartEnd(text);
    if (this.lastPart !== undefined && cut === this.lastPart.length && text.startsWith(this.lastPart)) return;
    this.lastPart = text.slice(0, cut);
    const seen = slashDateOrder(text);
    if (seen === undefined) return;
    if (seen === 'either') {
      const byClock: DateOrder = hasDayHalfMarker(text) ? 'month-first' : 'day-first';
      this.ambiguous ??= { text, read: this.order ?? byClock, byClock };
      return;
    }
    if (this.shown === undefined && (!this.given || seen === this.order)) {
      if (!this.given && this.ambiguous !== undefined && this.ambiguous.read !== seen)
        throw new DateOrderRestart(this.file, seen);
      this.order = seen;
      this.shown = text;
      return;
    }
    if (seen !== this.order) this.contradiction ??= text;
  }

  /** What a reader should be told of the file's dates: dates in both orders, an order learnt, or none learnt. */
  notes(): string[] {
    const a = this.ambiguous;
    if (this.contradiction !== undefined)
      return [
        `dates in both orders ("${this.shown ?? a?.text}", "${this.contradiction}"): those that do not fit ${this.order} are not read (day "unknown")`,
      ];
    if (a === undefined) return [];
    if (this.shown !== undefined)
      return a.byClock === this.order
        ? []
        : [
            `its dates are ${this.order} (e.g. "${this.shown}"), so a date such as "${a.text}" is read ${this.order}`,
          ];
    return [
      `no date tells whether the day or the month comes first (e.g. "${a.text}"): read ${a.read}${a.read === 'month-first' ? ', as en-US writes them with AM/PM' : ''}; if the export came from a machine that writes them the other way, its days and first/last seen times are wrong`,
    ];
  }
}

/** `00` to `99`. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** 10000-01-01T00:00:00Z: from there on, toISOString writes six-digit years. */
const YEAR_10000_MS = 253_402_300_800_000;

/**
 * `2025-07-17T21:29:08Z` (seconds; what the JSON carries for first/last seen). Without a Date: a trace's summary
 * writes two stamps per direct source, up to 20,000, and toISOString is a runtime call each. The date part is
 * computed once per day (datePart) and kept in a small cache by day number. Times before 1970 or after 9999 (never
 * met in a log) take the Date's way.
 */
export function isoSeconds(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000_MS)) return new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z');
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  let rest = seconds - days * 86_400;
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  const at = days & (DATE_PARTS - 1);
  let part = datePartText[at]!;
  if (datePartDay[at] !== days) {
    part = datePartText[at] = datePart(days);
    datePartDay[at] = days;
  }
  return `${part}T${TWO_DIGITS[hour]!}:${TWO_DIGITS[minute]!}:${TWO_DIGITS[rest - minute * 60]!}Z`;
}

/** isoSeconds' cache of date parts: DATE_PARTS entries, by day number (-1: free). */
const DATE_PARTS = 64;
const datePartDay = new Float64Array(DATE_PARTS).fill(-1);
const datePartText = new Array<string>(DATE_PARTS).fill('');

/**
 * `2025-07-17` of a day number (days since 1970-01-01, up to 9999-12-31) by arithmetic: the proleptic Gregorian
 * calendar in 400-year eras counted from 0000-03-01, so that February, with the leap day, ends each year (the
 * derivation of H. Hinnant's days-to-civil).
 */
function datePart(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const fromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * fromMarch + 2) / 5) + 1;
  const month = fromMarch < 10 ? fromMarch + 3 : fromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${TWO_DIGITS[Math.floor(year / 100)]!}${TWO_DIGITS[year % 100]!}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}`;
}

/** `2025-07-17`. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
