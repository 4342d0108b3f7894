/**
 * The fleet summary's pure parts (issue 14 item 5): the exit code, the totals, reading an earlier summary, and the
 * terminal table (one line per tenant, escaped names, 80 columns).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { diffReportStates } from '../../src/diff/compare.js';
import { InputError } from '../../src/errors.js';
import { renderFleetJson, renderFleetTerminal } from '../../src/fleet/render.js';
import {
  fleetExitCode,
  fleetTotals,
  goneSince,
  parsePreviousFleet,
  reportState,
  summariseTenant,
  type FleetSummary,
  type FleetTenant,
  type FleetTenantOk,
} from '../../src/fleet/summary.js';
import type { Report } from '../../src/report/model.js';
import { RAW_CONTROL } from '../report/helpers.js';

const REPO = join(import.meta.dirname, '..', '..');
let hardened: Report;
let halfDone: Report;
beforeAll(async () => {
  hardened = (await assessExport(join(REPO, 'examples', 'hardened'), { offline: true })).report;
  halfDone = (await assessExport(join(REPO, 'examples', 'half-done'), { offline: true })).report;
});

const error = (tenant: string, message = 'x.json: not JSON'): FleetTenant => ({
  tenant,
  export: `/f/${tenant}`,
  status: 'error',
  error: message,
  exitCode: 2,
});

function okTenant(name: string, report: Report, exitCode: 0 | 1, before?: Report): FleetTenantOk {
  return summariseTenant({ name, export: `/f/${name}` }, report, {
    exitCode,
    notes: [],
    previous: before ? { source: '/f/last-week.json', status: 'ok' } : null,
    changes: before ? diffReportStates(reportState(before), reportState(report)) : undefined,
  });
}

describe('fleetExitCode', () => {
  test.each([
    ['no tenant at all', 2, []],
    ['every tenant failed', 2, ['err', 'err']],
    ['all pass', 0, ['pass', 'pass']],
    ['one open or failing', 1, ['pass', 'open']],
    ['one could not be assessed', 1, ['pass', 'err']],
  ] as const)('%s → %i', (_, code, kinds) => {
    const tenants = kinds.map((k, i) =>
      k === 'err'
        ? error(`t${i}`)
        : okTenant(`t${i}`, k === 'pass' ? hardened : halfDone, k === 'pass' ? 0 : 1),
    );
    expect(fleetExitCode(tenants)).toBe(code);
  });
});

test('the summary counts what the report says', () => {
  const t = okTenant('fabrikam', halfDone, 1);
  expect(t.openPaths).toEqual(
    halfDone.paths.filter((p) => p.kind === 'attack' && p.status === 'open').map((p) => p.id),
  );
  expect(t.openPaths.length).toBeGreaterThan(0);
  const fails = halfDone.findings.filter((f) => f.status === 'fail');
  expect(t.failing.critical + t.failing.high + t.failing.medium + t.failing.low).toBe(
    fails.filter((f) => f.severity !== 'info').length,
  );
  expect(fleetTotals([t, error('broken'), okTenant('northwind', hardened, 0)])).toEqual({
    tenants: 3,
    ok: 2,
    error: 1,
    bypass: { open: 1, uncertain: 0, closed: 1, 'no-gateway': 0 },
    withRegressions: 0,
  });
});

describe('parsePreviousFleet', () => {
  test('an earlier summary round-trips into the states diff compares', () => {
    const summary = { schemaVersion: 1, tenants: [okTenant('a', hardened, 0), error('b')] };
    const prev = parsePreviousFleet(JSON.parse(JSON.stringify(summary)), 'week1.json');
    expect(prev.get('a')).toEqual(reportState(hardened));
    expect(prev.get('b')).toBeNull();
    expect(diffReportStates(prev.get('a')!, reportState(hardened))).toEqual({
      regressions: [],
      improvements: [],
      changes: [],
    });
    expect(goneSince(prev, [error('b')])).toEqual(['a']);
  });

  test.each([
    ['not an object', 'x', /week1\.json: \(root\)/],
    ['another schema version', { schemaVersion: 2, tenants: [] }, /week1\.json: schemaVersion: /],
    [
      'an unknown path status',
      {
        schemaVersion: 1,
        tenants: [
          {
            tenant: 'a',
            status: 'ok',
            verdict: { bypass: 'open', legitimateFlows: 'preserved' },
            paths: [{ id: 'p', kind: 'attack', status: 'ajar' }],
            findings: [],
          },
        ],
      },
      /week1\.json: tenants\[0\]\.paths\[0\]\.status: /,
    ],
    [
      'a tenant twice',
      { schemaVersion: 1, tenants: [error('a\u001b'), error('a\u001b')] },
      /week1\.json: tenants: "a\\x1b" is given twice/,
    ],
  ])('%s: an InputError naming the file and the field', (_, value, message) => {
    expect(() => parsePreviousFleet(value, 'week1.json')).toThrow(InputError);
    expect(() => parsePreviousFleet(value, 'week1.json')).toThrow(message);
  });
});

describe('the terminal table', () => {
  const HOSTILE = 'evil\u001b[2J\u202etxt.exe\nsecond line';
  function summary(): FleetSummary {
    const tenants = [
      okTenant('contoso', halfDone, 1, hardened),
      okTenant(HOSTILE, hardened, 0),
      error('broken', `/f/broken/Get-TransportRule.json: not valid JSON ${'x'.repeat(120)}`),
      error(`${HOSTILE}2`, `/f/${HOSTILE}2/Get-AcceptedDomain.json: not JSON`),
    ];
    return {
      schemaVersion: 1,
      tool: { name: 'mxlock', version: '0' },
      fleet: '/f',
      dns: 'recorded',
      failOn: 'high',
      previous: '/f/last-week.json',
      totals: fleetTotals(tenants),
      gone: ['old\u202etenant'],
      tenants,
    };
  }

  test('one line per tenant, every name and message escaped, 80 columns', () => {
    const text = renderFleetTerminal(summary(), { color: false });
    expect(text).not.toMatch(RAW_CONTROL);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    const rows = text.split('\n').filter((l) => /^(contoso|evil|broken)/.test(l));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^contoso +open +preserved +\d+ +\d+\/\d+\/\d+\/\d+ +\d+ +\d+ worse$/);
    expect(rows[1]).toMatch(/^evil\\x1b\[2J\\u202et… +closed +preserved +0 +0\/0\/0\/0 +0 +-$/);
    expect(rows[2]).toMatch(/^broken +error: Get-TransportRule\.json: not valid JSON x+…$/);
    expect(rows[3]).toMatch(/^evil\\x1b.*… error: Get-AcceptedDomain\.json: not JSON$/);
    expect(text).toMatch(/^ {2}broken: \/f\/broken\/Get-TransportRule\.json: not valid JSON$/m);
    expect(text).toContain('Regressions since the previous run');
    expect(text).toMatch(/- \[path\] verdict\.bypass: closed -> open/);
    expect(text).toContain('Could not be assessed');
    expect(text).toContain('In the previous run but not in this folder: old\\u202etenant.');
    expect(text).toMatch(/^Bypass: 1 open, 0 uncertain, 1 closed, 0 without a gateway; 2 could not be/m);
  });

  test('colour only when asked', () => {
    expect(renderFleetTerminal(summary(), { color: true })).toContain('\u001b[31m');
  });

  test('JSON: the documented keys, in order, control and bidi characters escaped', () => {
    const json = renderFleetJson(summary());
    expect(json).not.toMatch(RAW_CONTROL);
    const parsed = JSON.parse(json) as FleetSummary;
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion',
      'tool',
      'fleet',
      'dns',
      'failOn',
      'previous',
      'totals',
      'gone',
      'tenants',
    ]);
    expect(Object.keys(parsed.tenants[0]!)).toEqual([
      'tenant',
      'export',
      'status',
      'initialDomain',
      'verdict',
      'openPaths',
      'failing',
      'unknownChecks',
      'exitCode',
      'previous',
      'changes',
      'notes',
      'paths',
      'findings',
    ]);
    expect(Object.keys(parsed.tenants[2]!)).toEqual(['tenant', 'export', 'status', 'error', 'exitCode']);
    expect(parsed.tenants[1]!.tenant).toBe(HOSTILE);
  });
});
