/**
 * `mxlock assess --fleet` benchmark (DESIGN §8: "over 200 exports in seconds, memory bounded by one tenant at a time";
 * issue 14 item 5). A generator writes a fleet folder from the bundled examples, each tenant varied: its names
 * (fabrikam → fabrikam17…), extra accepted domains, extra partner connectors and transport rules; one tenant in ten is
 * a snapshot.json bundle file, one in four has two dated collections (so its previous run is assessed and diffed too).
 * Each measurement runs in its own process (so each peak RSS is its own): the fleet at a few concurrencies, a quarter
 * of the fleet to show the peak does not grow with the tenant count, and the built CLI end to end.
 *
 * Environment: TENANTS (default 200), KEEP=1 keeps the folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeText } from '../src/snapshot/decode.js';

const TENANTS = Number(process.env['TENANTS'] ?? 200);
const SELF = fileURLToPath(import.meta.url);
const REPO = join(SELF, '..', '..');
const EXAMPLES = ['half-done', 'hardened', 'wide-open'];
/** The names the examples' tenants use, renamed per generated tenant. */
const NAMES = ['fabrikam', 'northwind', 'contoso'];

type Json = Record<string, unknown>;

/** A cmdlet file's objects, whatever the wrapper (`{"value": […]}`, a list, one object). */
function objectsOf(value: unknown): Json[] {
  if (Array.isArray(value)) return value as Json[];
  if (value !== null && typeof value === 'object' && Array.isArray((value as Json)['value']))
    return (value as { value: Json[] }).value;
  return value === null ? [] : [value as Json];
}

/** One example's files as text (UTF-16 decoded), read once. */
const sources = new Map(
  EXAMPLES.map((name) => {
    const dir = join(REPO, 'examples', name);
    const files = readdirSync(dir).map((f) => ({
      name: f,
      text: decodeText(readFileSync(join(dir, f)), f).text,
    }));
    return [name, files] as const;
  }),
);

/** Tenant `i`'s files: an example renamed and grown by `i`. */
function tenantFiles(i: number, example: string): Map<string, string> {
  const out = new Map<string, string>();
  const extraDomains = Array.from({ length: i % 5 }, (_, k) => `brand${k}.t${i}.example`);
  for (const { name, text } of sources.get(example)!) {
    let t = text;
    for (const n of NAMES) t = t.replaceAll(n, `${n}${i}`);
    if (!name.endsWith('.json')) {
      out.set(name, t);
      continue;
    }
    const value = JSON.parse(t) as unknown;
    if (name === 'Get-AcceptedDomain.json') {
      const list = objectsOf(value);
      for (const d of extraDomains) list.push({ DomainName: d, DomainType: 'Authoritative', Default: false });
      out.set(name, JSON.stringify(list));
    } else if (name === 'Get-InboundConnector.json') {
      const list = objectsOf(value);
      for (let k = 0; k < i % 4; k++)
        list.push({
          Name: `Partner ${k}`,
          Enabled: true,
          ConnectorType: 'Partner',
          SenderDomains: [`partner${k}.t${i}.example`],
          SenderIPAddresses: [`192.0.2.${(k * 16 + i) % 250}`],
          RestrictDomainsToIPAddresses: false,
          RestrictDomainsToCertificate: false,
          RequireTls: true,
        });
      out.set(name, JSON.stringify(list));
    } else if (name === 'Get-TransportRule.json') {
      const list = objectsOf(value);
      const top = list.reduce((n, r) => Math.max(n, Number(r['Priority'] ?? 0)), 0);
      for (let k = 0; k < (i % 7) * 3; k++)
        list.push({
          Name: `Tag external ${k}`,
          Priority: top + 1 + k,
          State: 'Enabled',
          Mode: 'Enforce',
          FromScope: 'NotInOrganization',
          SetHeaderName: 'X-External',
          SetHeaderValue: String(k),
        });
      out.set(name, JSON.stringify(list));
    } else if (name === 'dns.json') {
      const zone = value as Json;
      for (const d of extraDomains) zone[d] = { TXT: ['v=spf1 -all'] };
      out.set(name, JSON.stringify(zone));
    } else out.set(name, t);
  }
  return out;
}

function writeFolder(dir: string, files: Map<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
}

/** The fleet folder: TENANTS tenants in the three layouts. */
function generate(root: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const example = EXAMPLES[i % EXAMPLES.length]!;
    const files = tenantFiles(i, example);
    const name = `tenant-${String(i).padStart(3, '0')}`;
    if (i % 10 === 9) {
      // A snapshot.json bundle: every cmdlet under its name, dns.json as `dns` (DESIGN §3.1).
      const bundle: Json = {};
      for (const [file, text] of files)
        if (file.endsWith('.json'))
          bundle[file === 'dns.json' ? 'dns' : file.replace(/\.json$/, '')] = JSON.parse(text);
      writeFileSync(join(root, `${name}.json`), JSON.stringify(bundle));
    } else if (i % 4 === 0) {
      // Collected weekly: last week's from another example, so the diff has something to say.
      writeFolder(join(root, name, '2026-01-25'), tenantFiles(i, EXAMPLES[(i + 1) % EXAMPLES.length]!));
      writeFolder(join(root, name, '2026-02-01'), files);
    } else writeFolder(join(root, name), files);
  }
}

interface Measured {
  seconds: number;
  maxRssMb: number;
  ok: number;
  error: number;
  withRegressions: number;
}

/** One measurement in this process (spawned by the driver below). */
async function worker(folder: string, concurrency: number): Promise<void> {
  const { assessFleet } = await import('../src/fleet/run.js');
  const t0 = performance.now();
  const { summary } = await assessFleet(folder, { failOn: 'high', concurrency, now: new Date(0) });
  const m: Measured = {
    seconds: (performance.now() - t0) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    ok: summary.totals.ok,
    error: summary.totals.error,
    withRegressions: summary.totals.withRegressions,
  };
  process.stdout.write(JSON.stringify(m));
}

function measure(folder: string, concurrency: number): Measured {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', SELF, '--worker', folder, String(concurrency)],
    { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`fleet worker failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Measured;
}

if (process.argv[2] === '--worker') {
  await worker(process.argv[3]!, Number(process.argv[4]));
} else {
  const root = mkdtempSync(join(tmpdir(), 'mxlock-bench-fleet-'));
  const all = join(root, 'all');
  const quarter = join(root, 'quarter');
  mkdirSync(all);
  mkdirSync(quarter);
  generate(all, TENANTS);
  generate(quarter, Math.ceil(TENANTS / 4));
  try {
    console.log(
      `assess --fleet, ${TENANTS} generated tenants (DESIGN §8: in seconds, memory bounded by one tenant at a time)`,
    );
    for (const c of [1, 2, 4]) {
      const m = measure(all, c);
      console.log(
        `  concurrency ${String(c).padStart(2)}: ${m.seconds.toFixed(2)} s, peak RSS ${m.maxRssMb.toFixed(0)} MB ` +
          `(${m.ok} ok, ${m.error} errors, ${m.withRegressions} with regressions)`,
      );
    }
    const q = measure(quarter, 1);
    console.log(
      `  ${Math.ceil(TENANTS / 4)} tenants, concurrency 1: ${q.seconds.toFixed(2)} s, peak RSS ${q.maxRssMb.toFixed(0)} MB (the peak should not grow with the tenant count)`,
    );
    const bin = join(REPO, 'dist', 'bin', 'main.js');
    const t0 = performance.now();
    const cli = spawnSync(
      process.execPath,
      [bin, 'assess', '--fleet', all, '--format', 'json', '--out', join(root, 'fleet.json')],
      { encoding: 'utf8' },
    );
    const wall = (performance.now() - t0) / 1000;
    if (cli.status !== 1) throw new Error(`mxlock assess --fleet exited ${cli.status}: ${cli.stderr}`);
    console.log(`  the built CLI end to end (start-up, JSON written): ${wall.toFixed(2)} s wall`);
  } finally {
    if (process.env['KEEP'] === '1') console.log(`  kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
