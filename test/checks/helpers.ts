/**
 * CheckContext builder shared by every check test. Export objects go through the real reader (`parseCmdlet`: key
 * case, `smtp:*;1`, enums, lists) and the real tenant model (`buildTenant`), so a test object looks to a check exactly
 * like one read from an export folder. A cmdlet absent from `data` is "not exported" (in `snapshot.missing`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import type { z } from 'zod';
import { CHECKS } from '../../src/checks/registry.js';
import { DnsJsonSchema, zoneFromJson, type DnsZone } from '../../src/common/zone.js';
import { buildTenant } from '../../src/model/tenant.js';
import type { PathResult } from '../../src/model/paths.js';
import { NO_GATEWAY, type ResolvedGateway } from '../../src/common/gateway.js';
import { ProfileSchema } from '../../src/profile/schema.js';
import { parseCmdlet } from '../../src/snapshot/normalize.js';
import { CMDLET_NAMES, type CmdletName } from '../../src/snapshot/schema.js';
import type { Snapshot, SnapshotObjects } from '../../src/snapshot/types.js';
import type { Check, CheckContext, CheckOutcome, Step } from '../../src/checks/types.js';

/** Partial export objects per cmdlet; a missing key means the file was not exported, `[]` that the cmdlet returned nothing. */
export type ExportData = { [K in CmdletName]?: Partial<SnapshotObjects[K]>[] };

export interface ContextInput {
  data?: ExportData;
  /** mxlock.yaml content, validated (and defaulted) by the real profile schema. */
  profile?: z.input<typeof ProfileSchema>;
  /** The resolved gateway; fields default to NO_GATEWAY, and `source` to 'profile' when IPs or a certificate are given. */
  gateway?: Partial<ResolvedGateway>;
  /** Recorded DNS: a zone Map, or dns.json content. Absent = DNS not analysed. */
  dns?: DnsZone | z.input<typeof DnsJsonSchema> | undefined;
  paths?: PathResult[];
  /** Cmdlets to drop from `data` (not exported), e.g. to turn a complete fixture into a partial export. */
  omit?: CmdletName[];
  /** Snapshot warnings, as the reader would report them. */
  warnings?: string[];
  /** Cmdlets another tool exported only in part, as the reader records them (snapshot.partial). */
  partial?: Snapshot['partial'];
}

/** An older ScubaGear's Select-Object of Get-OrganizationConfig: 3 properties (src/snapshot/scubagear.ts). */
export const SCUBAGEAR_ORG_CONFIG: Snapshot['partial'] = {
  'Get-OrganizationConfig': { tool: 'ScubaGear', selected: ['Name', 'DisplayName', 'AuditDisabled'] },
};

export function makeGateway(g: Partial<ResolvedGateway> = {}): ResolvedGateway {
  const known = (g.ips?.length ?? 0) > 0 || g.certificate !== undefined;
  return { ...NO_GATEWAY, source: known ? 'profile' : 'none', ...g };
}

export function makeSnapshot(data: ExportData = {}, dns?: DnsZone, warnings: string[] = []): Snapshot {
  const snapshot: Snapshot = { source: 'test-export', data: {}, dns, missing: [], warnings };
  for (const name of CMDLET_NAMES) {
    const objects = data[name];
    if (objects === undefined) continue;
    (snapshot.data as Record<string, unknown>)[name] = parseCmdlet(name, objects, `test-export/${name}.json`);
  }
  snapshot.missing = CMDLET_NAMES.filter((n) => snapshot.data[n] === undefined);
  return snapshot;
}

export function makeContext(input: ContextInput = {}): CheckContext {
  const dns =
    input.dns === undefined
      ? undefined
      : input.dns instanceof Map
        ? input.dns
        : zoneFromJson(DnsJsonSchema.parse(input.dns));
  const omitted = new Set(input.omit ?? []);
  const data = Object.fromEntries(
    Object.entries(input.data ?? {}).filter(([k]) => !omitted.has(k as CmdletName)),
  ) as ExportData;
  const snapshot = makeSnapshot(data, dns, input.warnings);
  if (input.partial) snapshot.partial = input.partial;
  return {
    snapshot,
    tenant: buildTenant(snapshot),
    profile: ProfileSchema.parse(input.profile ?? {}),
    gateway: makeGateway(input.gateway),
    dns,
    paths: input.paths ?? [],
    catalog: CHECKS,
  };
}

export function run(check: Check, input: ContextInput = {}): CheckOutcome {
  return check.evaluate(makeContext(input));
}

/** All evidence lines as one string, for `toContain` / `toMatch` assertions. */
export function evidenceText(outcome: CheckOutcome): string {
  return outcome.evidence.join('\n');
}

/**
 * Contract every registered check of a step must meet, generated from its index so a new check is covered
 * automatically: id = file name, step, references (an eop-model rule and a URL), remediation, and — the product's first
 * principle — never `pass` when nothing was exported.
 */
export function checkCatalogContract(checks: readonly Check[], step: Step, folder: string): void {
  test('ids are unique', () => {
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
  });
  test.each(checks.map((c) => [c.id, c] as const))('%s meets the check contract', (id, c) => {
    expect(c.step).toBe(step);
    expect(id).toMatch(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/);
    expect(existsSync(fileURLToPath(new URL(`../../src/checks/${folder}/${id}.ts`, import.meta.url)))).toBe(
      true,
    );
    expect(c.title.length).toBeGreaterThan(10);
    expect(c.references.some((r) => /eop-model/.test(r))).toBe(true);
    expect(c.references.some((r) => /^https:\/\//.test(r))).toBe(true);
    expect(c.remediation.powershell.trim()).not.toBe('');
    expect(c.remediation.portal.trim()).not.toBe('');
  });
  test.each(checks.map((c) => [c.id, c] as const))('%s is not pass on an empty export', (_id, c) => {
    const outcome = c.evaluate(makeContext());
    expect(['unknown', 'fail', 'not-applicable']).toContain(outcome.status);
    expect(outcome.evidence.length).toBeGreaterThan(0);
  });
}
