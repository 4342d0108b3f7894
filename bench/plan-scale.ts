/**
 * `assess` and `plan` of a tenant with many transport rules or inbound connectors (issue 10 item 6: a tenant of
 * 50,000 rules or connectors gives a result, in time that grows about linearly). The tenant is examples/half-done
 * with its one rule and one connector replaced by N of them, written as an export folder and read back as
 * `mxlock plan --offline` reads it; the times are those of `assessExport` (read, DNS from dns.json, checks, paths)
 * and of `buildPlan` (the stages, each simulated).
 *
 * The tenants are bench/scale-tenant.ts's. Connectors: each enabled connector is a path of its own
 * (path.connector:<name>), simulated in the assessment and in each stage of the plan; an evaluation looks only at the
 * connectors that can apply to it (SimPlan.restrictIndex, the IP and certificate indexes, ConnectorAddresses), so
 * the time grows about linearly with the count.
 *
 * Environment: RULES (comma-separated rule counts, default 1000,4000,16000,50000), CONNECTORS (connector counts,
 * default 1000,5000,20000,50000; empty for none), RUNS (timed runs of each size, default 1; the median is printed),
 * EXPORT (a folder: write the exports there, as rules-N and connectors-N, for `mxlock plan`, instead of timing them).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { assessExport } from '../src/assess-export.js';
import { buildPlan } from '../src/plan/index.js';
import { resolveGateway } from '../src/profile/infer.js';
import { EMPTY_PROFILE } from '../src/profile/schema.js';
import { writeExport } from './scale-tenant.js';

const sizes = (v: string | undefined, d: string) =>
  (v ?? d)
    .split(',')
    .filter(Boolean)
    .map((s) => Number(s));
const RULES = sizes(process.env['RULES'], '1000,4000,16000,50000');
const CONNECTORS = sizes(process.env['CONNECTORS'], '1000,5000,20000,50000');
const RUNS = Number(process.env['RUNS'] ?? 1);
const NOW = new Date('2026-06-01T00:00:00Z');

async function timeOnce(dir: string): Promise<{ assessMs: number; planMs: number; changes: number }> {
  const t0 = performance.now();
  const e = await assessExport(dir, { offline: true, now: NOW });
  const t1 = performance.now();
  const profile = e.profile ?? EMPTY_PROFILE;
  const built = buildPlan({
    snapshot: e.snapshot,
    profile,
    gateway: resolveGateway(profile, e.snapshot),
    report: e.report,
    zone: e.zone,
    now: NOW,
  });
  const t2 = performance.now();
  if (!built.ok) throw new Error(`cannot plan: ${built.reason}`);
  const changes = built.checked.plan.stages.reduce((n, s) => n + s.changes.length, 0);
  return { assessMs: t1 - t0, planMs: t2 - t1, changes };
}

async function measure(label: string, rules: number, connectors: number): Promise<void> {
  const dir = writeExport(rules, connectors);
  try {
    const runs: Awaited<ReturnType<typeof timeOnce>>[] = [];
    for (let r = 0; r < Math.max(1, RUNS); r++) runs.push(await timeOnce(dir));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const assessMs = median(runs.map((r) => r.assessMs));
    const planMs = median(runs.map((r) => r.planMs));
    console.log(
      `  ${label.padEnd(20)} assess ${(assessMs / 1000).toFixed(2)} s, plan ${(planMs / 1000).toFixed(2)} s (${runs[0]!.changes} changes), assess + plan ${((assessMs + planMs) / 1000).toFixed(2)} s`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const EXPORT = process.env['EXPORT'];
if (EXPORT) {
  for (const n of RULES) writeExport(n, 0, join(EXPORT, `rules-${n}`));
  for (const n of CONNECTORS) writeExport(0, n, join(EXPORT, `connectors-${n}`));
  process.exit(0);
}
console.log(
  `plan-scale: examples/half-done with N transport rules or N inbound connectors (median of ${RUNS} run(s))`,
);
for (const n of RULES) await measure(`${n.toLocaleString('en-US')} rules`, n, 0);
for (const n of CONNECTORS) await measure(`${n.toLocaleString('en-US')} connectors`, 0, n);
