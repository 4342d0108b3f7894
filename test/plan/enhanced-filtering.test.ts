/**
 * Stage 5 Enhanced Filtering: test mode is turned off with the pilot list, so after the plan ef.scope passes and the
 * simulator applies EF (EFTestMode: "reserved for internal Microsoft use", eop-model §2.2 [D] S8; ORCA reads test
 * mode as "EF not applied", EF-3 [C] S45).
 */
import { describe, expect, test } from 'vitest';
import { check as efScope } from '../../src/checks/step5/ef.scope.js';
import { CHECKS } from '../../src/checks/registry.js';
import { buildTenant } from '../../src/model/tenant.js';
import { planChanges } from '../../src/plan/index.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, partner, tenant } from './builders.js';

const GATEWAY = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10'] });

/** The IP lock-down 'From SEG' with Enhanced Filtering on the gateway's IP and `ef` on top; RejectDirectSend on. */
function efTenant(ef: Record<string, unknown>): Snapshot {
  return tenant(
    [
      partner('From SEG', {
        RestrictDomainsToIPAddresses: true,
        RequireTls: true,
        EFSkipIPs: ['203.0.113.10'],
        EFSkipLastIP: false,
        ...ef,
      }),
    ],
    { 'Get-OrganizationConfig': [{ Name: 'contoso', RejectDirectSend: true }] },
  );
}

function planned(snapshot: Snapshot) {
  const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY });
  expect(draft.blocked).toBeUndefined();
  const checked = checkStages({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY, stages: draft.stages });
  const ef = draft.stages[5]!.changes.find((c) => c.title.startsWith('Enhanced Filtering'));
  return { ef, checked };
}

const scopeOf = (s: Snapshot) =>
  efScope.evaluate({
    snapshot: s,
    tenant: buildTenant(s),
    profile: EMPTY_PROFILE,
    gateway: GATEWAY,
    dns: undefined,
    paths: [],
    catalog: CHECKS,
  });

describe('stage 5 turns Enhanced Filtering test mode off', () => {
  test('EFTestMode true with a pilot list: both cleared, ef.scope passes after the plan', () => {
    const snapshot = efTenant({ EFUsers: ['pilot@contoso.com'], EFTestMode: true });
    expect(scopeOf(snapshot).status).toBe('warn');
    const { ef, checked } = planned(snapshot);
    expect(ef?.after).toEqual({ EFUsers: [], EFTestMode: false });
    expect(ef?.before).toEqual({ EFUsers: ['pilot@contoso.com'], EFTestMode: true });
    expect(ef?.why.join('\n')).toContain('reserved for internal Microsoft use (§2.2 [D] S8)');
    expect(ef?.why.join('\n')).toContain('"Enhanced Filtering not applied" (EF-3 [C] S45)');
    expect(scopeOf(checked.afterSnapshot).status).toBe('pass');
    // The simulator no longer reads EF as not applied on the gateway's mail.
    const gatewayPath = checked.after.find((p) => p.id === 'path.gateway-delivery');
    expect(gatewayPath?.evidence.join('\n')).not.toContain('test mode');
  });

  test('EFTestMode already false: not part of the change', () => {
    const { ef } = planned(efTenant({ EFUsers: ['pilot@contoso.com'], EFTestMode: false }));
    expect(ef?.after).toEqual({ EFUsers: [] });
    expect(ef?.why.join('\n')).not.toContain('EFTestMode');
  });
});
