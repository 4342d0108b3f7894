/** Which connector the plan turns into the lock-down (model/gateway-connector.ts ranking, planner.gatewayConnector). */
import { expect, test } from 'vitest';
import { planChanges } from '../../src/plan/index.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import { makeGateway } from '../checks/helpers.js';
import { partner, tenant } from './builders.js';

const GATEWAY = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10', '198.51.100.0/28'] });

/** A Partner connector listing both of the gateway's entries. */
const seg = (name: string, props: Record<string, unknown> = {}) =>
  partner(name, { SenderIPAddresses: ['203.0.113.10', '198.51.100.0/28'], ...props });

const OTHER_IPS = { SenderIPAddresses: ['192.0.2.1'] };

/** The connector stage 2 restricts, and what it sets there. */
function lockdownTarget(connectors: Record<string, unknown>[]) {
  const draft = planChanges({ snapshot: tenant(connectors), profile: EMPTY_PROFILE, gateway: GATEWAY });
  const stage2 = draft.stages.find((s) => s.no === 2)?.changes.filter((c) => c.kind === 'InboundConnector');
  expect(stage2).toHaveLength(1);
  return { identity: stage2![0]!.identity, after: stage2![0]!.after };
}

test.each<[string, Record<string, unknown>[], string]>([
  ['the enabled connector that matches the gateway', [seg('SEG')], 'SEG'],
  [
    'among enabled matches the restricting one, not the first in export order',
    [seg('Attribution only'), seg('Lock-down', { RestrictDomainsToIPAddresses: true })],
    'Lock-down',
  ],
  [
    'a disabled match before an enabled lock-down the gateway does not match',
    [
      seg('Other lock-down', { ...OTHER_IPS, RestrictDomainsToIPAddresses: true }),
      seg('Old SEG', { Enabled: false }),
    ],
    'Old SEG',
  ],
  [
    'among disabled matches the restricting one, not the first in export order',
    [
      seg('Old attribution', { Enabled: false }),
      seg('Old lock-down', { Enabled: false, RestrictDomainsToIPAddresses: true }),
    ],
    'Old lock-down',
  ],
  [
    'with no match, the enabled lock-down before a disabled one',
    [
      seg('Disabled lock-down', { ...OTHER_IPS, Enabled: false, RestrictDomainsToIPAddresses: true }),
      seg('Other lock-down', { ...OTHER_IPS, RestrictDomainsToIPAddresses: true }),
    ],
    'Other lock-down',
  ],
  [
    'a disabled match is reused (and re-enabled) rather than duplicated',
    [seg('Old SEG', { Enabled: false })],
    'Old SEG',
  ],
  [
    'a * connector that neither matches nor restricts is left alone: a new connector is created',
    [seg('Someone else', OTHER_IPS)],
    'mxlock - From Example SEG',
  ],
])('%s', (_name, connectors, identity) => {
  const target = lockdownTarget(connectors);
  expect(target.identity).toBe(identity);
  expect(target.after['RestrictDomainsToIPAddresses'] ?? true).toBe(true);
});

test('the re-enabled connector gets Enabled = true', () => {
  expect(lockdownTarget([seg('Old SEG', { Enabled: false })]).after['Enabled']).toBe(true);
});
