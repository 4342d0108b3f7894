/**
 * What the plan tells the administrator to do. The "declare each undeclared one" warning lists only the SPF candidates
 * no declared source covers (not the declared sources the plan admits, not notes, not the "why it matters" line). A
 * refused hybrid path whose OnPremises connector matches by certificate asks for hybrid.certificate (CON-1 [D]).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { planChanges, renderPlanFiles } from '../../src/plan/index.js';
import { EMPTY_PROFILE, type Profile } from '../../src/profile/schema.js';
import { makeGateway } from '../checks/helpers.js';
import { checkStages, partner, planExportOffline, tenant } from './builders.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'wide-open');
const NOW = new Date('2026-11-28T00:00:00Z');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** examples/wide-open with contoso.com's SPF `spf`, extra DNS names and a printer declared at 192.0.2.50. */
async function planWith(spf: string, extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mxlock-warn-'));
  dirs.push(dir);
  cpSync(EXAMPLE, dir, { recursive: true });
  const dns = JSON.parse(readFileSync(join(dir, 'dns.json'), 'utf8')) as Record<string, { TXT?: string[] }>;
  dns['contoso.com']!.TXT = [spf];
  writeFileSync(join(dir, 'dns.json'), JSON.stringify({ ...dns, ...extra }));
  writeFileSync(
    join(dir, 'mxlock.yaml'),
    readFileSync(join(dir, 'mxlock.yaml'), 'utf8').replace(
      'directSendSources: []',
      'directSendSources:\n  - name: HQ printer\n    ips: [192.0.2.50]\n    senders: [scanner@contoso.com]',
    ),
  );
  const { assessed: e, checked } = await planExportOffline(dir, NOW);
  const inventory = e.report.findings.find((f) => f.id === 'inventory.direct-send-sources')!;
  return { warnings: checked.plan.warnings, inventory };
}

const DECLARE = /declare each real, undeclared one/;

describe('the "declare each undeclared one" warning', () => {
  test('lists the undeclared SPF service only, not the declared printer, its ip4 term, notes or the why line', async () => {
    const { warnings, inventory } = await planWith(
      'v=spf1 include:_netblocks.mimecast.com include:spf.protection.outlook.com ip4:192.0.2.50 include:sendgrid.net ~all',
    );
    expect(inventory.status).toBe('warn');
    // The inventory itself lists all of them: the plan must not copy them.
    expect(inventory.evidence.join('\n')).toMatch(
      /declared source 'HQ printer'[\s\S]*ip4:192\.0\.2\.50[\s\S]*why it matters/,
    );
    const start = warnings.findIndex((w) => DECLARE.test(w));
    expect(start).toBeGreaterThanOrEqual(0);
    const listed = warnings.slice(start + 1).filter((w) => w.startsWith('  '));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatch(/^ {2}SPF of contoso\.com: include:sendgrid\.net /);
  });

  test('no warning when every candidate is a declared source (an ip4 term and an a term expanding to it)', async () => {
    const { warnings, inventory } = await planWith(
      'v=spf1 include:_netblocks.mimecast.com include:spf.protection.outlook.com ip4:192.0.2.50 a:printer.contoso.com ~all',
      { 'printer.contoso.com': { A: ['192.0.2.50'] } },
    );
    expect(inventory.status).toBe('warn');
    expect(inventory.evidence.join('\n')).toContain('a:printer.contoso.com');
    expect(warnings.filter((w) => DECLARE.test(w))).toEqual([]);
  });
});

describe('refusal advice for a broken path.hybrid-onpremises', () => {
  const GATEWAY = makeGateway({ name: 'Mimecast', ips: ['203.0.113.10'] });
  const HYBRID_BY_IP: Profile = { ...EMPTY_PROFILE, hybrid: { ips: ['192.0.2.10'] } };
  const snapshot = tenant([
    partner('Mimecast Inbound', { RequireTls: true }),
    {
      Name: 'Inbound from HCW',
      Enabled: true,
      ConnectorType: 'OnPremises',
      ConnectorSource: 'HybridWizard',
      SenderDomains: ['smtp:*;1'],
      SenderIPAddresses: [],
      TlsSenderCertificateName: 'mail.contoso.com',
      CloudServicesMailEnabled: true,
    },
  ]);

  const refusal = (profile: Profile) => {
    const draft = planChanges({ snapshot, profile, gateway: GATEWAY });
    return checkStages({ snapshot, profile, gateway: GATEWAY, stages: draft.stages }).plan.refusal;
  };

  test('the HCW connector matches by certificate, hybrid is declared by IP only: declare hybrid.certificate', () => {
    const r = refusal(HYBRID_BY_IP);
    expect(r?.paths.map((p) => p.id)).toContain('path.hybrid-onpremises');
    expect(r?.explanation).toContain(
      "The OnPremises connector 'Inbound from HCW' (mail.contoso.com) matches on-premises Exchange by its certificate",
    );
    expect(r?.explanation).toContain('declare hybrid.certificate: mail.contoso.com in mxlock.yaml');
    expect(r?.explanation).not.toContain('an OnPremises inbound connector matching its IPs or certificate');
  });

  test('with hybrid.certificate declared the path is not refused', () => {
    expect(
      refusal({ ...EMPTY_PROFILE, hybrid: { ips: ['192.0.2.10'], certificate: 'mail.contoso.com' } }),
    ).toBeUndefined();
  });
});

describe('what the plan leaves for the administrator', () => {
  test('findings still failing after every runnable stage are listed in the plan and plan.md', async () => {
    const { checked } = await planExportOffline(EXAMPLE, NOW);
    const remaining = checked.plan.remaining ?? [];
    // The plan does not touch the Tenant Allow/Block List or DKIM: they are left, and said to be.
    expect(remaining).toContainEqual(expect.objectContaining({ id: 'tabl.spoof-allow', status: 'fail' }));
    expect(remaining).toContainEqual(expect.objectContaining({ id: 'dkim.signing-enabled', status: 'fail' }));
    // What the plan does fix is not listed.
    for (const fixed of ['direct-send.reject-flag', 'connector.lockdown-missing', 'rule.safety-net-missing'])
      expect(remaining.map((f) => f.id)).not.toContain(fixed);
    const md = renderPlanFiles(checked)['plan.md']!;
    expect(md).toContain('## What the plan leaves for you');
    expect(md).toContain('- `tabl.spoof-allow` (fail): ');
  });
});
