/**
 * Issue 9 A1/A2: a tenant without a gateway is `no-gateway`, one whose gateway mxlock cannot find is `uncertain`, and
 * the gateway-only checks follow (not applicable for a known reason, or unknown), through the whole assess pipeline.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { CHECKS } from '../../src/checks/registry.js';
import { parseProfile } from '../../src/profile/parse.js';
import { readExport } from '../../src/snapshot/read.js';
import type { Snapshot } from '../../src/snapshot/types.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/** The checks that only mean something when mail passes a gateway (their declarations, asserted as a table). */
const GATEWAY_ONLY = [
  'arc.trusted-sealers',
  'connector.ip-only',
  'connector.ipv6-coverage',
  'connector.lockdown-disabled',
  'connector.lockdown-gateway-coverage',
  'connector.lockdown-missing',
  'connector.lockdown-recipient-scope',
  'connector.lockdown-sender-scope',
  'connector.require-tls',
  'ef.configured',
  'ef.gateway-coverage',
  'ef.hybrid-skip',
  'ef.scope',
  'rule.safety-net-coverage',
  'rule.safety-net-missing',
  'rule.safety-net-mode',
  'rule.safety-net-order',
];

/** The wide-open example (Mimecast MX, no lock-down) with its MX moved to Exchange Online and its SEG connector gone. */
async function withoutGateway(): Promise<Snapshot> {
  const s = await readExport(join(EXAMPLES, 'wide-open'));
  const dns = new Map(s.dns);
  const entry = dns.get('contoso.com');
  dns.set('contoso.com', {
    ...entry,
    MX: [{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }],
  });
  return {
    ...s,
    dns,
    data: {
      ...s.data,
      'Get-AcceptedDomain': [
        ...(s.data['Get-AcceptedDomain'] ?? []),
        // A second custom domain that receives no mail (no MX): not "MX elsewhere".
        { DomainName: 'contoso-brand.example', DomainType: 'Authoritative', Default: false },
      ],
      'Get-InboundConnector': [],
    },
  };
}

/** The same tenant, its MX records not recorded: mxlock cannot tell whether there is a gateway. */
async function gatewayUnknown(): Promise<Snapshot> {
  const s = await withoutGateway();
  const dns = new Map(s.dns);
  const { MX: _mx, ...rest } = dns.get('contoso.com') ?? {};
  dns.set('contoso.com', rest);
  return { ...s, dns };
}

describe('no gateway (every MX at Exchange Online, nothing declared)', () => {
  test('gateway none, verdict no-gateway, and the summary never speaks of a bypass', async () => {
    const { report } = assessSnapshot(await withoutGateway());
    expect(report.gateway.source).toBe('none');
    expect(report.verdict.bypass).toBe('no-gateway');
    expect(report.verdict.summary).toMatch(
      /^No gateway: every MX of the accepted domains points at Exchange Online/,
    );
    expect(report.verdict.summary).not.toMatch(/without the gateway/);
    // RejectDirectSend is off in this tenant: own-domain spoofing is still named.
    expect(report.verdict.summary).toContain('path.direct-send-own-domain (open)');
    expect(report.paths.some((p) => p.id === 'path.gateway-delivery')).toBe(false);
  });

  test('gateway-only checks are not applicable with the reason; the rest is still judged', async () => {
    const { report } = assessSnapshot(await withoutGateway());
    const byId = new Map(report.findings.map((f) => [f.id, f]));
    for (const id of GATEWAY_ONLY) {
      expect(byId.get(id)?.status, id).toBe('not-applicable');
      expect(byId.get(id)?.evidence.join(' '), id).toMatch(/^no gateway: .*points at Exchange Online/);
    }
    expect(byId.get('direct-send.reject-flag')?.status).toBe('fail');
    expect(byId.get('antiphish.unauthenticated-action')?.status).toBe('fail');
    expect(byId.get('antispam.allowed-senders')?.status).toBe('fail');
    expect(byId.get('connfilter.ip-allow-list')?.status).toBe('fail');
  });

  test('the declared gateway-only set is exactly the expected one', () => {
    expect(
      CHECKS.filter((c) => c.requiresGateway)
        .map((c) => c.id)
        .sort(),
    ).toEqual(GATEWAY_ONLY);
  });
});

describe('gateway unknown (no MX answer, no connector, no profile)', () => {
  test('gateway unknown, verdict uncertain, and the summary says what to declare', async () => {
    const { report } = assessSnapshot(await gatewayUnknown());
    expect(report.gateway.source).toBe('unknown');
    expect(report.verdict.bypass).toBe('uncertain');
    expect(report.verdict.summary).toContain('Whether mail must pass a gateway is unknown');
    expect(report.verdict.summary).toContain(
      'declare the gateway in mxlock.yaml (gateway.ips and gateway.certificate)',
    );
    expect(report.verdict.summary).not.toMatch(/without the gateway/);
  });

  test('gateway-only checks are unknown, never not-applicable, and their checklist rows are never done', async () => {
    const { report } = assessSnapshot(await gatewayUnknown());
    const byId = new Map(report.findings.map((f) => [f.id, f.status]));
    for (const id of GATEWAY_ONLY) expect(byId.get(id), id).toBe('unknown');
    const rows = new Map(report.checklist.map((r) => [r.id, r.status]));
    expect(rows.get('checklist.connector-lockdown')).toBe('unknown');
    expect(rows.get('checklist.safety-net-rule')).toBe('unknown');
    expect(rows.get('checklist.enhanced-filtering')).toBe('unknown');
  });

  test('a profile that declares the gateway settles it', async () => {
    const { report } = assessSnapshot(await gatewayUnknown(), {
      profile: parseProfile('gateway:\n  name: Mimecast\n  ips: [203.0.113.10]\n', 'mxlock.yaml'),
    });
    expect(report.gateway.source).toBe('profile');
    expect(report.verdict.bypass).toBe('open');
  });
});
