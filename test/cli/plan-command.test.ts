/** `mxlock plan` end to end: the files it writes, --out/--force, what it prints, and its exit codes (README). */
import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';

const WIDE_OPEN = join(REPO, 'examples', 'wide-open');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-plan-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** examples/wide-open copied to a folder of its own, to be edited. */
async function copyOfWideOpen(name: string): Promise<string> {
  const dir = join(tmp, name);
  await cp(WIDE_OPEN, dir, { recursive: true });
  return dir;
}

describe('mxlock plan: an existing partner connector the lock-down would refuse (issue 9 A4)', () => {
  test('stage 2 is refused naming path.connector:<name>, exit 1, the hostile name shown escaped', async () => {
    const dir = await copyOfWideOpen('partner-flow');
    const name = 'Fabrikam\u202Epartner\u001b[31m';
    const connectors = JSON.parse(
      (await readFile(join(dir, 'Get-InboundConnector.json'), 'utf16le')).replace(/^\uFEFF/, ''),
    );
    const list = Array.isArray(connectors) ? connectors : [connectors];
    list.push({
      Name: name,
      Enabled: true,
      ConnectorType: 'Partner',
      SenderDomains: ['smtp:fabrikam.example;1'],
      // Matched by its certificate only: an IP lock-down cannot admit it, so stage 2 is refused.
      SenderIPAddresses: [],
      TlsSenderCertificateName: 'mail.fabrikam.example',
      RequireTls: true,
      RestrictDomainsToIPAddresses: false,
      RestrictDomainsToCertificate: false,
      AssociatedAcceptedDomains: [],
    });
    await writeFile(join(dir, 'Get-InboundConnector.json'), JSON.stringify(list));
    const r = await mxlock('plan', dir, '--offline', '--out', join(tmp, 'partner-flow-plan'), '--no-color');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'REFUSED: stage 2 (Restrict the Partner inbound connector to the gateway) would break path.connector:Fabrikam\\u202epartner\\x1b[31m',
    );
    expect(r.stdout.includes('\u001b') || r.stdout.includes('\u202e')).toBe(false);
    // plan.md names the connector too: escaped there as well (common/text.ts, then Markdown).
    const md = await readFile(join(tmp, 'partner-flow-plan', 'plan.md'), 'utf8');
    expect(md).toContain('path.connector:Fabrikam\\\\u202epartner');
    expect(md.includes('\u001b') || md.includes('\u202e')).toBe(false);
  });
});

describe('mxlock plan', () => {
  test('writes plan.md, a script per stage, rollback.ps1 and dns-records.txt, and says what it leaves (exit 0)', async () => {
    const out = join(tmp, 'p1');
    const r = await mxlock('plan', WIDE_OPEN, '--offline', '--out', out, '--no-color');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Plan for contoso.onmicrosoft.com written to ${out}:`);
    expect(r.stdout).toMatch(
      /stage 2 {2}\d+ change\(s\) {2}Restrict the Partner inbound connector to the gateway\n/,
    );
    expect(r.stdout).toMatch(/Left for you after the runnable stages .*tabl\.spoof-allow \(fail\)/);
    expect(r.stdout).not.toContain('REFUSED');
    const files = (await readdir(out)).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'plan.md',
        'rollback.ps1',
        'dns-records.txt',
        ...[0, 1, 2, 3, 4, 5].map((n) => `stage-${n}.ps1`),
      ]),
    );
    const md = await readFile(join(out, 'plan.md'), 'utf8');
    expect(md).toContain('## What the plan leaves for you');
    // Scripts are written for Windows PowerShell 5.1: UTF-8 with a BOM and CRLF line ends.
    const script = await readFile(join(out, 'stage-2.ps1'));
    expect([...script.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(script.toString('utf8')).toContain('\r\n');
  });

  test('refuses to write into a folder that holds files unless --force (exit 2), then overwrites', async () => {
    const out = join(tmp, 'p2');
    expect((await mxlock('plan', WIDE_OPEN, '--offline', '--out', out)).code).toBe(0);
    const again = await mxlock('plan', WIDE_OPEN, '--offline', '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds files; use --force to overwrite them');
    expect((await mxlock('plan', WIDE_OPEN, '--offline', '--out', out, '--force')).code).toBe(0);
  });

  test('a stage that would break a declared flow is refused: exit 1, REFUSED and ALSO REFUSED lines', async () => {
    // On-premises Exchange declared by IP, with no OnPremises connector: the lock-down (5.7.51) and RejectDirectSend
    // (5.7.68) would each refuse it.
    const dir = await copyOfWideOpen('hybrid');
    await appendFile(join(dir, 'mxlock.yaml'), 'hybrid:\n  ips: [192.0.2.10]\n');
    const out = join(tmp, 'p3');
    const r = await mxlock('plan', dir, '--offline', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/REFUSED: stage 2 .* would break path\.hybrid-onpremises: .*5\.7\.51/);
    expect(r.stdout).toMatch(/ALSO REFUSED: stage 3 .* would also break path\.hybrid-onpremises .*5\.7\.68/);
    // The refused stages get no script; the runnable ones do.
    const files = await readdir(out);
    expect(files).toContain('stage-1.ps1');
    expect(files).not.toContain('stage-2.ps1');
  });

  test('a certificate lock-down mxlock cannot tie to the gateway stops the plan (exit 2) with what to declare', async () => {
    const dir = await copyOfWideOpen('stale');
    const path = join(dir, 'Get-InboundConnector.json');
    // The example's file is Windows PowerShell's UTF-16 with a BOM, holding a single object (export quirks mxlock reads).
    const raw = JSON.parse((await readFile(path)).toString('utf16le').replace(/^\uFEFF/, '')) as unknown;
    const list: Record<string, unknown>[] = Array.isArray(raw)
      ? (raw as Record<string, unknown>[])
      : 'value' in (raw as object)
        ? (raw as { value: Record<string, unknown>[] }).value
        : [raw as Record<string, unknown>];
    list.push({
      Name: 'Proofpoint Lockdown (old)',
      Identity: 'Proofpoint Lockdown (old)',
      Enabled: true,
      ConnectorType: 'Partner',
      SenderDomains: ['smtp:*;1'],
      SenderIPAddresses: [],
      TlsSenderCertificateName: '*.pphosted.com',
      RestrictDomainsToCertificate: true,
      RestrictDomainsToIPAddresses: false,
      RequireTls: true,
      AssociatedAcceptedDomains: [],
    });
    await writeFile(path, JSON.stringify(list));
    const r = await mxlock('plan', dir, '--offline', '--out', join(tmp, 'p4'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "cannot plan: 'Proofpoint Lockdown (old)' restricts every sender domain to the certificate *.pphosted.com, which mxlock cannot tie to the gateway: declare gateway.certificate",
    );
    // assess says why the certificate was not taken as the gateway's.
    const a = await mxlock('assess', dir, '--offline', '--fail-on', 'none');
    expect(a.stderr).toMatch(
      /warning: gateway: connector 'Proofpoint Lockdown \(old\)' restricts every sender domain to "\*\.pphosted\.com", which is not known to be this gateway's/,
    );
  });
});
