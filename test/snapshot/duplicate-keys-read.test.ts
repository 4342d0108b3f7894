/**
 * Issue 10 item 8 through the export reader: keys given twice in a cmdlet file, a snapshot.json bundle, a ScubaGear
 * export or dns.json (and dns.json names that are one name written twice) are warned about naming both, and what is
 * read never depends on their order: the same value is read once, different values are unknown.
 */
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { lookup } from '../../src/common/zone.js';
import { buildSnapshot } from '../../src/snapshot/build.js';
import { absentProperty } from '../../src/snapshot/partial.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const file = (name: string, text: string) => ({ name, path: `x/${name}`, bytes: bytes(text) });
const DOMAINS = file('Get-AcceptedDomain.json', '[{"DomainName":"contoso.com","Default":true}]');

function read(...files: ReturnType<typeof file>[]) {
  return buildSnapshot({ source: 'x', files: [DOMAINS, ...files] });
}

const connector = (n: number, extra = '') =>
  `{"Name":"c${n}","Enabled":true,"ConnectorType":"Partner","SenderDomains":["*"]${extra}}`;

describe('cmdlet files', () => {
  const inbound = (dup: string) =>
    read(
      file(
        'Get-InboundConnector.json',
        `[${[0, 1, 2].map((n) => connector(n)).join(',')},${connector(3, dup)}]`,
      ),
    );

  test.each([
    ['upper case first', ',"SenderIPAddresses":["192.0.2.1"],"senderIPAddresses":["198.51.100.1"]'],
    ['lower case first', ',"senderIPAddresses":["198.51.100.1"],"SenderIPAddresses":["192.0.2.1"]'],
  ])('case-only duplicate with different values (%s): warned naming both, read as absent', (_, dup) => {
    const s = inbound(dup);
    const c = s.data['Get-InboundConnector']!;
    expect(c).toHaveLength(4);
    expect(c[3]!.SenderIPAddresses).toBeUndefined();
    expect(c[3]!.Enabled).toBe(true);
    expect(s.ambiguous?.['Get-InboundConnector']).toEqual(['SenderIPAddresses']);
    const warning = s.warnings.find((w) => w.includes('are one property'));
    expect(warning).toMatch(
      /^x\/Get-InboundConnector\.json: \[3\]\.(SenderIPAddresses and \[3\]\.senderIPAddresses|senderIPAddresses and \[3\]\.SenderIPAddresses) are one property \(names ignore case\) with different values: neither is used, it is read as unknown$/,
    );
    expect(absentProperty(s, 'Get-InboundConnector', 'SenderIPAddresses')).toBe(
      'SenderIPAddresses is absent, or given twice with different values (see the warnings), in the Get-InboundConnector export: neither value is used',
    );
  });

  test('an exact duplicate with the same value is read once', () => {
    const s = inbound(',"RequireTls":true,"RequireTls":true');
    expect(s.data['Get-InboundConnector']![3]!.RequireTls).toBe(true);
    expect(s.ambiguous).toBeUndefined();
    expect(s.warnings).toContain(
      'x/Get-InboundConnector.json: [3].RequireTls is given twice with the same value: read once',
    );
  });

  test('an exact duplicate with different values: absent, although JSON.parse would keep the last', () => {
    const s = inbound(',"RequireTls":false,"RequireTls":true');
    expect(s.data['Get-InboundConnector']![3]!.RequireTls).toBeUndefined();
    expect(s.warnings).toContain(
      'x/Get-InboundConnector.json: [3].RequireTls is given twice with different values: neither is used, it is read as unknown',
    );
  });

  test('different text that reads the same ("True" and true) is read once, and the warning says why', () => {
    const s = inbound(',"RequireTls":true,"requireTLS":"True"');
    expect(s.data['Get-InboundConnector']![3]!.RequireTls).toBe(true);
    expect(s.ambiguous).toBeUndefined();
    expect(s.warnings).toContain(
      'x/Get-InboundConnector.json: [3].RequireTls and [3].requireTLS are one property (names ignore case) with values that differ only in what mxlock does not read: read once',
    );
  });

  test('a candidate that holds a key given twice itself is never compared', () => {
    const s = inbound(
      ',"SenderIPAddresses":["192.0.2.1"],"senderIPAddresses":{"value":["192.0.2.1"],"Count":1,"Count":1}',
    );
    expect(s.data['Get-InboundConnector']![3]!.SenderIPAddresses).toBeUndefined();
  });

  test('a duplicate nested inside a property (a {value, Count} wrapper) makes that property absent', () => {
    const s = inbound(',"SenderIPAddresses":{"value":["192.0.2.1"],"Count":1,"Value":["198.51.100.1"]}');
    expect(s.data['Get-InboundConnector']![3]!.SenderIPAddresses).toBeUndefined();
    expect(s.data['Get-InboundConnector']![3]!.Name).toBe('c3');
    expect(s.warnings.join('\n')).toContain('[3].SenderIPAddresses.value and [3].SenderIPAddresses.Value');
  });

  test('RejectDirectSend given twice with different values: the check reads unknown, never pass', () => {
    const s = read(
      file(
        'Get-OrganizationConfig.json',
        '{"Name":"contoso","RejectDirectSend":true,"rejectDirectSend":false}',
      ),
    );
    const finding = assessSnapshot(s).report.findings.find((f) => f.id === 'direct-send.reject-flag')!;
    expect(finding.status).toBe('unknown');
    expect(finding.evidence.join('\n')).toContain('given twice with different values');
  });
});

describe('snapshot.json bundles', () => {
  const bundle = (text: string) =>
    buildSnapshot({ source: 'x/snapshot.json', bundle: file('snapshot.json', text), files: [] });

  test('a cmdlet given twice with different values is missing, not the last one', () => {
    const s = bundle(
      '{"Get-AcceptedDomain":[{"DomainName":"contoso.com"}],"Get-OrganizationConfig":{"RejectDirectSend":true},"get-organizationconfig":{"RejectDirectSend":false}}',
    );
    expect(s.data['Get-OrganizationConfig']).toBeUndefined();
    expect(s.missing).toContain('Get-OrganizationConfig');
    expect(s.warnings).toContain(
      'x/snapshot.json: Get-OrganizationConfig and get-organizationconfig are one property (names ignore case) with different values: neither is used, it is read as unknown',
    );
  });

  test('a duplicate inside a cmdlet of the bundle names its path there', () => {
    const s = bundle(
      '{"Get-AcceptedDomain":[{"DomainName":"contoso.com"}],"Get-OrganizationConfig":[{"RejectDirectSend":true,"RejectDirectSend":false}]}',
    );
    expect(s.data['Get-OrganizationConfig']![0]!.RejectDirectSend).toBeUndefined();
    expect(s.warnings.join('\n')).toContain(
      'x/snapshot.json: Get-OrganizationConfig[0].RejectDirectSend is given twice',
    );
  });
});

describe('ScubaGear provider exports', () => {
  const scuba = (body: string) =>
    buildSnapshot({
      source: 'x',
      files: [],
      tools: [file('ProviderSettingsExport.json', `{"module_version":"1.8.0","tenant_details":[],${body}}`)],
    });

  test('a cmdlet key given twice with different values stays missing', () => {
    const s = scuba(
      '"exo_successful_commands":[],"exo_unsuccessful_commands":[],"accepted_domains":[{"DomainName":"contoso.com"}],"transport_rule":[],"transport_rule":[{"Name":"r","State":"Enabled"}]',
    );
    expect(s.data['Get-TransportRule']).toBeUndefined();
    expect(s.missing).toContain('Get-TransportRule');
    expect(s.data['Get-AcceptedDomain']).toHaveLength(1);
  });

  test('a cmdlet given twice that differs only in properties mxlock does not read (exo and securitysuite) is read', () => {
    const s = scuba(
      '"accepted_domains":[{"DomainName":"contoso.com","WhenChangedUTC":"/Date(1700000000000)/"}],"org_config":{"Name":"x"},"accepted_domains":[{"DomainName":"contoso.com"}]',
    );
    expect(s.data['Get-AcceptedDomain']).toEqual([{ DomainName: 'contoso.com' }]);
    expect(s.warnings).toContain(
      'x/ProviderSettingsExport.json: accepted_domains is given twice with values that differ only in what mxlock does not read: read once',
    );
  });

  test('a list of failed cmdlets given twice: every cmdlet either list names is missing data', () => {
    const s = scuba(
      '"exo_unsuccessful_commands":["Get-TransportRule"],"exo_unsuccessful_commands":["Get-AcceptedDomain"],"accepted_domains":[],"transport_rule":[],"org_config":{"Name":"x","AuditDisabled":false}',
    );
    expect(s.data['Get-TransportRule']).toBeUndefined();
    expect(s.data['Get-AcceptedDomain']).toBeUndefined();
    expect(s.data['Get-OrganizationConfig']).toHaveLength(1);
  });
});

describe('dns.json', () => {
  const zoneOf = (text: string) => {
    const s = read(file('dns.json', text));
    return { zone: s.dns, warnings: s.warnings };
  };

  test.each([
    ['case and trailing dot', '"Contoso.com"', '"contoso.com."', 'contoso.com'],
    ['reversed', '"contoso.com."', '"Contoso.com"', 'contoso.com'],
    ['an IDN and its punycode', '"bücher.de"', '"xn--bcher-kva.de"', 'xn--bcher-kva.de'],
    ['the same name twice', '"contoso.com"', '"contoso.com"', 'contoso.com'],
  ])('%s with different answers: warned naming both, every lookup fails (unknown)', (_, a, b, name) => {
    const { zone, warnings } = zoneOf(
      `{${a}:{"TXT":["v=spf1 -all"],"MX":[{"exchange":"mx.gw.example","priority":10}]},${b}:{"TXT":["v=spf1 +all"]}}`,
    );
    const txt = lookup(zone, name, 'TXT');
    expect(txt.kind).toBe('unavailable');
    expect(txt.kind === 'unavailable' && txt.reason).toContain(
      'given twice in dns.json with different answers',
    );
    expect(lookup(zone, name, 'MX').kind).toBe('unavailable');
    const named = warnings.filter((w) => w.startsWith('x/dns.json: ') && w.includes(a) && w.includes(b));
    expect(named).toHaveLength(1);
    expect(named[0]).toContain('with different');
  });

  test('one name written twice with the same answers is read once', () => {
    const { zone, warnings } = zoneOf(
      '{"Contoso.com":{"TXT":["v=spf1 -all"]},"contoso.com.":{"TXT":["v=spf1 -all"]}}',
    );
    expect(lookup(zone, 'contoso.com', 'TXT')).toEqual({ kind: 'answer', records: ['v=spf1 -all'] });
    expect(warnings).toContain(
      'x/dns.json: "Contoso.com" and "contoso.com." are one name, given twice with the same answers: read once',
    );
  });

  test('a record type given twice with different answers fails that type only', () => {
    const { zone, warnings } = zoneOf(
      '{"contoso.com":{"TXT":["v=spf1 -all"],"MX":[{"exchange":"mx.gw.example","priority":10}],"TXT":["v=spf1 +all"]}}',
    );
    expect(lookup(zone, 'contoso.com', 'TXT').kind).toBe('unavailable');
    expect(lookup(zone, 'contoso.com', 'MX')).toEqual({
      kind: 'answer',
      records: [{ exchange: 'mx.gw.example', priority: 10 }],
    });
    expect(warnings).toContain(
      'x/dns.json: ["contoso.com"].TXT is given twice with different values: neither is used, it is read as unknown',
    );
  });

  test('the recorded failures given twice with different types: every type of that name is unknown', () => {
    const { zone } = zoneOf(
      '{"contoso.com":{"TXT":["v=spf1 -all"],"error":{"MX":"timeout"},"error":{"A":"timeout"}}}',
    );
    for (const type of ['TXT', 'MX', 'A'] as const)
      expect(lookup(zone, 'contoso.com', type).kind).toBe('unavailable');
  });

  test('a recorded failure kept beside an ambiguous type', () => {
    const { zone } = zoneOf('{"contoso.com":{"TXT":[],"TXT":["x"],"error":{"MX":"timeout"}}}');
    const mx = lookup(zone, 'contoso.com', 'MX');
    expect(mx.kind === 'unavailable' && mx.reason).toBe('DNS failure: MX contoso.com: timeout');
    expect(lookup(zone, 'contoso.com', 'TXT').kind).toBe('unavailable');
  });
});
