/**
 * `mxlock diff`: how findings, paths and the verdict moving between two exports are judged (issue 12 item 6). Unknown
 * is never safe (DESIGN §1.1): safe → unknown is a regression, unknown → safe an improvement.
 */
import { describe, expect, test } from 'vitest';
import { compareFindings, comparePaths } from '../../src/diff/compare.js';
import type { Drift } from '../../src/diff/drift.js';
import type { FindingStatus, Severity } from '../../src/common/order.js';
import type { PathKind, PathStatus } from '../../src/model/types.js';
import type { ReportFinding, ReportPath } from '../../src/report/model.js';

function finding(status: FindingStatus, severity: Severity = 'high'): ReportFinding {
  return {
    id: 'direct-send.reject-flag',
    status,
    severity,
    step: 1,
    title: 'RejectDirectSend is on',
    evidence: [],
    remediation: { powershell: 'Set-OrganizationConfig -RejectDirectSend $true', portal: '-' },
    references: [],
    benchmarks: [],
  };
}

function path(status: PathStatus, kind: PathKind = 'attack', id = 'path.direct-send-own-domain'): ReportPath {
  return { id, kind, status, outcome: { stage: 'rcpt', disposition: 'rejected' }, evidence: [] };
}

describe('compareFindings', () => {
  test.each<[FindingStatus, FindingStatus, Drift | undefined]>([
    ['pass', 'fail', 'regression'],
    ['pass', 'warn', 'regression'],
    ['not-applicable', 'fail', 'regression'],
    ['info', 'warn', 'regression'],
    ['warn', 'fail', 'regression'],
    ['fail', 'warn', 'improvement'],
    ['fail', 'pass', 'improvement'],
    ['warn', 'not-applicable', 'improvement'],
    // Unknown is never safe.
    ['pass', 'unknown', 'regression'],
    ['unknown', 'pass', 'improvement'],
    ['unknown', 'fail', 'regression'],
    ['fail', 'unknown', 'change'],
    // An accepted risk is neither better nor worse.
    ['fail', 'waived', 'change'],
    ['waived', 'pass', 'change'],
    // Within the safe statuses nothing moved that matters.
    ['info', 'pass', undefined],
    ['pass', 'not-applicable', undefined],
    ['fail', 'fail', undefined],
  ])('%s → %s: %s', (before, after, drift) => {
    const entries = compareFindings([finding(before)], [finding(after)]);
    expect(entries.map((e) => e.drift)).toEqual(drift ? [drift] : []);
    if (drift) expect(entries[0]).toMatchObject({ kind: 'finding', id: 'direct-send.reject-flag' });
  });

  test('a failing finding that became more severe is a regression, less severe an improvement', () => {
    const worse = compareFindings([finding('fail', 'high')], [finding('fail', 'critical')]);
    expect(worse).toEqual([
      {
        kind: 'finding',
        id: 'direct-send.reject-flag',
        before: 'fail (high)',
        after: 'fail (critical)',
        drift: 'regression',
      },
    ]);
    expect(compareFindings([finding('warn', 'high')], [finding('warn', 'low')])[0]?.drift).toBe(
      'improvement',
    );
    // The severity of a passing check says nothing.
    expect(compareFindings([finding('pass', 'high')], [finding('pass', 'low')])).toEqual([]);
  });
});

describe('comparePaths', () => {
  test.each<[PathKind, PathStatus, PathStatus, Drift | undefined]>([
    ['attack', 'closed', 'open', 'regression'],
    ['attack', 'mitigated', 'open', 'regression'],
    ['attack', 'closed', 'uncertain', 'regression'],
    ['attack', 'mitigated', 'uncertain', 'regression'],
    // Refused in the SMTP session, then only after acceptance: weaker.
    ['attack', 'closed', 'mitigated', 'regression'],
    ['attack', 'open', 'closed', 'improvement'],
    ['attack', 'uncertain', 'mitigated', 'improvement'],
    ['attack', 'uncertain', 'open', 'regression'],
    // Open to uncertain proves nothing safe.
    ['attack', 'open', 'uncertain', 'change'],
    ['residual', 'closed', 'open', 'regression'],
    ['legitimate', 'preserved', 'broken', 'regression'],
    ['legitimate', 'preserved', 'uncertain', 'regression'],
    ['legitimate', 'broken', 'preserved', 'improvement'],
    ['legitimate', 'broken', 'uncertain', 'change'],
    ['attack', 'open', 'open', undefined],
  ])('%s path %s → %s: %s', (kind, before, after, drift) => {
    const entries = comparePaths([path(before, kind)], [path(after, kind)]);
    expect(entries.map((e) => e.drift)).toEqual(drift ? [drift] : []);
  });

  test('a path on one side only: new and broken is a regression, new and preserved or gone a change', () => {
    const added = comparePaths([], [path('broken', 'legitimate', 'path.connector:Fax')]);
    expect(added).toEqual([
      {
        kind: 'path',
        id: 'path.connector:Fax',
        before: 'absent',
        after: 'broken (legitimate)',
        drift: 'regression',
      },
    ]);
    expect(comparePaths([], [path('preserved', 'legitimate', 'path.connector:Fax')])[0]?.drift).toBe(
      'change',
    );
    expect(comparePaths([path('preserved', 'legitimate', 'path.connector:Fax')], [])[0]).toMatchObject({
      after: 'absent',
      drift: 'change',
    });
  });
});
