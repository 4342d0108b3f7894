import { describe, expect, test } from 'vitest';
import { CHECKLIST_CHECKS } from '../../src/checks/registry.js';
import type { FindingStatus } from '../../src/common/order.js';
import { buildChecklist, CHECKLIST_ROWS } from '../../src/report/checklist.js';
import type { ChecklistItem, ReportFinding } from '../../src/report/model.js';

const ALL_STATUSES: readonly FindingStatus[] = [
  'pass',
  'fail',
  'warn',
  'info',
  'unknown',
  'waived',
  'not-applicable',
];

function f(id: string, status: FindingStatus): ReportFinding {
  return {
    id,
    status,
    severity: 'high',
    step: 0,
    title: id,
    evidence: [],
    remediation: { powershell: '', portal: '' },
    references: [],
    benchmarks: [],
  };
}

function statusOf(rowId: string, findings: ReportFinding[], backup = true): ChecklistItem['status'] {
  const row = buildChecklist(findings, [], { backup }).find((r) => r.id === rowId);
  if (row === undefined) throw new Error(`no checklist row ${rowId}`);
  return row.status;
}

/**
 * The mapping the guide's rows rest on (hardening guide "Final checklist"; DESIGN §4 ids). It is derived from the
 * checks' `checklist` declarations; this table is what the guide expects, so a declaration that moves a check between
 * rows fails here.
 */
const MAPPING: Record<string, readonly string[]> = {
  'checklist.direct-send-inventory': ['inventory.direct-send-sources', 'devices.submission-route'],
  'checklist.connector-lockdown': [
    'connector.lockdown-missing',
    'connector.lockdown-disabled',
    'connector.lockdown-sender-scope',
    'connector.lockdown-recipient-scope',
    'connector.lockdown-gateway-coverage',
  ],
  'checklist.reject-direct-send': ['direct-send.reject-flag'],
  'checklist.safety-net-rule': ['rule.safety-net-missing', 'rule.safety-net-mode', 'rule.safety-net-order'],
  'checklist.email-authentication': [
    'dns.spf',
    'dns.dmarc-policy',
    'dns.dkim-selectors',
    'dkim.signing-enabled',
    'dns.dmarc-initial-domain',
  ],
  'checklist.antiphish': [
    'antiphish.spoof-intelligence',
    'antiphish.honor-dmarc',
    'antiphish.unauthenticated-action',
  ],
  'checklist.enhanced-filtering': ['ef.configured', 'ef.scope', 'ef.gateway-coverage'],
};
const MAPPED_ROWS = Object.entries(MAPPING);
/** The open-only row: the unified audit log is a prerequisite of monitoring, not proof of it. */
const OPEN_ONLY: Record<string, readonly string[]> = { 'checklist.monitoring': ['audit.unified-audit-log'] };
const EVERY_CHECK = [...Object.values(MAPPING).flat(), ...Object.values(OPEN_ONLY).flat()];

test('ten rows, in the guide order, with the guide wording', () => {
  const rows = buildChecklist([], [], { backup: false });
  expect(rows.map((r) => r.id)).toEqual([
    'checklist.direct-send-inventory',
    'checklist.backup',
    'checklist.connector-lockdown',
    'checklist.reject-direct-send',
    'checklist.safety-net-rule',
    'checklist.email-authentication',
    'checklist.antiphish',
    'checklist.enhanced-filtering',
    'checklist.tests',
    'checklist.monitoring',
  ]);
  expect(rows.map((r) => r.title.split(':')[0])).toEqual([
    'Direct Send sources inventoried',
    'Configuration backup taken',
    'Inbound connector with IP/certificate binding active',
    'Reject Direct Send enabled',
    'Transport rule (safety net) active',
    'SPF / DKIM / DMARC enforced',
    'Anti-phishing policy hardened',
    'Enhanced Filtering configured',
    'Tests performed',
    'Monitoring in place',
  ]);
  expect(rows.find((r) => r.id === 'checklist.tests')?.title).toMatch(/mxlock probe/);
});

test.each(MAPPED_ROWS)('%s rests on exactly the documented checks', (rowId, checks) => {
  const row = CHECKLIST_ROWS.find((r) => r.id === rowId);
  expect(row?.rule).toEqual({ kind: 'findings' });
  expect(CHECKLIST_CHECKS.get(row?.id ?? 'checklist.tests')).toEqual(checks);
});

test('the derived mapping is the whole documented table: no other row has checks', () => {
  expect(Object.fromEntries(CHECKLIST_CHECKS)).toEqual({ ...MAPPING, ...OPEN_ONLY });
  expect(CHECKLIST_ROWS.find((r) => r.id === 'checklist.monitoring')?.rule).toEqual({ kind: 'open-only' });
});

test('a findings row no check rests on is unknown, never done', () => {
  const rows = buildChecklist([f('direct-send.reject-flag', 'pass')], [], { backup: true }, new Map());
  for (const id of ['checklist.reject-direct-send', 'checklist.antiphish', 'checklist.monitoring'])
    expect(rows.find((r) => r.id === id)?.status, id).toBe('unknown');
});

describe('one mapped finding', () => {
  test.each([
    ['pass', 'done'],
    // An accepted risk is not a done item, and a waiver may hide a fail or an unknown.
    ['waived', 'unknown'],
    ['not-applicable', 'done'],
    ['info', 'done'],
    ['fail', 'open'],
    ['warn', 'open'],
    ['unknown', 'unknown'],
  ] as const)('%s → %s', (status, expected) => {
    expect(statusOf('checklist.reject-direct-send', [f('direct-send.reject-flag', status)])).toBe(expected);
  });

  test('absent → unknown', () => {
    expect(statusOf('checklist.reject-direct-send', [])).toBe('unknown');
    // A finding of another row does not count.
    expect(statusOf('checklist.reject-direct-send', [f('dns.spf', 'pass')])).toBe('unknown');
  });
});

describe('several mapped findings (email authentication)', () => {
  const ids = [...(MAPPING['checklist.email-authentication'] ?? [])];
  const [spf = '', dmarc = '', dkimDns = '', dkim = '', initial = ''] = ids;
  const all = (s: FindingStatus) => ids.map((id) => f(id, s));
  test.each([
    ['all pass', all('pass'), 'done'],
    [
      'pass, n/a, info',
      [f(spf, 'pass'), f(dmarc, 'pass'), f(dkimDns, 'not-applicable'), f(dkim, 'info'), f(initial, 'pass')],
      'done',
    ],
    [
      'pass, waived, n/a, info',
      [f(spf, 'pass'), f(dmarc, 'waived'), f(dkimDns, 'not-applicable'), f(dkim, 'info'), f(initial, 'pass')],
      'unknown',
    ],
    ['one fail', [...all('pass').slice(1), f(spf, 'fail')], 'open'],
    ['one warn', [...all('pass').slice(1), f(spf, 'warn')], 'open'],
    ['one unknown, rest pass', [...all('pass').slice(1), f(spf, 'unknown')], 'unknown'],
    [
      'one unknown and one fail',
      [f(spf, 'unknown'), f(dmarc, 'fail'), f(dkimDns, 'pass'), f(dkim, 'pass'), f(initial, 'pass')],
      'open',
    ],
    ['one check not run, rest pass', all('pass').slice(1), 'unknown'],
    ['all unknown', all('unknown'), 'unknown'],
    ['none', [], 'unknown'],
  ] as const)('%s → %s', (_name, findings, expected) => {
    expect(statusOf('checklist.email-authentication', [...findings])).toBe(expected);
  });
});

describe('unknown is never done', () => {
  // Generated from the mapping: every row, every position, every companion status.
  const cases = MAPPED_ROWS.flatMap(([rowId, checks]) =>
    checks.flatMap((unknownId) => ALL_STATUSES.map((others) => [rowId, unknownId, others] as const)),
  );
  test.each(cases)('%s with %s unknown and the others %s', (rowId, unknownId, others) => {
    const checks = MAPPING[rowId] ?? [];
    const status = statusOf(
      rowId,
      checks.map((id) => f(id, id === unknownId ? 'unknown' : others)),
    );
    expect(status).not.toBe('done');
    const problem = checks.length > 1 && (others === 'fail' || others === 'warn');
    expect(status).toBe(problem ? 'open' : 'unknown');
  });

  test('a duplicated finding id: any problem opens the row', () => {
    expect(
      statusOf('checklist.reject-direct-send', [
        f('direct-send.reject-flag', 'pass'),
        f('direct-send.reject-flag', 'fail'),
      ]),
    ).toBe('open');
  });
});

describe('rows not decided by the mapping rule', () => {
  test.each([
    [true, 'done'],
    [false, 'open'],
  ] as const)('backup present=%s → %s', (backup, expected) => {
    expect(statusOf('checklist.backup', [], backup)).toBe(expected);
  });

  test.each(ALL_STATUSES)('tests stay unknown when every check is %s', (status) => {
    expect(
      statusOf(
        'checklist.tests',
        EVERY_CHECK.map((id) => f(id, status)),
      ),
    ).toBe('unknown');
  });

  test.each([
    ['pass', 'unknown'],
    ['waived', 'unknown'],
    ['not-applicable', 'unknown'],
    ['info', 'unknown'],
    ['unknown', 'unknown'],
    ['fail', 'open'],
    ['warn', 'open'],
  ] as const)('monitoring with the unified audit log %s → %s', (status, expected) => {
    expect(statusOf('checklist.monitoring', [f('audit.unified-audit-log', status)])).toBe(expected);
  });

  test('monitoring without the audit-log finding is unknown', () => {
    expect(statusOf('checklist.monitoring', [])).toBe('unknown');
  });
});
