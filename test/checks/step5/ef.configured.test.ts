import { expect, test } from 'vitest';
import { check } from '../../../src/checks/step5/ef.configured.js';
import { run, type CtxOptions } from '../ctx4.js';

const C = "inbound connector 'From Secure Email Gateway'";
const ef = (props: Record<string, unknown>): CtxOptions => ({ patch: { 'Get-InboundConnector': { props } } });

test.each<[string, CtxOptions, string, string]>([
  ['pass: EFSkipIPs set', {}, 'pass', `${C}: EFSkipIPs = 203.0.113.10, 203.0.113.11, 198.51.100.0/28`],
  ['pass: EFSkipLastIP', ef({ EFSkipLastIP: true, EFSkipIPs: [] }), 'pass', `${C}: EFSkipLastIP = true`],
  [
    'fail: neither',
    ef({ EFSkipIPs: [] }),
    'fail',
    `${C}: EFSkipLastIP = false, EFSkipIPs is empty: Enhanced Filtering is off`,
  ],
  [
    'fail: no gateway connector',
    ef({ Enabled: false }),
    'fail',
    'no connector to enable EF on; see connector.lockdown-missing',
  ],
  [
    'unknown: connectors not exported',
    { omit: ['Get-InboundConnector'] },
    'unknown',
    'Get-InboundConnector.json was not exported',
  ],
  [
    'unknown: EF properties absent',
    ef({ EFSkipIPs: undefined, EFSkipLastIP: undefined }),
    'unknown',
    `${C}: EFSkipLastIP, EFSkipIPs absent from the export`,
  ],
])('%s', (_n, opts, status, line) => {
  const out = run(check, opts);
  expect(out.status).toBe(status);
  expect(out.evidence.some((e) => e.startsWith(line))).toBe(true);
});

test('the fail explains SPF against the gateway IP and Honor DMARC (EF-5)', () => {
  const out = run(check, ef({ EFSkipIPs: [] }));
  expect(out.evidence.join('\n')).toContain("against the gateway's IP");
  expect(out.evidence.join('\n')).toContain(
    'Honor DMARC policy is not applied without EF (eop-model EF-5 [D] S27)',
  );
});

test.each<[string, CtxOptions, string]>([
  [
    'skip the gateway IPs when known',
    ef({ EFSkipIPs: [] }),
    "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFSkipLastIP $false -EFSkipIPs '203.0.113.10','203.0.113.11','198.51.100.0/28'",
  ],
  [
    'skip the last hop when the IPs are unknown',
    { ...ef({ EFSkipIPs: [], Name: "SEG 'prod'" }), gateway: { ips: [] } },
    "Set-InboundConnector -Identity 'SEG ''prod''' -EFSkipLastIP $true",
  ],
])('remediation: %s', (_n, opts, ps) => {
  expect(run(check, opts).remediation?.powershell).toBe(ps);
});

test('without a gateway connector the remediation creates one first', () => {
  const ps = run(check, ef({ Enabled: false })).remediation?.powershell ?? '';
  expect(ps.split('\n')[0]).toContain('see connector.lockdown-missing');
  expect(ps).toContain(
    "Set-InboundConnector -Identity 'From Secure Email Gateway' -EFSkipLastIP $false -EFSkipIPs",
  );
});

// Two enabled `*` connectors carry the gateway; which one EOP attributes its mail to is not documented, so EF on one
// of them only does not prove EF applies (eop-model EF-2 [D]: EF is per connector).
test('unknown, not pass: another connector carrying the gateway has Enhanced Filtering off', () => {
  const out = run(check, {
    patch: {
      'Get-InboundConnector': {
        index: 2,
        props: {
          Name: 'SEG (legacy)',
          Identity: 'SEG (legacy)',
          Enabled: true,
          ConnectorType: 'Partner',
          SenderDomains: ['smtp:*;1'],
          SenderIPAddresses: ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'],
          RestrictDomainsToIPAddresses: false,
          RestrictDomainsToCertificate: false,
          EFSkipIPs: [],
          EFSkipLastIP: false,
        },
      },
    },
  });
  expect(out.status).toBe('unknown');
  expect(out.evidence).toContainEqual(
    expect.stringContaining(
      "inbound connector 'SEG (legacy)' also carries the gateway's mail and has Enhanced Filtering off",
    ),
  );
});

test('fail: a connector that alone matches some gateway addresses has Enhanced Filtering off', () => {
  const out = run(check, {
    patch: {
      'Get-InboundConnector': [
        {
          props: {
            SenderIPAddresses: ['203.0.113.10', '203.0.113.11'],
            EFSkipIPs: ['203.0.113.10', '203.0.113.11'],
          },
        },
        {
          index: 2,
          props: {
            Name: 'SEG US',
            Identity: 'SEG US',
            Enabled: true,
            ConnectorType: 'Partner',
            SenderDomains: ['smtp:*;1'],
            SenderIPAddresses: ['198.51.100.0/28'],
            RestrictDomainsToIPAddresses: true,
            RestrictDomainsToCertificate: false,
            EFSkipIPs: [],
            EFSkipLastIP: false,
          },
        },
      ],
    },
  });
  expect(out.status).toBe('fail');
  expect(out.evidence).toContainEqual(
    expect.stringContaining(
      "inbound connector 'SEG US' alone matches the gateway's 198.51.100.0/28 and has Enhanced Filtering off",
    ),
  );
  expect(out.remediation?.powershell).toContain("Set-InboundConnector -Identity 'SEG US'");
});

// The gateway connector matches by certificate and another by IP only: both match the gateway's mail from those
// addresses (CON-1 [D]: IP or certificate), and which one EOP attributes it to is undocumented → unknown, not fail.
const IP_CONNECTOR = (name: string, ips: string[]) => ({
  index: 2,
  props: {
    Name: name,
    Identity: name,
    Enabled: true,
    ConnectorType: 'Partner',
    SenderDomains: ['smtp:*;1'],
    SenderIPAddresses: ips,
    RestrictDomainsToIPAddresses: false,
    RestrictDomainsToCertificate: false,
    EFSkipIPs: [],
    EFSkipLastIP: false,
  },
});
const GATEWAY_IPS = ['203.0.113.10', '203.0.113.11', '198.51.100.0/28'];
/** The gateway connector restricting to a certificate, without IPs (CON-3 [D]: IPs and certificate apart). */
const CERT_LOCKDOWN = {
  SenderIPAddresses: [],
  TlsSenderCertificateName: '*.seg.example',
  RestrictDomainsToIPAddresses: false,
  RestrictDomainsToCertificate: true,
};
/** The gateway connector listing the EU addresses and naming a certificate too; the US range is another's. */
const EU_WITH_CERT = {
  SenderIPAddresses: ['203.0.113.10', '203.0.113.11'],
  TlsSenderCertificateName: '*.seg.example',
};

test.each<[string, Record<string, unknown>, string, string | undefined, string, string]>([
  [
    "a certificate lock-down; the certificate covers the gateway's",
    CERT_LOCKDOWN,
    'SEG ip',
    'mail.seg.example',
    'unknown',
    "inbound connector 'From Secure Email Gateway' matches the gateway's mail by certificate too (its TlsSenderCertificateName '*.seg.example' covers the gateway's certificate 'mail.seg.example', CON-1 [D])",
  ],
  [
    "a connector with IPs and a certificate; the certificate covers the gateway's",
    EU_WITH_CERT,
    'SEG US',
    '*.seg.example',
    'unknown',
    "inbound connector 'From Secure Email Gateway' matches the gateway's mail by certificate too",
  ],
  [
    "a connector with IPs and a certificate; the gateway's certificate is unknown",
    EU_WITH_CERT,
    'SEG US',
    undefined,
    'unknown',
    "inbound connector 'From Secure Email Gateway' has TlsSenderCertificateName '*.seg.example' and the gateway's certificate is unknown: it may match the gateway's mail by certificate",
  ],
  [
    "a connector with IPs and a certificate that is not the gateway's: the other alone carries the US range",
    EU_WITH_CERT,
    'SEG US',
    'mx.contoso-gw.example',
    'fail',
    "inbound connector 'SEG US' alone matches the gateway's 198.51.100.0/28 and has Enhanced Filtering off",
  ],
])('EF on the gateway connector only: %s', (_n, primary, other, certificate, status, line) => {
  const ips = other === 'SEG US' ? ['198.51.100.0/28'] : GATEWAY_IPS;
  const out = run(check, {
    patch: { 'Get-InboundConnector': [{ props: primary }, IP_CONNECTOR(other, ips)] },
    gateway: { certificate },
  });
  expect(out.status).toBe(status);
  expect(out.evidence).toContainEqual(expect.stringContaining(line));
  if (status === 'unknown')
    expect(out.evidence).toContainEqual(
      expect.stringContaining(
        `inbound connector '${other}' also carries the gateway's mail and has Enhanced Filtering off`,
      ),
    );
});
