/** Issue 10 item 9: the numeric and server flags are bounded and checked at the CLI edge, with the flag named. */
import { describe, expect, test } from 'vitest';
import { dnsServers, positiveInt } from '../../src/cli/flags.js';
import { mxlock } from '../support/cli.js';

describe('positiveInt', () => {
  test.each([
    ['--timeout', '60000', 60000],
    ['--tries', '10', 10],
    ['--concurrency', '1024', 1024],
  ])('%s accepts its upper bound', (flag, value, expected) => {
    expect(positiveInt(value, flag)).toBe(expected);
  });

  test.each([
    ['--timeout', '60001', 'from 1 to 60000'],
    ['--tries', '11', 'from 1 to 10'],
    ['--concurrency', '100000', 'from 1 to 1024'],
    ['--tries', '0', 'from 1 to 10'],
    ['--tries', '1e3', 'from 1 to 10'],
    ['--timeout', '99999999999999999999', 'from 1 to 60000'],
  ])('%s %s is refused', (flag, value, bound) => {
    expect(() => positiveInt(value, flag)).toThrow(`${flag} expects a whole number ${bound}, got "${value}"`);
  });
});

describe('dnsServers', () => {
  test('addresses with or without a port, IPv4 and IPv6, comma-separated or repeated', () => {
    expect(dnsServers(['1.1.1.1,127.0.0.1:5353', '[2606:4700::1111]:53', '2606:4700::1001'])).toEqual([
      '1.1.1.1',
      '127.0.0.1:5353',
      '[2606:4700::1111]:53',
      '2606:4700::1001',
    ]);
  });

  test.each(['dns.google', '1.1.1.1:0', '1.1.1.1:70000', '300.1.1.1', '[::1]:x', 'evil\u001b[31m'])(
    '%j is a usage error naming the value, escaped',
    (v) => {
      expect(() => dnsServers([v])).toThrow(/^--dns-server: ".*" is not an IP address with an optional port/);
      try {
        dnsServers([v]);
      } catch (err) {
        expect((err as Error).message.includes('\u001b')).toBe(false);
      }
    },
  );
});

describe('the commands', () => {
  test('assess with a bad --dns-server: exit 2 before anything is read', async () => {
    const r = await mxlock('assess', 'examples/hardened', '--dns-server', 'dns.google');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dns-server: "dns.google" is not an IP address');
  });

  test('dns accepts a fully qualified name with its trailing dot', async () => {
    const r = await mxlock('dns', 'contoso.com.', '--zone', 'examples/hardened/dns.json', '--format', 'json');
    expect(r.code === 0 || r.code === 1).toBe(true);
    expect(JSON.parse(r.stdout).domains[0].domain).toBe('contoso.com');
  });

  test('dns with 3,000 invalid --gateway-ip values: one short line, the first 20 and how many more', async () => {
    const bad = Array.from({ length: 3000 }, (_, i) => `bad${i}`);
    const r = await mxlock(
      'dns',
      'contoso.com',
      '--zone',
      'examples/hardened/dns.json',
      '--gateway-ip',
      ...bad,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mxlock: --gateway-ip: not an IP address or range: ${bad.slice(0, 20).join(', ')}, and 2980 more\n`,
    );
  });
});

describe('UTF-16 inputs are read like UTF-16 exports (issue 10 item 9)', () => {
  const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

  test('a profile saved by Windows PowerShell as UTF-16LE loads', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadProfile } = await import('../../src/profile/load.js');
    const dir = await mkdtemp(join(tmpdir(), 'mxlock-u16-'));
    try {
      const path = join(dir, 'mxlock.yaml');
      await writeFile(path, utf16le('gateway:\r\n  ips: [203.0.113.10]\r\n'));
      expect((await loadProfile(path)).gateway?.ips).toEqual(['203.0.113.10']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a UTF-16LE domain list for dns --file is read line by line', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'mxlock-u16-'));
    try {
      const list = join(dir, 'domains.txt');
      await writeFile(list, utf16le('# customers\r\ncontoso.com\r\nfabrikam.com.\r\n'));
      const zone = join(dir, 'zone.json');
      await writeFile(zone, '{}');
      const r = await mxlock('dns', '--file', list, '--zone', zone, '--format', 'json');
      expect(JSON.parse(r.stdout).domains.map((d: { domain: string }) => d.domain)).toEqual([
        'contoso.com',
        'fabrikam.com',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
