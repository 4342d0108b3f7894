import { describe, expect, test } from 'vitest';
import { EXPORT_IMPACT, check } from '../../../src/checks/step0/inventory.snapshot-complete.js';
import { CMDLETS, CMDLET_NAMES, type CmdletName } from '../../../src/snapshot/schema.js';
import { SCUBAGEAR_ORG_CONFIG, evidenceText, run, type ContextInput } from '../helpers.js';
import { hardenedData } from '../../fixtures/checks/seg-tenant.js';

function without(...names: CmdletName[]): ContextInput {
  return { data: hardenedData(), omit: names };
}

const REQUIRED = CMDLET_NAMES.filter((n) => CMDLETS[n].required);
const OPTIONAL = CMDLET_NAMES.filter((n) => !CMDLETS[n].required);

describe('inventory.snapshot-complete', () => {
  test('pass when every export is present', () => {
    const out = run(check, without());
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(`all ${CMDLET_NAMES.length} exports present`);
  });

  test('a required export the source tool exported only in part (ScubaGear) fails, naming what it lacks', () => {
    const out = run(check, { ...without(), partial: SCUBAGEAR_ORG_CONFIG });
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain(
      'Get-OrganizationConfig is only partly in the export: ScubaGear exports only Name, DisplayName, AuditDisabled; checks reading other properties are unknown: direct-send.reject-flag',
    );
    expect(out.remediation?.powershell).toContain(
      'ConvertTo-Json -InputObject @(Get-OrganizationConfig) -Depth 6',
    );
  });

  test.each(REQUIRED)('fail when required %s is missing, naming the checks that become unknown', (name) => {
    const out = run(check, without(name));
    expect(out.status).toBe('fail');
    const text = evidenceText(out);
    expect(text).toContain(`${name}.json was not exported`);
    for (const id of EXPORT_IMPACT[name].checks) expect(text).toContain(id);
    expect(out.remediation?.powershell).toContain(`ConvertTo-Json -InputObject @(${name}) -Depth 6`);
  });

  test.each(OPTIONAL)('info when only optional %s is missing', (name) => {
    const out = run(check, without(name));
    expect(out.status).toBe('info');
    expect(evidenceText(out)).toContain(`optional ${name}.json was not exported`);
  });

  test('a required and an optional file missing: fail, both listed', () => {
    const out = run(check, without('Get-InboundConnector', 'Get-OutboundConnector'));
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain('Get-InboundConnector.json was not exported');
    expect(evidenceText(out)).toContain('optional Get-OutboundConnector.json was not exported');
  });

  test('an export present but empty ([]) counts as present', () => {
    const out = run(check, { data: { ...hardenedData(), 'Get-TransportRule': [] } });
    expect(out.status).toBe('pass');
  });

  test('nothing exported: fail listing every required file', () => {
    const out = run(check, { data: {} });
    expect(out.status).toBe('fail');
    const requiredLines = out.evidence.filter((l) =>
      REQUIRED.some((n) => l.startsWith(`${n}.json was not exported`)),
    );
    expect(requiredLines).toHaveLength(REQUIRED.length);
  });
});
