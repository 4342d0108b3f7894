import { describe, expect, test } from 'vitest';
import {
  CHECK_STATUS_ORDER,
  DNS_STATUS_ORDER,
  rank,
  SEVERITY_ORDER,
  worstBy,
  type VerdictStatus,
} from '../../src/common/order.js';

describe('worstBy', () => {
  const check = worstBy(CHECK_STATUS_ORDER, 'pass');
  const dns = worstBy(DNS_STATUS_ORDER, 'pass');
  test.each<[string, VerdictStatus[], VerdictStatus, VerdictStatus]>([
    ['none', [], 'pass', 'pass'],
    ['fail beats everything', ['pass', 'unknown', 'fail', 'warn'], 'fail', 'fail'],
    ['unknown blocks a pass', ['pass', 'unknown'], 'unknown', 'unknown'],
    ['info outranks pass for a check, not for DNS', ['pass', 'info'], 'info', 'pass'],
    ['not-applicable is last', ['not-applicable', 'pass'], 'pass', 'pass'],
  ])('%s', (_name, statuses, forCheck, forDns) => {
    expect(check(statuses)).toBe(forCheck);
    expect(dns(statuses)).toBe(forDns);
  });

  test('the answer for none can be given per call', () => {
    expect(check([], 'not-applicable')).toBe('not-applicable');
  });
});

test('rank puts a value missing from the order last', () => {
  expect(rank(SEVERITY_ORDER, 'critical')).toBe(0);
  expect(rank(SEVERITY_ORDER, 'info')).toBe(4);
  expect(rank<string>(SEVERITY_ORDER, 'other')).toBe(SEVERITY_ORDER.length);
});
