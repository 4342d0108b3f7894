/**
 * Messages per UTC day (dmarc/days.ts): a report spanning several UTC days is split by the time it covers of each,
 * rounded by largest remainders so every report's total stays exact; in the summary, the JSON and the terminal.
 */
import { describe, expect, test } from 'vitest';
import { spreadOverDays, MAX_SPREAD_DAYS } from '../../src/dmarc/days.js';
import { extractReports, type FoundReport } from '../../src/dmarc/extract.js';
import { summarise } from '../../src/dmarc/sources.js';
import { renderDmarcJson, renderDmarcTerminal } from '../../src/report/dmarc.js';

const iso = (s: number) => new Date(s * 1000).toISOString();
const H = 3600;
/** 2024-03-30T00:00:00Z */
const D0 = 1711756800;

describe('spreadOverDays', () => {
  test.each([
    ['one UTC day, end inclusive (23:59:59)', 10, D0, D0 + 86399, [['2024-03-30', 10]]],
    ['one UTC day, end exclusive (next midnight)', 10, D0, D0 + 86400, [['2024-03-30', 10]]],
    // 20 h then 4 h: 10 × 20/24 = 8.33 → 8, 10 × 4/24 = 1.67 → 1, the leftover one to the larger remainder (.67).
    [
      'a day in UTC+4 (04:00 to 04:00)',
      10,
      D0 + 4 * H,
      D0 + 28 * H,
      [
        ['2024-03-30', 8],
        ['2024-03-31', 2],
      ],
    ],
    // Three days of 8 h, 24 h, 16 h out of 48: 7 × (1/6, 1/2, 1/3) = 1.17, 3.5, 2.33 → 1, 3, 2 + 1 to day 2.
    [
      'three days',
      7,
      D0 + 16 * H,
      D0 + 64 * H,
      [
        ['2024-03-30', 1],
        ['2024-03-31', 4],
        ['2024-04-01', 2],
      ],
    ],
    // Equal halves and an odd count: the tie goes to the earlier day.
    ['a tie', 1, D0 + 12 * H, D0 + 36 * H, [['2024-03-30', 1]]],
    ['no end: the begin day', 5, D0 + 5 * H, undefined, [['2024-03-30', 5]]],
    ['an end before the begin: the begin day', 5, D0 + 5 * H, D0, [['2024-03-30', 5]]],
    ['no begin: unknown', 5, undefined, D0, [['unknown', 5]]],
    ['a range too long to spread: unknown', 5, D0, D0 + (MAX_SPREAD_DAYS + 1) * 86400, [['unknown', 5]]],
  ])('%s', (_, count, begin, end, want) => {
    const got = spreadOverDays(
      count,
      begin === undefined ? undefined : iso(begin),
      end === undefined ? undefined : iso(end),
    );
    expect(got.map((d) => [d.day, d.count])).toEqual(want);
  });

  test('totals stay exact for any count and range, each day within one of its exact share', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const count = i % 50 === 0 ? 2 ** 40 - rand(1000) : rand(5000);
      const begin = D0 + rand(86400 * 3);
      const end = begin + 1 + rand(86400 * 10);
      const shares = spreadOverDays(count, iso(begin), iso(end));
      expect(shares.reduce((n, s) => n + s.count, 0)).toBe(count);
      for (const s of shares) {
        const dayStart = Date.parse(`${s.day}T00:00:00Z`) / 1000;
        const covered = Math.min(end, dayStart + 86400) - Math.max(begin, dayStart);
        expect(Math.abs(s.count - (count * covered) / (end - begin))).toBeLessThan(1.0001);
      }
    }
  });

  test('a huge count is split exactly (no floating-point loss)', () => {
    const shares = spreadOverDays(2 ** 40 + 1, iso(D0 + 12 * H), iso(D0 + 36 * H));
    expect(shares).toEqual([
      { day: '2024-03-30', count: 2 ** 39 + 1 },
      { day: '2024-03-31', count: 2 ** 39 },
    ]);
  });
});

function reportXml(
  id: string,
  begin: number,
  end: number,
  rows: [string, number, 'pass' | 'fail'][],
): string {
  const records = rows
    .map(
      ([ip, count, dkim]) =>
        `<record><row><source_ip>${ip}</source_ip><count>${count}</count><policy_evaluated><disposition>none</disposition>` +
        `<dkim>${dkim}</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>fabrikam.com</header_from></identifiers></record>`,
    )
    .join('');
  return (
    `<feedback><report_metadata><org_name>r</org_name><report_id>${id}</report_id><date_range><begin>${begin}</begin>` +
    `<end>${end}</end></date_range></report_metadata><policy_published><domain>fabrikam.com</domain><p>none</p></policy_published>${records}</feedback>`
  );
}

const found = (xml: string, name: string): FoundReport[] =>
  extractReports(name, new TextEncoder().encode(xml)).reports;

describe('the per-day view', () => {
  const reports = [
    // One UTC day: 30 aligned, 3 not.
    ...found(
      reportXml('a', D0, D0 + 86399, [
        ['192.0.2.1', 30, 'pass'],
        ['198.51.100.7', 3, 'fail'],
      ]),
      'a.xml',
    ),
    // 04:00 to 04:00 the next day: 10 aligned → 8 + 2, 5 unaligned → 4 + 1.
    ...found(
      reportXml('b', D0 + 4 * H, D0 + 28 * H, [
        ['192.0.2.1', 10, 'pass'],
        ['198.51.100.7', 5, 'fail'],
      ]),
      'b.xml',
    ),
  ];
  const nothing = { gateway: undefined, profile: undefined, zone: undefined };

  test('summary: days add up to the messages, aligned and unaligned apart; the split is said in the notes', () => {
    const s = summarise(reports, nothing);
    expect(s.byDay).toEqual([
      { day: '2024-03-30', messages: 45, aligned: 38, unaligned: 7 },
      { day: '2024-03-31', messages: 3, aligned: 2, unaligned: 1 },
    ]);
    expect(s.byDay.reduce((n, d) => n + d.messages, 0)).toBe(s.messages);
    expect(s.notes).toContain(
      "1 report(s) cover more than one UTC day: their messages were split over those days in proportion to the time each day covers (largest remainders, so each report's total stays exact)",
    );
  });

  test('JSON: the DESIGN §3.4 keys stay, byDay is added', () => {
    const j = JSON.parse(renderDmarcJson(summarise(reports, nothing)));
    expect(Object.keys(j).slice(0, 4)).toEqual(['schemaVersion', 'reports', 'messages', 'sources']);
    expect(j.sources[0]).toMatchObject({
      ip: '192.0.2.1',
      headerFrom: 'fabrikam.com',
      count: 40,
      dmarc: 'pass',
      known: false,
    });
    expect(j.byDay).toEqual([
      { day: '2024-03-30', messages: 45, aligned: 38, unaligned: 7 },
      { day: '2024-03-31', messages: 3, aligned: 2, unaligned: 1 },
    ]);
  });

  test('terminal: one line per day', () => {
    const t = renderDmarcTerminal(summarise(reports, nothing), { color: false });
    expect(t).toContain(
      'By day (UTC)\n  2024-03-30  45 message(s): 38 aligned, 7 unaligned\n  2024-03-31   3 message(s): 2 aligned, 1 unaligned\n',
    );
  });

  test('a report without a readable date counts under unknown, last', () => {
    const undated = found(
      reportXml('c', D0, D0, [['192.0.2.1', 4, 'pass']]).replace(
        /<begin>\d+<\/begin>/,
        '<begin>soon</begin>',
      ),
      'c.xml',
    );
    const s = summarise([...reports, ...undated], nothing);
    expect(s.byDay.map((d) => d.day)).toEqual(['2024-03-30', '2024-03-31', 'unknown']);
    expect(s.byDay[2]).toEqual({ day: 'unknown', messages: 4, aligned: 4, unaligned: 0 });
  });
});
