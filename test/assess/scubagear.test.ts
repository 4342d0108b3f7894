/**
 * End to end over a ScubaGear ProviderSettingsExport.json (DESIGN §2: `<export>` may be one): what ScubaGear lacks is
 * unknown with the "not in the export" reason and the verdict is never `closed`; what it has is judged.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';

const EXPORT = fileURLToPath(
  new URL('../fixtures/snapshot/scubagear/ProviderSettingsExport.json', import.meta.url),
);

describe('assess over a ScubaGear 1.8 export (offline)', async () => {
  const { report, snapshot } = await assessExport(EXPORT, {
    offline: true,
    now: new Date('2026-08-15T00:00:00Z'),
  });
  const finding = (id: string) => {
    const f = report.findings.find((x) => x.id === id);
    if (!f) throw new Error(`no finding ${id}`);
    return f;
  };

  test('RejectDirectSend, which ScubaGear does not select, is unknown with the reason', () => {
    const f = finding('direct-send.reject-flag');
    expect(f.status).toBe('unknown');
    expect(f.evidence.join('\n')).toContain(
      'RejectDirectSend is not in the export: ScubaGear 1.8.0 exports only 14 properties of Get-OrganizationConfig',
    );
    expect(f.evidence.join('\n')).not.toContain('too old');
  });

  test('the inventory does not pass: Get-OrganizationConfig is only partly there', () => {
    const f = finding('inventory.snapshot-complete');
    expect(f.status).toBe('fail');
    expect(f.evidence.join('\n')).toContain(
      'Get-OrganizationConfig is only partly in the export: ScubaGear 1.8.0',
    );
  });

  test('the verdict is not closed, and the own-domain Direct Send path is not closed either', () => {
    expect(report.verdict.bypass).not.toBe('closed');
    const ds = report.paths.find((p) => p.id === 'path.direct-send-own-domain');
    expect(ds?.status).not.toBe('closed');
  });

  test('findings whose data ScubaGear has are judged', () => {
    expect(finding('connfilter.ip-allow-list').status).toBe('fail'); // IPAllowList 198.51.100.7
    expect(finding('antiphish.honor-dmarc').status).toBe('fail'); // HonorDmarcPolicy false
    expect(finding('connector.lockdown-missing').status).toBe('pass'); // inbound_connectors: the IP lock-down
    expect(finding('audit.unified-audit-log').status).toBe('pass'); // UAL on, AuditDisabled false (selected)
    expect(finding('dkim.signing-enabled').status).toBe('fail'); // fabrikam.com not signing
  });

  test('without dns.json and --offline the dns.* checks are unknown (ScubaGear answers are not a zone)', () => {
    expect(snapshot.dns).toBeUndefined();
    expect(finding('dns.dmarc-policy').status).toBe('unknown');
  });
});
