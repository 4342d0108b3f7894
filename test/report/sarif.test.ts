import { describe, expect, test } from 'vitest';
import type { ReportFinding } from '../../src/report/model.js';
import { logicalLocations, renderSarif } from '../../src/report/sarif.js';
import { HOSTILE, HOSTILE_CONNECTOR, sampleReport } from '../fixtures/report/sample-report.js';
import { RAW_CONTROL } from './helpers.js';

type Json = Record<string, unknown>;
const LEVELS = new Set(['none', 'note', 'warning', 'error']);

const obj = (v: unknown): Json => {
  expect(typeof v === 'object' && v !== null && !Array.isArray(v)).toBe(true);
  return v as Json;
};
const list = (v: unknown): unknown[] => {
  expect(Array.isArray(v)).toBe(true);
  return v as unknown[];
};
const text = (v: unknown): string => {
  expect(typeof v).toBe('string');
  expect(v).not.toBe('');
  return v as string;
};

/** The parts of the SARIF 2.1.0 schema a consumer relies on, checked property by property. */
function validateSarif(log: Json): void {
  expect(log['$schema']).toBe('https://json.schemastore.org/sarif-2.1.0.json');
  expect(log['version']).toBe('2.1.0');
  const runs = list(log['runs']);
  expect(runs).toHaveLength(1);
  for (const r of runs) {
    const run = obj(r);
    const driver = obj(obj(run['tool'])['driver']);
    text(driver['name']);
    text(driver['version']);
    expect(() => new URL(text(driver['informationUri']))).not.toThrow();
    const rules = list(driver['rules']).map(obj);
    const ids = rules.map((rule) => text(rule['id']));
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      text(obj(rule['shortDescription'])['text']);
      if (rule['help'] !== undefined) text(obj(rule['help'])['text']);
      if (rule['defaultConfiguration'] !== undefined) {
        expect(LEVELS.has(String(obj(rule['defaultConfiguration'])['level']))).toBe(true);
      }
      if (rule['helpUri'] !== undefined) expect(() => new URL(String(rule['helpUri']))).not.toThrow();
      const tags = list(obj(rule['properties'])['tags']);
      for (const tag of tags) text(tag);
    }
    for (const x of list(run['results'])) {
      const result = obj(x);
      const ruleId = text(result['ruleId']);
      expect(ids).toContain(ruleId);
      expect(result['ruleIndex']).toBe(ids.indexOf(ruleId));
      expect(LEVELS.has(String(result['level']))).toBe(true);
      text(obj(result['message'])['text']);
      if (result['locations'] !== undefined) {
        for (const l of list(result['locations'])) {
          const logical = list(obj(l)['logicalLocations']).map(obj);
          expect(logical.length).toBeGreaterThan(0);
          for (const ll of logical) {
            text(ll['name']);
            text(ll['fullyQualifiedName']);
          }
        }
      }
    }
  }
}

const render = () => JSON.parse(renderSarif(sampleReport())) as Json;
const run = (log: Json) => obj(list(log['runs'])[0]);
const results = (log: Json) => list(run(log)['results']).map(obj);
const rules = (log: Json) => list(obj(obj(run(log)['tool'])['driver'])['rules']).map(obj);

describe('renderSarif', () => {
  test('is valid SARIF 2.1.0 in structure', () => {
    validateSarif(render());
  });

  test('a rule per check id present in the findings, then the reported paths', () => {
    const report = sampleReport();
    const log = render();
    const checkIds = [...new Set(report.findings.map((f) => f.id))].sort();
    expect(rules(log).map((r) => r['id'])).toEqual([
      ...checkIds,
      'path.direct-send-own-domain',
      'path.shared-gateway-ip',
      'path.spoof-header-own-domain',
    ]);
    const lockdown = rules(log).find((r) => r['id'] === 'connector.lockdown-disabled');
    expect(obj(lockdown?.['shortDescription'])['text']).toBe('The lock-down connector is enabled');
    expect(obj(lockdown?.['properties'])['tags']).toContain('step-2');
    expect(obj(lockdown?.['properties'])['security-severity']).toBe('9.5');
    expect(String(obj(lockdown?.['help'])['text'])).toContain('Set-InboundConnector -Identity');
    const reject = rules(log).find((r) => r['id'] === 'direct-send.reject-flag');
    expect(reject?.['helpUri']).toBe('https://learn.microsoft.com/exchange/reject-direct-send');
    const path = rules(log).find((r) => r['id'] === 'path.direct-send-own-domain');
    expect(obj(path?.['properties'])['tags']).toContain('attack-path');
  });

  test.each([
    ['connector.lockdown-disabled', 'error'], // fail, critical
    ['direct-send.reject-flag', 'error'], // fail, high
    ['antiphish.honor-dmarc', 'warning'], // fail, medium
    ['audit.unified-audit-log', 'warning'], // fail, low
    ['dns.dmarc-policy', 'warning'], // warn
    ['inventory.direct-send-sources', 'warning'], // warn
    ['connector.lockdown-gateway-coverage', 'note'], // unknown
    ['path.direct-send-own-domain', 'error'], // open attack
    ['path.spoof-header-own-domain', 'warning'], // uncertain attack
    ['path.shared-gateway-ip', 'warning'], // open residual
  ])('%s is reported at level %s', (ruleId, level) => {
    const matching = results(render()).filter((r) => r['ruleId'] === ruleId);
    expect(matching).toHaveLength(1);
    expect(matching[0]?.['level']).toBe(level);
  });

  test('passing, waived, informational and not-applicable findings and safe paths give no result', () => {
    const reported = results(render()).map((r) => r['ruleId']);
    expect(reported).toHaveLength(10);
    for (const id of [
      'dns.spf',
      'rule.safety-net-missing',
      'ef.configured',
      'rule.safety-net-mode',
      'path.null-sender-direct',
      'path.initial-domain-direct',
      'path.gateway-delivery',
    ]) {
      expect(reported).not.toContain(id);
    }
  });

  test('message = status, title and evidence; hostile strings intact after parsing', () => {
    const log = render();
    const lockdown = results(log).find((r) => r['ruleId'] === 'connector.lockdown-disabled');
    const message = String(obj(lockdown?.['message'])['text']);
    expect(message.split('\n')[0]).toBe('Not met: The lock-down connector is enabled');
    for (const value of [
      HOSTILE.newlines,
      HOSTILE.ansi,
      HOSTILE.bidi,
      HOSTILE.script,
      HOSTILE.table,
      HOSTILE.backticks,
    ]) {
      expect(message).toContain(value);
    }
    const direct = results(log).find((r) => r['ruleId'] === 'path.direct-send-own-domain');
    expect(String(obj(direct?.['message'])['text'])).toMatch(/^Open attack path: Direct Send/);
    // The file itself holds the control characters only as JSON escapes.
    expect(renderSarif(sampleReport())).not.toMatch(RAW_CONTROL);
  });

  test('logical locations name the object the evidence names', () => {
    const log = render();
    const locationsOf = (id: string) => {
      const r = results(log).find((x) => x['ruleId'] === id);
      return r?.['locations'] === undefined
        ? undefined
        : list(obj(list(r['locations'])[0])['logicalLocations']);
    };
    expect(locationsOf('connector.lockdown-disabled')).toEqual([
      {
        name: HOSTILE_CONNECTOR,
        fullyQualifiedName: `InboundConnector/${HOSTILE_CONNECTOR}`,
        kind: 'object',
      },
    ]);
    expect(locationsOf('antiphish.honor-dmarc')).toEqual([
      { name: HOSTILE.quotes, fullyQualifiedName: `AntiPhishPolicy/${HOSTILE.quotes}`, kind: 'object' },
    ]);
    expect(locationsOf('direct-send.reject-flag')).toEqual([
      {
        name: 'contoso.onmicrosoft.com',
        fullyQualifiedName: 'OrganizationConfig/contoso.onmicrosoft.com',
        kind: 'object',
      },
    ]);
    expect(locationsOf('audit.unified-audit-log')).toEqual([
      { name: 'AdminAuditLogConfig', fullyQualifiedName: 'AdminAuditLogConfig', kind: 'object' },
    ]);
    expect(locationsOf('dns.dmarc-policy')).toBeUndefined();
    expect(locationsOf('path.direct-send-own-domain')).toBeUndefined();
  });

  test.each([
    [
      'single-quoted with doubled quotes',
      `connector 'It''s here': Enabled = false`,
      'InboundConnector',
      "It's here",
    ],
    ['double-quoted', 'transport rule "Block \'em": Mode = Audit', 'TransportRule', "Block 'em"],
    [
      'bare rule in an anti-spam check',
      "rule 'Strict': priority 0",
      'HostedContentFilterRule',
      'Strict',
      'antispam.x',
    ],
    ['outbound connector', "outbound connector 'To SEG': Enabled", 'OutboundConnector', 'To SEG'],
  ])('logicalLocations: %s', (_name, evidence, type, name, id = 'connector.x') => {
    const f: ReportFinding = {
      id,
      status: 'fail',
      severity: 'high',
      step: 2,
      title: 't',
      evidence: [evidence],
      remediation: { powershell: '', portal: '' },
      references: [],
      benchmarks: [],
    };
    expect(logicalLocations(f)).toEqual([{ name, fullyQualifiedName: `${type}/${name}`, kind: 'object' }]);
  });

  test('deterministic: input order does not change the output', () => {
    const a = sampleReport();
    const b = sampleReport();
    b.findings.reverse();
    b.paths.reverse();
    expect(renderSarif(b)).toBe(renderSarif(a));
  });

  test('an empty report is still valid SARIF', () => {
    const report = sampleReport();
    report.findings = [];
    report.paths = [];
    const log = JSON.parse(renderSarif(report)) as Json;
    validateSarif(log);
    expect(results(log)).toEqual([]);
    expect(rules(log)).toEqual([]);
  });
});
