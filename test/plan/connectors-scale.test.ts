/**
 * Issue 10 item 6: a tenant with thousands of inbound connectors is assessed and planned, each enabled connector a
 * path of its own (path.connector:<name>). The tenant is bench/plan-scale.ts's (examples/half-done with partner
 * connectors of five kinds). The simulator's indexes (SimPlan.restrictIndex, the IP and certificate indexes) are
 * checked against `simulateReference`, which tests every connector, on the attempts of the paths before the plan and
 * after it (once stage 2 restricts connectors and extends the lock-down), for every path that is not a connector's and
 * for a sample of the connectors' paths.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { writeExport } from '../../bench/scale-tenant.js';
import { configFor, existingFlows } from '../../src/assess.js';
import { standardPaths } from '../../src/model/paths.js';
import { simulate, simulateReference } from '../../src/model/simulate.js';
import type { Attempt } from '../../src/model/types.js';
import { applyAll } from '../../src/plan/model.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { planExportOffline } from './builders.js';
import { cases } from '../support/scale.js';

const NOW = new Date('2026-11-28T00:00:00Z');
/** A thousand for `npm test`; the 2,000 of bench/plan-scale.ts under `npm run test:full`. */
const CONNECTORS = cases(1000, 2000);
/** Every SAMPLE-th connector path is compared with the reference (which tests every connector per attempt). */
const SAMPLE = CONNECTORS / 50;
/** Kind 1 of the five kinds presents a certificate: its partners' mail is what stage 4 would refuse. */
const REFUSED = CONNECTORS / 5;
const dir = mkdtempSync(join(tmpdir(), 'mxlock-connectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test(`examples/half-done with ${CONNECTORS} partner connectors: a path each, planned, and the simulator agrees with the reference`, async () => {
  writeExport(0, CONNECTORS, dir);
  const { assessed, checked } = await planExportOffline(dir, NOW);
  // The plan simulates every connector's path at every stage: putting the safety net in Enforce (stage 4) would refuse
  // the mail of the partners that present a certificate (kind 1), and the plan says so, naming them.
  const refusal = checked.plan.refusal?.explanation ?? '';
  const refused = checked.plan.refusal?.paths.map((p) => p.id) ?? [];
  expect(refused).toContain('path.connector:partner 1');
  expect(refused).toContain(`path.connector:partner ${CONNECTORS - 4}`);
  expect(refused).not.toContain('path.connector:partner 0');
  // The explanation names a few and counts the rest, once for the paths that end alike, and gives one advice for all.
  expect(refused).toHaveLength(REFUSED);
  expect(refusal).toMatch(
    new RegExp(
      String.raw`^stage 4 \(Safety-net rule to Enforce\) would break path\.connector:partner 1, ` +
        String.raw`(path\.connector:partner \d+, ){9}and ${REFUSED - 10} more: all end "ndr" \(550 5\.7\.1 `,
    ),
  );
  expect(refusal.match(/carry mail someone set up/g)).toHaveLength(1);
  expect(refusal.length).toBeLessThan(4_000);

  // Kinds 0, 1, 2 and 4 of five are enabled Partner or OnPremises connectors of their own: a path each.
  const ids = assessed.report.paths.map((p) => p.id);
  const connectorPaths = ids.filter((id) => id.startsWith('path.connector:'));
  expect(connectorPaths).toHaveLength((CONNECTORS / 5) * 4);
  expect(ids).toContain('path.connector:partner 0');
  expect(ids).not.toContain('path.connector:partner 3');

  const profile = assessed.profile ?? EMPTY_PROFILE;
  const gateway = resolveGateway(profile, assessed.snapshot);
  const flows = existingFlows(assessed.snapshot, gateway, profile, assessed.zone);
  const changes = checked.plan.stages.flatMap((s) => s.changes);
  const compare = (snapshot: Snapshot) => {
    const cfg = configFor(snapshot, gateway, { zone: assessed.zone, now: NOW });
    const paths = standardPaths(cfg, profile, gateway, flows);
    let compared = 0;
    paths.forEach((p, i) => {
      if (p.id.startsWith('path.connector:') && i % SAMPLE !== 0) return;
      const attempts: Attempt[] = [p.attempt, ...(p.variants ?? [])];
      for (const a of attempts) {
        expect(simulate(cfg, a), `${p.id} ${JSON.stringify(a)}`).toEqual(simulateReference(cfg, a));
        compared++;
      }
    });
    return { paths: paths.length, compared };
  };
  const before = compare(assessed.snapshot);
  expect(before.paths).toBe(ids.length);
  expect(before.compared).toBeGreaterThan(CONNECTORS / SAMPLE);
  const after = compare(applyAll(assessed.snapshot, changes));
  expect(after.compared).toBeGreaterThan(CONNECTORS / SAMPLE);
}, 300_000);
