/**
 * Issue 13 item 4: `Set-OrganizationConfig -RejectDirectSend` is reported to fail in Windows PowerShell 5.1 with
 * "Unable to find type [short]" (eop-model §13 [C]). The scripts that write it stop in 5.1 before they change anything,
 * with what to do; the others say they run in both.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { buildPlan, renderPlanFiles } from '../../src/plan/index.js';
import { rollbackPowerShell7, stagePowerShell7 } from '../../src/plan/render.js';
import type { Change } from '../../src/plan/types.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { EMPTY_PROFILE } from '../../src/profile/schema.js';
import { readValue, tokenize, type PsToken } from '../support/ps-tokenizer.js';
import { GATEWAY_IP, partner, planExportOffline, tenant } from './builders.js';

const NOW = new Date('2026-11-28T00:00:00Z');
const GUARD = 'if ($PSVersionTable.PSVersion.Major -lt 7) {';

async function planFiles(name: string) {
  const dir = join(import.meta.dirname, '..', '..', 'examples', name);
  return renderPlanFiles((await planExportOffline(dir, NOW)).checked);
}

/** The code tokens of a script (comments dropped), after its BOM. */
const code = (text: string): PsToken[] => tokenize(text.slice(1)).filter((t) => t.kind !== 'comment');
const indexOfWord = (tokens: readonly PsToken[], value: string) =>
  tokens.findIndex((t) => t.kind === 'word' && t.value === value);

describe('examples/wide-open: stage 3 sets RejectDirectSend', async () => {
  const files = await planFiles('wide-open');
  const stage3 = files['stage-3.ps1']!;

  test('stage 3 checks for PowerShell 7 before the session check and any change, with a clear message', () => {
    expect(stage3).toContain(GUARD);
    expect(stage3).toContain('Set-OrganizationConfig');
    const tokens = code(stage3);
    const guard = tokens.findIndex((t) => t.kind === 'variable' && t.value === 'PSVersionTable');
    const stop = indexOfWord(tokens, 'throw');
    const session = indexOfWord(tokens, 'Get-OrganizationConfig');
    expect(guard).toBeGreaterThan(0);
    expect(stop).toBeGreaterThan(guard);
    expect(session).toBeGreaterThan(stop);
    const message = readValue(tokens, stop + 1).value;
    expect(message).toContain('Set-OrganizationConfig -RejectDirectSend');
    expect(message).toContain(
      'Windows PowerShell 5.1 is reported to fail on with "Unable to find type [short]"',
    );
    expect(message).toContain('Nothing was changed. Run it in PowerShell 7 (pwsh)');
    expect(message).toContain('No admin-center switch for RejectDirectSend is documented');
  });

  test('its description says it needs PowerShell 7', () => {
    expect(stage3).toContain(
      'Needs PowerShell 7 (pwsh): Set-OrganizationConfig -RejectDirectSend is reported to fail',
    );
  });

  test('the other stage scripts run in both, without the check', () => {
    for (const [name, text] of Object.entries(files)) {
      if (!name.endsWith('.ps1') || name === 'stage-3.ps1' || name === 'rollback.ps1') continue;
      expect(text, name).not.toContain('$PSVersionTable');
      expect(text, name).toContain('Runs in Windows PowerShell 5.1 or PowerShell 7.');
    }
  });

  test('the rollback writes RejectDirectSend back to false, so it checks for PowerShell 7 first', () => {
    const rollback = files['rollback.ps1']!;
    expect(rollback).toContain(GUARD);
    expect(rollback).toContain("$set['RejectDirectSend'] = $false");
    const tokens = code(rollback);
    expect(indexOfWord(tokens, 'throw')).toBeLessThan(indexOfWord(tokens, 'Get-OrganizationConfig'));
  });
});

describe('a tenant whose export lacks RejectDirectSend (an old module)', () => {
  const snapshot = tenant([partner('From SEG')], {
    'Get-OrganizationConfig': [{ Name: 'contoso' }],
  });
  const profile = {
    ...EMPTY_PROFILE,
    gateway: { name: 'SEG', ips: [GATEWAY_IP], certificateUnique: false, dkimSelectors: [] },
  };
  const { report } = assessSnapshot(snapshot, { profile });
  const built = buildPlan({ snapshot, profile, gateway: resolveGateway(profile, snapshot), report });
  if (!built.ok) throw new Error(built.reason);
  const files = renderPlanFiles(built.checked);

  test('stage 3 still checks; the rollback leaves RejectDirectSend as it is and runs in both', () => {
    expect(files['stage-3.ps1']).toContain(GUARD);
    const rollback = files['rollback.ps1']!;
    expect(rollback).toContain('# RejectDirectSend: not in the export, left as it is now');
    expect(rollback).not.toContain('$PSVersionTable');
    expect(rollback).toContain('Runs in Windows PowerShell 5.1 or PowerShell 7.');
  });
});

describe('which writes need PowerShell 7', () => {
  const change = (over: Partial<Change>): Change => ({
    id: 'OrganizationConfig::RejectDirectSend',
    stage: 3,
    title: 'Set-OrganizationConfig -RejectDirectSend $true',
    why: [],
    kind: 'OrganizationConfig',
    identity: '',
    creates: false,
    before: { RejectDirectSend: false },
    after: { RejectDirectSend: true },
    ...over,
  });

  test('a stage that sets RejectDirectSend; not one that sets another property', () => {
    expect(stagePowerShell7([change({})])).toEqual(['Set-OrganizationConfig -RejectDirectSend']);
    expect(stagePowerShell7([change({ after: { AuditDisabled: false } })])).toEqual([]);
    expect(
      stagePowerShell7([change({ kind: 'InboundConnector', after: { RejectDirectSend: true } })]),
    ).toEqual([]);
  });

  test('a rollback only when it writes RejectDirectSend back (the export held it, or null to clear)', () => {
    expect(rollbackPowerShell7([change({})])).toEqual(['Set-OrganizationConfig -RejectDirectSend']);
    expect(rollbackPowerShell7([change({ before: { RejectDirectSend: undefined } })])).toEqual([]);
    expect(
      rollbackPowerShell7([
        change({ before: { RejectDirectSend: undefined }, rollbackToNull: ['RejectDirectSend'] }),
      ]),
    ).toEqual(['Set-OrganizationConfig -RejectDirectSend']);
  });
});
