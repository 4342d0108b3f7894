/**
 * `assess` in live mode (no --offline, no dns.json): what the loopback DNS server answers is the one set of DNS facts
 * of the run, for the dns.* checks, the inventory, the simulator's SPF/DMARC oracle and the gateway inference alike; and
 * a lookup that timed out or SERVFAILed stays unknown everywhere (DESIGN §1.1), never "no such domain".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { assessExport } from '../../src/assess-export.js';
import { recordedAuthOracle } from '../../src/dns/oracle.js';
import { startDnsServer, type TestDnsServer, type ZoneRecords } from '../support/dns-server.js';
import { mxlock } from '../support/cli.js';

const MIMECAST_MX = [
  { exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 },
  { exchange: 'eu-smtp-inbound-2.mimecast.com', priority: 10 },
];
const EOP_MX = [{ exchange: 'contoso-com.mail.protection.outlook.com', priority: 0 }];

const DOMAINS = [
  { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true, InitialDomain: false },
  { DomainName: 'fabrikam.com', DomainType: 'Authoritative', Default: false, InitialDomain: false },
  { DomainName: 'contoso.onmicrosoft.com', DomainType: 'Authoritative', Default: false, InitialDomain: true },
];

function zone(
  contosoMx: NonNullable<ZoneRecords['MX']>,
  fabrikamMx: NonNullable<ZoneRecords['MX']>,
): Record<string, ZoneRecords> {
  return {
    'contoso.com': { MX: contosoMx, TXT: ['v=spf1 ip4:203.0.113.0/24 -all'] },
    '_dmarc.contoso.com': { TXT: ['v=DMARC1; p=reject'] },
    'fabrikam.com': { MX: fabrikamMx, TXT: ['v=spf1 ip4:198.51.100.7 -all'] },
    '_dmarc.fabrikam.com': { TXT: ['v=DMARC1; p=reject'] },
  };
}

let server: TestDnsServer;
let dir: string;
beforeAll(async () => {
  server = await startDnsServer({});
  dir = await mkdtemp(join(tmpdir(), 'mxlock-livedns-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  server.setFault('fabrikam.com', undefined);
});

/** An export without dns.json: a snapshot.json bundle of the cmdlets this needs. */
async function exportWith(name: string, connectors: Record<string, unknown>[]): Promise<string> {
  const path = join(dir, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      'Get-OrganizationConfig': { RejectDirectSend: false },
      'Get-AcceptedDomain': DOMAINS,
      'Get-InboundConnector': connectors,
      'Get-TransportRule': [],
    }),
  );
  return path;
}

const live = (path: string) =>
  assessExport(path, { dnsServers: [server.server], dnsTimeoutMs: 100, dnsTries: 1, log: () => undefined });

describe('assess with live DNS', () => {
  test('a TXT lookup that times out is an SPF temperror (DNS failure), never NXDOMAIN or "no SPF"', async () => {
    server.setZone(zone(MIMECAST_MX, MIMECAST_MX));
    server.setFault('fabrikam.com', { timeout: true, types: ['TXT'] });
    const result = await live(await exportWith('timeout', []));
    // The recorded zone of the run holds the failure, not an absence.
    expect(result.zone?.get('fabrikam.com')?.error).toEqual({ TXT: 'timeout' });
    // The simulator: the same spoof is open for contoso.com (SPF answered: fail, MX elsewhere suppresses DMARC) and for
    // fabrikam.com too, whose SPF is a temperror: authenticated or not, the MX elsewhere delivers it (MX-6.1), so the
    // unknown authentication does not make the path uncertain (DESIGN §5: outcomes all in one status).
    const own = result.report.paths.find((p) => p.id === 'path.direct-send-own-domain');
    const statusOf = (d: string) => own?.domains?.find((x) => x.domain === d)?.status;
    expect(statusOf('contoso.com')).toBe('open');
    expect(statusOf('fabrikam.com')).toBe('open');
    // Its oracle, over the run's zone, says why.
    const verdict = recordedAuthOracle(result.snapshot.dns).verdict({
      ip: '198.18.7.7',
      mailFrom: 'ceo@fabrikam.com',
      headerFrom: 'ceo@fabrikam.com',
      dkimDomains: [],
    });
    expect(verdict.spf).toBe('temperror');
    expect(verdict.dmarc).toBe('unknown');
    expect(verdict.notes.join('\n')).toMatch(
      /SPF fabrikam\.com for 198\.18\.7\.7: temperror \(fabrikam\.com: TXT lookup failed \(timeout\)/,
    );
    // The inventory: the SPF record could not be read, so its senders are unknown, not "no SPF record".
    const inventory = result.report.findings.find((f) => f.id === 'inventory.direct-send-sources');
    const text = inventory?.evidence.join('\n') ?? '';
    expect(text).toMatch(/fabrikam\.com: temperror, the SPF record could not be read/);
    expect(text).not.toMatch(/fabrikam\.com: no SPF record/);
    expect(text).not.toMatch(/fabrikam\.com is not in/);
    // The dns.spf check read the same failure.
    const spf = result.report.findings.find((f) => f.id === 'dns.spf');
    expect(spf?.status).not.toBe('pass');
    expect(spf?.evidence.join('\n')).toMatch(/fabrikam\.com/);
  });

  test('a live run whose MX answers Mimecast infers the gateway from it, without dns.json', async () => {
    server.setZone(zone(MIMECAST_MX, MIMECAST_MX));
    const result = await live(await exportWith('mimecast', []));
    expect(result.report.gateway).toMatchObject({ source: 'inferred', name: 'Mimecast' });
    expect(result.snapshot.dns?.get('contoso.com')?.MX).toHaveLength(2);
  });

  test('a tenant whose MX lookup fails is gateway unknown, never none', async () => {
    // contoso.com's MX is Exchange Online's; fabrikam.com's MX lookup fails: where its mail enters is unknown.
    server.setZone(zone(EOP_MX, MIMECAST_MX));
    server.setFault('fabrikam.com', { servfail: true, types: ['MX'] });
    const result = await live(await exportWith('mx-servfail', []));
    expect(result.report.gateway.source).toBe('unknown');
    expect(result.report.verdict.bypass).toBe('uncertain');
    const basis = result.report.findings
      .find((f) => f.id === 'connector.lockdown-missing')
      ?.evidence.join('\n');
    expect(basis).toMatch(/the MX lookup failed for fabrikam\.com/);
  });

  test('the same tenant with every MX answering Exchange Online has no gateway (the failure above decided)', async () => {
    server.setZone(zone(EOP_MX, EOP_MX));
    const result = await live(await exportWith('all-eop', []));
    expect(result.report.gateway.source).toBe('none');
  });
});

describe('simulate and plan in live mode use the run of assess', () => {
  test('simulate infers the gateway from the live MX, as assess does', async () => {
    server.setZone(zone(MIMECAST_MX, MIMECAST_MX));
    const path = await exportWith('cli-mimecast', []);
    const assessed = await live(path);
    const run = await mxlock('simulate', path, '--dns-server', server.server, '--format', 'json');
    expect(run.stderr).not.toMatch(/error/i);
    const json = JSON.parse(run.stdout) as { before: { verdict: { bypass: string; summary: string } } };
    expect(json.before.verdict).toEqual(assessed.report.verdict);
    expect(json.before.verdict.bypass).not.toBe('uncertain');
  });

  test('plan reads the live MX too: every MX at Exchange Online means no gateway to lock down to a stale connector', async () => {
    server.setZone(zone(EOP_MX, EOP_MX));
    // A leftover Partner connector with SenderDomains *: without the MX it would be taken as the gateway's, and the
    // plan would restrict the tenant's inbound mail to its address (the MX says mail enters at EOP directly).
    const stale = {
      Name: 'From old SEG',
      Enabled: true,
      ConnectorType: 'Partner',
      SenderDomains: ['smtp:*;1'],
      SenderIPAddresses: ['203.0.113.10'],
      RestrictDomainsToIPAddresses: false,
    };
    const path = await exportWith('cli-stale-connector', [stale]);
    const run = await mxlock('plan', path, '--dns-server', server.server, '--out', join(dir, 'plan-out'));
    expect(run.stderr).toMatch(
      /cannot plan: the tenant has no gateway \(every MX of the accepted domains points at Exchange Online\)/,
    );
    expect(run.code).toBe(2);
  });
});
