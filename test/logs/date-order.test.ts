/**
 * The order of day and month in a file's slash dates (time.ts DateOrderWatch): learnt from the file's own dates, so an
 * en-AU or en-NZ export (`5/07/2025 9:29:08 pm`, day first with a 12-hour clock) is not read as en-US, on the byte path
 * (CSV) and the string path (JSON) alike, with a second reading when ambiguous dates came before the first that tells.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_GATEWAY } from '../../src/common/gateway.js';
import {
  DateOrderRestart,
  DateOrderWatch,
  isoSeconds,
  parseLogDay,
  parseLogTime,
  slashDateOrder,
} from '../../src/logs/time.js';
import { analyseLogs } from '../../src/logs/trace.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';

const iso = (ms: number) => (Number.isNaN(ms) ? 'NaN' : isoSeconds(ms));

describe('parsing with an order', () => {
  it.each([
    ['5/07/2025 9:29:08 pm', undefined, '2025-05-07T21:29:08Z'],
    ['5/07/2025 9:29:08 pm', 'day-first', '2025-07-05T21:29:08Z'],
    ['5/07/2025 9:29:08 PM', 'day-first', '2025-07-05T21:29:08Z'],
    ['5/07/2025 9:29:08 p.m.', 'day-first', '2025-07-05T21:29:08Z'],
    ['17/07/2025 09:29:08 p. m.', 'day-first', '2025-07-17T21:29:08Z'], // es-MX
    ['7/17/2025 9:29:08 PM', 'month-first', '2025-07-17T21:29:08Z'],
    ['7/17/2025 9:29:08 PM', 'day-first', 'NaN'], // a 17th month
    ['05/07/2025 21:29:08', 'month-first', '2025-05-07T21:29:08Z'],
    ['17-07-2025 09:29:08 PM', undefined, '2025-07-17T21:29:08Z'], // en-IN: dashes are day first
    ['17.07.2025 21:29:08', 'month-first', '2025-07-17T21:29:08Z'], // dots too, whatever the order of slashes
    ['2025-07-05T21:29:08Z', 'day-first', '2025-07-05T21:29:08Z'],
    [' 2025-07-05T21:29:08Z', undefined, '2025-07-05T21:29:08Z'], // padded: the same day as its time
    ['\t5/07/2025 9:29:08 pm', 'day-first', '2025-07-05T21:29:08Z'],
  ] as const)('%s read %s', (text, order, expected) => {
    expect(iso(parseLogTime(text, order))).toBe(expected);
    expect(iso(parseLogDay(text, order))).toBe(
      expected === 'NaN' ? 'NaN' : `${expected.slice(0, 10)}T00:00:00Z`,
    );
  });

  it.each([
    ['17/07/2025 9:30:00 pm', 'day-first'],
    ['7/17/2025 9:30:00 PM', 'month-first'],
    ['5/07/2025 9:29:08 pm', 'either'],
    ['12/12/2025', 'either'],
    ['13/13/2025 1:00 PM', undefined],
    ['2025/07/17 21:29:08', undefined],
    ['17.07.2025 21:29:08', undefined],
    ['2025-07-17T21:29:08Z', undefined],
  ] as const)('slashDateOrder(%j) is %j', (text, expected) => {
    expect(slashDateOrder(text)).toBe(expected);
  });
});

describe('DateOrderWatch', () => {
  it('the first date that tells settles the order, and ambiguous dates after it are read in it', () => {
    const w = new DateOrderWatch('f.csv', undefined);
    w.note('17/07/2025 9:30:00 pm');
    expect(w.order).toBe('day-first');
    w.note('5/07/2025 9:29:08 pm');
    expect(w.order).toBe('day-first');
    expect(w.notes()).toEqual([
      'its dates are day-first (e.g. "17/07/2025 9:30:00 pm"), so a date such as "5/07/2025 9:29:08 pm" is read day-first',
    ]);
  });

  it('ambiguous dates read by the clock, then one that tells the other order: read the file again', () => {
    const w = new DateOrderWatch('f.csv', undefined);
    w.note('5/07/2025 9:29:08 pm');
    expect(w.order).toBeUndefined();
    expect(() => w.note('17/07/2025 9:30:00 pm')).toThrow(DateOrderRestart);
    // The second reading, the order given: no restart, the note says what was done.
    const again = new DateOrderWatch('f.csv', 'day-first');
    again.note('5/07/2025 9:29:08 pm');
    again.note('17/07/2025 9:30:00 pm');
    expect(again.notes()[0]).toMatch(/dates are day-first .*"5\/07\/2025 9:29:08 pm" is read day-first/);
  });

  it('ambiguous dates that agree with the first one that tells: no restart, nothing to say', () => {
    const w = new DateOrderWatch('f.csv', undefined);
    w.note('7/05/2025 9:29:08 PM');
    w.note('7/17/2025 9:30:00 PM');
    expect(w.order).toBe('month-first');
    expect(w.notes()).toEqual([]);
  });

  it('dates in both orders are said; nothing that tells, and that is said too', () => {
    const both = new DateOrderWatch('f.csv', undefined);
    both.note('17/07/2025 21:00');
    both.note('7/18/2025 21:00');
    expect(both.notes()[0]).toMatch(/dates in both orders \("17\/07\/2025 21:00", "7\/18\/2025 21:00"\)/);
    const none = new DateOrderWatch('f.csv', undefined);
    none.note('5/07/2025 9:29:08 PM');
    expect(none.notes()[0]).toMatch(/no date tells .*read month-first, as en-US writes them/);
  });
});

describe('a day-first export with a 12-hour clock, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-dates-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const CONTEXT = {
    acceptedDomains: ['contoso.com'],
    gateway: { ...NO_GATEWAY, source: 'profile' as const, name: 'gw', ips: ['203.0.113.10'] },
    profile: EMPTY_PROFILE,
  };
  const HEADER =
    '"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageTraceId"';
  const row = (time: string, id: string) =>
    `"${time}","printer@contoso.com","alice@contoso.com","Scan","Delivered","","192.0.2.77","1","${id}"`;
  // en-AU: 5 July first (ambiguous, read 5/07 as May 7 by the clock), then 17 July, which only reads day first.
  const times = ['5/07/2025 9:29:08 pm', '5/07/2025 11:00:00 pm', '17/07/2025 9:30:00 pm'];

  it.each(['csv', 'json'] as const)(
    '%s: the days and first/last seen as the file means them',
    async (kind) => {
      const file = join(dir, `en-au.${kind}`);
      if (kind === 'csv')
        writeFileSync(file, [HEADER, ...times.map((t, i) => row(t, `m${i}`))].join('\r\n') + '\r\n');
      else
        writeFileSync(
          file,
          JSON.stringify(
            times.map((t, i) => ({
              Received: t,
              SenderAddress: 'printer@contoso.com',
              RecipientAddress: 'alice@contoso.com',
              Status: 'Delivered',
              FromIP: '192.0.2.77',
              MessageTraceId: `m${i}`,
            })),
          ),
        );
      const r = await analyseLogs('trace', [file], CONTEXT);
      expect(r.byDay.map((d) => [d.key, d.total])).toEqual([
        ['2025-07-05', 2],
        ['2025-07-17', 1],
      ]);
      expect(r.directSources[0]).toMatchObject({
        ip: '192.0.2.77',
        count: 3,
        firstSeen: '2025-07-05T21:29:08Z',
        lastSeen: '2025-07-17T21:30:00Z',
      });
      expect(r.caveats.join('\n')).not.toMatch(/could not read/);
      expect(r.notes).toEqual([
        `${file}: its dates are day-first (e.g. "17/07/2025 9:30:00 pm"), so a date such as "5/07/2025 9:29:08 pm" is read day-first`,
      ]);
    },
  );

  it('padded times are read as their text says, each its own day (the byte path remembers no empty date part)', async () => {
    const file = join(dir, 'padded.csv');
    const padded = [' 2025-07-05T21:29:08Z', ' 2025-07-06T08:00:00Z', ' 2025-07-06T09:00:00Z'];
    writeFileSync(file, [HEADER, ...padded.map((t, i) => row(t, `m${i}`))].join('\r\n') + '\r\n');
    const r = await analyseLogs('trace', [file], CONTEXT);
    expect(r.byDay.map((d) => [d.key, d.total])).toEqual([
      ['2025-07-05', 1],
      ['2025-07-06', 2],
    ]);
    expect(r).toEqual(await analyseLogs('trace', [file], CONTEXT, { byBytes: false }));
  });

  it('several files that each need their order: two readings in all, not one more per file', async () => {
    const files = Array.from({ length: 6 }, (_, i) => join(dir, `au-${i}.csv`));
    for (const f of files)
      writeFileSync(f, [HEADER, ...times.map((t, i) => row(t, `m${i}`))].join('\r\n') + '\r\n');
    // A reading that ends calls onProgress with the whole size; one stopped for its order does not.
    const ended = new Map<string, number>();
    const r = await analyseLogs('trace', files, CONTEXT, {
      onProgress: (file, n, size) => void (n === size && ended.set(file, (ended.get(file) ?? 0) + 1)),
    });
    expect(files.map((f) => ended.get(f))).toEqual(files.map(() => 1));
    expect(r.byDay.map((d) => [d.key, d.total])).toEqual([
      ['2025-07-05', 12],
      ['2025-07-17', 6],
    ]);
    expect(r.notes).toHaveLength(6);
  });

  it('blanks after the time: the AM/PM still decides, the day and the time in the same order', async () => {
    const file = join(dir, 'trailing.csv');
    const us = ['7/5/2025 9:29:08 PM ', '7/5/2025 10:29:08 PM  ', '7/6/2025 9:00:00 AM\t'];
    writeFileSync(file, [HEADER, ...us.map((t, i) => row(t, `m${i}`))].join('\r\n') + '\r\n');
    for (const byBytes of [true, false]) {
      const r = await analyseLogs('trace', [file], CONTEXT, { byBytes });
      expect(r.byDay.map((d) => [d.key, d.total])).toEqual([
        ['2025-07-05', 2],
        ['2025-07-06', 1],
      ]);
      expect(r.directSources[0]).toMatchObject({
        firstSeen: '2025-07-05T21:29:08Z',
        lastSeen: '2025-07-06T09:00:00Z',
      });
      expect(r.notes[0]).toMatch(/read month-first, as en-US writes them/);
    }
  });

  it('an en-US export keeps reading month first, and nothing is said', async () => {
    const file = join(dir, 'en-us.csv');
    const us = ['7/05/2025 9:29:08 PM', '7/17/2025 9:30:00 PM'];
    writeFileSync(file, [HEADER, ...us.map((t, i) => row(t, `m${i}`))].join('\r\n') + '\r\n');
    const r = await analyseLogs('trace', [file], CONTEXT);
    expect(r.byDay.map((d) => d.key)).toEqual(['2025-07-05', '2025-07-17']);
    expect(r.notes).toEqual([]);
  });
});
