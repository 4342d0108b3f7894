/**
 * Re-running a stage and rolling back. An earlier stage never undoes what a later stage of the plan sets on the same
 * object (stage 0 creates a device connector unrestricted, stage 2 restricts it: re-running stage-0.ps1 afterwards
 * must not refuse the device with 5.7.51, CON-5 [D]; stage 1's audit mode must not undo stage 4's Enforce, TR-3 [D]).
 * A connector property the export held as null is rolled back to $null (eop-model §8.1 [C] S44), so rollback does not
 * leave a certificate name on an IP connector (CON-3 [D]).
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { simulatePaths } from '../../src/assess.js';
import { buildPlan, planChanges, renderPlanFiles } from '../../src/plan/index.js';
import { applyAll, revertAll } from '../../src/plan/model.js';
import type { Change, Stage } from '../../src/plan/types.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, partner, tenant } from './builders.js';

const GATEWAY = makeGateway({ name: 'Example SEG', ips: ['203.0.113.10'], certificate: '*.gw.example' });
const PRINTER: Profile = {
  ...EMPTY_PROFILE,
  directSendSources: [{ name: 'HQ printer', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] }],
};
const DEVICE = 'mxlock - Direct Send: HQ printer';

/** The gateway's connector 'SEG', listing its IP, RequireTls $true, restricting nothing yet. */
const seg = (props: Record<string, unknown> = {}) => partner('SEG', { RequireTls: true, ...props });

function planned() {
  const snapshot = tenant([seg()]);
  const draft = planChanges({ snapshot, profile: PRINTER, gateway: GATEWAY });
  expect(draft.blocked).toBeUndefined();
  const checked = checkStages({ snapshot, profile: PRINTER, gateway: GATEWAY, stages: draft.stages });
  expect(checked.plan.refusal).toBeUndefined();
  return { snapshot, stages: draft.stages, checked, files: renderPlanFiles(checked) };
}

const changesUpTo = (stages: Stage[], last: number): Change[] =>
  stages.filter((s) => s.no <= last).flatMap((s) => s.changes);
const connector = (s: Snapshot, name: string) =>
  (s.data['Get-InboundConnector'] ?? []).find((c) => c.Name === name);
const rule = (s: Snapshot) => (s.data['Get-TransportRule'] ?? [])[0];
const printerPath = (s: Snapshot) =>
  simulatePaths(s, PRINTER, GATEWAY).find((p) => p.id === 'path.declared-source:HQ printer')?.status;

describe('an earlier stage never undoes a later one', () => {
  test('stage 0 re-applied after stage 2 leaves the device connector restricted (model)', () => {
    const { snapshot, stages } = planned();
    const device = stages[0]!.changes.find((c) => c.identity === DEVICE);
    expect(device?.creates).toBe(true);
    expect(device?.ownedLater).toEqual({ RestrictDomainsToIPAddresses: { stage: 2, value: true } });
    const afterStage2 = applyAll(snapshot, changesUpTo(stages, 2));
    expect(connector(afterStage2, DEVICE)?.RestrictDomainsToIPAddresses).toBe(true);
    // No dns.json here: the printer's mail is accepted at RCPT and delivered whether it authenticates or not (the MX
    // elsewhere suppresses spoof enforcement, MX-6.1): preserved, not broken.
    expect(printerPath(afterStage2)).toBe('preserved');
    const rerun = applyAll(afterStage2, stages[0]!.changes);
    expect(connector(rerun, DEVICE)?.RestrictDomainsToIPAddresses).toBe(true);
    expect(printerPath(rerun)).toBe('preserved');
    // Rollback still removes what stage 0 created.
    const back = revertAll(rerun, changesUpTo(stages, 2), snapshot);
    expect(connector(back, DEVICE)).toBeUndefined();
  });

  test("stage-0.ps1's update branch and verification leave RestrictDomainsToIPAddresses to stage 2", () => {
    const { files } = planned();
    const script = files['stage-0.ps1']!;
    expect(script).toContain(
      '# RestrictDomainsToIPAddresses: stage 2 owns it (sets true); left alone once it has',
    );
    expect(script).toContain(
      "  if (($o.RestrictDomainsToIPAddresses -ne $false) -and ($o.RestrictDomainsToIPAddresses -ne $true)) { $set['RestrictDomainsToIPAddresses'] = $false }",
    );
    expect(script).not.toContain(
      "if ($o.RestrictDomainsToIPAddresses -ne $false) { $set['RestrictDomainsToIPAddresses'] = $false }",
    );
    // The object does not exist on the first run: it is created as the plan says (the later stage has not run yet).
    expect(script).toMatch(
      /New-InboundConnector -Name 'mxlock - Direct Send: HQ printer' .*-RestrictDomainsToIPAddresses \$false/,
    );
    // Verification accepts stage 2's value, so a re-run does not report "not as planned".
    expect(script).toContain(
      '(($o.RestrictDomainsToIPAddresses -ne $false) -and ($o.RestrictDomainsToIPAddresses -ne $true))',
    );
    // The rollback restores the export, whatever later stages set: no "owned" condition there.
    expect(files['rollback.ps1']).not.toContain('owns it');
  });

  test('stage 1 re-applied after stage 4 leaves the safety net in Enforce (model and script)', () => {
    const { snapshot, stages, files } = planned();
    const net = stages[1]!.changes[0]!;
    expect(net.ownedLater).toEqual({ Mode: { stage: 4, value: 'Enforce' } });
    const afterStage4 = applyAll(snapshot, changesUpTo(stages, 4));
    expect(rule(afterStage4)?.Mode).toBe('Enforce');
    expect(rule(applyAll(afterStage4, stages[1]!.changes))?.Mode).toBe('Enforce');
    expect(files['stage-1.ps1']).toContain(
      `  if (("$($o.Mode)" -ne 'AuditAndNotify') -and ("$($o.Mode)" -ne 'Enforce')) { $set['Mode'] = 'AuditAndNotify' }`,
    );
  });

  test("an existing object already holding the later stage's value is not changed by the earlier stage", () => {
    // The safety net exists, disabled, in Enforce: stage 1 enables it, and leaves Mode to stage 4, which owns it (the
    // script could not tell this first run from a re-run after stage 4, where setting the audit mode would undo it).
    const snapshot = tenant([seg()], {
      'Get-TransportRule': [
        {
          Name: 'mxlock - BLOCK direct EOP ingress (bypass SEG)',
          State: 'Disabled',
          Mode: 'Enforce',
          Priority: 0,
          FromScope: 'NotInOrganization',
          RejectMessageEnhancedStatusCode: '5.7.1',
          ExceptIfSenderIpRanges: ['203.0.113.10', '192.0.2.50'],
        },
      ],
    });
    const draft = planChanges({ snapshot, profile: PRINTER, gateway: GATEWAY });
    const net = draft.stages[1]!.changes[0]!;
    expect(net.after['State']).toBe('Enabled');
    expect(draft.stages.flatMap((s) => s.changes).filter((c) => 'Mode' in c.after)).toEqual([]);
  });
});

describe('rollback of a property the export held as null', () => {
  const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
  const NOW = new Date('2026-11-28T00:00:00Z');

  test('examples/wide-open in certificate mode: TlsSenderCertificateName rolls back to $null', async () => {
    const e = await assessExport(join(EXAMPLES, 'wide-open'), { offline: true, now: NOW });
    const base = e.profile ?? EMPTY_PROFILE;
    const profile: Profile = { ...base, gateway: { ...base.gateway!, certificate: '*.mimecast.com' } };
    const gateway = resolveGateway(profile, e.snapshot);
    const built = buildPlan({
      snapshot: e.snapshot,
      profile,
      gateway,
      report: e.report,
      zone: e.snapshot.dns,
      now: NOW,
    });
    if (!built.ok) throw new Error(built.reason);
    const lockdown = built.checked.plan.stages[2]!.changes.find(
      (c) => 'TlsSenderCertificateName' in c.after,
    )!;
    expect(lockdown.after).toMatchObject({
      TlsSenderCertificateName: '*.mimecast.com',
      SenderIPAddresses: [],
    });
    expect(lockdown.before['TlsSenderCertificateName']).toBeUndefined();
    expect(lockdown.rollbackToNull).toEqual(['TlsSenderCertificateName']);
    const files = renderPlanFiles(built.checked);
    const rollback = files['rollback.ps1']!;
    expect(rollback).not.toContain('# TlsSenderCertificateName: not in the export, left as it is now');
    expect(rollback).toContain('# TlsSenderCertificateName: null in the export, cleared again');
    expect(rollback).toContain(
      `  if (-not [string]::IsNullOrEmpty("$($o.TlsSenderCertificateName)")) { $set['TlsSenderCertificateName'] = $null }`,
    );
    expect(files['plan.md']).toMatch(
      /\| TlsSenderCertificateName \| \(not in the export\) \| \\\*\.mimecast\.com \| \(null\) \|/,
    );
    // The model agrees: rollback gives the export back, the name absent (null) again.
    const all = built.checked.plan.stages.flatMap((s) => s.changes);
    const back = revertAll(applyAll(e.snapshot, all), all, e.snapshot);
    expect(back.data['Get-InboundConnector']).toEqual(e.snapshot.data['Get-InboundConnector']);
  });

  test('a connector with no IPs keeps "left as it is now": its prior name is unknown, not null', () => {
    const snapshot = tenant([seg({ SenderIPAddresses: [] })]);
    const draft = planChanges({ snapshot, profile: EMPTY_PROFILE, gateway: GATEWAY });
    const lockdown = draft.stages[2]!.changes.find((c) => 'TlsSenderCertificateName' in c.after)!;
    expect(lockdown.rollbackToNull).toBeUndefined();
  });
});
