/**
 * Tenant object names end up in PowerShell, Markdown, the terminal and SARIF. Hostile names must come out
 * verbatim-but-escaped in every format: recognisable, and unable to break out of their context.
 */
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { reporters } from '../../src/report/index.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { psQuote } from '../../src/powershell/quote.js';
import { readValue, tokenize } from '../support/ps-tokenizer.js';

const HOSTILE = [
  `Evil'; Remove-Item C:\\ -Recurse; '`,
  '$(Invoke-Expression calc)',
  '`whoami`',
  'two\r\nlines',
  '<script>alert(1)</script>',
  '| table | breaker |',
  '\u001b[31mred',
  'rtl\u202Eexe.txt',
].join(' ');

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function hostileSnapshot() {
  return buildSnapshot({
    source: 'hostile',
    files: [
      {
        name: 'Get-OrganizationConfig.json',
        path: 'h/Get-OrganizationConfig.json',
        bytes: enc({ Name: HOSTILE, RejectDirectSend: false }),
      },
      {
        name: 'Get-AcceptedDomain.json',
        path: 'h/Get-AcceptedDomain.json',
        bytes: enc([
          { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
          { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', InitialDomain: true },
        ]),
      },
      {
        name: 'Get-InboundConnector.json',
        path: 'h/Get-InboundConnector.json',
        bytes: enc([
          {
            Name: HOSTILE,
            Enabled: true,
            ConnectorType: 'OnPremises',
            SenderDomains: ['smtp:*;1'],
            SenderIPAddresses: ['192.0.2.10'],
            TreatMessagesAsInternal: true,
            CloudServicesMailEnabled: false,
          },
        ]),
      },
      {
        name: 'Get-TransportRule.json',
        path: 'h/Get-TransportRule.json',
        bytes: enc([
          {
            Name: HOSTILE,
            Priority: 0,
            State: 'Enabled',
            Mode: 'Enforce',
            SenderIpRanges: ['203.0.113.10'],
            SetSCL: -1,
          },
        ]),
      },
      {
        name: 'Get-HostedConnectionFilterPolicy.json',
        path: 'h/c.json',
        bytes: enc({
          Name: 'Default',
          IsDefault: true,
          IPAllowList: [],
          IPBlockList: [],
          EnableSafeList: false,
        }),
      },
      {
        name: 'Get-HostedContentFilterPolicy.json',
        path: 'h/s.json',
        bytes: enc({
          Name: HOSTILE,
          IsDefault: true,
          BulkThreshold: 9,
          SpamAction: 'MoveToJmf',
          HighConfidencePhishAction: 'Quarantine',
          AllowedSenderDomains: [],
        }),
      },
      {
        name: 'Get-AntiPhishPolicy.json',
        path: 'h/p.json',
        bytes: enc({
          Name: HOSTILE,
          IsDefault: true,
          EnableSpoofIntelligence: true,
          HonorDmarcPolicy: false,
          AuthenticationFailAction: 'MoveToJmf',
        }),
      },
      { name: 'Get-DkimSigningConfig.json', path: 'h/d.json', bytes: enc([]) },
    ],
  });
}

describe('hostile object names in every output format', () => {
  const { report } = assessSnapshot(hostileSnapshot());

  test('the names reach findings (so the rest of this test means something)', () => {
    const named = report.findings.filter((f) => f.evidence.some((e) => e.includes(HOSTILE)));
    expect(named.map((f) => f.id)).toEqual(
      expect.arrayContaining(['connector.treat-as-internal', 'rule.scl-bypass', 'antiphish.honor-dmarc']),
    );
  });

  test('PowerShell remediation quotes the name as one single-quoted literal', () => {
    const ps = report.findings.find((f) => f.id === 'antiphish.honor-dmarc')!.remediation.powershell;
    const quoted = psQuote(HOSTILE);
    // The literal (or expression, for the control characters) reads back as exactly the name.
    const tokens = tokenize(quoted);
    expect(readValue(tokens, 0).value).toBe(HOSTILE);
    expect(ps).toContain(`-Identity ${quoted}`);
    // Outside that literal, none of the hostile syntax survives.
    expect(ps.replace(quoted, '')).not.toMatch(/Remove-Item|Invoke-Expression|whoami/);
  });

  test('JSON round-trips the exact string', () => {
    const parsed = JSON.parse(reporters.json(report, { color: false }));
    const evidence: string[] = parsed.findings.flatMap((f: { evidence: string[] }) => f.evidence);
    expect(evidence.some((e) => e.includes(HOSTILE))).toBe(true);
  });

  test('terminal: no escape byte, no raw CR, no bidi override; newlines and escapes shown visibly', () => {
    const out = reporters.terminal(report, { color: false, width: 80 });
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\r');
    expect(out).not.toContain('\u202E');
    expect(out).toContain('\\r\\n');
    expect(out).toContain('<script>'); // harmless on a terminal, and recognisable
  });

  test('terminal with colour: the only escape sequences are the reporter’s own SGR codes', () => {
    const out = reporters.terminal(report, { color: true, width: 80 });
    // eslint-disable-next-line no-control-regex -- the test looks for escape sequences on purpose
    const escapes = out.match(/\u001b[^m]*m/g) ?? [];
    // eslint-disable-next-line no-control-regex -- idem
    expect(escapes.every((e) => /^\u001b\[\d+(;\d+)*m$/.test(e))).toBe(true);
    expect(out).not.toContain('\u001b[31mred'); // the tenant's escape is not passed through
  });

  test('Markdown: no raw HTML and no unescaped table pipes from the name', () => {
    const out = reporters.md(report, { color: false });
    // Inside fenced code blocks (the PowerShell) text is literal and GitHub renders no HTML: the name stays verbatim there.
    const fences = out.match(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm) ?? [];
    expect(fences.some((f) => f.includes('<script>alert(1)</script>'))).toBe(true);
    const prose = fences.reduce((acc, f) => acc.replace(f, ''), out);
    expect(prose).not.toContain('<script>');
    expect(prose).toContain('&lt;script&gt;');
    for (const line of prose.split('\n').filter((l) => l.startsWith('|') && l.includes('table'))) {
      expect(line).not.toMatch(/[^\\]\| table \|/);
    }
  });

  test('SARIF is valid JSON and keeps the string', () => {
    const sarif = JSON.parse(reporters.sarif(report, { color: false }));
    expect(JSON.stringify(sarif)).toContain(JSON.stringify(HOSTILE).slice(1, -1).slice(0, 20));
    expect(sarif.version).toBe('2.1.0');
  });
});
