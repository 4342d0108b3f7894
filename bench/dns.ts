/**
 * DNS benchmark (issue 3, DESIGN §8): 1,000 domains analysed against the loopback DNS server with 20 ms injected
 * latency per answer, wall time printed next to the ideal: the longest chain of dependent lookups per domain ×
 * latency, times the number of waves that the concurrency limit allows.
 */
import { analyseDomains } from '../src/dns/analyse.js';
import { liveResolver } from '../src/dns/live.js';
import { startDnsServer, type ZoneRecords } from '../test/support/dns-server.js';

const DOMAINS = Number(process.env['DOMAINS'] ?? 1000);
const LATENCY_MS = Number(process.env['LATENCY_MS'] ?? 20);
const CONCURRENCY = Number(process.env['CONCURRENCY'] ?? 32);

const zone: Record<string, ZoneRecords> = {
  'spf.protection.outlook.com': {
    TXT: ['v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 include:spfd.protection.outlook.com -all'],
  },
  'spfd.protection.outlook.com': { TXT: ['v=spf1 ip4:52.100.0.0/15 -all'] },
  '_netblocks.gw.example': { TXT: ['v=spf1 ip4:203.0.113.0/24 -all'] },
};
const domains: string[] = [];
for (let i = 0; i < DOMAINS; i++) {
  const d = `customer${i}.example`;
  domains.push(d);
  zone[d] = {
    TXT: [`v=spf1 include:_netblocks.gw.example include:spf.protection.outlook.com -all`, `MS=ms${i}`],
    MX: [{ exchange: `mx${i}.gw.example`, priority: 10 }],
  };
  zone[`_dmarc.${d}`] = { TXT: [`v=DMARC1; p=reject; rua=mailto:dmarc@reports.vendor.example`] };
  zone[`${d}._report._dmarc.reports.vendor.example`] = { TXT: ['v=DMARC1'] };
}
// Dependent lookups per domain: SPF root → include:spf.protection.outlook.com → spfd (3);
// DMARC _dmarc.<d> → <d>._report._dmarc.<dest> (2); MX (1). The longest chain is 3.
const CHAIN = 3;

const server = await startDnsServer(zone);
server.latencyMs = LATENCY_MS;
try {
  const resolve = liveResolver({ servers: [server.server], timeoutMs: 5_000, tries: 1 });
  const started = performance.now();
  const results = await analyseDomains(resolve, domains, { concurrency: CONCURRENCY });
  const wall = performance.now() - started;
  const bad = results.filter((r) => r.spf.state !== 'ok' || r.dmarc.policy !== 'reject').length;
  const waves = Math.ceil(DOMAINS / CONCURRENCY);
  const ideal = waves * CHAIN * LATENCY_MS;
  console.log(
    `dns: ${DOMAINS} domains, ${LATENCY_MS} ms per answer, concurrency ${CONCURRENCY}, ${server.log.length} queries`,
  );
  console.log(
    `  wall ${wall.toFixed(0)} ms; ideal critical path ${ideal} ms (${waves} waves × ${CHAIN} dependent lookups × ${LATENCY_MS} ms)`,
  );
  console.log(
    `  ratio ${(wall / ideal).toFixed(2)} (target ≤ 1.5)${bad ? `; ${bad} domains not analysed cleanly` : ''}`,
  );
} finally {
  await server.close();
}
