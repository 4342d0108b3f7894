/**
 * The byte path of the trace classification (records read by their bytes, answers found again in ByteMemo / IntMap /
 * IdTable) against the LogRow path (every record decoded to strings first), on generated files built to hit where they
 * could part: case, non-ASCII and odd senders and recipients, IPv6 and padded addresses, every date shape, doubled
 * quotes, line breaks in quoted fields across 1 MiB reads, UTF-16, more distinct keys than the memos hold.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_GATEWAY, type ResolvedGateway } from '../../src/common/gateway.js';
import {
  ABSENT,
  ByteMemo,
  ByteTable,
  IdTable,
  IntMap,
  KEY_BYTES,
  MISSING,
} from '../../src/logs/byte-memo.js';
import { directSourcesOf, inventoryOf, MEMO_BOUNDS, TraceClassifier } from '../../src/logs/classify.js';
import { readLog } from '../../src/logs/read.js';
import { utf16ToUtf8 } from '../../src/logs/source.js';
import { analyseLogs, type LogCommand } from '../../src/logs/trace.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import { rng } from '../support/generated-zones.js';

const GATEWAY: ResolvedGateway = {
  ...NO_GATEWAY,
  source: 'profile',
  name: 'Proofpoint',
  ips: ['203.0.113.10', '198.51.100.0/28', '2001:db8:1::/48'],
};
const PROFILE: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'scanners', ips: ['192.0.2.50', '192.0.2.51'], senders: [] }],
};
const CONTEXT = {
  acceptedDomains: ['fabrikam.com', 'Straße.example', 'ünï.example'],
  gateway: GATEWAY,
  profile: PROFILE,
};

const dir = mkdtempSync(join(tmpdir(), 'mxlock-by-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A classifier that keeps the flows for the replay (analyseLogs keeps them only with one), fed by either path. */
async function withFlows(file: string, byBytes: boolean): Promise<TraceClassifier> {
  const c = new TraceClassifier(CONTEXT, { flows: true });
  await readLog(file, (row) => c.add(row), byBytes ? { recordReader: (b) => c.recordReader(b) } : {});
  return c;
}

/**
 * Both paths on the same file: the same report, to the last count; and, keeping the flows for the replay, the same
 * flows, with the classification unchanged by keeping them.
 */
async function bothWays(command: LogCommand, file: string) {
  const bytes = await analyseLogs(command, [file], CONTEXT);
  const rows = await analyseLogs(command, [file], CONTEXT, { byBytes: false });
  expect(bytes).toEqual(rows);
  const [flowBytes, flowRows] = await Promise.all([withFlows(file, true), withFlows(file, false)]);
  expect(flowBytes.flowList()).toEqual(flowRows.flowList());
  expect(flowBytes.inbound).toEqual(bytes.inbound);
  expect(directSourcesOf(flowBytes)).toEqual(bytes.directSources);
  expect(inventoryOf(flowBytes)).toEqual(bytes.directSendInventory);
  return bytes;
}

const SENDERS = [
  'news@partner.example',
  'News@Partner.Example',
  'NEWS@PARTNER.EXAMPLE ',
  ' printer@fabrikam.com',
  'printer@FABRIKAM.com',
  'scanner@eu.fabrikam.com',
  'x@Straße.example',
  'x@STRASSE.example',
  'ceo@ÜNÏ.example',
  'a@ΣΊΣΥΦΟΣ.example',
  'İstanbul@İ.example',
  '',
  'no-at-sign',
  'fabrikam.com',
  'bounce@',
  'weird@fabrikam.com.',
  '<angle@fabrikam.com>',
  'two@at@partner.example',
  'tab\t@fabrikam.com',
  'nbsp@fabrikam.com\u00a0',
  'say "hi"@quotes.example',
  'line\nbreak@fabrikam.com',
];
const RECIPIENTS = [
  'alice@fabrikam.com',
  'ALICE@fabrikam.com',
  ' bob@FABRIKAM.COM ',
  'carol@eu.fabrikam.com',
  'dora@straße.example',
  'émile@ünï.example',
  'someone@elsewhere.example',
  'no-at',
  '',
];
const IPS = [
  '203.0.113.10',
  '198.51.100.7',
  ' 198.51.100.8',
  '198.51.100.8',
  '198.18.0.1',
  ' 198.18.0.1 ',
  '1.2.3',
  // Every length a dotted quad can have, with neighbours that differ in one byte (the quad cache's words).
  '1.2.3.4',
  '1.2.3.5',
  '1.2.3.45',
  '1.2.3.46',
  '10.20.30.40',
  '10.20.31.40',
  '100.100.100.1',
  '100.100.100.10',
  '100.100.101.10',
  '255.255.255.255',
  '255.255.255.254',
  '255.255.254.255',
  '1.2.3.4.5',
  '256.1.1.1',
  '1..2.3',
  '192.0.2.50',
  '192.0.2.77',
  '::ffff:203.0.113.10',
  '2001:db8:1::25',
  '2001:DB8:1::25',
  ' 2001:db8:1::25',
  '2001:db8:9::1',
  '',
  'not-an-ip',
  '010.0.0.1',
];
const STATUSES = [
  'Delivered',
  'delivered',
  'Failed',
  'Quarantined',
  'FilteredAsSpam',
  'Pending',
  'Expanded',
  'Odd',
  // Spellings that differ from real ones only in the middle (RecentKeys compares the words that cover them).
  'DeliXered',
  'FilteredAXSpam',
];
/** Every date shape the reader knows, and some it does not. */
function timeText(r: () => number, ms: number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = d.getUTCHours();
  const day = `${d.getUTCDate()}`;
  const month = `${d.getUTCMonth() + 1}`;
  const hms = `${pad(h)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const hm = `${h % 12 || 12}:${pad(d.getUTCMinutes())}`;
  switch (Math.floor(r() * 14)) {
    case 0:
      return `${month}/${day}/${d.getUTCFullYear()} ${h % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
    case 1:
      return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${hms}`;
    case 2:
      return d.toISOString();
    case 3:
      return `/Date(${ms})/`;
    case 4:
      return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${hms}`;
    case 5:
      return r() < 0.5 ? '' : 'yesterday';
    case 6:
      return `${day}/${month}/${d.getUTCFullYear()} ${hms}`;
    // Times of day read from the bytes (timeOfDayBytes) and ones it leaves to the string parse.
    case 8:
      return `${month}/${day}/${d.getUTCFullYear()} ${hm} ${h < 12 ? 'am' : 'pm'}`;
    case 9:
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${hms}${r() < 0.5 ? 'Z' : 'z'}`;
    case 10:
      return `${month}/${day}/${d.getUTCFullYear()} ${pick(['13:05 PM', '0:10 AM', '12:00 AM', '12:59:60 PM', '9:61 AM', '9:05  PM', '9:05 p.m.', '9:5 PM', '09:05:07.25 PM'])}`;
    case 11:
      return `${day}.${month}.${d.getUTCFullYear()} ${pick(['23:59', '24:00', '7:05:09', '7:05:9', '07:05:09+01:00', '7:05:09 ', '7:05:09Zz'])}`;
    case 12:
      return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}T${hms}`;
    default:
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${hms}+02:00`;
  }
}

const q = (v: string) => `"${v.replaceAll('"', '""')}"`;

/** A Get-MessageTraceV2 Export-Csv, with `extra` distinct senders, addresses and recipients beyond the lists. */
function messageTrace(seed: number, rows: number, extra: number): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const lines = [
    '#TYPE Deserialized.Microsoft.Exchange.Management.FfoReporting.MessageTrace',
    ['Received', 'SenderAddress', 'RecipientAddress', 'Subject', 'Status', 'FromIP', 'Size'].map(q).join(','),
  ];
  const start = Date.UTC(2025, 6, 1);
  for (let i = 0; i < rows; i++) {
    const n = Math.floor(r() * extra);
    const sender = r() < 0.3 ? `u${n}@d${n % 997}.example` : pick(SENDERS);
    const recipient = r() < 0.3 ? `user${n}@fabrikam.com` : pick(RECIPIENTS);
    const ip = r() < 0.3 ? `198.18.${n >> 8}.${n & 255}` : pick(IPS);
    const subject = r() < 0.2 ? 'multi\r\nline, "quoted"\nsubject' : 'Hello';
    lines.push(
      [
        timeText(r, start + Math.floor(r() * 10 * 86_400_000)),
        sender,
        recipient,
        subject,
        pick(STATUSES),
        ip,
        '1000',
      ]
        .map((v) => (r() < 0.9 || v.includes(',') || v.includes('"') || v.includes('\n') ? q(v) : v))
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

describe('trace by bytes gives the report the LogRow path gives', () => {
  it.each([1, 2, 3])('generated message trace %i (UTF-8)', async (seed) => {
    const file = join(dir, `mt-${seed}.csv`);
    writeFileSync(file, messageTrace(seed, 3000, 500));
    const r = await bothWays('trace', file);
    expect(r.rows).toBeGreaterThan(2900);
    expect(r.inbound.direct).toBeGreaterThan(0);
    expect(r.inbound.viaGateway).toBeGreaterThan(0);
    expect(r.directSendInventory.length).toBeGreaterThan(0);
  });

  it('UTF-16LE with BOM and without, big enough for several reads with records across them', async () => {
    const text = messageTrace(7, 12_000, 3000);
    const le = join(dir, 'mt-utf16le.csv');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const noBom = join(dir, 'mt-utf16le-nobom.csv');
    writeFileSync(noBom, Buffer.from(text, 'utf16le'));
    const utf8 = join(dir, 'mt-utf8.csv');
    writeFileSync(utf8, text);
    const a = await bothWays('trace', le);
    const b = await bothWays('trace', noBom);
    const c = await bothWays('trace', utf8);
    expect(a.files[0]!.bytes).toBeGreaterThan(2 << 20); // more than two 1 MiB reads
    // The same text in three files: the same report but for the files and the file named in the notes.
    const strip = (x: typeof a) => ({
      ...x,
      files: [],
      notes: x.notes.map((n) => n.replace(x.files[0]!.path, 'FILE')),
    });
    expect(strip(a)).toEqual(strip(c));
    expect(strip(b)).toEqual(strip(c));
  });

  it('more distinct recipients, addresses and sender domains than the memos keep', async () => {
    const file = join(dir, 'mt-many.csv');
    writeFileSync(file, messageTrace(11, 60_000, 40_000));
    const r = await bothWays('trace', file);
    expect(r.topRecipients.length).toBe(100);
  });

  it.each([1, 2])(
    'memos of a few entries: resets, hot keys kept through them, long probes (%i)',
    async (seed) => {
      const saved = { ...MEMO_BOUNDS };
      Object.assign(MEMO_BOUNDS, {
        recipients: 8,
        addresses: 8,
        senderDomains: 8,
        small: 4,
        hotHits: 2,
      });
      try {
        const file = join(dir, `mt-tiny-${seed}.csv`);
        writeFileSync(file, messageTrace(20 + seed, 6000, 60));
        const r = await bothWays('trace', file);
        expect(r.inbound.direct).toBeGreaterThan(0);
      } finally {
        Object.assign(MEMO_BOUNDS, saved);
      }
    },
  );

  it('EmailEvents CSV (direction, connectors, delivery location, IPv6 column, authentication details)', async () => {
    const r0 = rng(5);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r0() * xs.length)]!;
    const header =
      'Timestamp,SenderMailFromAddress,SenderFromAddress,SenderIPv4,SenderIPv6,RecipientEmailAddress,EmailDirection,DeliveryAction,DeliveryLocation,Connectors,AuthenticationDetails';
    const lines = [header];
    for (let i = 0; i < 3000; i++) {
      const v6 = r0() < 0.2;
      lines.push(
        [
          new Date(Date.UTC(2025, 6, 1) + i * 60_000).toISOString(),
          pick(SENDERS),
          pick(SENDERS),
          v6 ? '' : pick(IPS),
          v6 ? pick(['2001:db8:1::7', '2001:db8:9::9', ' 2001:db8:1::8']) : '',
          pick(RECIPIENTS),
          pick(['Inbound', 'inbound', 'Outbound', 'Intra-org', '']),
          pick(['Delivered', 'Blocked', 'Junked', 'Replaced', 'Unknown']),
          pick(['Inbox/folder', 'Quarantine', 'quarantine', 'Junk folder', '']),
          pick(['', ' ', 'Partner X', 'Proofpoint inbound']),
          pick(['{"SPF":"pass","CompAuth":"pass"}', '{"compauth":"fail"}', 'not json', '']),
        ]
          .map(q)
          .join(','),
      );
    }
    const file = join(dir, 'events.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await bothWays('events', file);
    expect(r.inbound.viaOtherConnector).toBeGreaterThan(0);
    expect(r.directSources.some((d) => d.compauth !== undefined)).toBe(true);
  });

  it('a date part that differs from the previous row only in its middle bytes is another day', async () => {
    const lines = [['Received', 'SenderAddress', 'RecipientAddress', 'Status', 'FromIP'].map(q).join(',')];
    // 07.07.2025 and 07.08.2025 (dd.MM.yyyy), 2025-07-17 and 2025-08-17: the same first and last four bytes.
    for (const t of [
      '07.07.2025 10:00:00',
      '07.08.2025 10:00:00',
      '2025-07-17T10:00:00Z',
      '2025-08-17T10:00:00Z',
    ])
      lines.push([t, 'a@partner.example', 'alice@fabrikam.com', 'Delivered', '198.18.0.1'].map(q).join(','));
    const file = join(dir, 'middle-dates.csv');
    writeFileSync(file, lines.join('\r\n') + '\r\n');
    const r = await bothWays('trace', file);
    expect(r.byDay.map((d) => d.key)).toEqual(['2025-07-07', '2025-07-17', '2025-08-07', '2025-08-17']);
  });

  it('connector report without a status column', async () => {
    const r0 = rng(9);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r0() * xs.length)]!;
    const lines = [
      'date_time_utc,sender_address,recipient_address,original_client_ip,connector_id,directionality',
    ];
    for (let i = 0; i < 500; i++)
      lines.push(
        [
          timeText(r0, Date.UTC(2025, 6, 1) + i * 1000),
          pick(SENDERS),
          pick(RECIPIENTS),
          pick(IPS),
          '',
          'Incoming',
        ]
          .map(q)
          .join(','),
      );
    const file = join(dir, 'connector.csv');
    writeFileSync(file, lines.join('\r\n'));
    const r = await bothWays('trace', file);
    expect(r.inbound.unknownOutcome).toBeGreaterThan(0);
  });
});

describe('ByteMemo', () => {
  const bytes = (s: string) => Buffer.from(s);

  it('finds a value by the bytes, wherever they lie, and nothing for other bytes', () => {
    const m = new ByteMemo<number>();
    const a = bytes('xxalice@fabrikam.comyy');
    expect(m.get(a, 2, 20)).toBeUndefined();
    m.set(a, 2, 20, 1);
    const b = bytes('alice@fabrikam.com');
    expect(m.get(b, 0, b.length)).toBe(1);
    for (const other of ['alice@fabrikam.co', 'Alice@fabrikam.com', 'alice@fabrikam.com ', ''])
      expect(m.get(bytes(other), 0, other.length)).toBeUndefined();
  });

  it('grows, then starts afresh when full, and still answers right', () => {
    const m = new ByteMemo<number>(1000);
    const keys = Array.from({ length: 2500 }, (_, i) => bytes(`key-${i}-${'x'.repeat(i % 13)}`));
    for (let round = 0; round < 2; round++)
      keys.forEach((k, i) => {
        const v = m.get(k, 0, k.length);
        if (v === undefined) m.set(k, 0, k.length, i);
        else expect(v).toBe(i);
      });
    expect(m.resets).toBeGreaterThan(0);
    expect(m.size).toBeLessThanOrEqual(1000);
  });

  it('keeps its hot keys (and their values) when it starts afresh, and lets them go once they cool off', () => {
    const m = new ByteMemo<{ k: string }>(64);
    const find = (k: string) => {
      const b = bytes(`..${k}`); // not at offset 0, and a fresh buffer each time
      const v = m.get(b, 2, b.length);
      if (v !== undefined) return v;
      const made = { k };
      m.set(b, 2, b.length, made);
      return made;
    };
    find('first');
    const hot = find('198.51.100.1');
    for (let i = 0; i < 20; i++) expect(find('198.51.100.1')).toBe(hot);
    const warm = find('198.51.100.2'); // found a few times only: not hot
    for (let i = 0; i < 3; i++) find('198.51.100.2');
    for (let i = 0; i < 100; i++) expect(find(`cold-${i}`).k).toBe(`cold-${i}`);
    expect(m.resets).toBe(1);
    expect(m.survivors).toBe(1);
    expect(find('198.51.100.1')).toBe(hot); // the same object: what was built on it stays good
    expect(find('198.51.100.2')).not.toBe(warm);
    // Found once since that reset: it has cooled off and goes at the next one.
    for (let i = 100; i < 200; i++) expect(find(`cold-${i}`).k).toBe(`cold-${i}`);
    expect(m.resets).toBeGreaterThanOrEqual(2);
    expect(find('198.51.100.1')).not.toBe(hot);
    expect(m.size).toBeLessThanOrEqual(64);
  });

  it('keeps keys of up to KEY_BYTES bytes, however their length falls in a word, and no longer ones', () => {
    const m = new ByteMemo<number>();
    for (let n = 0; n <= KEY_BYTES; n++) {
      const key = bytes('k'.repeat(n));
      expect(m.get(key, 0, n)).toBeUndefined();
      expect(m.set(key, 0, n, n)).toBe(true);
    }
    for (let n = 0; n <= KEY_BYTES; n++) {
      expect(m.get(bytes('k'.repeat(n)), 0, n)).toBe(n);
      // The same length, the last byte differing: told apart in the last (partial) word.
      if (n > 0) expect(m.get(bytes('k'.repeat(n - 1) + 'j'), 0, n)).toBeUndefined();
    }
    const long = bytes('y'.repeat(KEY_BYTES + 1));
    expect(m.get(long, 0, long.length)).toBeUndefined();
    expect(m.set(long, 0, long.length, 1)).toBe(false);
    expect(m.get(long, 0, long.length)).toBeUndefined();
  });

  it('ByteTable: a found value can be changed; MISSING for what it does not hold', () => {
    const t = new ByteTable();
    const key = bytes('alice@fabrikam.com');
    expect(t.get(key, 0, key.length)).toBe(MISSING);
    t.set(key, 0, key.length, -1);
    expect(t.get(key, 0, key.length)).toBe(-1);
    t.update(41);
    expect(t.get(key, 0, key.length)).toBe(41);
  });

  it('keeps a copy of the key, not a view of the chunk', () => {
    const m = new ByteMemo<string>();
    const chunk = bytes('status:Delivered');
    m.get(chunk, 7, 16);
    m.set(chunk, 7, 16, 'Delivered');
    chunk.fill(0x20);
    const again = bytes('Delivered');
    expect(m.get(again, 0, again.length)).toBe('Delivered');
  });
});

describe('IntMap and IdTable', () => {
  it('IntMap tells every 32-bit number apart, 0 and numbers past 2^31 included, as it grows', () => {
    const m = new IntMap();
    expect(m.get(0)).toBe(-1);
    const keys = [0, 1, 2 ** 31, 2 ** 32 - 1, 0xc6120001];
    for (let i = 0; i < 5000; i++) keys.push((i * 2654435761) >>> 0);
    const unique = [...new Set(keys)];
    unique.forEach((k, i) => m.set(k, i));
    expect(m.size).toBe(unique.length);
    unique.forEach((k, i) => expect(m.get(k)).toBe(i));
    expect(m.get(3)).toBe(-1);
    expect(m.get(2 ** 31 + 1)).toBe(-1);
  });

  it('IdTable tells triples apart (ids up to 2^31 - 1) and never forgets as it grows', () => {
    const m = new IdTable();
    const top = 2 ** 31 - 1;
    expect(m.get(top, 1, 2, ABSENT)).toBe(ABSENT);
    m.set(top, 1, 2, 7);
    expect(m.get(top, 2, 1, ABSENT)).toBe(ABSENT);
    expect(m.get(top, 1, 2, ABSENT)).toBe(7);
    for (let i = 0; i < 5000; i++) {
      expect(m.get(i, i % 7, i % 3, ABSENT)).toBe(ABSENT);
      m.set(i, i % 7, i % 3, i);
    }
    expect(m.size).toBe(5001);
    for (let i = 0; i < 5000; i++) expect(m.get(i, i % 7, i % 3, ABSENT)).toBe(i);
    expect(m.get(0, 1, 0, ABSENT)).toBe(ABSENT);
    expect(m.get(top, 1, 2, ABSENT)).toBe(7);
    // A count kept in the slot: added to where `get` found it, taken (and zeroed) by key.
    m.addToFound(3);
    expect(m.get(4999, 4999 % 7, 4999 % 3, ABSENT)).toBe(4999);
    expect(m.take(top, 1, 2)).toBe(10);
    expect(m.get(top, 1, 2, ABSENT)).toBe(0);
  });
});

describe('UTF-16 transcoding', () => {
  it.each([
    [
      [0xfeff, 0xfeff, 0x41],
      [1, 2, 3],
    ],
    [
      [0x41, 0xfeff, 0x42],
      [2, 1],
    ],
    [
      [0xd83d, 0xde00, 0x41],
      [1, 2, 1],
    ],
    [
      [0xd83d, 0x41, 0xde00],
      [2, 2],
    ],
    [[0x41, 0xd83d], [3]],
  ])('units %j cut after %j bytes, then at the end', (units, cuts) => {
    for (const order of ['le', 'be'] as const) {
      const bytes = Buffer.from(new Uint16Array(units).buffer);
      if (order === 'be') bytes.swap16();
      const all = Buffer.concat([bytes, Buffer.from([0x41])]); // a last odd byte
      const expected = new TextDecoder(order === 'le' ? 'utf-16le' : 'utf-16be').decode(all);
      const convert = utf16ToUtf8(order);
      const got: Buffer[] = [];
      let at = 0;
      for (const n of cuts) {
        got.push(Buffer.from(convert(all.subarray(at, at + n), false)));
        at += n;
      }
      got.push(Buffer.from(convert(all.subarray(at), true)));
      expect(Buffer.concat(got).toString('utf8')).toBe(expected);
    }
  });

  it.each([1, 2, 3, 4, 5, 6])(
    'agrees with TextDecoder in stream mode on random units and cuts (%i)',
    (seed) => {
      const r = rng(seed);
      // Mostly ASCII, some BMP, surrogate pairs, lone surrogates, BOMs, and an odd byte at the end now and then.
      const units: number[] = [];
      if (r() < 0.5) units.push(0xfeff);
      for (let i = 0; i < 3000; i++) {
        const x = r();
        if (x < 0.6) units.push(32 + Math.floor(r() * 95));
        else if (x < 0.75) units.push(0x80 + Math.floor(r() * 0xd000));
        else if (x < 0.85) units.push(0xd800 + Math.floor(r() * 0x400), 0xdc00 + Math.floor(r() * 0x400));
        else if (x < 0.92)
          units.push(0xd800 + Math.floor(r() * 0x800)); // lone high or low
        else if (x < 0.96) units.push(0xfeff);
        else units.push(0xe000 + Math.floor(r() * 0x2000));
      }
      for (const order of ['le', 'be'] as const) {
        const bytes: number[] = [];
        for (const u of units) bytes.push(...(order === 'le' ? [u & 255, u >> 8] : [u >> 8, u & 255]));
        if (seed % 2 === 0) bytes.push(0x41); // a last odd byte
        const all = Uint8Array.from(bytes);
        const decoder = new TextDecoder(order === 'le' ? 'utf-16le' : 'utf-16be');
        const convert = utf16ToUtf8(order);
        let expected = '';
        const got: Buffer[] = [];
        for (let i = 0; i < all.length;) {
          const n = 1 + Math.floor(r() * 97);
          const chunk = all.subarray(i, i + n);
          expected += decoder.decode(chunk, { stream: true });
          got.push(Buffer.from(convert(chunk, false))); // copied: the transcoder reuses its buffer
          i += n;
        }
        expected += decoder.decode();
        got.push(Buffer.from(convert(new Uint8Array(0), true)));
        expect(Buffer.concat(got).toString('utf8')).toBe(expected);
        expect(Buffer.concat(got)).toEqual(Buffer.from(expected, 'utf8'));
      }
    },
  );
});
