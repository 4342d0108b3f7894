import { describe, expect, test } from 'vitest';
import type { CheckOutcome } from '../../src/checks/types.js';
import { worst } from '../../src/checks/util.js';
import { worstStatus } from '../../src/dns/findings.js';

type Status = CheckOutcome['status'];

describe('worst: fail > warn > unknown > info > pass > not-applicable', () => {
  test.each<[Status[], Status]>([
    [['pass'], 'pass'],
    [['pass', 'info'], 'info'],
    [['info', 'pass', 'unknown'], 'unknown'],
    [['unknown', 'warn'], 'warn'],
    [['warn', 'fail', 'unknown'], 'fail'],
    [['not-applicable', 'pass'], 'pass'],
    [['not-applicable'], 'not-applicable'],
    [['not-applicable', 'info'], 'info'],
  ])('%j → %s', (statuses, expected) => {
    expect(worst(statuses)).toBe(expected);
  });

  test('no statuses gives `empty` (pass unless told)', () => {
    expect(worst([])).toBe('pass');
    expect(worst([], 'unknown')).toBe('unknown');
  });
});

describe('dns worstStatus differs on info only (info is a note beside a DNS verdict)', () => {
  test.each<[Status[], Status, Status]>([
    [['pass', 'info'], 'pass', 'info'],
    [['info'], 'info', 'info'],
    [['info', 'not-applicable'], 'info', 'info'],
    [['pass', 'warn', 'info'], 'warn', 'warn'],
    [['unknown', 'pass'], 'unknown', 'unknown'],
    [['fail', 'info'], 'fail', 'fail'],
  ])('%j → dns %s, checks %s', (statuses, dns, checks) => {
    expect(worstStatus(statuses)).toBe(dns);
    expect(worst(statuses)).toBe(checks);
  });
});
