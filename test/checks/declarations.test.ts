/**
 * The checks' declarations (`reads`, `checklist`: DESIGN §4) are what inventory.snapshot-complete and the final
 * checklist are derived from, so they must say what the code really reads. Run over the bundled examples, in process:
 * - drop each export file (dns.json included) and assess: every check that became `unknown` is named by
 *   inventory.snapshot-complete for that file, no checklist row resting on it is `done`, and no check whose status
 *   changed leaves that export undeclared;
 * - strip every property a check does not declare (and drop the DNS it does not declare): its outcome is unchanged;
 * - every check file is registered, once.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { EXAMPLE_NAMES } from '../../scripts/make-examples.js';
import { assessSnapshot, simulatePaths } from '../../src/assess.js';
import { findProfile, tenantDns } from '../../src/assess-export.js';
import { readsSource, type Source } from '../../src/checks/catalog.js';
import { CHECKLIST_CHECKS, CHECKS } from '../../src/checks/registry.js';
import type { Check, CheckContext, CheckOutcome } from '../../src/checks/types.js';
import { buildTenant } from '../../src/model/tenant.js';
import { resolveGateway } from '../../src/profile/infer.js';
import type { Profile } from '../../src/profile/schema.js';
import { CHECKLIST_ROWS } from '../../src/report/checklist.js';
import type { Report } from '../../src/report/model.js';
import { buildSnapshot, type RawFile } from '../../src/snapshot/build.js';
import { CMDLET_NAMES, type CmdletName } from '../../src/snapshot/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const SRC_CHECKS = fileURLToPath(new URL('../../src/checks/', import.meta.url));
const NOW = new Date('2026-11-28T00:00:00Z');
const SNAPSHOT_COMPLETE = 'inventory.snapshot-complete';

interface Example {
  dir: string;
  files: RawFile[];
  profile: Profile | undefined;
}

const examples = new Map<string, Example>();

beforeAll(async () => {
  for (const name of EXAMPLE_NAMES) {
    const dir = join(EXAMPLES, name);
    const entries = (await readdir(dir)).filter((e) => e.endsWith('.json')).sort();
    const files = await Promise.all(
      entries.map(async (e) => ({
        name: e,
        path: join(dir, e),
        bytes: new Uint8Array(await readFile(join(dir, e))),
      })),
    );
    examples.set(name, { dir, files, profile: (await findProfile(dir, undefined)).profile });
  }
});

function example(name: string): Example {
  const e = examples.get(name);
  if (!e) throw new Error(`example ${name} not loaded`);
  return e;
}

/** `mxlock assess <example> --offline` without one file, in process; `profile: false` infers everything. */
async function assessWithout(name: string, file: string | undefined, withProfile: boolean): Promise<Report> {
  const e = example(name);
  const snapshot = buildSnapshot({ source: e.dir, files: e.files.filter((f) => f.name !== file) });
  const profile = withProfile ? e.profile : undefined;
  const { dns, zone } = await tenantDns(snapshot, profile, { offline: true });
  return assessSnapshot(snapshot, { profile, dns, zone, now: NOW }).report;
}

const sourceOf = (file: string): Source =>
  file === 'dns.json' ? 'dns' : (file.replace(/\.json$/, '') as CmdletName);

/** The evidence line inventory.snapshot-complete gives a missing source. */
function impactLine(report: Report, source: Source): string {
  const evidence = report.findings.find((f) => f.id === SNAPSHOT_COMPLETE)?.evidence ?? [];
  const prefix = source === 'dns' ? 'DNS was not analysed' : `${source}.json was not exported`;
  const line = evidence.find((l) => l.replace(/^optional /, '').startsWith(prefix));
  if (line === undefined)
    throw new Error(`${SNAPSHOT_COMPLETE} says nothing about ${source}: ${evidence.join(' | ')}`);
  return line;
}

/** The ids the "checks left unknown or partial" list of an evidence line names. */
function namedChecks(line: string): string[] {
  const list = /checks left unknown or partial: ([^;]*);/.exec(line)?.[1] ?? '';
  return list.split(', ').filter((id) => id !== 'none');
}

const exampleFiles = () =>
  EXAMPLE_NAMES.flatMap((name) =>
    [true, false].flatMap((withProfile) =>
      // The list is fixed by the generator (test/examples/examples-load.test.ts pins it), so it is known here.
      [...exampleFileNames[name]].map(
        (file) => [name, file, withProfile ? 'profile' : 'no profile'] as const,
      ),
    ),
  );

const exampleFileNames: Record<(typeof EXAMPLE_NAMES)[number], readonly string[]> = {
  'wide-open': [...CMDLET_NAMES.map((n) => `${n}.json`), 'dns.json'],
  'half-done': [
    ...CMDLET_NAMES.filter((n) => n !== 'Get-OutboundConnector').map((n) => `${n}.json`),
    'dns.json',
  ],
  hardened: [...CMDLET_NAMES.map((n) => `${n}.json`), 'dns.json'],
};

describe('dropping one export from an example', () => {
  test('the table of example files is what is on disk', () => {
    for (const name of EXAMPLE_NAMES)
      expect(
        example(name)
          .files.map((f) => f.name)
          .sort(),
      ).toEqual([...exampleFileNames[name]].sort());
  });

  test.each(exampleFiles())('%s without %s (%s)', async (name, file, mode) => {
    const withProfile = mode === 'profile';
    const before = await assessWithout(name, undefined, withProfile);
    const after = await assessWithout(name, file, withProfile);
    const source = sourceOf(file);
    const was = new Map(before.findings.map((f) => [f.id, f.status]));
    const named = namedChecks(impactLine(after, source));

    // Every check the missing file turned unknown is named, so the admin knows what re-exporting it resolves.
    const turnedUnknown = after.findings
      .filter((f) => f.status === 'unknown' && was.get(f.id) !== 'unknown')
      .map((f) => f.id);
    expect(turnedUnknown.filter((id) => !named.includes(id))).toEqual([]);

    // A check whose status moved at all reads the file: otherwise its declaration is wrong. Only with the profile:
    // without one the gateway is inferred from the connectors and MX records, an input every check may use.
    if (withProfile) {
      const changed = after.findings.filter((f) => f.id !== SNAPSHOT_COMPLETE && f.status !== was.get(f.id));
      const undeclared = changed
        .map((f) => f.id)
        .filter((id) => !readsSource(CHECKS.find((c) => c.id === id)?.reads ?? {}, source));
      expect(undeclared).toEqual([]);
    }

    // Unknown is never done: no row resting on a check left unknown is done.
    const rows = after.checklist.filter((row) =>
      (CHECKLIST_CHECKS.get(row.id as never) ?? []).some((id) => turnedUnknown.includes(id)),
    );
    for (const row of rows) expect(row.status, row.id).not.toBe('done');
  });
});

// ---------------------------------------------------------------------------------------------------------------

const NAMING = new Set(['Name', 'Identity']);

/** The snapshot as `check` is allowed to see it: declared exports keep their declared properties (and names). */
function stripped(snapshot: Snapshot, check: Check): Snapshot {
  const data: Record<string, unknown> = {};
  for (const name of CMDLET_NAMES) {
    const objects = snapshot.data[name];
    if (objects === undefined) continue;
    const declared = check.reads[name];
    data[name] =
      declared === 'all'
        ? objects
        : objects.map((o) =>
            Object.fromEntries(
              Object.entries(o).filter(([k]) => NAMING.has(k) || (declared ?? []).includes(k as never)),
            ),
          );
  }
  return { ...snapshot, data: data as Snapshot['data'], dns: check.reads.dns ? snapshot.dns : undefined };
}

describe('a check sees only what it declares', () => {
  const cases = EXAMPLE_NAMES.flatMap((name) =>
    CHECKS.filter((c) => c.id !== SNAPSHOT_COMPLETE).map((c) => [c.id, name, c] as const),
  );

  test.each(cases)(
    '%s on examples/%s: same outcome with undeclared properties and DNS removed',
    async (_id, name, c) => {
      const e = example(name);
      const snapshot = buildSnapshot({ source: e.dir, files: e.files });
      const { dns, zone } = await tenantDns(snapshot, e.profile, { offline: true });
      const gateway = resolveGateway(e.profile, snapshot);
      const profile = e.profile ?? (await import('../../src/profile/schema.js')).EMPTY_PROFILE;
      // The gateway, the profile and the simulated paths are inputs of their own (types.ts Reads): kept whole.
      const paths = simulatePaths(snapshot, profile, gateway, { zone, now: NOW });
      const ctx = (s: Snapshot, withDns: boolean): CheckContext => ({
        snapshot: s,
        tenant: buildTenant(s),
        profile,
        gateway,
        dns: withDns ? zone : undefined,
        dnsReport: withDns ? dns : undefined,
        paths,
        catalog: CHECKS,
      });
      const full: CheckOutcome = c.evaluate(ctx(snapshot, true));
      const seen: CheckOutcome = c.evaluate(ctx(stripped(snapshot, c), c.reads.dns === true));
      expect(seen).toEqual(full);
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------

describe('registration', () => {
  test('every check file under src/checks/step*/ and monitoring/ is in CHECKS, and CHECKS has no duplicate', async () => {
    const dirs = (await readdir(SRC_CHECKS, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && (/^step\d$/.test(d.name) || d.name === 'monitoring'))
      .map((d) => d.name);
    expect(dirs.length).toBeGreaterThanOrEqual(7);
    const found: string[] = [];
    for (const dir of dirs) {
      for (const file of (await readdir(join(SRC_CHECKS, dir))).filter((f) => f.endsWith('.ts'))) {
        const mod = (await import(pathToFileURL(join(SRC_CHECKS, dir, file)).href)) as { check?: Check };
        if (mod.check === undefined) continue;
        found.push(mod.check.id);
        expect(
          CHECKS.includes(mod.check),
          `src/checks/${dir}/${file} exports a check that is not registered`,
        ).toBe(true);
      }
    }
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
    expect(new Set(CHECKS).size).toBe(CHECKS.length);
    expect(found.sort()).toEqual(CHECKS.map((c) => c.id).sort());
  });

  test('a check names only rows decided by their checks, and every such row has one', () => {
    const byKind = new Map(CHECKLIST_ROWS.map((r) => [r.id, r.rule.kind]));
    for (const c of CHECKS) {
      if (c.checklist === undefined) continue;
      expect(['findings', 'open-only'], `${c.id} → ${c.checklist}`).toContain(byKind.get(c.checklist));
    }
    for (const row of CHECKLIST_ROWS) {
      if (row.rule.kind === 'findings' || row.rule.kind === 'open-only')
        expect(CHECKLIST_CHECKS.get(row.id)?.length ?? 0, row.id).toBeGreaterThan(0);
    }
  });
});
