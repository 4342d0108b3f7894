import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { LogRow } from '../../src/logs/layouts.js';
import { readLog } from '../../src/logs/read.js';
import { isoDay, isoSeconds, parseLogDay, parseLogTime, timeOfDayBytes } from '../../src/logs/time.js';

const FIX = join(__dirname, '../fixtures/logs');

type Seen = Pick<LogRow, 'sender' | 'recipient' | 'ip' | 'direction' | 'outcome' | 'code' | 'connector'> & {
  time: string;
};

async function read(path: string) {
  const rows: Seen[] = [];
  const result = await readLog(path, (r) =>
    rows.push({
      sender: r.sender,
      recipient: r.recipient,
      ip: r.ip,
      direction: r.direction,
      outcome: r.outcome,
      code: r.code,
      connector: r.connector,
      time: Number.isNaN(parseLogTime(r.time)) ? `unparsed ${r.time}` : isoSeconds(parseLogTime(r.time)),
    }),
  );
  return { rows, result };
}

/** Get-MessageTraceV2's seven rows, as every encoding and culture of that layout must give them. */
const TRACE: Omit<Seen, 'connector'>[] = [
  {
    sender: 'news@partner.example',
    recipient: 'alice@fabrikam.com',
    ip: '203.0.113.10',
    time: '2025-07-17T21:29:08Z',
  },
  {
    sender: 'printer@fabrikam.com',
    recipient: 'bob@fabrikam.com',
    ip: '192.0.2.77',
    time: '2025-07-17T22:01:00Z',
  },
  {
    sender: 'scanner@fabrikam.com',
    recipient: 'bob@fabrikam.com',
    ip: '192.0.2.50',
    time: '2025-07-18T08:00:00Z',
  },
  {
    sender: 'ceo@fabrikam.com',
    recipient: 'carol@fabrikam.com',
    ip: '198.18.0.9',
    time: '2025-07-18T09:00:00Z',
    outcome: 'rejected' as const,
  },
  {
    sender: 'alice@fabrikam.com',
    recipient: 'someone@elsewhere.example',
    ip: '',
    time: '2025-07-18T09:30:00Z',
  },
  {
    sender: 'info@shop.example',
    recipient: 'alice@fabrikam.com',
    ip: '198.18.5.5',
    time: '2025-07-18T11:15:00Z',
  },
  {
    sender: 'spam@bad.example',
    recipient: 'alice@fabrikam.com',
    ip: '198.18.5.6',
    time: '2025-07-18T11:16:00Z',
    outcome: 'quarantined' as const,
  },
].map((r) => ({ direction: 'unknown' as const, outcome: 'delivered' as const, code: '', ...r }));

describe('readLog: every layout and encoding', () => {
  it.each([
    ['message-trace-v2.csv', 'message-trace', 'utf-8'],
    ['message-trace-v2-de.csv', 'message-trace', 'utf-8-bom'],
    ['message-trace-v2.json', 'message-trace', 'json'],
  ])('%s → %s (%s)', async (file, layout, encoding) => {
    const { rows, result } = await read(join(FIX, file));
    expect(result.layout).toBe(layout);
    expect(result.encoding).toBe(encoding);
    expect(rows.map(({ connector: _c, ...r }) => r)).toEqual(TRACE);
    expect(rows.every((r) => r.connector === undefined)).toBe(true);
  });

  it.each([
    [
      'utf-16le',
      (s: Buffer) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s.toString('utf8'), 'utf16le')]),
    ],
    ['utf-16le', (s: Buffer) => Buffer.from(s.toString('utf8'), 'utf16le')],
    [
      'utf-16be',
      (s: Buffer) =>
        Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s.toString('utf8'), 'utf16le').swap16()]),
    ],
    ['utf-8-bom', (s: Buffer) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), s])],
  ])('the Export-Csv file re-encoded as %s gives the same rows', async (encoding, encode) => {
    const dir = mkdtempSync(join(tmpdir(), 'mxlock-logs-'));
    const file = join(dir, 'trace.csv');
    writeFileSync(file, encode(readFileSync(join(FIX, 'message-trace-v2.csv'))));
    const { rows, result } = await read(file);
    expect(result.encoding).toBe(encoding);
    expect(rows.map(({ connector: _c, ...r }) => r)).toEqual(TRACE);
  });

  it('Graph messageTraces pages: rows of both pages, and a note that a next page is missing', async () => {
    const { rows, result } = await read(join(FIX, 'graph-message-traces.json'));
    expect(result.layout).toBe('graph-message-traces');
    expect(rows.map(({ connector: _c, ...r }) => r)).toEqual(TRACE);
    expect(result.notes.join('\n')).toMatch(/@odata\.nextLink/);
  });

  it('historical search summary in UTF-16LE without BOM: one row per recipient, directionality read', async () => {
    const { rows, result } = await read(join(FIX, 'historical-summary-utf16le-nobom.csv'));
    expect(result).toMatchObject({ layout: 'historical-summary', encoding: 'utf-16le', records: 4 });
    expect(rows).toEqual([
      {
        sender: 'news@partner.example',
        recipient: 'alice@fabrikam.com',
        ip: '203.0.113.10',
        direction: 'inbound',
        outcome: 'delivered',
        code: '',
        connector: 'Proofpoint inbound',
        time: '2025-07-17T21:29:08Z',
      },
      {
        sender: 'news@partner.example',
        recipient: 'bob@fabrikam.com',
        ip: '203.0.113.10',
        direction: 'inbound',
        outcome: 'delivered',
        code: '',
        connector: 'Proofpoint inbound',
        time: '2025-07-17T21:29:08Z',
      },
      {
        sender: 'printer@fabrikam.com',
        recipient: 'bob@fabrikam.com',
        ip: '192.0.2.77',
        direction: 'inbound',
        outcome: 'delivered',
        code: '',
        connector: '',
        time: '2025-07-17T22:01:00Z',
      },
      {
        sender: 'ceo@fabrikam.com',
        recipient: 'carol@fabrikam.com',
        ip: '198.18.0.9',
        direction: 'inbound',
        outcome: 'rejected' as const,
        code: '',
        connector: '',
        time: '2025-07-18T09:00:00Z',
      },
      {
        sender: 'alice@fabrikam.com',
        recipient: 'someone@elsewhere.example',
        ip: '',
        direction: 'outbound',
        outcome: 'delivered',
        code: '',
        connector: 'Outbound to internet',
        time: '2025-07-18T09:30:00Z',
      },
    ]);
  });

  it('historical search extended report: events joined per message, the client from RECEIVE, the code from FAIL', async () => {
    const { rows, result } = await read(join(FIX, 'historical-extended.csv'));
    expect(result).toMatchObject({ layout: 'historical-extended', records: 7 });
    expect(rows).toEqual([
      {
        sender: 'printer@fabrikam.com',
        recipient: 'bob@fabrikam.com',
        ip: '192.0.2.77',
        direction: 'inbound',
        outcome: 'delivered',
        code: '',
        connector: '',
        time: '2025-07-17T22:01:00Z',
      },
      {
        sender: 'ceo@fabrikam.com',
        recipient: 'carol@fabrikam.com',
        ip: '198.18.0.9',
        direction: 'inbound',
        outcome: 'rejected' as const,
        code: '5.7.68',
        connector: '',
        time: '2025-07-18T09:00:00Z',
      },
      {
        sender: 'news@partner.example',
        recipient: 'alice@fabrikam.com',
        ip: '203.0.113.10',
        direction: 'inbound',
        outcome: 'delivered',
        code: '',
        connector: 'Proofpoint inbound',
        time: '2025-07-17T21:29:08Z',
      },
    ]);
  });

  it('ConnectorReport -ConnectorType NoConnector', async () => {
    const { rows, result } = await read(join(FIX, 'connector-report-noconnector.csv'));
    expect(result.layout).toBe('connector-report');
    expect(rows.map((r) => [r.sender, r.ip, r.connector, r.direction, r.outcome])).toEqual([
      ['printer@fabrikam.com', '192.0.2.77', '', 'inbound', 'delivered'],
      ['scanner@fabrikam.com', '192.0.2.50', '', 'inbound', 'delivered'],
      ['info@shop.example', '198.18.5.5', '', 'inbound', 'delivered'],
    ]);
  });

  it.each(['email-events.csv', 'email-events-hunting.json'])('Defender EmailEvents: %s', async (file) => {
    const { rows, result } = await read(join(FIX, file));
    expect(result.layout).toBe('email-events');
    expect(rows.map((r) => [r.sender, r.ip, r.connector, r.direction, r.outcome])).toEqual([
      ['news@partner.example', '203.0.113.10', 'Proofpoint inbound', 'inbound', 'delivered'],
      ['printer@fabrikam.com', '192.0.2.77', '', 'inbound', 'delivered'],
      ['ceo@fabrikam.com', '198.18.0.9', '', 'inbound', 'quarantined'],
      ['alice@fabrikam.com', '', '', 'outbound', 'delivered'],
      ['info@shop.example', '2001:db8::5', '', 'inbound', 'delivered'],
    ]);
  });

  it('an unknown layout lists the columns found and the layouts known', async () => {
    const err = await readLog(join(FIX, 'unknown-layout.csv'), () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).toContain('unknown-layout.csv: not a log layout mxlock knows');
    expect(msg).toContain('Columns found: Name, Value');
    for (const l of [
      'Get-MessageTraceV2',
      'Graph messageTraces',
      'summary report',
      'extended report',
      'ConnectorReport',
      'EmailEvents',
    ])
      expect(msg).toContain(l);
  });

  it('a column value with control characters is escaped in the error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxlock-logs-'));
    const file = join(dir, 'x.csv');
    writeFileSync(file, '"a\u001b[31mred",b\n1,2\n');
    await expect(readLog(file, () => undefined)).rejects.toThrow(/a\\x1b\[31mred, b/);
  });
});

describe('parseLogTime', () => {
  it.each([
    ['2025-07-17T21:29:08.1234567+00:00', '2025-07-17T21:29:08Z'],
    ['2025-07-17T23:29:08+02:00', '2025-07-17T21:29:08Z'],
    ['7/17/2025 9:29:08 PM', '2025-07-17T21:29:08Z'],
    ['7/17/2025 12:05:00 AM', '2025-07-17T00:05:00Z'],
    ['17/07/2025 21:29:08', '2025-07-17T21:29:08Z'],
    ['17.07.2025 21:29:08', '2025-07-17T21:29:08Z'],
    ['2025/07/17 21:29:08', '2025-07-17T21:29:08Z'],
    ['/Date(1752787748000)/', '2025-07-17T21:29:08Z'],
  ])('%s', (text, iso) => {
    expect(isoSeconds(parseLogTime(text))).toBe(iso);
    // The day alone, from the date part (and again, from the one-entry cache of the previous row's date).
    expect(isoDay(parseLogDay(text))).toBe(iso.slice(0, 10));
    expect(isoDay(parseLogDay(text))).toBe(iso.slice(0, 10));
  });

  it('isoSeconds writes what Date#toISOString does, to the second, across the calendar', () => {
    const byDate = (ms: number) => new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z');
    const edges = [
      0,
      999.9,
      Date.UTC(1970, 0, 1, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29, 12, 0, 0), // leap day of a year divisible by 400
      Date.UTC(2000, 2, 1),
      Date.UTC(2024, 1, 29, 23, 59, 59, 500),
      Date.UTC(2100, 1, 28, 23, 59, 59), // 2100 is no leap year: the next day is 1 March
      Date.UTC(2100, 2, 1),
      Date.UTC(2025, 11, 31, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1), // six-digit years: the Date's way
      -1500, // before 1970: likewise
    ];
    for (const ms of edges) expect(isoSeconds(ms), String(ms)).toBe(byDate(ms));
    // Every day of four centuries, at a time that moves through the day, and random instants (fixed seed).
    for (let d = 0; d < 146_097; d++) {
      const ms = Date.UTC(1970, 0, 1 + d) + ((d * 7919) % 86_400) * 1000 + (d % 1000);
      if (isoSeconds(ms) !== byDate(ms)) expect(isoSeconds(ms), String(ms)).toBe(byDate(ms));
    }
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const ms = (x / 2 ** 32) * 253_402_300_799_999;
      if (isoSeconds(ms) !== byDate(ms)) expect(isoSeconds(ms), String(ms)).toBe(byDate(ms));
    }
  });

  it.each(['', 'yesterday', '13/13/2025 10:00:00', '2/30/2025 1:00:00 PM', '7/17/2025 13:00:00 PM'])(
    'not a date: %j',
    (text) => {
      expect(parseLogTime(text)).toBeNaN();
      if (text !== '7/17/2025 13:00:00 PM') expect(parseLogDay(text)).toBeNaN();
    },
  );
});

describe('timeOfDayBytes (the byte path of a time of day)', () => {
  /** The time of day of `text` after its first space or T, from its bytes placed at an odd offset in a bigger buffer. */
  const tod = (text: string) => {
    const b = Buffer.from(`xy${text}zw`);
    const cut = text.search(/[T ]/);
    return timeOfDayBytes(b, 2 + cut + 1, 2 + text.length);
  };

  it.each([
    ['7/17/2025 9:29:08 PM', 21 * 3_600_000 + 29 * 60_000 + 8000],
    ['7/17/2025 12:05:00 AM', 5 * 60_000],
    ['7/17/2025 12:05 pm', 12 * 3_600_000 + 5 * 60_000],
    ['17.07.2025 21:29:08', 21 * 3_600_000 + 29 * 60_000 + 8000],
    ['2025-07-17T21:29:08Z', 21 * 3_600_000 + 29 * 60_000 + 8000],
    ['2025-07-17T07:29z', 7 * 3_600_000 + 29 * 60_000],
  ])('reads %s', (text, ms) => {
    expect(tod(text)).toBe(ms);
    expect(parseLogDay(text) + tod(text)).toBe(parseLogTime(text));
  });

  it.each([
    '7/17/2025 13:00:00 PM',
    '7/17/2025 0:10 AM',
    '17.07.2025 24:00',
    '17.07.2025 10:60',
    '1.1.2025 1:00:61',
  ])('out of range as timeOf says: %s', (text) => {
    expect(tod(text)).toBeNaN();
    expect(parseLogTime(text)).toBeNaN();
  });

  it.each([
    '2025-07-17T21:29:08.1234567Z',
    '2025-07-17T23:29:08+02:00',
    '7/17/2025 9:29:08 p.m.',
    '7/17/2025 9:29:08  PM',
    '7/17/2025 9:29:08 PMX',
    '7/17/2025 9:29:8 PM',
    '7/17/2025 9:2',
    '7/17/2025 123:00',
    '7/17/2025 9:29:08 ',
    '7/17/2025 9:29:08 XM',
    '7/17/2025 :29',
  ])('leaves %j to the string parse', (text) => {
    expect(tod(text)).toBe(-1);
  });
});

describe('readLog: bad input names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-logs-bad-'));
  it.each([
    ['empty.csv', '', /empty\.csv: the file is empty/],
    ['broken.json', '[{"Received": "x",]', /broken\.json: not valid JSON at line 1, column \d+/],
    ['no-rows.json', '{"value": [], "Count": 0}', /no-rows\.json: the JSON holds no rows/],
    ['no-columns.json', '[{}]', /no-columns\.json: not a log layout mxlock knows\. Columns found: none/],
    [
      'open-quote.csv',
      '"Received","SenderAddress","RecipientAddress","Status","FromIP"\n"x,"y\n',
      /open-quote\.csv: row 2: field 1: text after the closing quote/,
    ],
  ])('%s', async (name, text, message) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    await expect(readLog(file, () => undefined)).rejects.toThrow(message);
  });

  it('a header without rows is an empty result, not an error', async () => {
    const file = join(dir, 'header-only.csv');
    writeFileSync(file, '"Received","SenderAddress","RecipientAddress","Status","FromIP"\r\n');
    await expect(readLog(file, () => undefined)).resolves.toMatchObject({
      layout: 'message-trace',
      records: 0,
    });
  });

  it('an ANSI (Windows-1252) export, as Export-Csv -Encoding Default writes it: read as such, and said', async () => {
    const file = join(dir, 'ansi.csv');
    const text =
      '"Received","SenderAddress","RecipientAddress","Subject","Status","FromIP"\r\n' +
      '"7/17/2025 9:29:08 PM","andré@contoso.com","zoë@contoso.com","Réunion – “déjà” €5","Delivered","192.0.2.77"\r\n';
    // Windows-1252: é e9, ë eb, – 96, “ 93, ” 94, € 80.
    const ansi = Buffer.from(
      [...text].map((c) => ({ '–': 0x96, '“': 0x93, '”': 0x94, '€': 0x80 })[c] ?? c.charCodeAt(0)),
    );
    writeFileSync(file, ansi);
    const rows: LogRow[] = [];
    const result = await readLog(file, (r) => rows.push(r));
    expect(result).toMatchObject({ encoding: 'windows-1252', records: 1 });
    expect(result.notes).toEqual([
      'not UTF-8: read as Windows-1252 (re-export with -Encoding utf8 to be sure of non-ASCII text)',
    ]);
    expect(rows[0]).toMatchObject({ sender: 'andré@contoso.com', recipient: 'zoë@contoso.com' });
    // UTF-8 with the same characters stays UTF-8, also when a character is cut by the end of the first read.
    const utf8 = join(dir, 'utf8-accents.csv');
    writeFileSync(utf8, Buffer.from(text.padEnd((1 << 20) - 1, ' ') + 'é\r\n'));
    await expect(readLog(utf8, () => undefined)).resolves.toMatchObject({ encoding: 'utf-8', notes: [] });
  });

  it('a folder is refused before it is read', async () => {
    await expect(readLog(dir, () => undefined)).rejects.toThrow(InputError);
  });
});
