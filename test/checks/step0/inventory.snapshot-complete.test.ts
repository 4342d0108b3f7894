import { psExportLine, SAVE_EXPORT_FUNCTION } from '../../../src/powershell/export-script.js';
import { describe, expect, test } from 'vitest';
import { readersOf } from '../../../src/checks/catalog.js';
import { CHECKS } from '../../../src/checks/registry.js';
import { EXPORT_PATHS, check } from '../../../src/checks/step0/inventory.snapshot-complete.js';
import type { CheckDeclaration, CheckOutcome } from '../../../src/checks/types.js';
import { CMDLETS, CMDLET_NAMES, type CmdletName } from '../../../src/snapshot/schema.js';
import { SCUBAGEAR_ORG_CONFIG, evidenceText, makeContext, run, type ContextInput } from '../helpers.js';
import { hardenedData } from '../../fixtures/checks/seg-tenant.js';

function without(...names: CmdletName[]): ContextInput {
  return { data: hardenedData(), omit: names };
}

/** A context with DNS analysed (the recorded zone and its analysis), unless `dns: false`. */
function evaluate(
  input: ContextInput,
  opts: { dns?: boolean; catalog?: readonly CheckDeclaration[] } = {},
): CheckOutcome {
  const ctx = makeContext({ ...input, dns: opts.dns === false ? undefined : {} });
  return check.evaluate({
    ...ctx,
    dnsReport: opts.dns === false ? undefined : { source: 'recorded answers (dns.json)', domains: [] },
    ...(opts.catalog ? { catalog: opts.catalog } : {}),
  });
}

const REQUIRED = CMDLET_NAMES.filter((n) => CMDLETS[n].required);
const OPTIONAL = CMDLET_NAMES.filter((n) => !CMDLETS[n].required);

describe('inventory.snapshot-complete', () => {
  test('pass when every export is present', () => {
    const out = evaluate(without());
    expect(out.status).toBe('pass');
    expect(evidenceText(out)).toContain(`all ${CMDLET_NAMES.length} exports present`);
  });

  test('a required export the source tool exported only in part (ScubaGear) fails, naming what it lacks', () => {
    const out = run(check, { ...without(), partial: SCUBAGEAR_ORG_CONFIG });
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain(
      'Get-OrganizationConfig is only partly in the export: ScubaGear exports only Name, DisplayName, AuditDisabled; checks reading other properties are unknown: direct-send.reject-flag',
    );
    expect(out.remediation?.powershell).toContain(psExportLine('Get-OrganizationConfig'));
  });

  test.each(REQUIRED)('fail when required %s is missing, naming the checks that become unknown', (name) => {
    const out = evaluate(without(name));
    expect(out.status).toBe('fail');
    const text = evidenceText(out);
    expect(text).toContain(`${name}.json was not exported`);
    const line = out.evidence.find((l) => l.startsWith(`${name}.json was not exported`)) ?? '';
    // The checks named are the ones whose declarations read the export (src/checks/catalog.ts), and the paths it feeds.
    expect(line).toContain(`checks left unknown or partial: ${readersOf(CHECKS, name).join(', ')};`);
    expect(line).toContain(`paths affected: ${EXPORT_PATHS[name]}`);
    expect(out.remediation?.powershell).toContain(psExportLine(name));
    expect(out.remediation?.powershell).toContain(SAVE_EXPORT_FUNCTION.join('\n'));
  });

  test.each(OPTIONAL)('info when only optional %s is missing', (name) => {
    const out = evaluate(without(name));
    expect(out.status).toBe('info');
    expect(evidenceText(out)).toContain(`optional ${name}.json was not exported`);
  });

  test('a required and an optional file missing: fail, both listed', () => {
    const out = evaluate(without('Get-InboundConnector', 'Get-OutboundConnector'));
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain('Get-InboundConnector.json was not exported');
    expect(evidenceText(out)).toContain('optional Get-OutboundConnector.json was not exported');
  });

  test('an export present but empty ([]) counts as present', () => {
    const out = evaluate({ data: { ...hardenedData(), 'Get-TransportRule': [] } });
    expect(out.status).toBe('pass');
  });

  test('the checks named come from the catalogue in the context, not from a list of its own', () => {
    const catalog: CheckDeclaration[] = [
      { id: 'x.reads-rules', reads: { 'Get-TransportRule': ['SetSCL'] } },
      { id: 'x.reads-dns', reads: { dns: true } },
      { id: 'x.reads-nothing', reads: {} },
    ];
    const out = evaluate(without('Get-TransportRule', 'Get-OrganizationConfig'), { catalog, dns: false });
    expect(out.evidence).toContain(
      `Get-TransportRule.json was not exported: checks left unknown or partial: x.reads-rules; paths affected: ${EXPORT_PATHS['Get-TransportRule']}`,
    );
    expect(evidenceText(out)).toContain(
      'Get-OrganizationConfig.json was not exported: checks left unknown or partial: none;',
    );
    expect(evidenceText(out)).toMatch(
      /DNS was not analysed .*: checks left unknown or partial: x\.reads-dns;/,
    );
  });

  test('every export present but no DNS: info naming the checks that read DNS, and how to get it', () => {
    const out = evaluate(without(), { dns: false });
    expect(out.status).toBe('info');
    const line = out.evidence.find((l) => l.startsWith('DNS was not analysed')) ?? '';
    expect(line).toContain(`checks left unknown or partial: ${readersOf(CHECKS, 'dns').join(', ')};`);
    expect(readersOf(CHECKS, 'dns')).toContain('dns.spf');
    expect(out.remediation?.powershell).toContain('--record');
  });

  test('a required export missing and no DNS: fail, both said', () => {
    const out = evaluate(without('Get-AcceptedDomain'), { dns: false });
    expect(out.status).toBe('fail');
    expect(evidenceText(out)).toContain('Get-AcceptedDomain.json was not exported');
    expect(evidenceText(out)).toContain('DNS was not analysed');
  });

  test('nothing exported: fail listing every required file', () => {
    const out = evaluate({ data: {} });
    expect(out.status).toBe('fail');
    const requiredLines = out.evidence.filter((l) =>
      REQUIRED.some((n) => l.startsWith(`${n}.json was not exported`)),
    );
    expect(requiredLines).toHaveLength(REQUIRED.length);
  });
});
