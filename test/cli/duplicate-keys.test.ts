/**
 * Issue 10 item 8 as a user meets it: an export whose RejectDirectSend is given twice with different values, and a
 * --zone file that gives one name twice. The affected check reads unknown and stderr names both keys.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mxlock, REPO } from '../support/cli.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mxlock-dupkeys-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('keys given twice', () => {
  test('assess: RejectDirectSend given twice with different values reads unknown, warned naming both', async () => {
    const dir = join(tmp, 'half-done');
    await cp(join(REPO, 'examples', 'half-done'), dir, { recursive: true });
    const org = join(dir, 'Get-OrganizationConfig.json');
    const text = await readFile(org, 'utf8');
    expect(text).toContain('"RejectDirectSend": true,');
    await writeFile(
      org,
      text.replace('"RejectDirectSend": true,', '"RejectDirectSend": true, "rejectDirectSend": false,'),
    );

    const before = await mxlock(
      'assess',
      join(REPO, 'examples', 'half-done'),
      '--offline',
      '--format',
      'json',
    );
    const after = await mxlock('assess', dir, '--offline', '--format', 'json');
    const status = (stdout: string) =>
      (JSON.parse(stdout) as { findings: { id: string; status: string }[] }).findings.find(
        (f) => f.id === 'direct-send.reject-flag',
      )?.status;
    // On, but without a lock-down: a false sense of safety (direct-send.reject-flag warns, issue 13).
    expect(status(before.stdout)).toBe('warn');
    expect(status(after.stdout)).toBe('unknown');
    expect(after.stderr).toContain(
      'Get-OrganizationConfig.json: RejectDirectSend and rejectDirectSend are one property (names ignore case) with different values: neither is used, it is read as unknown',
    );
  });

  test('dns --zone: one name written twice with different answers is warned about and fails its lookups', async () => {
    const zone = join(tmp, 'zone.json');
    await writeFile(
      zone,
      JSON.stringify({ 'Contoso.com': { TXT: ['v=spf1 -all'] } }).replace(
        '}}',
        '}, "contoso.com.": {"TXT": ["v=spf1 +all"]}}',
      ),
    );
    const r = await mxlock('dns', 'contoso.com', '--zone', zone, '--format', 'json');
    expect(r.stderr).toContain(
      '"Contoso.com" and "contoso.com." are one name, given twice with different answers',
    );
    expect(r.stdout).not.toContain('+all');
    expect(r.stdout).not.toContain('"pass"');
  });
});
