import { describe, expect, test } from 'vitest';
import { BASIC_AUTH_RETIREMENT, check } from '../../../src/checks/step0/devices.submission-route.js';
import { evidenceText, run, type ContextInput, type ExportData } from '../helpers.js';
import { certLockdown, hardened, ipLockdown } from '../../fixtures/checks/seg-tenant.js';

const SCANNERS = { name: 'HQ scanners', ips: ['192.0.2.50'], senders: ['scanner@contoso.com'] };

/** The hardened tenant (certificate lock-down) with the HQ scanners declared and this export on top. */
const tenant = (data: ExportData = {}, sources = [SCANNERS]): ContextInput =>
  hardened({ profile: { directSendSources: sources }, data });
const smtpAuth = (o: Record<string, unknown>[]): ExportData => ({ 'Get-TransportConfig': o as never });

describe('devices.submission-route', () => {
  test.each<[string, ContextInput, string, string]>([
    [
      'SMTP AUTH off organisation-wide, the scanners not admitted',
      tenant(smtpAuth([{ SmtpClientAuthenticationDisabled: true }])),
      'warn',
      'SmtpClientAuthenticationDisabled = true: SMTP AUTH client submission is off organisation-wide',
    ],
    [
      'SMTP AUTH off, as Windows PowerShell 5.1 writes it',
      tenant(smtpAuth([{ SmtpClientAuthenticationDisabled: 'True' }])),
      'warn',
      'SmtpClientAuthenticationDisabled = true',
    ],
    [
      'SMTP AUTH on organisation-wide',
      tenant(smtpAuth([{ SmtpClientAuthenticationDisabled: false }])),
      'warn',
      'SmtpClientAuthenticationDisabled = false: SMTP AUTH client submission is on organisation-wide',
    ],
    [
      'Get-TransportConfig not exported',
      { ...tenant(), omit: ['Get-TransportConfig'] },
      'unknown',
      'Get-TransportConfig.json was not exported: whether SMTP AUTH client submission is on is unknown',
    ],
    [
      'SmtpClientAuthenticationDisabled absent (null)',
      tenant(smtpAuth([{ SmtpClientAuthenticationDisabled: null }])),
      'unknown',
      'Get-TransportConfig: SmtpClientAuthenticationDisabled is absent from the export',
    ],
    [
      'the scanners on the IP lock-down keep their route',
      tenant({
        'Get-InboundConnector': [ipLockdown({ SenderIPAddresses: ['203.0.113.10', '192.0.2.50'] })],
      }),
      'pass',
      "declared source 'HQ scanners': a connector admits it by IP (it keeps its route)",
    ],
    ['no declared source', tenant({}, []), 'not-applicable', 'no directSendSources declared in mxlock.yaml'],
    [
      'connectors not exported',
      { ...tenant(), omit: ['Get-InboundConnector'] },
      'unknown',
      'Get-InboundConnector.json was not exported',
    ],
  ])('%s → %s', (_name, input, status, line) => {
    const out = run(check, input);
    expect(out.status).toBe(status);
    expect(evidenceText(out)).toContain(line);
  });

  test('a source that needs a route is named with the codes it will get', () => {
    const out = run(check, tenant());
    expect(evidenceText(out)).toContain(
      "declared source 'HQ scanners' (192.0.2.50, sends as contoso.com): no connector admits it by IP, so it breaks once the lock-down (550 5.7.51, CON-5 [D]) or RejectDirectSend (550 5.7.68, DS-2 [D]) is on",
    );
  });

  test('Basic-auth SMTP AUTH retirement is worded with dates and the 5.7.30 reply', () => {
    const out = run(check, tenant());
    expect(out.evidence).toContain(BASIC_AUTH_RETIREMENT);
    expect(BASIC_AUTH_RETIREMENT).toContain('until the end of December 2026');
    expect(BASIC_AUTH_RETIREMENT).toContain('second half of 2027');
    expect(BASIC_AUTH_RETIREMENT).toContain('550 5.7.30');
    expect(BASIC_AUTH_RETIREMENT).not.toMatch(/\bsoon\b/);
    expect(evidenceText(out)).toContain(
      'is not in the export: read it for the sending mailbox with Get-CASMailbox',
    );
  });

  test('with SMTP AUTH off, the advice turns it on for the sending mailbox only; with it on, it does not', () => {
    const off = run(check, tenant(smtpAuth([{ SmtpClientAuthenticationDisabled: true }])));
    expect(off.remediation?.powershell).toContain('-SmtpClientAuthenticationDisabled $false');
    const on = run(check, tenant(smtpAuth([{ SmtpClientAuthenticationDisabled: false }])));
    expect(on.remediation?.powershell).not.toContain('Set-CASMailbox');
    expect(on.remediation?.powershell).toContain(
      "New-InboundConnector -Name 'SMTP relay: HQ scanners' -ConnectorType OnPremises -SenderDomains '*' -SenderIPAddresses '192.0.2.50'",
    );
    expect(on.remediation?.powershell).toContain('High Volume Email');
  });

  test('only the addresses no connector admits are listed, and names stay literal', () => {
    const source = { name: "Print'er", ips: ['192.0.2.50', '192.0.2.51'], senders: ['scanner@contoso.com'] };
    const out = run(
      check,
      tenant(
        {
          'Get-InboundConnector': [
            certLockdown(),
            ipLockdown({
              Name: 'Printers',
              SenderDomains: ['contoso.com'],
              SenderIPAddresses: ['192.0.2.51'],
            }),
          ],
        },
        [source],
      ),
    );
    expect(out.status).toBe('warn');
    expect(evidenceText(out)).toContain("declared source 'Print'er' (192.0.2.50, sends as contoso.com)");
    expect(out.remediation?.powershell).toContain(
      "New-InboundConnector -Name 'SMTP relay: Print''er' -ConnectorType OnPremises -SenderDomains '*' -SenderIPAddresses '192.0.2.50'",
    );
  });
});
