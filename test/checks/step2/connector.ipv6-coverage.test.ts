import { describe, expect, test } from 'vitest';
import { check } from '../../../src/checks/step2/connector.ipv6-coverage.js';
import type { SnapshotObjects } from '../../../src/snapshot/types.js';
import { evidenceText, run, type ContextInput } from '../helpers.js';
import {
  GATEWAY_CERT,
  GATEWAY_IPS,
  certLockdown,
  hardened,
  ipLockdown,
  safetyNetRule,
} from '../../fixtures/checks/seg-tenant.js';

type Connector = Partial<SnapshotObjects['Get-InboundConnector']>;
type Rule = Partial<SnapshotObjects['Get-TransportRule']>;
type Status = Partial<SnapshotObjects['Get-IPv6StatusForAcceptedDomain']>;

const DOMAINS = ['contoso.com', 'contoso.onmicrosoft.com', 'contoso.mail.onmicrosoft.com'];
const statuses = (status: string | number): Status[] =>
  DOMAINS.map((Domain) => ({ Domain, Status: status as string }));

function tenant(opts: {
  connectors?: Connector[];
  rules?: Rule[];
  ipv6?: Status[] | null;
  gateway?: ContextInput['gateway'];
}): ContextInput {
  const input = hardened({
    data: {
      'Get-InboundConnector': opts.connectors ?? [certLockdown()],
      'Get-TransportRule': opts.rules ?? [],
      ...(opts.ipv6 === null ? {} : { 'Get-IPv6StatusForAcceptedDomain': opts.ipv6 ?? statuses('Enabled') }),
    },
    ...(opts.gateway ? { gateway: opts.gateway } : {}),
  });
  if (opts.ipv6 === null) input.omit = ['Get-IPv6StatusForAcceptedDomain'];
  return input;
}

describe('connector.ipv6-coverage', () => {
  test.each<[string, ContextInput, string, string[]]>([
    [
      'IP-only lock-down, IPv6 Enabled on every domain',
      tenant({ connectors: [ipLockdown()] }),
      'fail',
      [
        'IPv6 inbound on for contoso.com, contoso.onmicrosoft.com, contoso.mail.onmicrosoft.com',
        "connector 'From SEG (IP-bound)' restricts by IP only",
        'IPV6-4 [I]',
        'mxlock.yaml lists no IPv6 egress for the gateway',
      ],
    ],
    [
      'IP-only lock-down, one domain still Enabled (the export as PowerShell 7 writes it)',
      tenant({
        connectors: [ipLockdown()],
        ipv6: [
          { Domain: 'contoso.com', Status: 'Enabled' },
          { Domain: 'CONTOSO.onmicrosoft.com', Status: 'Disabled' },
          { Domain: 'contoso.mail.onmicrosoft.com', Status: 'Disabled' },
        ],
      }),
      'fail',
      ['IPv6 inbound on for contoso.com', 'opted out (Disabled) for contoso.onmicrosoft.com'],
    ],
    [
      'enforced safety net excepting IPv4 ranges only, beside a certificate lock-down',
      tenant({ rules: [safetyNetRule()] }),
      'fail',
      ["rule 'BLOCK - Direct EOP Ingress (Bypass SEG)' (Enforce) excepts the gateway", '(IPv4 only)'],
    ],
    [
      'IP-only lock-down, every domain opted out',
      tenant({ connectors: [ipLockdown()], rules: [safetyNetRule()], ipv6: statuses('Disabled') }),
      'pass',
      ['no accepted domain takes mail over IPv6'],
    ],
    [
      'certificate lock-down, safety net in audit mode',
      tenant({ rules: [safetyNetRule({ Mode: 'AuditAndNotify' })] }),
      'pass',
      ['no IP-only lock-down and no enforced IP-based safety net'],
    ],
    [
      "the net excepts the gateway's declared IPv6 egress",
      tenant({
        rules: [safetyNetRule({ ExceptIfSenderIpRanges: [...GATEWAY_IPS, '2001:db8:6a7e::/48'] })],
        gateway: { ips: [...GATEWAY_IPS, '2001:db8:6a7e::/48'], certificate: GATEWAY_CERT },
      }),
      'pass',
      ['no IP-only lock-down'],
    ],
    [
      'Get-IPv6StatusForAcceptedDomain not exported',
      tenant({ connectors: [ipLockdown()], ipv6: null }),
      'unknown',
      ['Get-IPv6StatusForAcceptedDomain.json was not exported', 'Enabled by default'],
    ],
    [
      'a status that is neither Enabled nor Disabled counts as the default (Enabled)',
      tenant({ connectors: [ipLockdown()], ipv6: statuses(3) }),
      'fail',
      ["IPv6 status '3' is neither Enabled nor Disabled: taken as Enabled"],
    ],
    [
      'lock-down flags not exported: cannot tell',
      tenant({ connectors: [certLockdown({ RestrictDomainsToCertificate: undefined })] }),
      'unknown',
      ['RestrictDomainsToCertificate missing'],
    ],
  ])('%s: %s', (_name, input, status, lines) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    for (const l of lines) expect(evidenceText(out)).toContain(l);
  });

  test('the remediation names the certificate lock-down and each domain to opt out, quoted', () => {
    const out = run(
      check,
      tenant({
        connectors: [ipLockdown()],
        ipv6: [{ Domain: "o'brien.example", Status: 'Enabled' }],
      }),
    );
    // o'brien.example is not an accepted domain: only accepted domains are named.
    expect(out.status).toBe('fail');
    const ps = out.remediation!.powershell;
    expect(ps).toContain("Disable-IPv6ForAcceptedDomain -Domain 'contoso.com'");
    expect(ps).not.toContain('brien');
    expect(ps).toContain("-TlsSenderCertificateName '*.mail-gateway.example.com'");
    expect(out.remediation!.portal).toContain('Disable-IPv6ForAcceptedDomain');
  });

  test('without a gateway certificate, the fix says to declare one', () => {
    const out = run(check, tenant({ connectors: [ipLockdown()], gateway: { ips: GATEWAY_IPS } }));
    expect(out.status).toBe('fail');
    expect(out.remediation!.powershell).toContain('Declare gateway.certificate in mxlock.yaml');
  });
});
