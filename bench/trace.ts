/**
 * `mxlock trace` benchmark (DESIGN §8, issue 12 item 8): a seeded generator writes a realistic
 * `Get-MessageTraceV2 | Export-Csv` file (Windows PowerShell 5.1: `#TYPE` line, every field quoted, CRLF, en-US
 * dates, subjects with commas, quotes and line breaks) in UTF-8 and UTF-16LE, then each contender reads it in its own
 * process (bench/trace-worker.mjs, plain node on an esbuild bundle of the library, as the CLI ships; so each peak RSS
 * is its own): a baseline that only splits the file into rows (newline counting, 1 MiB reads), papaparse streaming the
 * same file with the same grouping (status × source /24), DuckDB's two-thread GROUP BY of it when @duckdb/node-api is
 * installed (not a dependency: `npm i --no-save @duckdb/node-api`), our tokenizer alone, and the full `trace`
 * classification (every row classified and summarised, the direct sources and the Direct Send inventory listed: what
 * `trace --no-impact` and `events` do; the delivered flows are kept only for a replay). Ratios come from the same run; processor time is printed beside wall time (a shared machine slows
 * the wall clock). Peak RSS is compared at 100k and 1M rows. The impact replay through the plan of the bundled
 * wide-open example reports its own rate, end to end (the classification, keeping the flows, and the replay).
 *
 * Environment: ROWS (default 1000000), SMALL_ROWS (default 100000), SEED (default 1), RUNS (default 3: each contender
 * runs that many times, in rounds, and the fastest run counts), KEEP=1 keeps the files, NO_IMPACT=1 skips the replay.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from '../test/support/generated-zones.js';

const ROWS = Number(process.env['ROWS'] ?? 1_000_000);
const SMALL_ROWS = Number(process.env['SMALL_ROWS'] ?? 100_000);
const SEED = Number(process.env['SEED'] ?? 1);
const RUNS = Math.max(1, Number(process.env['RUNS'] ?? 3));
const SELF = fileURLToPath(import.meta.url);
const REPO = join(SELF, '..', '..');

const HEADER = [
  'Organization',
  'MessageId',
  'Received',
  'SenderAddress',
  'RecipientAddress',
  'Subject',
  'Status',
  'ToIP',
  'FromIP',
  'Size',
  'MessageTraceId',
  'StartDate',
  'EndDate',
  'Index',
];

const q = (v: string) => `"${v.replaceAll('"', '""')}"`;

function usDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/**
 * The mix of a tenant behind a gateway: 60 % inbound through the gateway's pool, 15 % outbound, 8 % delivered from
 * other addresses (printers and SaaS senders as the own domain, partners), 7 % junk/quarantine from botnet /24s, 5 %
 * failed, the rest internal. 5,000 external domains, 2,000 users, 30 days.
 */
async function generate(path: string, rows: number, encoding: 'utf8' | 'utf16le'): Promise<void> {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const own = 'contoso.com';
  const users = Array.from({ length: 2000 }, (_, i) => `user${i}@${own}`);
  const domains = Array.from({ length: 5000 }, (_, i) => `d${i}.example`);
  const gateway = Array.from({ length: 16 }, (_, i) => `198.51.100.${i}`);
  const devices = Array.from({ length: 40 }, (_, i) => `192.0.2.${10 + i}`);
  const subjects = [
    'Invoice 4711',
    'Re: meeting, tomorrow',
    'Scan from "MFP 2"',
    'Weekly report\r\nfor Q3',
    'Hello',
    'Ihre Bestellung – Bestätigung',
  ];
  const start = Date.UTC(2025, 6, 1);
  const out = createWriteStream(path);
  const write = (s: string) =>
    out.write(encoding === 'utf8' ? s : Buffer.from(s, 'utf16le'))
      ? Promise.resolve()
      : new Promise<void>((res) => out.once('drain', () => res()));
  if (encoding === 'utf16le') out.write(Buffer.from([0xff, 0xfe]));
  await write(
    `#TYPE Deserialized.Microsoft.Exchange.Management.FfoReporting.MessageTrace\r\n${HEADER.map(q).join(',')}\r\n`,
  );
  let batch = '';
  for (let i = 0; i < rows; i++) {
    const t = start + Math.floor((i / rows) * 30 * 86_400_000);
    const x = r();
    let sender: string;
    let recipient: string;
    let status = 'Delivered';
    let fromIp = '';
    let toIp = '';
    if (x < 0.6) {
      sender = `news${Math.floor(r() * 50)}@${pick(domains)}`;
      recipient = pick(users);
      fromIp = pick(gateway);
    } else if (x < 0.75) {
      sender = pick(users);
      recipient = `someone@${pick(domains)}`;
      toIp = `203.0.113.${Math.floor(r() * 250)}`;
    } else if (x < 0.83) {
      const device = r() < 0.5;
      sender = device ? `scanner${Math.floor(r() * 40)}@${own}` : `crm@${pick(domains)}`;
      recipient = pick(users);
      fromIp = device ? pick(devices) : `203.0.${Math.floor(r() * 200)}.${Math.floor(r() * 250)}`;
    } else if (x < 0.9) {
      sender = `x${Math.floor(r() * 1e6)}@${pick(domains)}`;
      recipient = pick(users);
      fromIp = `198.18.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`;
      status = r() < 0.5 ? 'FilteredAsSpam' : 'Quarantined';
    } else if (x < 0.95) {
      sender = `ceo@${own}`;
      recipient = pick(users);
      fromIp = `198.18.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`;
      status = 'Failed';
    } else {
      sender = pick(users);
      recipient = pick(users);
    }
    const id = `${(i * 2654435761) >>> 0}`.padStart(10, '0');
    batch +=
      [
        'contoso.onmicrosoft.com',
        `<${id}.${i}@mail.example>`,
        usDate(t),
        sender,
        recipient,
        pick(subjects),
        status,
        toIp,
        fromIp,
        String(1000 + Math.floor(r() * 90000)),
        `c20e0f7a-f06b-41df-${id.slice(0, 4)}-08d9da15${id.slice(-4)}`,
        usDate(start),
        usDate(start + 30 * 86_400_000),
        String(i % 5000),
      ]
        .map(q)
        .join(',') + '\r\n';
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  await write(batch);
  await new Promise<void>((res) => out.end(() => res()));
}

interface Measure {
  rows: number;
  seconds: number;
  /** Processor time of the measured part, all threads. */
  cpuSeconds: number;
  maxRssMb: number;
  extra?: string;
}

const WORKER = join(REPO, 'bench', 'trace-worker.mjs');
const EXAMPLE = join(REPO, 'examples', 'wide-open');

/** One contender in a child process on plain node (so each peak RSS is its own). */
function run(mode: string, file: string, bundle: string): Measure {
  const child = spawnSync(process.execPath, [WORKER, mode, file, bundle, EXAMPLE], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) throw new Error(`${mode} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Measure;
}

/** The library as it ships: one esbuild bundle (as scripts/build-cli.mjs makes the CLI), run without tsx. */
async function bundle(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const out = join(dir, 'mxlock-lib.mjs');
  await build({
    stdin: {
      contents: [
        "export { analyseLogs, assessExport, resolveGateway } from './src/index.ts';",
        "export { tokenizeCsv } from './src/logs/tokenizer.ts';",
        "export { streamUtf8 } from './src/logs/source.ts';",
      ].join('\n'),
      resolveDir: REPO,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: {
      js: "import { createRequire as __mxlockRequire } from 'node:module'; const require = __mxlockRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return out;
}

/** Whether @duckdb/node-api can be loaded here (it is not a dependency: ~70 MB of native binaries). */
function hasDuckDb(): boolean {
  const probe = spawnSync(
    process.execPath,
    ['-e', "import('@duckdb/node-api').then(() => 0, () => process.exit(3))"],
    {
      cwd: REPO,
    },
  );
  return probe.status === 0;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-bench-trace-'));
  try {
    const big = join(dir, 'trace-utf8.csv');
    const big16 = join(dir, 'trace-utf16le.csv');
    const small = join(dir, 'trace-small.csv');
    await generate(big, ROWS, 'utf8');
    await generate(big16, ROWS, 'utf16le');
    await generate(small, SMALL_ROWS, 'utf8');
    const mb = (f: string) => statSync(f).size / 1e6;
    console.log(
      `trace bench: ${ROWS} rows, UTF-8 ${mb(big).toFixed(0)} MB, UTF-16LE ${mb(big16).toFixed(0)} MB (seed ${SEED})`,
    );
    const lib = await bundle(dir);
    const rate = (m: Measure) => m.rows / m.seconds;
    const line = (name: string, m: Measure, size: number, base?: Measure) =>
      console.log(
        `  ${name.padEnd(30)} ${(rate(m) / 1e6).toFixed(2).padStart(5)} M rows/s  ${(size / m.seconds).toFixed(0).padStart(4)} MB/s  cpu ${m.cpuSeconds.toFixed(2).padStart(5)} s  peak RSS ${m.maxRssMb.toFixed(0).padStart(4)} MB` +
          (base ? `  ${(rate(m) / rate(base)).toFixed(2)}× papaparse` : '') +
          (m.extra ? `  (${m.extra})` : ''),
      );
    // Each contender runs RUNS times, in rounds (every contender once per round), so that a slow spell of the shared
    // machine weighs on all of them alike; the fastest run is reported, with the highest peak RSS of its runs.
    const contenders: Record<string, [mode: string, file: string]> = {
      split: ['split', big],
      papa: ['papaparse', big],
      tok: ['tokenize', big],
      full: ['trace', big],
      full16: ['trace', big16],
      fullSmall: ['trace', small],
      ...(hasDuckDb() ? { duck: ['duckdb', big] as [string, string] } : {}),
    };
    const runs = new Map<string, Measure[]>();
    for (let round = 0; round < RUNS; round++)
      for (const [name, [mode, file]] of Object.entries(contenders))
        runs.set(name, [...(runs.get(name) ?? []), run(mode, file, lib)]);
    const best = (name: string): Measure => {
      const ms = runs.get(name)!;
      const fastest = ms.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      return { ...fastest, maxRssMb: Math.max(...ms.map((m) => m.maxRssMb)) };
    };
    const split = best('split');
    const papa = best('papa');
    const tok = best('tok');
    const full = best('full');
    const full16 = best('full16');
    const fullSmall = best('fullSmall');
    const duck = runs.has('duck') ? best('duck') : undefined;
    const spread = (name: string) =>
      runs
        .get(name)!
        .map((m) => m.seconds.toFixed(2))
        .join(', ');
    console.log(
      `  fastest of ${RUNS} run(s) each; trace UTF-8 took ${spread('full')} s, papaparse ${spread('papa')} s`,
    );
    line('split rows only (baseline)', split, mb(big));
    line('papaparse (group status×/24)', papa, mb(big));
    if (duck) line('DuckDB 2 threads (same group)', duck, mb(big), papa);
    else console.log('  DuckDB not installed: npm i --no-save @duckdb/node-api');
    line('tokenizer only', tok, mb(big), papa);
    line('trace UTF-8', full, mb(big), papa);
    line('trace UTF-16LE', full16, mb(big16), papa);
    if (duck) console.log(`  trace UTF-8 / DuckDB: ${(rate(full) / rate(duck)).toFixed(2)}×`);
    console.log(
      `  peak RSS of trace: ${fullSmall.maxRssMb.toFixed(0)} MB at ${SMALL_ROWS} rows, ${full.maxRssMb.toFixed(0)} MB at ${ROWS} rows (Δ ${(full.maxRssMb - fullSmall.maxRssMb).toFixed(0)} MB)`,
    );
    // DESIGN §8's figures were taken on a machine where papaparse ran 0.33 M rows/s: the ratio to papaparse measured in
    // this run is the machine-independent form of the 1.5 M rows/s target (4.5×); both are printed, with the verdict.
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const ratio = rate(full) / rate(papa);
    const delta = full.maxRssMb - fullSmall.maxRssMb;
    console.log(
      `  targets (DESIGN §8): ≥ 1.5 M rows/s ${verdict(rate(full) >= 1.5e6)} (${(rate(full) / 1e6).toFixed(2)}); ` +
        `≥ 4.5× papaparse ${verdict(ratio >= 4.5)} (${ratio.toFixed(2)}×); ` +
        `peak RSS ≤ 150 MB ${verdict(full.maxRssMb <= 150)} and within 20 MB of 100k ${verdict(delta <= 20)}` +
        (duck ? `; on par with DuckDB ${verdict(rate(full) >= rate(duck))}` : ''),
    );
    if (process.env['NO_IMPACT'] === '1') return;
    const impact = run('impact', big, lib);
    console.log(
      `  trace + impact replay: ${(rate(impact) / 1e6).toFixed(2)} M rows/s end to end, ${impact.seconds.toFixed(2)} s, peak RSS ${impact.maxRssMb.toFixed(0)} MB (${impact.extra})`,
    );
  } finally {
    if (process.env['KEEP'] !== '1') rmSync(dir, { recursive: true, force: true });
    else console.log(`  files kept in ${dir}`);
  }
}

await main();
