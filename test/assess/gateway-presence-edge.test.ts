/**
 * Issue 9 A1 edge cases found in review: a parked domain with a null MX, an upper-case onmicrosoft domain, and a
 * lock-down in force while every recorded MX is Exchange Online. None of them may read as a gateway that is not there,
 * or as "no gateway" while a lock-down refuses internet mail.
 */
import { describe, expect, test } from 'vitest';
import { assessSnapshot } from '../../src/assess.js';
import { zoneFromJson } from '../../src/common/zone.js';
import { resolveGateway } from '../../src/profile/infer.js';
import { partner, tenant } from '../plan/builders.js';

const domains = (...list: [string, boolean][]) => ({
  'Get-AcceptedDomain': list.map(([DomainName, Default]) => ({
    DomainName,
    DomainType: 'Authoritative',
    Default,
  })),
});

describe('a parked domain with a null MX (RFC 7505 "0 .") is not a gateway', () => {
  // contoso.com receives at Exchange Online; contoso-old.com is parked the recommended way: MX 0 "." (no mail).
  const dns = zoneFromJson({
    'contoso.com': { MX: [{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }] },
    'contoso-old.com': { MX: [{ exchange: '.', priority: 0 }] },
  });
  const snapshot = tenant(
    [],
    domains(['contoso.com', true], ['contoso-old.com', false], ['contoso.onmicrosoft.com', false]),
    dns,
  );

  test('no gateway (every MX that receives mail is Exchange Online, the null MX receives none)', () => {
    const gw = resolveGateway(undefined, snapshot);
    const { report } = assessSnapshot(snapshot, { zone: dns });
    expect(gw.source).toBe('none');
    expect(report.verdict.bypass).toBe('no-gateway');
  });
});

describe("an upper-case *.onmicrosoft.com accepted domain is still Microsoft's", () => {
  // Get-AcceptedDomain returns DomainName as typed at creation; the reader keeps it (here, only the initial domain).
  const dns = zoneFromJson({});
  const snapshot = tenant([], domains(['Contoso.OnMicrosoft.com', true]), dns);

  test('its MX is always Exchange Online, so no gateway (not unknown)', () => {
    const gw = resolveGateway(undefined, snapshot);
    expect(gw.source).toBe('none');
  });
});

describe('a restricting `*` lock-down while every recorded MX is Exchange Online', () => {
  // The default domain's MX was recorded from an internal (split-horizon) resolver, or only the brand domain was
  // recorded: the lock-down to Mimecast's IPs is strong evidence that mail does pass a gateway. Every internet sender
  // that follows these MX would be refused by it (CON-5), so "no gateway" cannot be what this tenant runs.
  const dns = zoneFromJson({
    'contoso-brand.com': { MX: [{ exchange: 'contoso-brand-com.mail.protection.outlook.com', priority: 0 }] },
  });
  const snapshot = tenant(
    [
      partner('Mimecast lock-down', {
        SenderIPAddresses: ['207.211.30.0/24'],
        RestrictDomainsToIPAddresses: true,
      }),
    ],
    domains(['contoso.com', true], ['contoso-brand.com', false]),
    dns,
  );

  test('not "none" (inferred from the lock-down, or unknown) — never no-gateway with a lock-down in force', () => {
    const gw = resolveGateway(undefined, snapshot);
    const { report } = assessSnapshot(snapshot, { zone: dns });
    const f = report.findings.find((x) => x.id === 'connector.lockdown-gateway-coverage');
    expect(gw.source).toBe('inferred');
    expect(report.verdict.bypass).not.toBe('no-gateway');
    // The lock-down is judged, not waved through as not applicable.
    expect(f?.status).not.toBe('not-applicable');
  });
});
