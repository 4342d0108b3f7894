/**
 * Acceptance: the three bundled examples, end to end through the same pipeline as `mxlock assess`.
 * Every path and finding status is asserted; a change in any of them must be deliberate.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { exitCodeFor } from '../../src/assess.js';
import { assessExport } from '../../src/assess-export.js';
import { CHECKS } from '../../src/checks/registry.js';

interface Expected {
  verdict: { bypass: string; legitimateFlows: string };
  /** id → [status, stage, disposition] */
  paths: Record<string, [string, string, string]>;
  findings: Record<string, string>;
  checklist: Record<string, string>;
}

const EXPECTED: Record<string, Expected> = {
  'wide-open': {
    verdict: { bypass: 'open', legitimateFlows: 'preserved' },
    paths: {
      'path.direct-send-own-domain': ['open', 'post-acceptance', 'inbox'],
      'path.foreign-domain-direct': ['open', 'post-acceptance', 'inbox'],
      'path.gateway-delivery': ['preserved', 'post-acceptance', 'inbox'],
      'path.initial-domain-direct': ['open', 'post-acceptance', 'inbox'],
      'path.null-sender-direct': ['open', 'post-acceptance', 'inbox'],
      'path.shared-gateway-ip': ['open', 'post-acceptance', 'inbox'],
      'path.spoof-header-own-domain': ['open', 'post-acceptance', 'inbox'],
    },
    findings: {
      'antiphish.org-domain-impersonation': 'fail',
      'antiphish.honor-dmarc': 'fail',
      'antiphish.impersonation': 'info',
      'antiphish.mailbox-intelligence': 'fail',
      'antiphish.spoof-intelligence': 'pass',
      'antiphish.trusted-senders': 'pass',
      'antiphish.unauthenticated-action': 'fail',
      'antispam.allowed-senders': 'fail',
      'antispam.phish-action': 'warn',
      'antispam.thresholds': 'fail',
      'arc.trusted-sealers': 'fail',
      'audit.unified-audit-log': 'fail',
      'connector.ip-only': 'not-applicable',
      'connector.ipv6-coverage': 'pass',
      'connector.lockdown-disabled': 'not-applicable',
      'connector.lockdown-gateway-coverage': 'not-applicable',
      'connector.lockdown-missing': 'fail',
      'connector.lockdown-recipient-scope': 'not-applicable',
      'connector.lockdown-sender-scope': 'not-applicable',
      'connector.mixed-restrictions': 'pass',
      'connector.onpremises-antipattern': 'not-applicable',
      'connector.require-tls': 'not-applicable',
      'connector.treat-as-internal': 'pass',
      'connfilter.ip-allow-list': 'fail',
      'connfilter.safe-list': 'fail',
      'devices.submission-route': 'not-applicable',
      'direct-send.reject-flag': 'fail',
      'dkim.signing-enabled': 'fail',
      // contoso.com's signing config is disabled (CnameMissing) and its selector CNAMEs are not in dns.json (issue 9).
      'dns.dkim-selectors': 'fail',
      'dns.dmarc-initial-domain': 'fail',
      'dns.dmarc-policy': 'fail',
      'dns.dmarc-reporting': 'pass',
      'dns.mx-gateway': 'pass',
      'dns.spf': 'warn',
      'ef.configured': 'fail',
      'ef.gateway-coverage': 'not-applicable',
      'ef.hybrid-skip': 'not-applicable',
      'ef.scope': 'not-applicable',
      'inventory.direct-send-sources': 'warn',
      'inventory.snapshot-complete': 'pass',
      'rule.filtering-bypass': 'fail',
      'rule.safety-net-coverage': 'not-applicable',
      'rule.safety-net-missing': 'fail',
      'rule.safety-net-mode': 'not-applicable',
      'rule.safety-net-order': 'not-applicable',
      'rule.scl-bypass': 'fail',
      'rule.scl-bypass-spoofable': 'fail',
      'tabl.allow-entries': 'fail',
      'tabl.spoof-allow': 'fail',
    },
    checklist: {
      'checklist.direct-send-inventory': 'open',
      'checklist.backup': 'done',
      'checklist.connector-lockdown': 'open',
      'checklist.reject-direct-send': 'open',
      'checklist.safety-net-rule': 'open',
      'checklist.email-authentication': 'open',
      'checklist.antiphish': 'open',
      'checklist.enhanced-filtering': 'open',
      'checklist.tests': 'unknown',
      'checklist.monitoring': 'open',
    },
  },
  'half-done': {
    verdict: { bypass: 'open', legitimateFlows: 'preserved' },
    paths: {
      'path.declared-source:HQ scanners': ['preserved', 'post-acceptance', 'inbox'],
      // The scanners' own connector is a flow of its own (DESIGN §5 path.connector:<name>).
      'path.connector:Scanners - HQ': ['preserved', 'post-acceptance', 'inbox'],
      'path.direct-send-own-domain': ['closed', 'rcpt', 'rejected'],
      'path.foreign-domain-direct': ['open', 'post-acceptance', 'inbox'],
      'path.gateway-delivery': ['preserved', 'post-acceptance', 'inbox'],
      'path.initial-domain-direct': ['open', 'post-acceptance', 'inbox'],
      'path.null-sender-direct': ['open', 'post-acceptance', 'inbox'],
      'path.shared-gateway-ip': ['open', 'post-acceptance', 'inbox'],
      'path.spoof-header-own-domain': ['open', 'post-acceptance', 'inbox'],
    },
    findings: {
      'antiphish.org-domain-impersonation': 'fail',
      'antiphish.honor-dmarc': 'pass',
      'antiphish.impersonation': 'fail',
      'antiphish.mailbox-intelligence': 'pass',
      'antiphish.spoof-intelligence': 'pass',
      'antiphish.trusted-senders': 'pass',
      'antiphish.unauthenticated-action': 'pass',
      'antispam.allowed-senders': 'pass',
      'antispam.phish-action': 'pass',
      'antispam.thresholds': 'warn',
      'arc.trusted-sealers': 'fail',
      'audit.unified-audit-log': 'pass',
      'connector.ip-only': 'not-applicable',
      'connector.ipv6-coverage': 'pass',
      'connector.lockdown-disabled': 'pass',
      // 'Scanners - HQ' restricts fabrikam.com MAIL FROM to the scanner's IP and no restricting connector the gateway
      // satisfies covers fabrikam.com: gateway mail with that P1 gets 5.7.51 (eop-model CON-5, §12 OQ-2 [I]).
      'connector.lockdown-gateway-coverage': 'warn',
      'connector.lockdown-missing': 'pass',
      'connector.lockdown-recipient-scope': 'not-applicable',
      'connector.lockdown-sender-scope': 'fail',
      'connector.mixed-restrictions': 'pass',
      'connector.onpremises-antipattern': 'not-applicable',
      'connector.require-tls': 'not-applicable',
      'connector.treat-as-internal': 'pass',
      'connfilter.ip-allow-list': 'pass',
      'connfilter.safe-list': 'pass',
      'devices.submission-route': 'pass',
      // RejectDirectSend on without a lock-down: a false sense of safety (issue 13 item 3).
      'direct-send.reject-flag': 'warn',
      'dkim.signing-enabled': 'pass',
      'dns.dkim-selectors': 'pass',
      'dns.dmarc-initial-domain': 'fail',
      'dns.dmarc-policy': 'pass',
      'dns.dmarc-reporting': 'pass',
      'dns.mx-gateway': 'pass',
      'dns.spf': 'warn',
      'ef.configured': 'fail',
      'ef.gateway-coverage': 'not-applicable',
      'ef.hybrid-skip': 'not-applicable',
      'ef.scope': 'not-applicable',
      'inventory.direct-send-sources': 'pass',
      'inventory.snapshot-complete': 'info',
      'rule.filtering-bypass': 'pass',
      'rule.safety-net-coverage': 'warn',
      'rule.safety-net-missing': 'pass',
      'rule.safety-net-mode': 'fail',
      'rule.safety-net-order': 'pass',
      'rule.scl-bypass': 'pass',
      'rule.scl-bypass-spoofable': 'pass',
      'tabl.allow-entries': 'pass',
      'tabl.spoof-allow': 'pass',
    },
    checklist: {
      'checklist.direct-send-inventory': 'done',
      'checklist.backup': 'done',
      'checklist.connector-lockdown': 'open',
      'checklist.reject-direct-send': 'open',
      'checklist.safety-net-rule': 'open',
      'checklist.email-authentication': 'open',
      'checklist.antiphish': 'done',
      'checklist.enhanced-filtering': 'open',
      'checklist.tests': 'unknown',
      'checklist.monitoring': 'unknown',
    },
  },
  hardened: {
    verdict: { bypass: 'closed', legitimateFlows: 'preserved' },
    paths: {
      'path.declared-source:HQ scanners': ['preserved', 'post-acceptance', 'inbox'],
      'path.connector:Scanners - HQ (IP)': ['preserved', 'post-acceptance', 'inbox'],
      'path.direct-send-own-domain': ['closed', 'rcpt', 'rejected'],
      'path.foreign-domain-direct': ['closed', 'rcpt', 'rejected'],
      'path.gateway-delivery': ['preserved', 'post-acceptance', 'inbox'],
      'path.initial-domain-direct': ['closed', 'rcpt', 'rejected'],
      'path.null-sender-direct': ['closed', 'rcpt', 'rejected'],
      'path.shared-gateway-ip': ['closed', 'rcpt', 'rejected'],
      'path.spoof-header-own-domain': ['closed', 'rcpt', 'rejected'],
    },
    findings: {
      'antiphish.org-domain-impersonation': 'pass',
      'antiphish.honor-dmarc': 'pass',
      'antiphish.impersonation': 'pass',
      'antiphish.mailbox-intelligence': 'pass',
      'antiphish.spoof-intelligence': 'pass',
      'antiphish.trusted-senders': 'pass',
      'antiphish.unauthenticated-action': 'pass',
      'antispam.allowed-senders': 'pass',
      'antispam.phish-action': 'pass',
      'antispam.thresholds': 'pass',
      'arc.trusted-sealers': 'pass',
      'audit.unified-audit-log': 'pass',
      'connector.ip-only': 'pass',
      'connector.ipv6-coverage': 'pass',
      'connector.lockdown-disabled': 'pass',
      'connector.lockdown-gateway-coverage': 'pass',
      'connector.lockdown-missing': 'pass',
      'connector.lockdown-recipient-scope': 'pass',
      'connector.lockdown-sender-scope': 'pass',
      'connector.mixed-restrictions': 'pass',
      'connector.onpremises-antipattern': 'not-applicable',
      'connector.require-tls': 'pass',
      'connector.treat-as-internal': 'pass',
      'connfilter.ip-allow-list': 'pass',
      'connfilter.safe-list': 'pass',
      'devices.submission-route': 'pass',
      'direct-send.reject-flag': 'pass',
      'dkim.signing-enabled': 'pass',
      'dns.dkim-selectors': 'pass',
      'dns.dmarc-initial-domain': 'pass',
      'dns.dmarc-policy': 'pass',
      'dns.dmarc-reporting': 'pass',
      'dns.mx-gateway': 'pass',
      'dns.spf': 'pass',
      'ef.configured': 'pass',
      'ef.gateway-coverage': 'pass',
      'ef.hybrid-skip': 'not-applicable',
      'ef.scope': 'pass',
      'inventory.direct-send-sources': 'pass',
      'inventory.snapshot-complete': 'pass',
      'rule.filtering-bypass': 'pass',
      'rule.safety-net-coverage': 'pass',
      'rule.safety-net-missing': 'pass',
      'rule.safety-net-mode': 'pass',
      'rule.safety-net-order': 'pass',
      'rule.scl-bypass': 'pass',
      'rule.scl-bypass-spoofable': 'pass',
      'tabl.allow-entries': 'pass',
      'tabl.spoof-allow': 'pass',
    },
    checklist: {
      'checklist.direct-send-inventory': 'done',
      'checklist.backup': 'done',
      'checklist.connector-lockdown': 'done',
      'checklist.reject-direct-send': 'done',
      'checklist.safety-net-rule': 'done',
      'checklist.email-authentication': 'done',
      'checklist.antiphish': 'done',
      'checklist.enhanced-filtering': 'done',
      'checklist.tests': 'unknown',
      'checklist.monitoring': 'unknown',
    },
  },
};

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/** The same pipeline as `mxlock assess <dir> --offline`: profile found beside the export, DNS from its dns.json. */
async function assessExample(name: string) {
  return assessExport(join(EXAMPLES, name), { offline: true, now: new Date('2026-11-28T00:00:00Z') });
}

describe.each(Object.entries(EXPECTED))('examples/%s', (name, expected) => {
  test('verdict', async () => {
    const { report } = await assessExample(name);
    expect(report.verdict).toMatchObject(expected.verdict);
  });

  test('every path: status, stage and disposition', async () => {
    const { report } = await assessExample(name);
    const actual = Object.fromEntries(
      report.paths.map((p) => [p.id, [p.status, p.outcome.stage, p.outcome.disposition]]),
    );
    expect(actual).toEqual(expected.paths);
  });

  test('every finding status, one per check of the catalogue', async () => {
    const { report } = await assessExample(name);
    expect(report.findings.map((f) => f.id)).toEqual(CHECKS.map((c) => c.id).sort());
    expect(Object.fromEntries(report.findings.map((f) => [f.id, f.status]))).toEqual(expected.findings);
  });

  test('final checklist', async () => {
    const { report } = await assessExample(name);
    expect(Object.fromEntries(report.checklist.map((c) => [c.id, c.status]))).toEqual(expected.checklist);
  });

  test('exit code follows the verdict and failing findings', async () => {
    const { report } = await assessExample(name);
    expect(exitCodeFor(report, 'high')).toBe(expected.verdict.bypass === 'open' ? 1 : 0);
    expect(exitCodeFor(report, 'none')).toBe(0);
  });
});

describe('decisions behind the headline results', () => {
  test('half-done: the Direct Send spoof is refused at RCPT by both the scoped restriction and RejectDirectSend', async () => {
    const { report } = await assessExample('half-done');
    const p = report.paths.find((x) => x.id === 'path.direct-send-own-domain');
    expect(p?.outcome.reply).toMatch(/^550 5\.7\.51 /);
    expect(p?.evidence.join('\n')).toMatch(/DS-2 \[D\].*RejectDirectSend is on/);
  });

  test('half-done: the header spoof is open because MX is elsewhere without Enhanced Filtering (OQ-13, [C])', async () => {
    const { report } = await assessExample('half-done');
    const p = report.paths.find((x) => x.id === 'path.spoof-header-own-domain');
    expect(p?.evidence.join('\n')).toMatch(/MX-6\.1 \[C\].*OQ-13/);
  });

  test('wide-open: the Direct Send spoof is delivered through the SCL -1 rule on the own domain', async () => {
    const { report } = await assessExample('wide-open');
    const p = report.paths.find((x) => x.id === 'path.direct-send-own-domain');
    expect(p?.evidence.join('\n')).toMatch(/TR-SCL \[D\]/);
  });

  test('hardened: the scanner is admitted by its IP-restricted connector ([I], §12 OQ-2)', async () => {
    const { report } = await assessExample('hardened');
    const p = report.paths.find((x) => x.id === 'path.declared-source:HQ scanners');
    expect(p?.evidence.join('\n')).toMatch(
      /CON-5 \[I\]: satisfies restricting connector 'Scanners - HQ \(IP\)'/,
    );
  });
});

describe('DNS findings of the examples come from their dns.json (offline)', () => {
  test('wide-open: p=none fails, ~all warns, each naming the record', async () => {
    const { report } = await assessExample('wide-open');
    const f = (id: string) => report.findings.find((x) => x.id === id)!;
    expect(f('dns.dmarc-policy').evidence.join('\n')).toContain(
      'contoso.com: _dmarc.contoso.com "v=DMARC1; p=none',
    );
    expect(f('dns.spf').evidence.join('\n')).toContain('ends in ~all');
    expect(f('dns.spf').evidence[0]).toBe('DNS source: recorded answers (dns.json)');
  });
});
