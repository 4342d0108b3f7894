/**
 * Messages per UTC day from DMARC aggregate reports. A report covers its `date_range` (RFC 7489 Appendix C: begin and
 * end in seconds since the epoch, UTC); most cover one UTC day, some a day in the reporter's time zone or several days.
 * Such a report's counts are split over the UTC days it covers in proportion to the time it covers of each (parsedmarc
 * pro-rates reports spanning more than 24 h the same way, formats.md §4.3), rounded by the largest-remainder method so
 * the days add up to the report's count exactly. Pure.
 */

/** A report covering more days than this is not spread (a typo or a hostile range): its messages count as `unknown`. */
export const MAX_SPREAD_DAYS = 62;
/** The day of messages whose report has no readable begin date, or a range too long to spread. */
export const UNKNOWN_DAY = 'unknown';

const DAY_MS = 86_400_000;

export interface DayShare {
  /** `YYYY-MM-DD` (UTC) or `unknown`. */
  day: string;
  count: number;
}

/**
 * Splits `count` over the UTC days of `[begin, end)` (ISO 8601 instants; `end` is exclusive, so a report of
 * 00:00:00–23:59:59 or 00:00:00–24:00:00 stays on one day). Each day gets `floor(count × its share of the time)`; the
 * messages left over (fewer than the days) go one each to the days with the largest remainders, the earlier day on a
 * tie. Exact for any count (BigInt products). No begin: `unknown`; no end or an end not after begin: the begin's day.
 */
export function spreadOverDays(
  count: number,
  begin: string | undefined,
  end: string | undefined,
): DayShare[] {
  const from = begin === undefined ? NaN : Date.parse(begin);
  if (Number.isNaN(from)) return [{ day: UNKNOWN_DAY, count }];
  const to = end === undefined ? NaN : Date.parse(end);
  const firstDay = Math.floor(from / DAY_MS);
  if (Number.isNaN(to) || to <= from) return [{ day: dayOf(firstDay), count }];
  const lastDay = Math.floor((to - 1) / DAY_MS);
  if (lastDay - firstDay + 1 > MAX_SPREAD_DAYS) return [{ day: UNKNOWN_DAY, count }];
  const total = BigInt(to - from);
  const n = BigInt(count);
  const shares: { day: number; count: bigint; remainder: bigint }[] = [];
  let given = 0n;
  for (let d = firstDay; d <= lastDay; d++) {
    const covered = BigInt(Math.min(to, (d + 1) * DAY_MS) - Math.max(from, d * DAY_MS));
    const product = n * covered;
    const share = product / total;
    shares.push({ day: d, count: share, remainder: product % total });
    given += share;
  }
  const left = Number(n - given);
  const byRemainder = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.day - b.day : a.remainder > b.remainder ? -1 : 1,
  );
  for (let i = 0; i < left; i++) byRemainder[i]!.count++;
  return shares.filter((s) => s.count > 0n).map((s) => ({ day: dayOf(s.day), count: Number(s.count) }));
}

function dayOf(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** How many UTC days `[begin, end)` touches (1 when it cannot tell), for the note on spread reports. */
export function daysCovered(begin: string | undefined, end: string | undefined): number {
  const from = begin === undefined ? NaN : Date.parse(begin);
  const to = end === undefined ? NaN : Date.parse(end);
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return 1;
  return Math.floor((to - 1) / DAY_MS) - Math.floor(from / DAY_MS) + 1;
}
