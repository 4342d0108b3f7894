// One contender of bench/trace.ts, in its own process so that its peak RSS is its own. Plain node on the esbuild bundle
// of the library that bench/trace.ts builds (what ships runs without tsx, whose loader alone holds ~30 MB).
// `node bench/trace-worker.mjs <mode> <file> <bundle> <example export dir>`; prints one JSON line.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const [mode, file, bundle, example] = process.argv.slice(2);
const require = createRequire(import.meta.url);

const rss = () => process.resourceUsage().maxRSS / 1024;

/** Newline counting in 1 MiB reads: the floor any CSV reader sits on. */
function splitRows() {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let rows = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    for (let i = buf.indexOf(10, 0); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) rows++;
  }
  closeSync(fd);
  return rows;
}

/** papaparse streaming the file, grouping by status × source /24 (DESIGN §8's comparison). */
function papaparse() {
  const Papa = require('papaparse');
  return new Promise((resolve, reject) => {
    const groups = new Map();
    let rows = 0;
    let header;
    let status = -1;
    let ip = -1;
    const stream = createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' });
    // The #TYPE line is skipped by papaparse's comments option.
    Papa.parse(stream, {
      comments: '#TYPE',
      step: (res) => {
        const row = res.data;
        if (!header) {
          header = row;
          status = header.indexOf('Status');
          ip = header.indexOf('FromIP');
          return;
        }
        rows++;
        const a = row[ip] ?? '';
        const key = `${row[status]}|${a.slice(0, a.lastIndexOf('.'))}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      },
      complete: () => resolve(rows),
      error: reject,
    });
  });
}

/** DuckDB's GROUP BY of the same file on two threads (status × source /24), when @duckdb/node-api is installed. */
async function duckdb(t0) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  t0.at = performance.now();
  t0.cpu = process.cpuUsage();
  const path = file.replaceAll("'", "''");
  const result = await connection.runAndReadAll(
    `SELECT "Status", regexp_extract("FromIP", '^(\\d+\\.\\d+\\.\\d+)\\.', 1) AS net, count(*) AS n
     FROM read_csv('${path}', skip = 1, header = true, all_varchar = true) GROUP BY ALL`,
  );
  let rows = 0;
  for (const row of result.getRows()) rows += Number(row[2]);
  return rows;
}

async function main() {
  const t0 = { at: performance.now(), cpu: process.cpuUsage() };
  let rows;
  let extra;
  if (mode === 'split') rows = splitRows();
  else if (mode === 'papaparse') rows = await papaparse();
  else if (mode === 'duckdb') rows = await duckdb(t0);
  else {
    const lib = await import(bundle);
    if (mode === 'tokenize') {
      t0.at = performance.now();
      t0.cpu = process.cpuUsage();
      let n = 0;
      const t = lib.tokenizeCsv(file, () => void n++);
      await lib.streamUtf8(file, (c) => t.push(c));
      t.end();
      rows = n - 2; // the #TYPE line and the header
    } else {
      const result = await lib.assessExport(example, { offline: true });
      const gateway = lib.resolveGateway(result.profile, result.snapshot);
      const impact = mode === 'impact';
      t0.at = performance.now();
      t0.cpu = process.cpuUsage();
      const report = await lib.analyseLogs(
        'trace',
        [file],
        { acceptedDomains: result.report.tenant.acceptedDomains, gateway, profile: result.profile },
        impact
          ? {
              impact: {
                snapshot: result.snapshot,
                report: result.report,
                zone: result.zone,
                now: new Date(),
              },
            }
          : {},
      );
      rows = report.rows;
      extra = impact
        ? `${report.replay?.flows ?? 0} flows replayed after stages ${report.replay?.stages.join(',')}, ${report.impact.length} would break or may`
        : `direct ${report.inbound.direct}, via gateway ${report.inbound.viaGateway}`;
    }
  }
  const seconds = (performance.now() - t0.at) / 1000;
  // The measured part's processor time (all threads): on a shared machine, wall time also counts others' work.
  const cpu = process.cpuUsage(t0.cpu);
  process.stdout.write(
    `${JSON.stringify({ rows, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: rss(), extra })}\n`,
  );
}

await main();
