/** `mxlock dns` end to end: the real CLI in a child process against a DNS server on loopback. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock } from '../support/cli.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';

let server: TestDnsServer;
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-dns-'));
  server = await startDnsServer({
    'good.example': {
      TXT: ['v=spf1 ip4:203.0.113.0/28 include:spf.protection.outlook.com -all'],
      MX: [{ exchange: 'mx1.hc1-2.iphmx.com', priority: 10 }],
    },
    'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 -all'] },
    '_dmarc.good.example': { TXT: ['v=DMARC1; p=reject; rua=mailto:d@good.example'] },
    'weak.example': {
      TXT: ['v=spf1 +all'],
      MX: [{ exchange: 'weak-example.mail.protection.outlook.com', priority: 0 }],
    },
    'slow.example': { TXT: ['v=spf1 -all'] },
  });
  server.setFault('slow.example', { timeout: true });
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('mxlock dns', () => {
  test('live against loopback DNS: a good and a weak domain, exit 1 for the failing one', async () => {
    const r = await mxlock(
      'dns',
      'good.example',
      'weak.example',
      '--dns-server',
      server.server,
      '--timeout',
      '200',
      '--tries',
      '1',
      '--format',
      'json',
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.domains.map((d: { domain: string; status: string }) => [d.domain, d.status])).toEqual([
      ['good.example', 'pass'],
      ['weak.example', 'fail'],
    ]);
    expect(report.domains[1].spf.evidence.join(' ')).toContain('+all');
  });

  test('a DNS timeout is unknown, never pass', async () => {
    const r = await mxlock(
      'dns',
      'slow.example',
      '--dns-server',
      server.server,
      '--timeout',
      '100',
      '--tries',
      '1',
      '--format',
      'json',
    );
    const d = JSON.parse(r.stdout).domains[0];
    expect(d.spf.status).toBe('unknown');
    expect(d.status).not.toBe('pass');
  });

  test('--record writes answers that --zone replays offline to the same report', async () => {
    const zone = join(tmp, 'zone.json');
    const live = await mxlock(
      'dns',
      'good.example',
      '--dns-server',
      server.server,
      '--record',
      zone,
      '--format',
      'json',
    );
    const recorded = JSON.parse(await readFile(zone, 'utf8'));
    expect(recorded['good.example'].TXT).toEqual([
      'v=spf1 ip4:203.0.113.0/28 include:spf.protection.outlook.com -all',
    ]);
    const offline = await mxlock('dns', 'good.example', '--zone', zone, '--format', 'json');
    const strip = (s: string) => ({ ...JSON.parse(s), source: undefined });
    expect(strip(offline.stdout)).toEqual(strip(live.stdout));
  });

  test('--record keeps a timeout as a failure (not an absent name), and --zone replays it as one', async () => {
    const zone = join(tmp, 'zone-failure.json');
    const args = ['--timeout', '100', '--tries', '1', '--format', 'json'];
    const live = await mxlock(
      'dns',
      'slow.example',
      '--dns-server',
      server.server,
      '--record',
      zone,
      ...args,
    );
    expect(live.stderr).toMatch(
      /DNS failure, recorded as such \(its answer is unknown\): slow\.example\/TXT: ETIMEOUT/,
    );
    const recorded = JSON.parse(await readFile(zone, 'utf8'));
    expect(recorded['slow.example']).toEqual({ error: expect.objectContaining({ TXT: 'timeout' }) });
    const offline = await mxlock('dns', 'slow.example', '--zone', zone, '--format', 'json');
    const d = JSON.parse(offline.stdout).domains[0];
    expect(d.spf.status).toBe('unknown');
    const strip = (s: string) => ({ ...JSON.parse(s), source: undefined });
    expect(strip(offline.stdout)).toEqual(strip(live.stdout));
  });

  test('--zone with a bad error entry is an input error naming the file and the field', async () => {
    const zone = join(tmp, 'bad-zone.json');
    await writeFile(zone, JSON.stringify({ 'good.example': { error: { TXT: 'it broke' } } }));
    const r = await mxlock('dns', 'good.example', '--zone', zone);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${zone}: ["good.example"]["error"]["TXT"]: expected "timeout", "SERVFAIL"`);
  });

  test('--file reads a list with comments; a bad line is an input error naming the line', async () => {
    const list = join(tmp, 'list.txt');
    await writeFile(list, '# customers\ngood.example\n\nnot a domain\n');
    const r = await mxlock('dns', '--file', list, '--dns-server', server.server);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('list.txt:4: "not a domain" is not a domain name');
  });

  test('--gateway-ip must be authorised by SPF', async () => {
    const r = await mxlock(
      'dns',
      'good.example',
      '--dns-server',
      server.server,
      '--gateway-ip',
      '198.51.100.7',
      '--format',
      'json',
    );
    const d = JSON.parse(r.stdout).domains[0];
    expect(d.spf.status).toBe('fail');
    expect(d.spf.evidence.join(' ')).toContain('gateway IP 198.51.100.7 is not authorised');
  });
});

describe('mxlock dns: nothing judged is never a clean exit (issue 10 item 9)', () => {
  test('every lookup of every domain failed: exit 1, and stderr says so', async () => {
    const zone = join(tmp, 'all-failed.json');
    await writeFile(
      zone,
      JSON.stringify({
        'contoso.com': { error: { TXT: 'timeout', MX: 'timeout' } },
        '_dmarc.contoso.com': { error: { TXT: 'timeout' } },
      }),
    );
    const r = await mxlock('dns', 'contoso.com', '--zone', zone, '--format', 'json');
    expect(JSON.parse(r.stdout).domains[0].status).toBe('unknown');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no domain could be judged (every lookup failed or timed out)');
  });
});
